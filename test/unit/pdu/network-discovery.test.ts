import { describe, expect, it } from 'vitest';
import { discoveryOids, localInterfaces, pduFromAnswer } from '../../../src/devices/pdu/network-discovery.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { SnmpType, type Varbind } from '../../../src/devices/pdu/transport.js';

const str = (v: string): Varbind => ({ oid: 'x', type: SnmpType.OctetString, value: Buffer.from(v) });
const int = (v: number): Varbind => ({ oid: 'x', type: SnmpType.Integer, value: v });
const absent: Varbind = { oid: 'x', type: SnmpType.NoSuchObject, value: null };

describe('discovery (SPEC §7.9)', () => {
  it('asks the identity probe, name, model, serial and outlet count in one GET', () => {
    const p = getProfile('cps-mib');
    const oids = discoveryOids(p);
    expect(oids).toHaveLength(5);
    expect(oids[0]).toBe(p.identityProbe);
    expect(oids[3]).toBe(p.rows.find((r) => r.field === 'identity.serial')!.oid);
  });

  it.each<[string, Varbind[], object | null]>([
    ['a PDU', [str('PDU'), str('PDU'), str('PDU44001'), str('NA1 '), int(10)], { device_name: 'PDU', model: 'PDU44001', serial: 'NA1', outlet_count: 10 }],
    ['no outlet count', [str('PDU'), str('PDU'), str('PDU15'), str('S'), absent], { model: 'PDU15', outlet_count: null }],
    ['an SNMP agent that is not an ePDU', [absent, absent, absent, absent, absent], null],
    ['a model but no name', [absent, absent, str('PDU20'), str('S2'), int(8)], { device_name: '', model: 'PDU20' }],
  ])('%s', (_n, vbs, expected) => {
    const r = pduFromAnswer('10.0.0.9', 161, vbs);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatchObject({ host: '10.0.0.9', port: 161, ...expected });
  });

  it('default subnets: the /24 of every non-internal IPv4 interface', () => {
    const r = localInterfaces({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [{ address: '192.168.1.37', family: 'IPv4', internal: false }, { address: 'fe80::1', family: 'IPv6', internal: false }],
      wlan0: [{ address: '10.2.3.4', family: 4, internal: false }],
      down: undefined,
    });
    expect(r).toEqual([
      { interface: 'eth0', ip: '192.168.1.37', subnet: '192.168.1.0/24' },
      { interface: 'wlan0', ip: '10.2.3.4', subnet: '10.2.3.0/24' },
    ]);
  });
});
