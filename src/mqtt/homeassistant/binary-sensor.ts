import { baseFields, withDefined } from './common.js';
import type { DeviceContext, EntitySpec } from './types.js';

// MQTT binary sensor (https://www.home-assistant.io/integrations/binary_sensor.mqtt/): state_topic
// required; payload_on / payload_off name the two state payloads (defaults "ON" / "OFF").

export function binarySensorPayload(spec: EntitySpec, ctx: DeviceContext): Record<string, unknown> {
  return withDefined(baseFields(spec, ctx), {
    state_topic: spec.stateTopic,
    value_template: spec.valueTemplate,
    device_class: spec.deviceClass,
    payload_on: spec.payloads?.on,
    payload_off: spec.payloads?.off,
  });
}
