// A checker for Home Assistant MQTT discovery configs (single-component discovery), written from
// Home Assistant's documentation. It returns problems as text; [] = the payload is fine.
// Sources (the rule each part enforces is cited next to it):
//  [mqtt]     https://www.home-assistant.io/integrations/mqtt/ (discovery topic, payload, abbreviations, origin, availability)
//  [sensor]   https://www.home-assistant.io/integrations/sensor.mqtt/      [binary]  .../binary_sensor.mqtt/
//  [switch]   https://www.home-assistant.io/integrations/switch.mqtt/      [select]  .../select.mqtt/
//  [button]   https://www.home-assistant.io/integrations/button.mqtt/
//  [classes]  https://www.home-assistant.io/integrations/{sensor,binary_sensor,switch,button}/#device-class
//  [dev]      https://developers.home-assistant.io/docs/core/entity/sensor/ (state classes, options, units)
//  [naming]   https://developers.home-assistant.io/blog/2023/07/21/change-naming-mqtt-entities
// Where the docs give no per-device-class state-class list, HA core's table (sensor/const.py,
// DEVICE_CLASS_STATE_CLASSES) is what HA warns against; it is transcribed below in short form.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const words = (s: string): string[] => (s === '' ? [] : s.split('|'));

// [mqtt] "Supported abbreviations in MQTT discovery messages": the ones of the keys below.
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  avty: 'availability', avty_mode: 'availability_mode', avty_t: 'availability_topic', avty_tpl: 'availability_template',
  cmd_t: 'command_topic', cmd_tpl: 'command_template', def_ent_id: 'default_entity_id', dev: 'device', dev_cla: 'device_class',
  e: 'encoding', en: 'enabled_by_default', ent_cat: 'entity_category', ent_pic: 'entity_picture', exp_aft: 'expire_after',
  frc_upd: 'force_update', ic: 'icon', json_attr_t: 'json_attributes_topic', json_attr_tpl: 'json_attributes_template',
  lrst_val_tpl: 'last_reset_value_template', o: 'origin', obj_id: 'object_id', off_dly: 'off_delay', ops: 'options',
  opt: 'optimistic', p: 'platform', pl_avail: 'payload_available', pl_not_avail: 'payload_not_available', pl_off: 'payload_off',
  pl_on: 'payload_on', pl_prs: 'payload_press', ret: 'retain', stat_cla: 'state_class', stat_off: 'state_off', stat_on: 'state_on',
  stat_t: 'state_topic', sug_dsp_prc: 'suggested_display_precision', uniq_id: 'unique_id', unit_of_meas: 'unit_of_measurement',
  val_tpl: 'value_template',
};
// [mqtt] "Supported abbreviations for device registry configuration" / "... for origin info"
const DEVICE_ABBR: Readonly<Record<string, string>> = {
  cu: 'configuration_url', cns: 'connections', ids: 'identifiers', mf: 'manufacturer', mdl: 'model', mdl_id: 'model_id',
  hw: 'hw_version', sw: 'sw_version', sa: 'suggested_area', sn: 'serial_number',
};
const DEVICE_KEYS = new Set([...Object.values(DEVICE_ABBR), 'name', 'via_device']);
const ORIGIN_ABBR: Readonly<Record<string, string>> = { sw: 'sw_version', url: 'support_url' };
const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);
const AVAILABILITY_ABBR: Readonly<Record<string, string>> = { t: 'topic', pl_avail: 'payload_available', pl_not_avail: 'payload_not_available', val_tpl: 'value_template' };
const AVAILABILITY_KEYS = new Set(Object.values(AVAILABILITY_ABBR));

// Options every entity platform documents alike, plus `~` (base topic, [mqtt]) and origin.
const COMMON = 'availability|availability_mode|availability_template|availability_topic|device|enabled_by_default|encoding|entity_category|'
  + 'entity_picture|icon|json_attributes_template|json_attributes_topic|name|object_id|default_entity_id|payload_available|'
  + 'payload_not_available|qos|unique_id|origin|~';

