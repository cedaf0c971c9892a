import { describe, expect, it } from 'vitest';
import {
  acceptTrap, classifyReceiveError, hostNames, matchDevice, normalizeAddress, parseNotification, v1TrapOid, type ParsedTrap, type TrapDevice,
} from '../../../src/devices/pdu/traps.js';

const CPS_TRAP = '1.3.6.1.4.1.3808.1.1.6.0.12';
const rinfo = { address: '10.0.0.5', family: 'IPv4', port: 40000, size: 90 };
const v2 = (varbinds: unknown[], extra: Record<string, unknown> = {}) => ({ pdu: { type: 167, id: 1, varbinds, scoped: false, community: 'public', ...extra }, rinfo });
const envelope = [
  { oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 500 },
  { oid: '1.3.6.1.6.3.1.1.4.1.0', type: 6, value: CPS_TRAP },
];

describe('normalizeAddress', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5'],
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['[FE80::1]', 'fe80::1'],
    [' 192.168.1.2 ', '192.168.1.2'],
  ])('%s → %s', (input, out) => expect(normalizeAddress(input)).toBe(out));
});

describe('matchDevice', () => {
  const devices = [{ id: 'a', host: '10.0.0.5' }, { id: 'b', host: 'pdu-b.lan' }, { id: 'c', host: 'fe80::2' }];
  it.each([
    ['literal IPv4', '10.0.0.5', 'a'],
    ['IPv4-mapped sender', '::ffff:10.0.0.5', 'a'],
    ['IPv6 sender', 'FE80::2', 'c'],
    ['host name resolved', '10.0.0.9', 'b'],
    ['unknown sender', '10.0.0.77', null],
  ])('%s', (_n, from, id) => {
    const resolved = new Map([['pdu-b.lan', ['10.0.0.9']]]);
    expect(matchDevice(from, devices, resolved)?.id ?? null).toBe(id);
  });
  it('host names need resolving first', () => {
    expect(matchDevice('10.0.0.9', devices)).toBeNull();
    expect(hostNames(devices)).toEqual(['pdu-b.lan']);
  });
});

describe('v1TrapOid (RFC 3584 §3.1)', () => {
  it.each([
    ['coldStart', '1.3.6.1.4.1.3808', 0, 0, '1.3.6.1.6.3.1.1.5.1'],
    ['linkUp', '1.3.6.1.4.1.3808', 3, 0, '1.3.6.1.6.3.1.1.5.4'],
    ['enterprise specific', '1.3.6.1.4.1.3808.1.1.6', 6, 12, CPS_TRAP],
  ])('%s', (_n, ent, gen, spec, out) => expect(v1TrapOid(ent, gen, spec)).toBe(out));
});

describe('parseNotification', () => {
  it('v2c trap: trap OID from snmpTrapOID.0, envelope removed, values made JSON-friendly', () => {
    const r = parseNotification(v2([...envelope,
      { oid: '1.3.6.1.4.1.3808.1.1.3.3.3.1.1.2.1', type: 4, value: Buffer.from('Server A') },
      { oid: '1.3.6.1.4.1.3808.1.1.6.1.1.0', type: 4, value: Buffer.from([0, 1, 0xff]) },
      { oid: '1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4.1', type: 2, value: 1 },
      { oid: '1.3.6.1.4.1.3808.9', type: 70, value: Buffer.from([1, 0]) },
      { oid: '1.3.6.1.4.1.3808.10', type: 129, value: null },
    ]));
    expect(r).toEqual({
      ok: true,
      trap: {
        version: 'v2c', trapOid: CPS_TRAP, community: 'public', user: null, address: '10.0.0.5', port: 40000,
        varbinds: [
          { oid: '1.3.6.1.4.1.3808.1.1.3.3.3.1.1.2.1', type: 'OctetString', value: 'Server A' },
          { oid: '1.3.6.1.4.1.3808.1.1.6.1.1.0', type: 'OctetString', value: '0x0001ff' },
          { oid: '1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4.1', type: 'Integer', value: 1 },
          { oid: '1.3.6.1.4.1.3808.9', type: 'Counter64', value: '256' },
          { oid: '1.3.6.1.4.1.3808.10', type: 'NoSuchInstance', value: null },
        ],
      },
    });
  });
  it('v3 trap: the user name marks it', () => {
    const r = parseNotification(v2(envelope, { community: undefined, user: 'pduuser' }));
    expect(r.ok && r.trap.version).toBe('v3');
    expect(r.ok && r.trap.user).toBe('pduuser');
  });
  it('v1 trap: OID from enterprise/generic/specific', () => {
    const r = parseNotification({ pdu: { type: 164, enterprise: '1.3.6.1.4.1.3808.1.1.6', agentAddr: '10.0.0.5', generic: 6, specific: 12, upTime: 5, varbinds: [], community: 'public' }, rinfo });
    expect(r.ok && r.trap).toMatchObject({ version: 'v1', trapOid: CPS_TRAP, varbinds: [] });
  });
  it.each([
    ['not an object', null],
    ['no rinfo', { pdu: { type: 167, varbinds: envelope } }],
    ['no varbinds', { pdu: { type: 167 }, rinfo }],
    ['bad varbind', v2([{ oid: 5, type: 2, value: 1 }])],
    ['v2 trap without snmpTrapOID.0', v2([envelope[0]])],
    ['v1 trap without enterprise', { pdu: { type: 164, generic: 6, specific: 1, varbinds: [] }, rinfo }],
    ['a GetResponse', { pdu: { type: 162, varbinds: [] }, rinfo }],
  ])('malformed: %s', (_n, input) => {
    const r = parseNotification(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason.length).toBeGreaterThan(0);
  });
});

describe('acceptTrap', () => {
  const base: ParsedTrap = { version: 'v2c', trapOid: CPS_TRAP, varbinds: [], community: 'public', user: null, address: '10.0.0.5', port: 1 };
  const v2dev: TrapDevice = { id: 'a', host: '10.0.0.5', version: '2c', v3Username: null };
  const v3dev: TrapDevice = { id: 'b', host: '10.0.0.6', version: '3', v3Username: 'pduuser' };
  it.each([
    ['v2c with the community', base, v2dev, { ok: true }],
    ['v2c with another community', { ...base, community: 'secret' }, v2dev, { ok: false, reason: 'bad_community' }],
    ['v1 with the community', { ...base, version: 'v1' as const }, v2dev, { ok: true }],
    ['unknown source', base, null, { ok: false, reason: 'unknown_source' }],
    ['v3 with the device user', { ...base, version: 'v3' as const, community: null, user: 'pduuser' }, v3dev, { ok: true }],
    ['v3 with another device user', { ...base, version: 'v3' as const, community: null, user: 'other' }, v3dev, { ok: false, reason: 'auth_failed' }],
    ['v3 to a v2c device', { ...base, version: 'v3' as const, community: null, user: 'pduuser' }, v2dev, { ok: false, reason: 'auth_failed' }],
  ])('%s', (_n, trap, dev, out) => expect(acceptTrap(trap, dev, 'public')).toEqual(out));
});

describe('classifyReceiveError', () => {
  it.each([
    ['Local community not found for message with community secret', 'bad_community'],
    ['Local user not found for message with user bob', 'auth_failed'],
    ['Authentication digest 0a does not match calculated digest 0b', 'auth_failed'],
    ['Failure to process incoming message', 'malformed'],
  ])('%s', (msg, out) => expect(classifyReceiveError(msg)).toBe(out));
});
