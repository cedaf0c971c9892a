import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../src/devices/pdu/profiles/index.js';
import { decodeValue } from '../../../src/devices/pdu/decode-value.js';
import { SnmpType } from '../../../src/devices/pdu/transport.js';

const HA_COMPONENTS = new Set(['sensor', 'binary_sensor', 'switch', 'select', 'button']);
const STATE_CLASSES = new Set(['measurement', 'total', 'total_increasing']);

describe.each(Object.values(PROFILES))('profile $name', (profile) => {
  it('has no duplicate OIDs and no duplicate fields', () => {
    const oids = profile.rows.map((r) => r.oid);
    expect(new Set(oids).size).toBe(oids.length);
    const fields = profile.rows.map((r) => r.field);
    expect(new Set(fields).size).toBe(fields.length);
  });

  it('every OID is a dotted numeric OID (or a {n} template for indexed rows)', () => {
    for (const r of profile.rows) {
      expect(r.oid, r.field).toMatch(r.scope === 'scalar' ? /^1(\.\d+)+$/ : /^1(\.\d+)+(\.\{n\}(\.\d+)*)?$/);
      expect(r.mib.length, r.field).toBeGreaterThan(3);
    }
  });

  it('rows are well-formed: enums have maps, numbers have ranges, HA metadata is valid', () => {
    for (const r of profile.rows) {
      if (r.kind === 'enum') expect(r.enumMap, r.field).toBeDefined();
      if (r.kind === 'number' && r.group !== 'layout') expect(r.range, r.field).toBeDefined();
      if (r.floor !== undefined) expect(r.scope, `${r.field}: the metering floor applies to outlets only`).toBe('outlet');
      if (r.ha) {
        expect(HA_COMPONENTS.has(r.ha.component), r.field).toBe(true);
        expect(r.topic, `${r.field} has HA metadata but no MQTT topic`).toBeDefined();
        expect(r.ha.suffix, r.field).toMatch(/^[a-z0-9_{}]+$/);
        if (r.ha.state_class) expect(STATE_CLASSES.has(r.ha.state_class)).toBe(true);
        if (r.ha.device_class === 'enum') expect(r.ha.options?.length, r.field).toBeGreaterThan(0);
        if (r.scope !== 'scalar') expect(r.ha.suffix, `${r.field} is indexed: its unique_id needs {n}`).toContain('{n}');
      }
      if (r.topic && r.scope !== 'scalar') expect(r.topic).toContain('{n}');
    }
  });

  it('HA unique_id suffixes are unique', () => {
    const suffixes = profile.rows.filter((r) => r.ha).map((r) => r.ha!.suffix);
    expect(new Set(suffixes).size).toBe(suffixes.length);
  });

  it('every numeric row decodes raw → raw/scale, and rejects the wrong type', () => {
    for (const r of profile.rows.filter((x) => x.kind === 'number' && x.scaleFrom === undefined)) {
      const scale = r.scale ?? 1;
      const raw = Math.round((r.range ? (r.range[0] + r.range[1]) / 4 : 10) * scale) || 7;
      const expected = raw / scale;
      const got = decodeValue(r, { oid: r.oid, type: SnmpType.Gauge, value: raw }, { meteringFloor: false, sourceVoltageScale: null });
      expect(got.value, r.field).toBeCloseTo(expected, 6);
      const bad = decodeValue(r, { oid: r.oid, type: SnmpType.OctetString, value: Buffer.from('x') }, { meteringFloor: false, sourceVoltageScale: null });
      expect(bad.value, r.field).toBeNull();
      expect(bad.problem, r.field).toMatch(/expected a number/);
    }
  });

  it('every row treats noSuchObject / noSuchInstance as absent, not as an error', () => {
    for (const r of profile.rows) {
      for (const type of [SnmpType.NoSuchObject, SnmpType.NoSuchInstance, SnmpType.EndOfMibView]) {
        const d = decodeValue(r, { oid: r.oid, type, value: null }, { meteringFloor: true, sourceVoltageScale: 10 });
        expect(d, r.field).toEqual({ value: null });
      }
    }
  });

  it('outlet command values follow the MIB (on 1, off 2, reboot 3, delayon 4, delayoff 5, delayreboot 6, cancel 7)', () => {
    expect(profile.writes.outletCommandValues).toEqual({ on: 1, off: 2, reboot: 3, delayon: 4, delayoff: 5, delayreboot: 6, cancel: 7 });
  });
});

describe('profile differences the SPEC calls out (§7.1, §7.2)', () => {
  const field = (p: 'cps-mib' | 'original', f: string) => PROFILES[p].rows.find((r) => r.field === f)?.oid;
  it.each([
    ['outlet.current', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.7', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.5'],
    ['outlet.power', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.8', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.6'],
    ['outlet.energy', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.13', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.7'],
    ['ats.current_source', '1.3.6.1.4.1.3808.1.1.6.9.4.1.3.1', '1.3.6.1.4.1.3808.1.1.3.4.1.2.0'],
    ['ats.preferred_source', '1.3.6.1.4.1.3808.1.1.6.9.2.1.3.1', '1.3.6.1.4.1.3808.1.1.3.4.1.1.0'],
    ['identity.firmware_main', '1.3.6.1.4.1.3808.1.1.3.1.3.0', '1.3.6.1.4.1.3808.1.1.3.1.2.0'],
    ['identity.max_current', '1.3.6.1.4.1.3808.1.1.3.1.7.0', '1.3.6.1.4.1.3808.1.1.3.1.15.0'],
    ['outlet.bank', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.6', '1.3.6.1.4.1.3808.1.1.3.2.1.8.1.2'],
    // identical in both
    ['input.voltage', '1.3.6.1.4.1.3808.1.1.3.5.7.0', '1.3.6.1.4.1.3808.1.1.3.5.7.0'],
    ['bank.current', '1.3.6.1.4.1.3808.1.1.3.2.3.1.1.2', '1.3.6.1.4.1.3808.1.1.3.2.3.1.1.2'],
    ['outlet.state', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.4', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.4'],
    ['sources.a.voltage', '1.3.6.1.4.1.3808.1.1.6.9.4.1.5.1', '1.3.6.1.4.1.3808.1.1.6.9.4.1.5.1'],
    ['identity.serial', '1.3.6.1.4.1.3808.1.1.3.1.6.0', '1.3.6.1.4.1.3808.1.1.3.1.6.0'],
  ])('%s: cps-mib %s, original %s', (f, cps, orig) => {
    expect(field('cps-mib', f)).toBe(cps);
    expect(field('original', f)).toBe(orig);
  });

  it('cps-mib reads the command-pending column; original does not', () => {
    expect(field('cps-mib', 'outlet.pending')).toBe('1.3.6.1.4.1.3808.1.1.3.3.5.1.1.5');
    expect(field('original', 'outlet.pending')).toBeUndefined();
  });
});