interface Schema { keys: ReadonlySet<string>; required: readonly string[]; deviceClasses: ReadonlySet<string> | null; entityCategories: readonly string[] }
function schema(extra: string, required: string[], classes: string | null, categories = 'config|diagnostic'): Schema {
  return { keys: new Set(words(`${COMMON}|${extra}`)), required, deviceClasses: classes === null ? null : new Set(words(classes)), entityCategories: words(categories) };
}

// [sensor]: state_classes/units per device class. Units: '|'-separated, '-' = "no unit" allowed,
// '*' = any (monetary: ISO 4217). State classes: M measurement, A measurement_angle, T total, I total_increasing.
const SENSOR_CLASSES: Readonly<Record<string, readonly [string, string]>> = {
  apparent_power: ['VA', 'M'], aqi: ['-', 'M'], area: ['m²|cm²|km²|mm²|in²|ft²|yd²|mi²|ac|ha', 'MTI'],
  atmospheric_pressure: ['cbar|bar|hPa|mmHg|inHg|kPa|mbar|Pa|psi', 'M'], battery: ['%', 'M'],
  blood_glucose_concentration: ['mg/dL|mmol/L', 'M'], carbon_dioxide: ['ppm', 'M'], carbon_monoxide: ['ppm', 'M'],
  conductivity: ['S/cm|mS/cm|µS/cm', 'M'], current: ['A|mA', 'M'],
  data_rate: ['bit/s|kbit/s|Mbit/s|Gbit/s|B/s|kB/s|MB/s|GB/s|KiB/s|MiB/s|GiB/s', 'M'],
  data_size: ['bit|kbit|Mbit|Gbit|B|kB|MB|GB|TB|PB|EB|ZB|YB|KiB|MiB|GiB|TiB|PiB|EiB|ZiB|YiB', 'MTI'],
  distance: ['km|m|cm|mm|mi|nmi|yd|in', 'MTI'], duration: ['d|h|min|s|ms|µs', 'MTI'],
  energy: ['J|kJ|MJ|GJ|mWh|Wh|kWh|MWh|GWh|TWh|cal|kcal|Mcal|Gcal', 'TI'], energy_distance: ['kWh/100km|mi/kWh|km/kWh', 'M'],
  energy_storage: ['J|kJ|MJ|GJ|mWh|Wh|kWh|MWh|GWh|TWh|cal|kcal|Mcal|Gcal', 'M'], frequency: ['Hz|kHz|MHz|GHz', 'M'],
  gas: ['L|m³|ft³|CCF', 'TI'], humidity: ['%', 'M'], illuminance: ['lx', 'M'], irradiance: ['W/m²|BTU/(h⋅ft²)', 'M'],
  moisture: ['%', 'M'], monetary: ['*', 'T'], nitrogen_dioxide: ['µg/m³', 'M'], nitrogen_monoxide: ['µg/m³', 'M'],
  nitrous_oxide: ['µg/m³', 'M'], ozone: ['µg/m³', 'M'], ph: ['-', 'M'], pm1: ['µg/m³', 'M'], pm10: ['µg/m³', 'M'], pm25: ['µg/m³', 'M'],
  power_factor: ['%|-', 'M'], power: ['mW|W|kW|MW|GW|TW|BTU/h', 'M'], precipitation: ['cm|in|mm', 'MTI'],
  precipitation_intensity: ['in/d|in/h|mm/d|mm/h', 'M'], pressure: ['Pa|kPa|hPa|bar|cbar|mbar|mmHg|inHg|psi', 'M'],
  reactive_power: ['var|kvar', 'M'], signal_strength: ['dB|dBm', 'M'], sound_pressure: ['dB|dBA', 'M'],
  speed: ['ft/s|in/d|in/h|in/s|km/h|kn|m/s|mph|mm/d|mm/s|Beaufort', 'M'], sulphur_dioxide: ['µg/m³', 'M'],
  temperature: ['°C|°F|K', 'M'], volatile_organic_compounds: ['µg/m³', 'M'], volatile_organic_compounds_parts: ['ppm|ppb', 'M'],
  voltage: ['V|mV|µV|kV|MV', 'M'], volume: ['L|mL|gal|fl. oz.|m³|ft³|CCF', 'TI'], volume_flow_rate: ['m³/h|ft³/min|L/min|gal/min|mL/s', 'M'],
  volume_storage: ['L|mL|gal|fl. oz.|m³|ft³|CCF', 'M'], water: ['L|gal|m³|ft³|CCF', 'TI'], weight: ['kg|g|mg|µg|oz|lb|st', 'MTI'],
  wind_direction: ['°', 'A'], wind_speed: ['Beaufort|ft/s|km/h|kn|m/s|mph', 'M'],
};
/** [classes] date, enum, timestamp: non-numeric; [dev] no unit and no state class with them. */
const NON_NUMERIC = new Set(['date', 'enum', 'timestamp']);
const STATE_CLASS_CODES: Readonly<Record<string, string>> = { M: 'measurement', A: 'measurement_angle', T: 'total', I: 'total_increasing' };
const STATE_CLASSES = new Set(Object.values(STATE_CLASS_CODES));

