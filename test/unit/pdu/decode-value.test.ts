import { describe, expect, it } from 'vitest';
import { CPS_MIB_PROFILE, ORIGINAL_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { decodeValue, type DecodeOptions } from '../../../src/devices/pdu/decode-value.js';
import { SnmpType } from '../../../src/devices/pdu/transport.js';
import type { PduProfile } from '../../../src/devices/pdu/profiles/types.js';

const row = (p: PduProfile, f: string) => {
  const r = p.rows.find((x) => x.field === f);
  if (!r) throw new Error(`no row ${f}`);
  return r;
};
const ON: DecodeOptions = { meteringFloor: true, sourceVoltageScale: 1 };
const OFF: DecodeOptions = { meteringFloor: false, sourceVoltageScale: 10 };
const int = (value: number) => ({ oid: '1.1', type: SnmpType.Integer, value });
const gauge = (value: number) => ({ oid: '1.1', type: SnmpType.Gauge, value });
const str = (s: string) => ({ oid: '1.1', type: SnmpType.OctetString, value: Buffer.from(s) });

describe('decodeValue: scaling, floors, enums, strings (SPEC §7.2–§7.4)', () => {
  it.each([
    // field, varbind, options, expected value
    ['input.voltage', int(1204), ON, 120.4],
    ['input.frequency', int(600), ON, 60],
    ['bank.current', gauge(57), ON, 5.7],
    ['bank.power_factor', int(97), ON, 0.97],
    ['bank.power', int(684), ON, 684],
    ['bank.energy', gauge(12345), ON, 1234.5],
    ['bank.load_state', int(3), ON, 'nearOverload'],
    ['bank.load_state', int(9), ON, 'unknown'],
    ['outlet.state', int(1), ON, 'on'],
    ['outlet.state', int(2), ON, 'off'],
    ['outlet.state', int(0), ON, 'unknown'],
    // metering floor: raw current ≤ 2 → 0.0 A; raw power ≤ 1 → 0.0 W; off when disabled
    ['outlet.current', int(2), ON, 0],
    ['outlet.current', int(3), ON, 0.3],
    ['outlet.current', int(2), OFF, 0.2],
    ['outlet.power', int(1), ON, 0],
    ['outlet.power', int(2), ON, 2],
    ['outlet.power', int(1), OFF, 1],
    // source voltage scale decided per device (§7.5)
    ['sources.a.voltage', int(121), ON, 121],
    ['sources.a.voltage', int(1210), OFF, 121],
    ['sources.b.status', int(3), ON, 'underVoltage'],
    ['ats.current_source', int(2), ON, 'B'],
    ['ats.redundancy', int(1), ON, 'lost'],
    ['ats.redundancy', int(2), ON, 'ok'],
    ['coldstart.state', int(1), ON, 'allon'],
    ['identity.model', str('PDU44001\0\0  '), ON, 'PDU44001'],
    ['identity.name', str('  rack A  '), ON, 'rack A'],
  ] as const)('cps-mib %s %j → %j', (f, vb, opts, expected) => {
    expect(decodeValue(row(CPS_MIB_PROFILE, f), vb, opts).value).toEqual(expected);
  });

  it.each([
    ['outlet.current', int(2), ON, 0], // the phantom "0.2 A" (command pending = 2 none) hidden by the floor
    ['outlet.current', int(2), OFF, 0.2],
    ['outlet.power', int(2), ON, 2], // outlet bank 2 read as "power" survives the floor: the original's phantom 2 W
    ['identity.hardware_rev', int(12), ON, '12'],
    ['ats.auto_transfer', int(1), ON, 'on'],
    ['identity.max_current', int(160), ON, 16],
  ] as const)('original %s %j → %j', (f, vb, opts, expected) => {
    expect(decodeValue(row(ORIGINAL_PROFILE, f), vb, opts).value).toEqual(expected);
  });

  it.each([
    ['input.voltage', int(-1), /outside the plausible range/],
    ['input.voltage', int(99_999), /outside the plausible range/],
    ['bank.power_factor', int(250), /outside the plausible range/],
    ['outlet.state', str('on'), /expected an enumerated integer, got OctetString/],
    ['identity.sys_object_id', int(1), /expected an OID/],
    ['sources.a.status', int(7), /outside the MIB's enumeration/],
    ['ats.current_source', int(0), /outside the MIB's enumeration/],
  ] as const)('%s %j is reported and left absent', (f, vb, problem) => {
    const d = decodeValue(row(CPS_MIB_PROFILE, f), vb, ON);
    expect(d.value).toBeNull();
    expect(d.problem).toMatch(problem);
  });

  it('reads Counter64 buffers and TimeTicks as numbers', () => {
    const r = row(CPS_MIB_PROFILE, 'bank.energy');
    expect(decodeValue(r, { oid: '1', type: SnmpType.Counter64, value: Buffer.from([0x01, 0x00]) }, ON).value).toBe(25.6);
    expect(decodeValue(r, { oid: '1', type: SnmpType.TimeTicks, value: 100 }, ON).value).toBe(10);
  });
});

// Found by test/unit/fuzz/snmp.test.ts: a NaN or an overlong Counter64 reached the snapshot as NaN/Infinity.
describe('decodeValue: numbers that are not finite are reported, never decoded', () => {
  it.each([
    ['outlet.current', { oid: '1', type: SnmpType.Integer, value: Number.NaN }],
    ['bank.energy', { oid: '1', type: SnmpType.Counter64, value: Buffer.alloc(300, 0xff) }],
    ['bank.power', { oid: '1', type: SnmpType.Gauge, value: Number.POSITIVE_INFINITY }],
  ] as const)('%s %s', (f, vb) => {
    const d = decodeValue(row(CPS_MIB_PROFILE, f), vb, OFF);
    expect(d.value).toBeNull();
    expect(d.problem).toMatch(/value is not a finite number$/);
  });
});
