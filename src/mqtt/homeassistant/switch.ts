import { baseFields, withDefined } from './common.js';
import type { DeviceContext, EntitySpec } from './types.js';

// MQTT switch (https://www.home-assistant.io/integrations/switch.mqtt/): command_topic required;
// payload_on / payload_off are sent as commands, state_on / state_off are matched on state_topic.
// `retain` stays at its default (false): the bridge ignores retained commands (SPEC §9.1).

export function switchPayload(spec: EntitySpec, ctx: DeviceContext): Record<string, unknown> {
  return withDefined(baseFields(spec, ctx), {
    command_topic: spec.commandTopic,
    state_topic: spec.stateTopic,
    device_class: spec.deviceClass,
    payload_on: spec.payloads?.on,
    payload_off: spec.payloads?.off,
    state_on: spec.payloads?.on,
    state_off: spec.payloads?.off,
  });
}
