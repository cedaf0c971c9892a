import { baseFields, withDefined } from './common.js';
import type { DeviceContext, EntitySpec } from './types.js';

// MQTT select (https://www.home-assistant.io/integrations/select.mqtt/): command_topic and
// options required; the platform has no device_class.

export function selectPayload(spec: EntitySpec, ctx: DeviceContext): Record<string, unknown> {
  return withDefined(baseFields(spec, ctx), {
    command_topic: spec.commandTopic,
    state_topic: spec.stateTopic,
    options: [...(spec.options ?? [])],
  });
}
