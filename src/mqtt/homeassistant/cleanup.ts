import { BRIDGE_ID_PREFIX, ORIGIN_NAME, PDU_ID_PREFIX } from './device.js';

// Which retained discovery configs to clear (SPEC §10.4), decided from what the broker holds and
// what the current build publishes. Pure; the publisher records topics and publishes the
// zero-length retained payloads (HA: an empty config payload deletes the entity,
// https://www.home-assistant.io/integrations/mqtt/#discovery-payload).

export interface StaleOptions {
  /** Ids of the configured PDUs (legacy cleanup looks for `{id}_{suffix}` configs of these). */
  configuredDeviceIds: readonly string[];
  /** homeassistant.cleanup_legacy */
  cleanupLegacy: boolean;
  discoveryPrefix: string;
}

const OUR_PREFIXES = [`${PDU_ID_PREFIX}_`, `${BRIDGE_ID_PREFIX}_`];

function field(obj: Record<string, unknown>, full: string, abbr: string): unknown {
  return obj[full] ?? obj[abbr];
}

/** A config is ours when its unique_id has our prefix or its origin names power2mqtt. */
export function isOurDiscoveryPayload(payload: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  const obj = parsed as Record<string, unknown>;
  const uniqueId = field(obj, 'unique_id', 'uniq_id');
  if (typeof uniqueId === 'string' && OUR_PREFIXES.some((p) => uniqueId.startsWith(p))) return true;
  const org = field(obj, 'origin', 'o');
  return typeof org === 'object' && org !== null && (org as Record<string, unknown>).name === ORIGIN_NAME;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `{prefix}/{component}/{device_id}_{suffix}/config`: the original bridge's scheme. */
function legacyMatcher(opts: StaleOptions): RegExp | null {
  if (!opts.cleanupLegacy || opts.configuredDeviceIds.length === 0) return null;
  const ids = opts.configuredDeviceIds.map(escape).join('|');
  return new RegExp(`^${escape(opts.discoveryPrefix)}/[A-Za-z0-9_]+/(?:${ids})_[A-Za-z0-9_-]+/config$`);
}

/**
 * Config topics to clear: ours (by payload) that the current build does not publish, and with
 * cleanupLegacy the original bridge's `{device_id}_{suffix}` configs of the configured ids.
 * Topics outside the discovery prefix, foreign configs and empty (already cleared) payloads
 * are left alone. Sorted, so the decision is deterministic.
 */
export function staleDiscoveryTopics(
  found: ReadonlyMap<string, string>,
  current: ReadonlySet<string>,
  opts: StaleOptions,
): string[] {
  const legacy = legacyMatcher(opts);
  const stale: string[] = [];
  for (const [topic, payload] of found) {
    if (payload === '' || current.has(topic)) continue;
    if (!topic.startsWith(`${opts.discoveryPrefix}/`) || !topic.endsWith('/config')) continue;
    if (isOurDiscoveryPayload(payload) || (legacy !== null && legacy.test(topic))) stale.push(topic);
  }
  return stale.sort();
}
