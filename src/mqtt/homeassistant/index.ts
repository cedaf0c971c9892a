// Home Assistant MQTT discovery (SPEC §10): pure builders, one small module per component kind.
export type { AvailabilityBlock, DeviceContext, DiscoveryConfig, EntitySpec, HaComponent } from './types.js';
export { bridgeAvailability, bridgeStateTopic, pduAvailability } from './availability.js';
export {
  BRIDGE_IDENTIFIER, BRIDGE_ID_PREFIX, ORIGIN_NAME, PDU_ID_PREFIX, bridgeDevice, origin, pduDevice, pduDeviceName, pduIdentifier, sanitizeId,
} from './device.js';
export { discoveryTopic } from './common.js';
export { toDiscovery } from './entity.js';
export { buildPduDiscovery, pduEntities, type PduDiscoveryInput } from './pdu.js';
export { WATCHDOG_STATES, buildBridgeDiscovery, type BridgeDiscoveryInput, type BridgeSwitch } from './bridge.js';
export { isOurDiscoveryPayload, staleDiscoveryTopics, type StaleOptions } from './cleanup.js';
