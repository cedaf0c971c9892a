// The derived table (src/devices/pdu/profiles/derived.ts) feeds both the MQTT readings and HA
// discovery: every HA state topic must be a topic the bridge publishes (SPEC §9.2).
import { describe, expect, it } from 'vitest';
import { DERIVED_ROWS, TOTAL_ROWS } from '../../../../src/devices/pdu/profiles/derived.js';
import { PROFILES } from '../../../../src/devices/pdu/profiles/index.js';
import { readingsOf } from '../../../../src/devices/pdu/profiles/readings.js';
import { buildPduDiscovery } from '../../../../src/mqtt/homeassistant/index.js';
import { pduSnapshot } from '../../../support/pdu-snapshot.js';

/** Published by the state publisher from the transport state, not by readingsOf. */
const BRIDGE_REPORTED = new Set(['availability', 'transport_state']);

describe.each(Object.values(PROFILES))('profile $name', (profile) => {
  it('every HA state topic is a published reading (or a bridge-reported topic)', () => {
    const snap = pduSnapshot();
    const published = new Set(readingsOf(snap, profile).map((r) => `pdu/pdu-01/${r.key}`));
    const configs = buildPduDiscovery({
      deviceId: 'pdu-01', label: '', snapshot: snap, profile, baseTopic: 'pdu', discoveryPrefix: 'homeassistant', writable: true, publicUrl: '', swVersion: '1',
    });
    for (const c of configs) {
      const st = c.payload.state_topic as string | undefined;
      if (st === undefined) continue;
      const sub = st.slice('pdu/pdu-01/'.length);
      if (!BRIDGE_REPORTED.has(sub)) expect(published.has(st), st).toBe(true);
    }
  });
});

describe('derived rows', () => {
  it('totals: load, power, energy with SPEC §9.1 decimals', () => {
    expect(TOTAL_ROWS.map((r) => [r.topic, r.unit, r.decimals])).toEqual([['total/load', 'A', 1], ['total/power', 'W', 1], ['total/energy', 'kWh', 3]]);
  });

  it('readingsOf publishes the totals from the table', () => {
    const keys = readingsOf(pduSnapshot(), PROFILES['cps-mib']).filter((r) => r.key.startsWith('total/'));
    expect(keys.map((r) => [r.key, r.value, r.unit, r.decimals, r.row])).toEqual([
      ['total/load', 2.4, 'A', 1, null], ['total/power', 280, 'W', 1, null], ['total/energy', 24.6, 'kWh', 3, null],
    ]);
  });

  it('suffixes do not collide with profile rows', () => {
    const profileSuffixes = new Set(Object.values(PROFILES).flatMap((p) => p.rows.flatMap((r) => (r.ha ? [r.ha.suffix] : []))));
    for (const r of DERIVED_ROWS) expect(profileSuffixes.has(r.ha.suffix), r.ha.suffix).toBe(false);
  });
});
