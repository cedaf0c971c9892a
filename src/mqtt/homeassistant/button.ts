import { baseFields, withDefined } from './common.js';
import type { DeviceContext, EntitySpec } from './types.js';

// MQTT button (https://www.home-assistant.io/integrations/button.mqtt/): command_topic required;
// payload_press is sent on press (default "PRESS"); a button has no state topic.

export function buttonPayload(spec: EntitySpec, ctx: DeviceContext): Record<string, unknown> {
  return withDefined(baseFields(spec, ctx), {
    command_topic: spec.commandTopic,
    payload_press: spec.payloadPress,
    device_class: spec.deviceClass,
  });
}