const SCHEMAS: Readonly<Record<string, Schema>> = {
  // [sensor]: state_topic required; entity_category must be diagnostic for sensors
  sensor: schema('device_class|expire_after|force_update|last_reset_value_template|options|suggested_display_precision|state_class|'
    + 'state_topic|unit_of_measurement|value_template', ['state_topic'], [...Object.keys(SENSOR_CLASSES), ...NON_NUMERIC].join('|'), 'diagnostic'),
  // [binary] + [classes] binary sensor device classes
  binary_sensor: schema('device_class|expire_after|force_update|off_delay|payload_off|payload_on|state_topic|value_template', ['state_topic'],
    'battery|battery_charging|carbon_monoxide|cold|connectivity|door|garage_door|gas|heat|light|lock|moisture|motion|moving|occupancy|'
    + 'opening|plug|power|presence|problem|running|safety|smoke|sound|tamper|update|vibration|window', 'diagnostic'),
  // [switch]: command_topic required; device classes outlet, switch
  switch: schema('command_template|command_topic|device_class|optimistic|payload_off|payload_on|retain|state_off|state_on|state_topic|value_template',
    ['command_topic'], 'outlet|switch'),
  // [select]: command_topic and options required; no device_class option
  select: schema('command_template|command_topic|optimistic|options|retain|state_topic|value_template', ['command_topic', 'options'], null),
  // [button]: command_topic required; device classes identify, restart, update
  button: schema('command_template|command_topic|device_class|payload_press|retain', ['command_topic'], 'identify|restart|update'),
};

const ID_CHARS = /^[a-zA-Z0-9_-]+$/;

/** [mqtt] `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`, ids from `[a-zA-Z0-9_-]`. */
function checkTopic(component: string, topic: string, out: string[]): void {
  const parts = topic.split('/');
  if (parts.at(-1) !== 'config') { out.push(`topic "${topic}" must end with /config`); return; }
  const at = parts[parts.length - 3] === component ? parts.length - 3 : parts[parts.length - 4] === component ? parts.length - 4 : -1;
  if (at < 1) { out.push(`topic "${topic}" is not <prefix>/${component}/[<node_id>/]<object_id>/config`); return; }
  if (parts.slice(0, at).some((p) => p === '' || /[#+]/.test(p))) out.push(`topic "${topic}": invalid discovery prefix`);
  for (const id of parts.slice(at + 1, -1)) if (!ID_CHARS.test(id)) out.push(`topic "${topic}": "${id}" has characters outside [a-zA-Z0-9_-]`);
}

/** Abbreviations expanded; a key given twice (full and abbreviated) is a problem. */
function expand(obj: Obj, abbr: Readonly<Record<string, string>>, where: string, out: string[]): Obj {
  const res: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    const full = abbr[k] ?? k;
    if (full in res) out.push(`${where}: "${full}" given twice`);
    res[full] = v;
  }
  return res;
}

function checkKeys(obj: Obj, allowed: ReadonlySet<string>, where: string, out: string[]): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) out.push(`${where}: unknown key "${k}"`);
}

