import type { AvailabilityBlock } from './types.js';

// Availability blocks (SPEC §10.1). HA MQTT platforms: `availability` is a list of
// {topic, payload_available, payload_not_available}; with `availability_mode: all` the entity is
// available only when every topic says `payload_available`
// (https://www.home-assistant.io/integrations/mqtt/#using-availability-topics).

const ONLINE = 'online';
const OFFLINE = 'offline';

function item(topic: string): AvailabilityBlock['availability'][number] {
  return { topic, payload_available: ONLINE, payload_not_available: OFFLINE };
}

/** The bridge's LWT topic `{base}/bridge/state` (SPEC §9.3). */
export function bridgeStateTopic(baseTopic: string): string {
  return `${baseTopic}/bridge/state`;
}

/** Per-PDU entities: the bridge must be up AND the PDU reachable (SPEC §10.1). */
export function pduAvailability(baseTopic: string, deviceId: string): AvailabilityBlock {
  return {
    availability: [item(bridgeStateTopic(baseTopic)), item(`${baseTopic}/${deviceId}/availability`)],
    availability_mode: 'all',
  };
}

/** Bridge-device entities (SPEC §10.3): available while the bridge is connected. */
export function bridgeAvailability(baseTopic: string): AvailabilityBlock {
  return { availability: [item(bridgeStateTopic(baseTopic))] };
}
