import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CPS_MIB_PROFILE } from '../../../src/devices/pdu/profiles/cps-mib.js';
import { ORIGINAL_PROFILE } from '../../../src/devices/pdu/profiles/original.js';
import { buildSimulatorMib } from '../../../src/devices/pdu/simulator/mib-tables.js';
import { PduModel } from '../../../src/devices/pdu/simulator/model.js';

// The simulator serves the cps-mib meaning of every OID (SPEC §7.1, §8): every profile row and
// layout/probe/write OID must exist in its MIB, once, with a value of the declared type.

function servedInstances(environment: boolean): Map<string, string> {
  const mib = buildSimulatorMib({ environment });
  const m = new PduModel({ nowMs: Date.UTC(2026, 0, 1), environment });
  const out = new Map<string, string>();
  const add = (oid: string, type: string, value: unknown): void => {
    expect(out.has(oid), `duplicate ${oid}`).toBe(false);
    expect(typeof value === 'number' || typeof value === 'string', `${oid} value`).toBe(true);
    if (type !== 'OctetString' && type !== 'OID') expect(Number.isInteger(value), `${oid} integer`).toBe(true);
    if (type === 'Gauge' || type === 'TimeTicks') expect(value as number).toBeGreaterThanOrEqual(0);
    out.set(oid, type);
  };
  for (const s of mib.scalars) {
    expect(s.oid).toMatch(/\.0$/);
    add(s.oid, s.type, s.get(m));
  }
  for (const t of mib.tables) {
    expect(t.columns[0]?.get(m, 1)).toBe(1); // index column first
    for (const c of t.columns) {
      expect(c.oid.startsWith(`${t.entry}.`)).toBe(true);
      for (let row = 1; row <= t.rowCount; row++) add(`${c.oid}.${row}`, c.type, c.get(m, row));
    }
  }
  return out;
}

const instanceOf = (oid: string, scope: string): string => (scope === 'scalar' ? oid : `${oid}.1`);

describe('simulator MIB vs the cps-mib profile', () => {
  const served = servedInstances(true);

  it.each(CPS_MIB_PROFILE.rows.map((r) => [r.field, r.oid, r.scope] as const))('serves %s (%s)', (_field, oid, scope) => {
    expect(served.has(instanceOf(oid, scope))).toBe(true);
  });

  it('serves every layout, capability-probe and write OID of the profile', () => {
    const { layout, writes } = CPS_MIB_PROFILE;
    const probes = Object.values(layout.capabilityProbes).flatMap((p) =>
      p.kind === 'answers' ? [p.oid] : p.kind === 'positive' ? [p.oids[0] ?? ''] : p.kind === 'loadRowColumn' ? [`${p.column}.1`] : [],
    );
    const oids = [
      CPS_MIB_PROFILE.identityProbe, CPS_MIB_PROFILE.sysUpTime, `${layout.loadRowWalk}.1`, `${layout.loadRowPhase}.1`, `${layout.loadRowBank}.1`,
      layout.bankCountCheck, layout.outletCount, layout.outletCountCheck, `${layout.outletStateWalk}.10`, ...probes,
      `${writes.outletCommand}.1`, writes.deviceName, writes.sysContact, writes.sysName, writes.sysLocation, writes.atsPreferredSource,
    ];
    for (const oid of oids) expect(served.has(oid ?? ''), String(oid)).toBe(true);
  });

  it('serves 10 outlets and 3 load rows', () => {
    expect(served.has(`${CPS_MIB_PROFILE.layout.outletStateWalk}.10`)).toBe(true);
    expect(served.has(`${CPS_MIB_PROFILE.layout.outletStateWalk}.11`)).toBe(false);
    expect(served.has(`${CPS_MIB_PROFILE.layout.loadRowWalk}.3`)).toBe(true);
    expect(served.has(`${CPS_MIB_PROFILE.layout.loadRowWalk}.4`)).toBe(false);
  });

  it('leaves the environment sensor out unless asked for', () => {
    const plain = servedInstances(false);
    for (const r of CPS_MIB_PROFILE.rows.filter((x) => x.capability === 'environment')) {
      expect(plain.has(instanceOf(r.oid, r.scope)), r.field).toBe(false);
    }
    expect(plain.size).toBeLessThan(served.size);
  });

  it('answers the original profile’s outlet metering OIDs with their MIB meaning (phantom values)', () => {
    // Command pending / outlet bank / outlet load columns: present, so the original reads them (SPEC §7.1).
    for (const r of ORIGINAL_PROFILE.rows.filter((x) => x.scope === 'outlet')) expect(served.has(`${r.oid}.1`), r.field).toBe(true);
  });
});

describe('no OID literals outside profiles/ (SPEC §7.1)', () => {
  const dir = join(import.meta.dirname, '../../../src/devices/pdu/simulator');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.ts')))('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).not.toMatch(/\b1\.3\.6\.1\b/);
    expect(text).not.toMatch(/\b3808\b/);
  });
});
