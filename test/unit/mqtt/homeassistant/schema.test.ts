// The HA discovery checker (test/support/ha-discovery-schema.ts) must reject what Home Assistant
// rejects or warns about; one case per rule class, each naming the documented rule.
import { describe, expect, it } from 'vitest';
import { checkDiscoveryPayload } from '../../../support/ha-discovery-schema.js';

type Obj = Record<string, unknown>;
const DEVICE = { identifiers: ['cyberpdu_X1'], name: 'Rack', manufacturer: 'CyberPower', model: 'PDU44001' };
const ORIGIN = { name: 'power2mqtt', sw_version: '0.1.0' };
const AVAIL = { availability: [{ topic: 'pdu/bridge/state' }, { topic: 'pdu/p1/availability' }], availability_mode: 'all' };

const VALID: Record<string, Obj> = {
  sensor: { name: 'Input Voltage', unique_id: 'cyberpdu_X1_input_voltage', state_topic: 'pdu/p1/input/voltage', device_class: 'voltage', unit_of_measurement: 'V', state_class: 'measurement', suggested_display_precision: 1, device: DEVICE, origin: ORIGIN, ...AVAIL },
  binary_sensor: { name: 'Contact 1', unique_id: 'cyberpdu_X1_env_contact_1', state_topic: 'pdu/p1/environment/contact/1', device_class: 'opening', payload_on: 'open', payload_off: 'closed', device: DEVICE, origin: ORIGIN },
  switch: { name: 'Outlet 1', unique_id: 'cyberpdu_X1_outlet_1', command_topic: 'pdu/p1/outlet/1/command', state_topic: 'pdu/p1/outlet/1/state', device_class: 'outlet', payload_on: 'on', payload_off: 'off', device: DEVICE, origin: ORIGIN },
  select: { name: 'ATS Preferred Source', unique_id: 'cyberpdu_X1_ats_preferred_source', command_topic: 'pdu/p1/ats/preferred_source/set', state_topic: 'pdu/p1/ats/preferred_source', options: ['A', 'B'], device: DEVICE, origin: ORIGIN },
  button: { name: 'Outlet 1 Reboot', unique_id: 'cyberpdu_X1_outlet_1_reboot', command_topic: 'pdu/p1/outlet/1/command', payload_press: 'reboot', device_class: 'restart', device: DEVICE, origin: ORIGIN },
};
const topicOf = (component: string, p: Obj = VALID[component] as Obj): string => `homeassistant/${component}/${String(p.unique_id)}/config`;
const check = (component: string, change: Obj, drop: string[] = [], topic?: string): string[] => {
  const p: Obj = { ...VALID[component], ...change };
  for (const k of drop) delete p[k];
  return checkDiscoveryPayload(component, topic ?? topicOf(component, p), p);
};

describe('valid payloads pass', () => {
  it.each(Object.keys(VALID))('%s', (component) => {
    expect(checkDiscoveryPayload(component, topicOf(component), VALID[component])).toEqual([]);
  });

  it('abbreviated keys are expanded (mqtt: supported abbreviations)', () => {
    const p = {
      name: 'Power', uniq_id: 'u1', stat_t: 'a/b', dev_cla: 'power', unit_of_meas: 'W', stat_cla: 'measurement', sug_dsp_prc: 1,
      dev: { ids: 'x1', mf: 'CyberPower', mdl: 'PDU', sw: '1', sn: 'S', hw: '1' }, o: { name: 'power2mqtt', sw: '1', url: 'https://x' },
      avty: [{ t: 'pdu/bridge/state', pl_avail: 'online', pl_not_avail: 'offline' }], avty_mode: 'all', '~': 'pdu',
    };
    expect(checkDiscoveryPayload('sensor', 'homeassistant/sensor/node/u1/config', p)).toEqual([]);
  });

  it('a node_id level and another prefix are accepted', () => {
    expect(checkDiscoveryPayload('sensor', 'my/prefix/sensor/node-1/obj_1/config', VALID.sensor)).toEqual([]);
  });
});

