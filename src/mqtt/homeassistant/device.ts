import type { Identity } from '../../core/types.js';

// Device and origin blocks (SPEC §10.1, §10.3). HA device registry keys as documented for every
// MQTT platform: identifiers, name, manufacturer, model, serial_number, sw_version, hw_version,
// configuration_url, via_device (https://www.home-assistant.io/integrations/sensor.mqtt/#device).

/** unique_id prefix of PDU entities and the PDU device identifier (SPEC §10.1). */
export const PDU_ID_PREFIX = 'cyberpdu';
/** unique_id prefix of the bridge device's entities, and its identifier (SPEC §10.3). */
export const BRIDGE_ID_PREFIX = 'power2mqtt';
export const BRIDGE_IDENTIFIER = 'power2mqtt_bridge';
export const ORIGIN_NAME = 'power2mqtt';

/** Serial characters outside `[A-Za-z0-9_-]` become `_` (SPEC §10.1; HA discovery object_id class). */
export function sanitizeId(raw: string): string {
  return raw.trim().replace(/[^A-Za-z0-9_-]/g, '_');
}

/** unique_id prefixes of plug entities, one per plug kind (SPEC §10.1). */
export const PLUG_ID_PREFIXES = ['kasa', 'shelly', 'tasmota'] as const;

/**
 * The HA device identifier and the stem of its unique_ids (SPEC §10.1): `cyberpdu_{serial}` for a
 * PDU, `{kind}_{hardware id}` for a plug (Kasa deviceId, Shelly and Tasmota MAC).
 */
export function pduIdentifier(identity: Pick<Identity, 'serial' | 'hardware_id'>, kind = 'cyberpower'): string {
  if (kind === 'cyberpower') return `${PDU_ID_PREFIX}_${sanitizeId(identity.serial)}`;
  return `${kind}_${sanitizeId(identity.hardware_id || identity.serial)}`;
}

/**
 * `origin` of every discovery payload. HA's documented origin keys are `name` (required),
 * `sw_version` and `support_url` (https://www.home-assistant.io/integrations/mqtt/#discovery-payload).
 */
export function origin(swVersion: string): Record<string, unknown> {
  return swVersion ? { name: ORIGIN_NAME, sw_version: swVersion } : { name: ORIGIN_NAME };
}

/** Empty strings are left out: HA rejects an empty configuration_url, and "" says nothing elsewhere. */
function compact(block: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(block).filter(([, v]) => v !== '' && v !== undefined && v !== null));
}

export interface PduDeviceInput {
  deviceId: string;
  /** The device kind (`cyberpower` when absent): plugs have identifiers of their own. */
  kind?: string;
  label: string;
  identity: Pick<Identity, 'manufacturer' | 'name' | 'model' | 'serial' | 'hardware_id' | 'firmware_main' | 'hardware_rev'>;
  publicUrl: string;
}

/** HA device name: label || PDU name || "CyberPower {DEVICE_ID}" (SPEC §10.1). */
export function pduDeviceName(input: Pick<PduDeviceInput, 'deviceId' | 'label' | 'identity'>): string {
  return input.label.trim() || input.identity.name.trim() || `${input.identity.manufacturer?.trim() || 'CyberPower'} ${input.deviceId}`;
}

export function pduDevice(input: PduDeviceInput): Record<string, unknown> {
  const id = input.identity;
  return compact({
    identifiers: [pduIdentifier(id, input.kind)],
    name: pduDeviceName(input),
    manufacturer: id.manufacturer?.trim() || 'CyberPower',
    model: id.model.trim(),
    serial_number: id.serial.trim(),
    sw_version: id.firmware_main.trim(),
    hw_version: id.hardware_rev.trim(),
    configuration_url: input.publicUrl.trim(),
    via_device: BRIDGE_IDENTIFIER,
  });
}

/** The `power2mqtt bridge` device (SPEC §10.3). */
export function bridgeDevice(swVersion: string, publicUrl: string): Record<string, unknown> {
  return compact({
    identifiers: [BRIDGE_IDENTIFIER],
    name: 'power2mqtt bridge',
    manufacturer: 'power2mqtt',
    model: 'power2mqtt',
    sw_version: swVersion,
    configuration_url: publicUrl.trim(),
  });
}
