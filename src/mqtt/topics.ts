// Topic names and the parsing of inbound topics (SPEC §9). Pure.

export type DeviceSetField = 'name' | 'location' | 'contact';

export type Inbound =
  | { kind: 'outlet_command'; deviceId: string; outlet: number }
  | { kind: 'outlet_name_set'; deviceId: string; outlet: number }
  | { kind: 'preferred_source_set'; deviceId: string }
  | { kind: 'device_set'; deviceId: string; field: DeviceSetField }
  | { kind: 'bridge_request'; action: string }
  | { kind: 'ha_status' }
  | { kind: 'ignored'; reason: string };

export function deviceTopic(base: string, deviceId: string, sub: string): string {
  return `${base}/${deviceId}/${sub}`;
}

export function bridgeTopic(base: string, sub: string): string {
  return `${base}/bridge/${sub}`;
}

/** What the bridge subscribes to (SPEC §9.1). */
export function subscriptions(base: string, haStatusTopic: string | null): string[] {
  return [
    `${base}/+/outlet/+/command`,
    `${base}/+/outlet/+/name/set`,
    `${base}/+/ats/preferred_source/set`,
    `${base}/+/device/+/set`,
    `${base}/bridge/request/#`,
    ...(haStatusTopic ? [haStatusTopic] : []),
  ];
}

const OUTLET = /^[1-9]\d{0,3}$/;
const DEVICE_FIELDS: ReadonlySet<string> = new Set(['name', 'location', 'contact']);

export function parseInbound(topic: string, base: string, haStatusTopic: string | null): Inbound {
  if (haStatusTopic && topic === haStatusTopic) return { kind: 'ha_status' };
  if (!topic.startsWith(`${base}/`)) return { kind: 'ignored', reason: 'not under the base topic' };
  const parts = topic.slice(base.length + 1).split('/');
  const [deviceId = '', a, b, c, d] = parts;
  if (deviceId === 'bridge') {
    if (a === 'request' && parts.length >= 3 && parts.slice(2).every((p) => p !== '')) return { kind: 'bridge_request', action: parts.slice(2).join('/') };
    return { kind: 'ignored', reason: 'unknown bridge topic' };
  }
  if (a === 'outlet' && b !== undefined && OUTLET.test(b)) {
    if (c === 'command' && parts.length === 4) return { kind: 'outlet_command', deviceId, outlet: Number(b) };
    if (c === 'name' && d === 'set' && parts.length === 5) return { kind: 'outlet_name_set', deviceId, outlet: Number(b) };
  }
  if (a === 'outlet' && (c === 'command' || c === 'name') && !OUTLET.test(b ?? '')) return { kind: 'ignored', reason: `"${b}" is not an outlet number` };
  if (a === 'ats' && b === 'preferred_source' && c === 'set' && parts.length === 4) return { kind: 'preferred_source_set', deviceId };
  if (a === 'device' && b !== undefined && DEVICE_FIELDS.has(b) && c === 'set' && parts.length === 4) {
    return { kind: 'device_set', deviceId, field: b as DeviceSetField };
  }
  return { kind: 'ignored', reason: 'unknown topic' };
}
