import { describe, expect, it } from 'vitest';
import type { Capability } from '../../../../src/core/types.js';
import { PROFILES } from '../../../../src/devices/pdu/profiles/index.js';
import { buildPduDiscovery, type DiscoveryConfig, type PduDiscoveryInput } from '../../../../src/mqtt/homeassistant/index.js';
import { checkDiscoveryPayload } from '../../../support/ha-discovery-schema.js';
import { ALL_CAPABILITIES, pduSnapshot, reducedSnapshot } from '../../../support/pdu-snapshot.js';

const CPS = PROFILES['cps-mib'];
const ORIGINAL = PROFILES.original;

function input(over: Partial<PduDiscoveryInput> = {}): PduDiscoveryInput {
  return {
    deviceId: 'pdu-01', label: '', snapshot: pduSnapshot(), profile: CPS, baseTopic: 'pdu', discoveryPrefix: 'homeassistant',
    writable: true, publicUrl: 'http://power2mqtt.lan:8080', swVersion: '0.1.0', ...over,
  };
}

const bySuffix = (configs: DiscoveryConfig[], suffix: string): DiscoveryConfig | undefined =>
  configs.find((c) => c.uniqueId === `cyberpdu_NA1234567890_${suffix}`);
const count = (configs: DiscoveryConfig[], component: string): number => configs.filter((c) => c.component === component).length;

describe('buildPduDiscovery: every payload passes the HA discovery schema', () => {
  it.each([
    ['full PDU44001, cps-mib', input()],
    ['full PDU44001, original', input({ profile: ORIGINAL })],
    ['reduced, cps-mib', input({ snapshot: reducedSnapshot() })],
    ['reduced, original', input({ snapshot: reducedSnapshot(), profile: ORIGINAL })],
    ['read-only full, cps-mib', input({ writable: false })],
    ['read-only full, original, no public url', input({ writable: false, profile: ORIGINAL, publicUrl: '' })],
    ['other prefix and base', input({ discoveryPrefix: 'ha/disc', baseTopic: 'site/pdus' })],
  ])('%s', (_name, inp) => {
    const configs = buildPduDiscovery(inp);
    expect(configs.length).toBeGreaterThan(20);
    for (const c of configs) expect(checkDiscoveryPayload(c.component, c.topic, c.payload), c.topic).toEqual([]);
    const ids = configs.map((c) => c.uniqueId);
    expect(new Set(ids).size, 'unique_ids are unique').toBe(ids.length);
    for (const c of configs) expect(c.topic).toBe(`${inp.discoveryPrefix}/${c.component}/${c.uniqueId}/config`);
  });
});

