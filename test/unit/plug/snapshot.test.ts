import { describe, expect, it } from 'vitest';
import { compileReadings } from '../../../src/devices/pdu/profiles/readings.js';
import { CPS_MIB_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { plugSnapshot } from '../../../src/devices/plug/snapshot.js';
import type { PlugReading } from '../../../src/devices/plug/types.js';
import { buildPduDiscovery } from '../../../src/mqtt/homeassistant/pdu.js';
import { checkDiscoveryPayload } from '../../support/ha-discovery-schema.js';

const outlet = (o: Partial<PlugReading['outlets'][number]>): PlugReading['outlets'][number] => ({
  name: 'Outlet', state: 'on', power: 10, current: 0.1, voltage: 230, frequency: null, energy: 1, ...o,
});
const reading: PlugReading = {
  identity: { manufacturer: 'TP-Link', name: 'Strip', model: 'HS300(US)', serial: 'C0:06:C3:00:00:01', hardwareId: '8006A1B2C3D4E5F60718293A4B5C6D7E8F901234', firmware: '1.0.12', hardware: '2.0' },
  outlets: [outlet({ name: 'NAS', power: 45.5, current: 0.38 }), outlet({ name: 'Router', state: 'off', power: 0, current: 0, voltage: 229 })],
  errors: [{ field: 'children[2].state', problem: 'not an on/off value: 7' }],
};
const transport = { state: 'healthy' as const, consecutive_failures: 0, last_success_ts: 100, last_error: null, poll_ms: 3 };
const snap = plugSnapshot({ deviceId: 'strip', ts: 100, reading, energy: [2.5, 0.75], nameOverrides: new Map([[2, 'Modem']]), transport });

describe('plug reading → device model', () => {
  it('is a device with outlets and an input voltage, no banks, ATS, sources or coldstart', () => {
    expect(snap.identity).toMatchObject({ manufacturer: 'TP-Link', model: 'HS300(US)', serial: 'C0:06:C3:00:00:01', firmware_main: '1.0.12', outlet_count: 2, phase_count: 1 });
    expect(snap.capabilities).toEqual(['outlet_metering']);
    expect(snap.input).toEqual({ voltage: 230, frequency: null });
    expect(snap.banks).toEqual({});
    expect([snap.ats, snap.sources, snap.coldstart, snap.environment]).toEqual([null, null, null, null]);
    expect(snap.outlets[1]).toMatchObject({ name: 'NAS', state: 'on', power: 45.5, current: 0.38, energy: 2.5, name_override: null, bank: null });
    expect(snap.outlets[2]).toMatchObject({ state: 'off', energy: 0.75, name_override: 'Modem' });
    expect(snap.totals).toEqual({ load: 0.38, power: 45.5, energy: 3.25 });
    expect(snap.errors).toEqual([{ oid: 'children[2].state', field: 'children[2].state', problem: 'not an on/off value: 7' }]);
  });

  it('an unmetered plug has no metering capability and null totals', () => {
    const s = plugSnapshot({ ...{ deviceId: 'p', ts: 1, nameOverrides: new Map(), transport }, reading: { ...reading, outlets: [outlet({ power: null, current: null, voltage: null, energy: null })], errors: [] }, energy: [null] });
    expect(s.capabilities).toEqual([]);
    expect(s.totals).toEqual({ load: null, power: null, energy: null });
  });

  // SPEC §10.2: entities only for what the plug reports. Kasa and Tasmota send no frequency;
  // Shelly Gen2 does; a Shelly pm1/em1 channel has no relay.
  const discovery = (s: typeof snap) => buildPduDiscovery({
    deviceId: s.device_id, label: '', snapshot: s, profile: CPS_MIB_PROFILE, baseTopic: 'pdu', discoveryPrefix: 'homeassistant', writable: true, publicUrl: '', swVersion: '0.1.0',
  });
  const suffixes = (s: typeof snap): string[] => {
    const ids = discovery(s).map((c) => c.uniqueId);
    const stem = ids.find((u) => u.endsWith('_input_voltage'))!.slice(0, -'input_voltage'.length);
    return ids.map((u) => u.slice(stem.length));
  };
  it.each([
    ['Kasa/Tasmota: no frequency', [outlet({})], ['outlet_metering'], { freq: false, switches: 1 }],
    ['Shelly switch:0 with freq', [outlet({ frequency: 50 })], ['outlet_metering', 'input_frequency'], { freq: true, switches: 1 }],
    ['Shelly pm1:0 meter', [outlet({ frequency: 50, state: 'unknown', switchable: false })], ['outlet_metering', 'input_frequency'], { freq: true, switches: 0 }],
    ['unmetered relay', [outlet({ power: null, current: null, voltage: null, energy: null })], [], { freq: false, switches: 1 }],
  ])('%s', (_n, outlets, caps, want) => {
    const s = plugSnapshot({ deviceId: 'p', ts: 1, nameOverrides: new Map(), transport, reading: { ...reading, outlets, errors: [] }, energy: outlets.map(() => 1) });
    expect(s.capabilities).toEqual(caps);
    const ids = suffixes(s);
    expect(ids.includes('input_frequency')).toBe(want.freq);
    expect(ids.filter((x) => x === 'outlet_1').length).toBe(want.switches);
    expect(ids.filter((x) => x === 'outlet_1_reboot').length).toBe(want.switches);
    expect(s.outlets[1]?.switchable).toBe(want.switches === 0 ? false : undefined);
  });

  it('capabilities seen earlier stay (one poll without a frequency does not remove the entity)', () => {
    const s = plugSnapshot({
      deviceId: 'p', ts: 1, nameOverrides: new Map(), transport, reading: { ...reading, outlets: [outlet({ power: null, current: null })], errors: [] },
      energy: [1], knownCapabilities: ['outlet_metering', 'input_frequency'],
    });
    expect(s.capabilities).toEqual(['outlet_metering', 'input_frequency']);
  });

  it('downstream views read it with the device-model table: readings and HA entities, no plug branch', () => {
    const keys = compileReadings(snap, CPS_MIB_PROFILE).filter((r) => r.read(snap) !== null).map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(['input/voltage', 'outlet/1/state', 'outlet/1/power', 'outlet/2/current', 'outlet/2/energy', 'total/power']));
    expect(keys.some((k) => /^(bank|ats|source|coldstart)\//.test(k))).toBe(false);
    const configs = buildPduDiscovery({
      deviceId: 'strip', label: '', snapshot: snap, profile: CPS_MIB_PROFILE, baseTopic: 'pdu', discoveryPrefix: 'homeassistant', writable: true, publicUrl: '', swVersion: '0.1.0',
    });
    expect(configs.length).toBeGreaterThan(0);
    for (const c of configs) expect(checkDiscoveryPayload(c.topic.split('/')[1]!, c.topic, c.payload)).toEqual([]);
    const dev = (configs[0]!.payload as { device: Record<string, unknown> }).device;
    expect(dev).toMatchObject({ manufacturer: 'TP-Link', model: 'HS300(US)', sw_version: '1.0.12', name: 'Strip' });
    expect(configs.some((c) => /bank_|ats_|source_|coldstart/.test(c.topic))).toBe(false);
  });
});
