import { describe, expect, it } from 'vitest';
import { WATCHDOG_STATES, buildBridgeDiscovery, type BridgeDiscoveryInput, type DiscoveryConfig } from '../../../../src/mqtt/homeassistant/index.js';
import { checkDiscoveryPayload } from '../../../support/ha-discovery-schema.js';

const BASE: BridgeDiscoveryInput = { baseTopic: 'pdu', discoveryPrefix: 'homeassistant', swVersion: '0.1.0', publicUrl: '' };
const find = (configs: DiscoveryConfig[], id: string): DiscoveryConfig => {
  const c = configs.find((x) => x.uniqueId === id);
  if (!c) throw new Error(`no ${id}`);
  return c;
};

describe('buildBridgeDiscovery (SPEC §10.3)', () => {
  it.each<[string, BridgeDiscoveryInput, string[]]>([
    ['core only', BASE, ['power2mqtt_bridge_status', 'power2mqtt_grid_power', 'power2mqtt_last_outage_duration']],
    ['with switches', { ...BASE, switches: [1, { id: 7, name: 'Router' }] },
      ['power2mqtt_bridge_status', 'power2mqtt_grid_power', 'power2mqtt_last_outage_duration', 'power2mqtt_switches_up', 'power2mqtt_switch_1', 'power2mqtt_switch_7']],
    ['with an empty switch list', { ...BASE, switches: [] },
      ['power2mqtt_bridge_status', 'power2mqtt_grid_power', 'power2mqtt_last_outage_duration', 'power2mqtt_switches_up']],
    ['with a watchdog', { ...BASE, watchdogs: ['demo-modem'] },
      ['power2mqtt_bridge_status', 'power2mqtt_grid_power', 'power2mqtt_last_outage_duration',
        'power2mqtt_watchdog_demo-modem_state', 'power2mqtt_watchdog_demo-modem_cycles', 'power2mqtt_watchdog_demo-modem_reset']],
  ])('%s: entities and schema', (_name, input, ids) => {
    const configs = buildBridgeDiscovery(input);
    expect(configs.map((c) => c.uniqueId)).toEqual(ids);
    for (const c of configs) expect(checkDiscoveryPayload(c.component, c.topic, c.payload), c.topic).toEqual([]);
  });

  const all = buildBridgeDiscovery({ ...BASE, publicUrl: 'https://p2m.lan', switches: [{ id: 3, name: 'Modem' }], watchdogs: ['wd1'] });

  it('bridge status: connectivity on the LWT topic, diagnostic, no availability', () => {
    const c = find(all, 'power2mqtt_bridge_status');
    expect(c.topic).toBe('homeassistant/binary_sensor/power2mqtt_bridge_status/config');
    expect(c.payload).toMatchObject({ name: 'Bridge Status', device_class: 'connectivity', state_topic: 'pdu/bridge/state', payload_on: 'online', payload_off: 'offline', entity_category: 'diagnostic' });
    expect(c.payload).not.toHaveProperty('availability');
  });

  it('mains power and last outage read pdu/bridge/outage through the §10.3 templates', () => {
    expect(find(all, 'power2mqtt_grid_power').payload).toMatchObject({
      name: 'Mains power', device_class: 'power', state_topic: 'pdu/bridge/outage', value_template: "{{ 'OFF' if value_json.state == 'outage' else 'ON' }}",
      availability: [{ topic: 'pdu/bridge/state' }],
    });
    expect(find(all, 'power2mqtt_last_outage_duration').payload).toMatchObject({
      name: 'Last outage duration', device_class: 'duration', unit_of_measurement: 's', state_topic: 'pdu/bridge/outage',
      value_template: "{{ value_json.last.duration_seconds if value_json.last else 'None' }}",
    });
  });

  it('switch and watchdog entities', () => {
    expect(find(all, 'power2mqtt_switches_up').payload).toMatchObject({ state_topic: 'pdu/bridge/info', value_template: '{{ value_json.switches.up }}' });
    expect(find(all, 'power2mqtt_switch_3').payload).toMatchObject({
      name: 'Switch Modem', device_class: 'connectivity', state_topic: 'pdu/bridge/switches/3/state', payload_on: 'up', payload_off: 'down',
    });
    expect(find(all, 'power2mqtt_watchdog_wd1_state').payload).toMatchObject({
      device_class: 'enum', options: [...WATCHDOG_STATES], state_topic: 'pdu/bridge/watchdog/wd1/state', value_template: '{{ value_json.state }}',
    });
    expect(find(all, 'power2mqtt_watchdog_wd1_cycles').payload).toMatchObject({ value_template: '{{ value_json.cycles }}' });
    expect(find(all, 'power2mqtt_watchdog_wd1_reset').payload).toMatchObject({
      command_topic: 'pdu/bridge/request/watchdog/reset', payload_press: '{"name":"wd1"}',
    });
  });

  it('one bridge device, with configuration_url only when public_url is set', () => {
    for (const c of all) {
      expect(c.payload.device).toEqual({
        identifiers: ['power2mqtt_bridge'], name: 'power2mqtt bridge', manufacturer: 'power2mqtt', model: 'power2mqtt', sw_version: '0.1.0',
        configuration_url: 'https://p2m.lan',
      });
      expect(c.payload.origin).toEqual({ name: 'power2mqtt', sw_version: '0.1.0' });
    }
    for (const c of buildBridgeDiscovery(BASE)) expect(c.payload.device).not.toHaveProperty('configuration_url');
  });
});