describe('entity counts', () => {
  it.each([
    // 2 input + 7×2 bank + 10 switch + 30 outlet metering + 3 ATS + 6 sources + 2 coldstart + 2 env + 2 contacts + 3 totals + 2 diag + 10 buttons
    ['full, cps-mib', input(), 86, { sensor: 61, binary_sensor: 4, switch: 10, select: 1, button: 10 }],
    // original profile: no coldstart rows; ats/auto_transfer has no HA metadata
    ['full, original', input({ profile: ORIGINAL }), 84, { sensor: 59, binary_sensor: 4, switch: 10, select: 1, button: 10 }],
    // 2 input + 6 bank + 8 switch + 2 totals (no energy: neither bank energy nor outlet metering) + 2 diag + 8 buttons
    ['reduced, cps-mib', input({ snapshot: reducedSnapshot() }), 28, { sensor: 11, binary_sensor: 1, switch: 8, select: 0, button: 8 }],
    ['reduced, original', input({ snapshot: reducedSnapshot(), profile: ORIGINAL }), 28, { sensor: 11, binary_sensor: 1, switch: 8, select: 0, button: 8 }],
    // read-only: outlets become binary sensors, the select a sensor, no buttons
    ['full read-only', input({ writable: false }), 76, { sensor: 62, binary_sensor: 14, switch: 0, select: 0, button: 0 }],
  ])('%s', (_name, inp, total, per) => {
    const configs = buildPduDiscovery(inp);
    expect(configs.length).toBe(total);
    for (const [component, n] of Object.entries(per)) expect(count(configs, component), component).toBe(n);
  });

  // Entities each capability adds to the reduced device (8 outlets, 1 bank) on cps-mib.
  it.each<[Capability, number, string[]]>([
    ['ats', 3, ['ats_current_source', 'ats_preferred_source', 'ats_redundancy']],
    ['sources', 6, ['source_a_voltage', 'source_b_frequency', 'source_a_voltage_status']],
    // …and each of these two brings Total Energy (a PDU sums its banks' energy, a plug its outlets').
    ['outlet_metering', 25, ['outlet_1_current', 'outlet_8_power', 'outlet_8_energy', 'total_energy']],
    ['bank_energy', 2, ['bank_1_energy', 'total_energy']],
    ['coldstart', 2, ['coldstart_delay', 'coldstart_state']],
    ['environment', 4, ['env_temperature', 'env_humidity', 'env_contact_1', 'env_contact_2']],
    ['total_row', 0, ['total_load', 'total_power']],
  ])('capability %s adds %i entities', (cap, added, suffixes) => {
    const without = buildPduDiscovery(input({ snapshot: reducedSnapshot() }));
    const withCap = buildPduDiscovery(input({ snapshot: reducedSnapshot({ capabilities: [cap] }) }));
    expect(withCap.length - without.length).toBe(added);
    for (const s of suffixes) expect(bySuffix(withCap, s), s).toBeDefined();
  });

  // SPEC §10.1: `cyberpdu_{serial}` for PDUs, `{kind}_{hardware id}` for plugs (sanitized alike).
  it.each([
    ['cyberpower', undefined, 'cyberpdu_NA1_outlet_1'],
    ['kasa', '8006ABCDEF', 'kasa_8006ABCDEF_outlet_1'],
    ['shelly', 'AA:BB:CC:00:11:22', 'shelly_AA_BB_CC_00_11_22_outlet_1'],
    ['tasmota', undefined, 'tasmota_NA1_outlet_1'], // no hardware id: the serial stands in
  ])('unique_ids and device identifiers of a %s device', (kind, hardwareId, uniqueId) => {
    const snap = pduSnapshot({ serial: 'NA1' });
    const identity = hardwareId === undefined ? snap.identity : { ...snap.identity, hardware_id: hardwareId };
    const configs = buildPduDiscovery(input({ kind, snapshot: { ...snap, identity } }));
    const sw = configs.find((c) => c.topic === `homeassistant/switch/${uniqueId}/config`);
    expect(sw?.payload.unique_id ?? sw?.payload.uniq_id).toBe(uniqueId);
    const stem = uniqueId.replace(/_outlet_1$/, '');
    const device = (sw?.payload.device ?? sw?.payload.dev) as Record<string, unknown>;
    expect(device.identifiers ?? device.ids).toEqual([stem]);
    expect(configs.every((c) => c.topic.includes(`/${stem}_`))).toBe(true);
  });

  it('no Total Energy entity for a device without an energy reading (it would stay unknown)', () => {
    expect(bySuffix(buildPduDiscovery(input({ snapshot: reducedSnapshot() })), 'total_energy')).toBeUndefined();
    expect(bySuffix(buildPduDiscovery(input({ snapshot: reducedSnapshot({ capabilities: ['total_row'] }) })), 'total_energy')).toBeUndefined();
    expect(bySuffix(buildPduDiscovery(input()), 'total_energy')).toBeDefined();
  });

  it('instances come from the snapshot keys, not from a fixed count', () => {
    const configs = buildPduDiscovery(input({ snapshot: pduSnapshot({ outlets: 24, banks: 3, contacts: 4 }) }));
    expect(count(configs, 'switch')).toBe(24);
    expect(bySuffix(configs, 'outlet_24_reboot')).toBeDefined();
    expect(bySuffix(configs, 'bank_3_power')).toBeDefined();
    expect(bySuffix(configs, 'env_contact_4')).toBeDefined();
    expect(bySuffix(configs, 'outlet_25')).toBeUndefined();
  });

  it('input_frequency: without the capability there is no Input Frequency entity (a device that never reports one)', () => {
    const withFreq = buildPduDiscovery(input({ snapshot: reducedSnapshot() }));
    const snap = reducedSnapshot();
    const without = buildPduDiscovery(input({ snapshot: { ...snap, capabilities: [], input: { voltage: 230, frequency: null } } }));
    expect(bySuffix(withFreq, 'input_frequency')).toBeDefined();
    expect(bySuffix(without, 'input_frequency')).toBeUndefined();
    expect(without.length).toBe(withFreq.length - 1);
    expect(bySuffix(without, 'input_voltage')).toBeDefined();
  });

  // SPEC §10.2 "created only for supported capabilities": a meter channel without a relay.
  it.each([
    ['writable', true, { switch: 7, button: 7, binary_sensor: 1 }],
    ['read-only', false, { switch: 0, button: 0, binary_sensor: 1 + 7 }],
  ])('an outlet marked switchable: false gets no switch, reboot button or state entity (%s)', (_n, writable, per) => {
    const snap = pduSnapshot({ outlets: 8, banks: 1, capabilities: ['outlet_metering', 'input_frequency'] });
    snap.outlets[3] = { ...snap.outlets[3]!, state: 'unknown', switchable: false };
    const configs = buildPduDiscovery(input({ snapshot: snap, writable }));
    for (const [component, n] of Object.entries(per)) expect(count(configs, component), component).toBe(n);
    for (const s of ['outlet_3', 'outlet_3_reboot']) expect(bySuffix(configs, s), s).toBeUndefined();
    for (const s of ['outlet_3_current', 'outlet_3_power', 'outlet_3_energy']) expect(bySuffix(configs, s), s).toBeDefined();
    expect(bySuffix(configs, 'outlet_2')?.component).toBe(writable ? 'switch' : 'binary_sensor');
    for (const c of configs) expect(checkDiscoveryPayload(c.component, c.topic, c.payload), c.topic).toEqual([]);
  });

  it('nothing is published before the identity (serial) is known', () => {
    const snap = pduSnapshot();
    expect(buildPduDiscovery(input({ snapshot: { ...snap, identity: { ...snap.identity, serial: '' } } }))).toEqual([]);
  });
});

