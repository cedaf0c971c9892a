// Pure security decisions of the embedded broker (SPEC §16.3), kept apart from aedes so every
// case is testable from a table: is a bind address exposed, which auth mode follows from the
// config, and who may publish what.
import { isIPv4, isIPv6 } from 'node:net';
import { BRIDGE_ID_PREFIX, PDU_ID_PREFIX, PLUG_ID_PREFIXES } from './homeassistant/device.js';

/**
 * True when a listener on `bind` is reachable from this host only: 127.0.0.0/8 (all of it is
 * loopback), ::1, an IPv4-mapped 127.x address, or the name `localhost`. Anything else — the
 * wildcard 0.0.0.0/::, a LAN address, any other host name (it may resolve anywhere) — counts as
 * exposed, so an unclear value errs on the side of requiring credentials.
 */
export function isLoopbackBind(bind: string): boolean {
  const host = bind.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  let canonical: string;
  try {
    canonical = new URL(`http://[${host}]/`).hostname; // WHATWG canonical form, e.g. [::ffff:7f00:1]
  } catch {
    return false;
  }
  if (canonical === '[::1]') return true;
  // IPv4-mapped ::ffff:a.b.c.d is canonicalised to ::ffff:XXYY:ZZWW; 127/8 → ::ffff:7fXX:…
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

export type BrokerAuthMode =
  /** no credentials needed (loopback without users, or an explicit allow_anonymous without users) */
  | 'open'
  /** configured users (scrypt hashes); anonymous only with allow_anonymous */
  | 'users'
  /** exposed without users: one generated user `power2mqtt`, stored in the data dir */
  | 'generated';

export interface BrokerSecurity {
  exposed: boolean;
  mode: BrokerAuthMode;
  /** clients without a username are accepted */
  anonymous: boolean;
  /** state topics are reserved for the bridge's own client */
  acl: boolean;
}

export interface BrokerSecurityInput {
  bind: string;
  userCount: number;
  allowAnonymous: boolean;
  /** Override of the exposure decision (tests: exercise exposed mode on 127.0.0.1). */
  exposed?: boolean;
}

/**
 * SPEC §16.3, "never anonymous beyond loopback, as Mosquitto 2.x": exposed and no users →
 * generated credentials, unless allow_anonymous says otherwise explicitly. The ACL applies
 * whenever clients authenticate (users or generated), because only then can the broker tell
 * the bridge's own client from the others by more than its word.
 */
export function brokerSecurity(input: BrokerSecurityInput): BrokerSecurity {
  const exposed = input.exposed ?? !isLoopbackBind(input.bind);
  if (input.userCount > 0) return { exposed, mode: 'users', anonymous: input.allowAnonymous, acl: true };
  if (!exposed || input.allowAnonymous) return { exposed, mode: 'open', anonymous: true, acl: false };
  return { exposed, mode: 'generated', anonymous: false, acl: true };
}

export interface Publisher {
  /** the bridge's internal client (authenticated with the per-process bridge credentials) */
  bridge: boolean;
}

/** unique_id prefixes of the bridge's own discovery configs (SPEC §10.1, §10.3). */
const OWN_DISCOVERY_IDS = [PDU_ID_PREFIX, BRIDGE_ID_PREFIX, ...PLUG_ID_PREFIXES].map((p) => `${p}_`);

/**
 * May `who` publish to `topic`? (SPEC §16.3)
 * - `$…` topics (e.g. `$SYS/`) are the broker's: nobody (as aedes' default handler).
 * - Without the ACL, everything else is allowed; the bridge may always publish.
 * - Other clients inside the base topic may publish only what the bridge listens to:
 *   `…/command`, `…/set` and `<base>/bridge/request/#` — never state, so a retained state
 *   topic always comes from the bridge.
 * - The bridge's own discovery configs (`<prefix>/<component>/cyberpdu_…` and `…/power2mqtt_…`)
 *   are its state too: a retained forgery there would redefine or delete its entities in Home
 *   Assistant (e.g. point an outlet switch's command_topic elsewhere).
 * - Anything else outside the base topic (`homeassistant/status`, HA's birth message; other
 *   integrations' discovery) is not restricted.
 */
export function mayPublish(topic: string, who: Publisher, opts: { acl: boolean; baseTopic: string; discoveryPrefix?: string }): boolean {
  if (topic.startsWith('$')) return false;
  if (who.bridge || !opts.acl) return true;
  if (opts.discoveryPrefix !== undefined && topic.startsWith(`${opts.discoveryPrefix}/`)) {
    const objectId = topic.slice(opts.discoveryPrefix.length + 1).split('/')[1] ?? '';
    if (OWN_DISCOVERY_IDS.some((p) => objectId.startsWith(p))) return false;
  }
  const base = opts.baseTopic;
  if (topic !== base && !topic.startsWith(`${base}/`)) return true;
  if (topic === `${base}/bridge/request` || topic.startsWith(`${base}/bridge/request/`)) return true;
  const last = topic.slice(topic.lastIndexOf('/') + 1);
  return topic !== base && (last === 'command' || last === 'set');
}