function checkStrings(cfg: Obj, out: string[]): void {
  for (const [k, v] of Object.entries(cfg)) {
    const stringy = /(_topic|_template|^payload_|^state_o(n|ff)$|^unique_id$|^object_id$|^default_entity_id$|^icon$|^encoding$)/.test(k);
    if (stringy && typeof v !== 'string') out.push(`"${k}" must be a string`);
    if (k.endsWith('_topic') && typeof v === 'string' && (v === '' || (k === 'command_topic' && /[#+]/.test(v)))) {
      out.push(`"${k}" must be a non-empty topic${k === 'command_topic' ? ' without wildcards' : ''}`);
    }
  }
  if ('name' in cfg && cfg.name !== null && typeof cfg.name !== 'string') out.push('"name" must be a string or null');
}

/** [mqtt] "Using Availability topics": a list of {topic, …}, not together with availability_topic. */
function checkAvailability(cfg: Obj, out: string[]): void {
  if ('availability' in cfg && 'availability_topic' in cfg) out.push('"availability" must not be used together with "availability_topic"');
  if ('availability_mode' in cfg && !['all', 'any', 'latest'].includes(cfg.availability_mode as string)) out.push('"availability_mode" must be all, any or latest');
  if (!('availability' in cfg)) return;
  if (!Array.isArray(cfg.availability) || cfg.availability.length === 0) { out.push('"availability" must be a non-empty list'); return; }
  cfg.availability.forEach((raw: unknown, i) => {
    if (!isObj(raw)) { out.push(`availability[${i}] must be an object`); return; }
    const a = expand(raw, AVAILABILITY_ABBR, `availability[${i}]`, out);
    checkKeys(a, AVAILABILITY_KEYS, `availability[${i}]`, out);
    if (typeof a.topic !== 'string' || a.topic === '') out.push(`availability[${i}] needs a "topic"`);
  });
}

/** [sensor] device: identifiers or connections required; only with unique_id; documented keys only. */
function checkDevice(cfg: Obj, out: string[]): Obj | null {
  if (!('device' in cfg)) return null;
  if (!isObj(cfg.device)) { out.push('"device" must be an object'); return null; }
  const d = expand(cfg.device, DEVICE_ABBR, 'device', out);
  checkKeys(d, DEVICE_KEYS, 'device', out);
  const ids = d.identifiers;
  const idsOk = typeof ids === 'string' ? ids !== '' : Array.isArray(ids) && ids.length > 0 && ids.every((x) => typeof x === 'string' && x !== '');
  const cns = d.connections;
  const cnsOk = Array.isArray(cns) && cns.length > 0 && cns.every((c) => Array.isArray(c) && c.length === 2);
  if (!idsOk && !cnsOk) out.push('device: needs "identifiers" or "connections"');
  if (d.configuration_url !== undefined && !/^(https?|homeassistant):\/\/\S+$/.test(String(d.configuration_url))) {
    out.push('device: "configuration_url" must be an http://, https:// or homeassistant:// URL');
  }
  for (const [k, v] of Object.entries(d)) if (!['identifiers', 'connections'].includes(k) && typeof v !== 'string') out.push(`device: "${k}" must be a string`);
  if (typeof cfg.unique_id !== 'string' || cfg.unique_id === '') out.push('"unique_id" is required when "device" is set');
  return d;
}

/** [mqtt] origin: `name` required; sw_version, support_url. */
function checkOrigin(cfg: Obj, out: string[]): void {
  if (!('origin' in cfg)) return;
  if (!isObj(cfg.origin)) { out.push('"origin" must be an object'); return; }
  const o = expand(cfg.origin, ORIGIN_ABBR, 'origin', out);
  checkKeys(o, ORIGIN_KEYS, 'origin', out);
  if (typeof o.name !== 'string' || o.name === '') out.push('origin: "name" is required');
}

/** [dev] + [sensor]: units per device class, state classes, enum options, precision. */
function checkSensor(cfg: Obj, out: string[]): void {
  const dc = typeof cfg.device_class === 'string' ? cfg.device_class : null;
  const unit = cfg.unit_of_measurement;
  const sc = cfg.state_class;
  if (sc !== undefined && sc !== null && !STATE_CLASSES.has(sc as string)) out.push(`state_class "${String(sc)}" is not a state class`);
  if (unit !== undefined && unit !== null && typeof unit !== 'string') out.push('"unit_of_measurement" must be a string');
  if ('options' in cfg) {
    if (dc !== 'enum') out.push('"options" needs device_class enum');
    if (!Array.isArray(cfg.options) || cfg.options.length === 0 || !cfg.options.every((x) => typeof x === 'string')) out.push('"options" must be a non-empty list of strings');
  }
  if (dc !== null && NON_NUMERIC.has(dc)) {
    if (unit !== undefined && unit !== null) out.push(`device_class ${dc} takes no unit_of_measurement`);
    if (sc !== undefined && sc !== null) out.push(`device_class ${dc} takes no state_class`);
    if ('suggested_display_precision' in cfg) out.push(`device_class ${dc} is not numeric: no suggested_display_precision`);
    if (dc === 'enum' && !('options' in cfg)) out.push('device_class enum needs "options"');
  } else if (dc !== null && SENSOR_CLASSES[dc]) {
    const [units, classes] = SENSOR_CLASSES[dc];
    const allowed = words(units);
    const u = unit === undefined || unit === null ? '-' : String(unit);
    if (!allowed.includes('*') && !allowed.includes(u)) out.push(`unit "${u === '-' ? '(none)' : u}" is not valid for device_class ${dc} (${units})`);
    const okClasses = [...classes].map((c) => STATE_CLASS_CODES[c]);
    if (typeof sc === 'string' && !okClasses.includes(sc)) out.push(`state_class ${sc} is not valid for device_class ${dc} (${okClasses.join(', ')})`);
  }
  const p = cfg.suggested_display_precision;
  if (p !== undefined && !(Number.isInteger(p) && (p as number) >= 0)) out.push('"suggested_display_precision" must be an integer >= 0');
  if ('last_reset_value_template' in cfg && sc !== 'total') out.push('"last_reset_value_template" needs state_class total');
}

/**
 * Problems of one single-component discovery config; [] = valid. `component` is the platform
 * the topic is published under (sensor, binary_sensor, switch, select, button).
 */
export function checkDiscoveryPayload(component: string, topic: string, payload: unknown): string[] {
  const out: string[] = [];
  checkTopic(component, topic, out);
  const sch = SCHEMAS[component];
  if (!sch) return [...out, `no schema for component "${component}"`];
  // [mqtt] "The payload must be a serialized JSON dictionary"
  if (!isObj(payload)) return [...out, 'payload must be a JSON object'];
  const cfg = expand(payload, ABBREVIATIONS, 'payload', out);
  // [mqtt] platform is "only allowed and required in device discovery messages"
  checkKeys(cfg, sch.keys, 'payload', out);
  for (const k of sch.required) if (cfg[k] === undefined) out.push(`"${k}" is required for ${component}`);
  checkStrings(cfg, out);
  if (cfg.device_class !== undefined && cfg.device_class !== null && sch.deviceClasses && !sch.deviceClasses.has(cfg.device_class as string)) {
    out.push(`device_class "${String(cfg.device_class)}" is not a ${component} device class`);
  }
  if (cfg.entity_category !== undefined && !sch.entityCategories.includes(cfg.entity_category as string)) {
    out.push(`entity_category "${String(cfg.entity_category)}" is not allowed for ${component} (${sch.entityCategories.join(', ')})`);
  }
  if (cfg.qos !== undefined && ![0, 1, 2].includes(cfg.qos as number)) out.push('"qos" must be 0, 1 or 2');
  if (typeof cfg.default_entity_id === 'string' && !new RegExp(`^${component}\\.[a-z0-9_]+$`).test(cfg.default_entity_id)) {
    out.push(`"default_entity_id" must look like ${component}.<object_id>`);
  }
  if (component === 'select' && 'options' in cfg && (!Array.isArray(cfg.options) || !cfg.options.every((x) => typeof x === 'string'))) {
    out.push('"options" must be a list of strings');
  }
  if (component === 'sensor') checkSensor(cfg, out);
  checkAvailability(cfg, out);
  const device = checkDevice(cfg, out);
  checkOrigin(cfg, out);
  // [naming]: an entity name that starts with the device name is flagged by HA (and stripped)
  if (device && typeof device.name === 'string' && device.name !== '' && typeof cfg.name === 'string'
    && cfg.name.toLowerCase().startsWith(device.name.toLowerCase())) {
    out.push(`entity name "${cfg.name}" starts with the device name "${device.name}"`);
  }
  return out;
}