describe('unique_ids and device block', () => {
  it('are stable across device id, host and label (same serial)', () => {
    const a = buildPduDiscovery(input()).map((c) => c.uniqueId);
    const b = buildPduDiscovery(input({ deviceId: 'rack-2', label: 'Other', snapshot: pduSnapshot({ deviceId: 'rack-2' }) })).map((c) => c.uniqueId);
    expect(b).toEqual(a);
  });

  it('sanitises a serial with "/" and spaces', () => {
    const configs = buildPduDiscovery(input({ snapshot: pduSnapshot({ serial: 'AB/12 34.x' }) }));
    expect(configs[0]?.uniqueId).toBe('cyberpdu_AB_12_34_x_input_voltage');
    expect(configs[0]?.payload.device).toMatchObject({ identifiers: ['cyberpdu_AB_12_34_x'], serial_number: 'AB/12 34.x' });
    for (const c of configs) expect(checkDiscoveryPayload(c.component, c.topic, c.payload)).toEqual([]);
  });

  it('device block per SPEC §10.1, origin names power2mqtt', () => {
    const c = buildPduDiscovery(input())[0] as DiscoveryConfig;
    expect(c.payload.device).toEqual({
      identifiers: ['cyberpdu_NA1234567890'], name: 'Rack PDU', manufacturer: 'CyberPower', model: 'PDU44001', serial_number: 'NA1234567890',
      sw_version: '1.3.2', hw_version: '1.1', configuration_url: 'http://power2mqtt.lan:8080', via_device: 'power2mqtt_bridge',
    });
    expect(c.payload.origin).toEqual({ name: 'power2mqtt', sw_version: '0.1.0' });
  });

  it.each([
    ['label wins', 'Lab rack', 'Rack PDU', 'Lab rack'],
    ['PDU name when no label', '', 'Rack PDU', 'Rack PDU'],
    ['CyberPower {id} when neither', '', '', 'CyberPower pdu-01'],
  ])('device name: %s', (_n, label, name, expected) => {
    const c = buildPduDiscovery(input({ label, snapshot: pduSnapshot({ name }) }))[0] as DiscoveryConfig;
    expect((c.payload.device as Record<string, unknown>).name).toBe(expected);
  });

  it('no configuration_url when public_url is empty', () => {
    for (const c of buildPduDiscovery(input({ publicUrl: '' }))) expect(c.payload.device).not.toHaveProperty('configuration_url');
  });
});

