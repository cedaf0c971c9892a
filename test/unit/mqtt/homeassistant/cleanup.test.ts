import { describe, expect, it } from 'vitest';
import { staleDiscoveryTopics, type StaleOptions } from '../../../../src/mqtt/homeassistant/index.js';

const ours = (uid: string): string => JSON.stringify({ unique_id: uid, state_topic: 'pdu/x' });
const OPTS: StaleOptions = { configuredDeviceIds: ['pdu-01', 'rack'], cleanupLegacy: true, discoveryPrefix: 'homeassistant' };

describe('staleDiscoveryTopics (SPEC §10.4)', () => {
  it.each<[string, Array<[string, string]>, string[], Partial<StaleOptions>, string[]]>([
    ['ours, no longer published → stale',
      [['homeassistant/sensor/cyberpdu_S1_outlet_9_power/config', ours('cyberpdu_S1_outlet_9_power')]], [], {},
      ['homeassistant/sensor/cyberpdu_S1_outlet_9_power/config']],
    ['ours, still published → kept',
      [['homeassistant/sensor/cyberpdu_S1_input_voltage/config', ours('cyberpdu_S1_input_voltage')]], ['homeassistant/sensor/cyberpdu_S1_input_voltage/config'], {}, []],
    ['bridge entity no longer published → stale',
      [['homeassistant/binary_sensor/power2mqtt_switch_4/config', ours('power2mqtt_switch_4')]], [], {},
      ['homeassistant/binary_sensor/power2mqtt_switch_4/config']],
    ['ours by abbreviated unique_id',
      [['homeassistant/sensor/a/config', JSON.stringify({ uniq_id: 'cyberpdu_S1_x' })]], [], {}, ['homeassistant/sensor/a/config']],
    ['ours by origin name',
      [['homeassistant/sensor/a/config', JSON.stringify({ unique_id: 'other', o: { name: 'power2mqtt' } })]], [], {}, ['homeassistant/sensor/a/config']],
    ['foreign config untouched',
      [['homeassistant/sensor/zigbee_temp/config', JSON.stringify({ unique_id: '0x1234_temperature', origin: { name: 'Zigbee2MQTT' } })]], [], {}, []],
    ['unparseable foreign payload untouched',
      [['homeassistant/sensor/x/config', 'not json']], [], {}, []],
    ['empty payload (already cleared) ignored',
      [['homeassistant/sensor/cyberpdu_S1_gone/config', '']], [], {}, []],
    ['outside the discovery prefix ignored',
      [['other/sensor/cyberpdu_S1_x/config', ours('cyberpdu_S1_x')]], [], {}, []],
    ['legacy {device_id}_{suffix} of a configured id cleared when enabled',
      [['homeassistant/sensor/pdu-01_input_voltage/config', JSON.stringify({ unique_id: 'pdu-01_input_voltage' })],
        ['homeassistant/sensor/pdu-01_ats_voltage_sensitivity/config', JSON.stringify({ unique_id: 'pdu-01_ats_voltage_sensitivity' })],
        ['homeassistant/switch/rack_outlet_1/config', JSON.stringify({ unique_id: 'rack_outlet_1' })]], [], {},
      ['homeassistant/sensor/pdu-01_ats_voltage_sensitivity/config', 'homeassistant/sensor/pdu-01_input_voltage/config', 'homeassistant/switch/rack_outlet_1/config']],
    ['legacy kept when cleanup_legacy is off',
      [['homeassistant/sensor/pdu-01_input_voltage/config', JSON.stringify({ unique_id: 'pdu-01_input_voltage' })]], [], { cleanupLegacy: false }, []],
    ['legacy of an id that is not configured untouched',
      [['homeassistant/sensor/pdu-02_input_voltage/config', JSON.stringify({ unique_id: 'pdu-02_input_voltage' })]], [], {}, []],
    ['legacy with an empty payload ignored',
      [['homeassistant/sensor/pdu-01_input_voltage/config', '']], [], {}, []],
    ['a current topic is never stale, even if it looks legacy',
      [['homeassistant/sensor/rack_x/config', ours('cyberpdu_S1_x')]], ['homeassistant/sensor/rack_x/config'], {}, []],
  ])('%s', (_name, found, current, opts, expected) => {
    expect(staleDiscoveryTopics(new Map(found), new Set(current), { ...OPTS, ...opts })).toEqual(expected);
  });

  it('respects another discovery prefix', () => {
    const found = new Map([['ha/sensor/pdu-01_input_voltage/config', '{}'], ['homeassistant/sensor/pdu-01_input_voltage/config', '{}']]);
    expect(staleDiscoveryTopics(found, new Set(), { ...OPTS, discoveryPrefix: 'ha' })).toEqual(['ha/sensor/pdu-01_input_voltage/config']);
  });
});
