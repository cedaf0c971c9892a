import { baseFields, withDefined } from './common.js';
import type { DeviceContext, EntitySpec } from './types.js';

// MQTT sensor (https://www.home-assistant.io/integrations/sensor.mqtt/): state_topic required;
// `options` only with device_class enum and never with state_class / unit_of_measurement;
// suggested_display_precision for numeric values.

export function sensorPayload(spec: EntitySpec, ctx: DeviceContext): Record<string, unknown> {
  const isEnum = spec.deviceClass === 'enum';
  return withDefined(baseFields(spec, ctx), {
    state_topic: spec.stateTopic,
    value_template: spec.valueTemplate,
    device_class: spec.deviceClass,
    state_class: isEnum ? undefined : spec.stateClass,
    unit_of_measurement: isEnum ? undefined : spec.unit,
    suggested_display_precision: isEnum ? undefined : spec.precision,
    options: isEnum && spec.options ? [...spec.options] : undefined,
  });
}