describe('entity payloads', () => {
  const configs = buildPduDiscovery(input());
  const payload = (suffix: string): Record<string, unknown> => (bySuffix(configs, suffix) as DiscoveryConfig).payload;

  it.each([
    ['input_voltage', { device_class: 'voltage', unit_of_measurement: 'V', state_class: 'measurement', suggested_display_precision: 1, state_topic: 'pdu/pdu-01/input/voltage' }],
    ['bank_2_power_factor', { device_class: 'power_factor', state_class: 'measurement', suggested_display_precision: 2, name: 'Bank 2 Power Factor' }],
    ['bank_1_energy', { device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing', suggested_display_precision: 3 }],
    ['outlet_3_energy', { device_class: 'energy', state_class: 'total_increasing', suggested_display_precision: 3, state_topic: 'pdu/pdu-01/outlet/3/energy' }],
    ['total_energy', { device_class: 'energy', state_class: 'total_increasing', suggested_display_precision: 3, state_topic: 'pdu/pdu-01/total/energy' }],
    ['total_load', { device_class: 'current', unit_of_measurement: 'A', name: 'Total Load' }],
    ['bank_1_load_state', { device_class: 'enum', options: ['normal', 'low', 'nearOverload', 'overload'] }],
    ['coldstart_delay', { device_class: 'duration', unit_of_measurement: 's', entity_category: 'diagnostic', suggested_display_precision: 0 }],
    ['transport_state', { device_class: 'enum', entity_category: 'diagnostic', state_topic: 'pdu/pdu-01/transport_state' }],
    ['outlet_4', { command_topic: 'pdu/pdu-01/outlet/4/command', state_topic: 'pdu/pdu-01/outlet/4/state', payload_on: 'on', payload_off: 'off', state_on: 'on', state_off: 'off', device_class: 'outlet', name: 'Outlet 4' }],
    ['outlet_4_reboot', { command_topic: 'pdu/pdu-01/outlet/4/command', payload_press: 'reboot', device_class: 'restart', name: 'Outlet 4 Reboot' }],
    ['ats_preferred_source', { command_topic: 'pdu/pdu-01/ats/preferred_source/set', state_topic: 'pdu/pdu-01/ats/preferred_source', options: ['A', 'B'] }],
    ['ats_redundancy', { device_class: 'problem', payload_on: 'lost', payload_off: 'ok', name: 'ATS Redundancy Lost' }],
    ['env_contact_2', { device_class: 'opening', payload_on: 'open', payload_off: 'closed', state_topic: 'pdu/pdu-01/environment/contact/2' }],
    ['connectivity', { device_class: 'connectivity', payload_on: 'online', payload_off: 'offline', entity_category: 'diagnostic', state_topic: 'pdu/pdu-01/availability' }],
  ])('%s', (suffix, expected) => {
    expect(payload(suffix)).toMatchObject(expected);
  });

  it('enum sensors carry no unit, state_class or precision', () => {
    for (const s of ['bank_1_load_state', 'ats_current_source', 'source_a_voltage_status', 'coldstart_state', 'transport_state']) {
      for (const k of ['unit_of_measurement', 'state_class', 'suggested_display_precision']) expect(payload(s), `${s}.${k}`).not.toHaveProperty(k);
    }
  });

  it('every numeric sensor has suggested_display_precision', () => {
    for (const c of configs.filter((x) => x.component === 'sensor' && x.payload.device_class !== 'enum')) {
      expect(c.payload.suggested_display_precision, c.uniqueId).toEqual(expect.any(Number));
    }
  });

  it('availability: bridge state AND device availability, mode all; the connectivity sensor has none', () => {
    expect(payload('input_voltage')).toMatchObject({
      availability: [
        { topic: 'pdu/bridge/state', payload_available: 'online', payload_not_available: 'offline' },
        { topic: 'pdu/pdu-01/availability', payload_available: 'online', payload_not_available: 'offline' },
      ],
      availability_mode: 'all',
    });
    expect(payload('connectivity')).not.toHaveProperty('availability');
    expect(payload('connectivity')).not.toHaveProperty('availability_mode');
    for (const c of configs.filter((x) => x.uniqueId !== 'cyberpdu_NA1234567890_connectivity')) expect(c.payload.availability_mode, c.uniqueId).toBe('all');
  });
});

describe('read-only device (no write community)', () => {
  const configs = buildPduDiscovery(input({ writable: false }));

  it('has no command topics at all', () => {
    for (const c of configs) expect(c.payload, c.uniqueId).not.toHaveProperty('command_topic');
    expect(configs.some((c) => c.component === 'button' || c.component === 'switch' || c.component === 'select')).toBe(false);
  });

  it('shows outlets as power binary sensors and the preferred source as an enum sensor, same unique_ids', () => {
    const outlet = bySuffix(configs, 'outlet_1') as DiscoveryConfig;
    expect(outlet.component).toBe('binary_sensor');
    expect(outlet.topic).toBe('homeassistant/binary_sensor/cyberpdu_NA1234567890_outlet_1/config');
    expect(outlet.payload).toMatchObject({ device_class: 'power', payload_on: 'on', payload_off: 'off', state_topic: 'pdu/pdu-01/outlet/1/state' });
    const pref = bySuffix(configs, 'ats_preferred_source') as DiscoveryConfig;
    expect(pref.component).toBe('sensor');
    expect(pref.payload).toMatchObject({ device_class: 'enum', options: ['A', 'B'], state_topic: 'pdu/pdu-01/ats/preferred_source' });
  });
});

it('all capabilities constant matches the core list', () => {
  expect([...ALL_CAPABILITIES].sort()).toEqual(['ats', 'bank_energy', 'coldstart', 'environment', 'input_frequency', 'outlet_metering', 'sources', 'total_row']);
});