describe('the checker fails on broken payloads', () => {
  it.each<[string, string, Obj, string[], RegExp, string?]>([
    // topic shape (mqtt: <discovery_prefix>/<component>/[<node_id>/]<object_id>/config, ids [a-zA-Z0-9_-])
    ['topic without /config', 'sensor', {}, [], /must end with \/config/, 'homeassistant/sensor/x'],
    ['object_id with a dot', 'sensor', {}, [], /outside \[a-zA-Z0-9_-\]/, 'homeassistant/sensor/pdu.1/config'],
    ['component not in the topic', 'sensor', {}, [], /is not <prefix>\/sensor/, 'homeassistant/switch/x/config'],
    ['no prefix', 'sensor', {}, [], /is not <prefix>/, 'sensor/x/config'],
    // required options per platform
    ['switch without command_topic', 'switch', {}, ['command_topic'], /"command_topic" is required for switch/],
    ['select without options', 'select', {}, ['options'], /"options" is required for select/],
    ['select without command_topic', 'select', {}, ['command_topic'], /"command_topic" is required for select/],
    ['button without command_topic', 'button', {}, ['command_topic'], /"command_topic" is required for button/],
    ['sensor without state_topic', 'sensor', {}, ['state_topic'], /"state_topic" is required for sensor/],
    ['binary_sensor without state_topic', 'binary_sensor', {}, ['state_topic'], /"state_topic" is required/],
    // unknown keys (only documented keys and their abbreviations)
    ['unknown key', 'sensor', { unit: 'V' }, [], /unknown key "unit"/],
    ['device_class on a select', 'select', { device_class: 'enum' }, [], /unknown key "device_class"/],
    ['platform in a single-component config', 'sensor', { platform: 'sensor' }, [], /unknown key "platform"/],
    ['key given twice (full + abbreviation)', 'sensor', { stat_t: 'a/b' }, [], /"state_topic" given twice/],
    // device classes per platform
    ['binary_sensor device_class voltage', 'binary_sensor', { device_class: 'voltage' }, [], /not a binary_sensor device class/],
    ['switch device_class light', 'switch', { device_class: 'light' }, [], /not a switch device class/],
    ['button device_class reboot', 'button', { device_class: 'reboot' }, [], /not a button device class/],
    ['sensor device_class watts', 'sensor', { device_class: 'watts' }, [], /not a sensor device class/],
    // units per sensor device class
    ['voltage in A', 'sensor', { unit_of_measurement: 'A' }, [], /unit "A" is not valid for device_class voltage/],
    ['power in VA', 'sensor', { device_class: 'power', unit_of_measurement: 'VA' }, [], /not valid for device_class power/],
    ['energy in W', 'sensor', { device_class: 'energy', unit_of_measurement: 'W', state_class: 'total_increasing' }, [], /not valid for device_class energy/],
    ['current without unit', 'sensor', { device_class: 'current' }, ['unit_of_measurement'], /unit "\(none\)" is not valid for device_class current/],
    ['temperature in C', 'sensor', { device_class: 'temperature', unit_of_measurement: 'C' }, [], /not valid for device_class temperature/],
    // state classes
    ['energy with state_class measurement', 'sensor', { device_class: 'energy', unit_of_measurement: 'kWh' }, [], /state_class measurement is not valid for device_class energy/],
    ['unknown state_class', 'sensor', { state_class: 'measurements' }, [], /is not a state class/],
    ['last_reset template without total', 'sensor', { last_reset_value_template: '{{ x }}' }, [], /needs state_class total/],
    // enum sensors
    ['enum with a unit', 'sensor', { device_class: 'enum', options: ['a'], unit_of_measurement: 'V' }, ['state_class', 'suggested_display_precision'], /enum takes no unit/],
    ['enum with a state_class', 'sensor', { device_class: 'enum', options: ['a'] }, ['unit_of_measurement', 'suggested_display_precision'], /enum takes no state_class/],
    ['enum without options', 'sensor', { device_class: 'enum' }, ['unit_of_measurement', 'state_class', 'suggested_display_precision'], /enum needs "options"/],
    ['options without enum', 'sensor', { options: ['a', 'b'] }, [], /"options" needs device_class enum/],
    ['enum with precision', 'sensor', { device_class: 'enum', options: ['a'] }, ['unit_of_measurement', 'state_class'], /no suggested_display_precision/],
    ['negative precision', 'sensor', { suggested_display_precision: -1 }, [], /integer >= 0/],
    // availability shape
    ['availability not a list', 'sensor', { availability: 'pdu/bridge/state' }, [], /non-empty list/],
    ['availability item without topic', 'sensor', { availability: [{ payload_available: 'online' }] }, [], /needs a "topic"/],
    ['availability item with an unknown key', 'sensor', { availability: [{ topic: 'a', payload: 'x' }] }, [], /availability\[0\]: unknown key "payload"/],
    ['availability with availability_topic', 'sensor', { availability_topic: 'a/b' }, [], /must not be used together/],
    ['bad availability_mode', 'sensor', { availability_mode: 'both' }, [], /must be all, any or latest/],
    // device block
    ['device without identifiers', 'sensor', { device: { name: 'Rack' } }, [], /needs "identifiers" or "connections"/],
    ['device with empty identifiers', 'sensor', { device: { identifiers: [] } }, [], /needs "identifiers" or "connections"/],
    ['device with an unknown key', 'sensor', { device: { ...DEVICE, vendor: 'x' } }, [], /device: unknown key "vendor"/],
    ['empty configuration_url', 'sensor', { device: { ...DEVICE, configuration_url: '' } }, [], /configuration_url/],
    ['device without unique_id', 'switch', {}, ['unique_id'], /"unique_id" is required when "device" is set/],
    // origin
    ['origin without name', 'sensor', { origin: { sw_version: '1' } }, [], /origin: "name" is required/],
    ['origin with an unknown key', 'sensor', { origin: { name: 'p', version: '1' } }, [], /origin: unknown key "version"/],
    // other documented rules
    ['sensor entity_category config', 'sensor', { entity_category: 'config' }, [], /not allowed for sensor/],
    ['command topic with a wildcard', 'switch', { command_topic: 'pdu/+/outlet/1/command' }, [], /without wildcards/],
    ['non-string topic', 'sensor', { state_topic: 5 }, [], /"state_topic" must be a string/],
    ['entity name starting with the device name', 'sensor', { name: 'Rack Input Voltage' }, [], /starts with the device name/],
    ['default_entity_id of another domain', 'sensor', { default_entity_id: 'switch.x' }, [], /must look like sensor\./],
  ])('%s', (_name, component, change, drop, problem, topic) => {
    const problems = check(component, change, drop, topic);
    expect(problems.some((p) => problem.test(p)), problems.join('\n')).toBe(true);
  });

  it('a payload that is not an object', () => {
    expect(checkDiscoveryPayload('sensor', 'homeassistant/sensor/x/config', ['a'])).toContain('payload must be a JSON object');
  });

  it('an unsupported component', () => {
    expect(checkDiscoveryPayload('light', 'homeassistant/light/x/config', {})).toContain('no schema for component "light"');
  });
});
