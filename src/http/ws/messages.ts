import type { HealthChange } from '../../core/bus.js';
import type { DeviceInfo } from '../../core/ports.js';
import type { OutageStatus, ProbeCycleEvent } from '../../core/power.js';
import type { AutomationEvent, RuleView } from '../../core/rules.js';
import { watchdogEventRow, type WatchdogBusEvent } from '../../core/watchdog.js';
import type { CommandResult, DeviceEvent, PduSnapshot, TransportState } from '../../core/types.js';
import { pduStatusView } from '../views/pdu-status.js';
import { ruleJson } from '../views/rules.js';

// The messages of `/ws` (SPEC §15): every server → client message is `{type, ts, device_id?, data}`
// with `ts` in epoch seconds, encoded once into a Buffer that every client is sent as is. Pure:
// the builders take the bus payloads (and the time) and read no clock; the data objects are the
// ones REST and MQTT show (the §14.3 status view, the /api/rules and /api/events rows, the
// `pdu/bridge/outage` payload), derived by the same functions.

export type WsMessageType = 'hello' | 'status' | 'device_state' | 'event' | 'command_result' | 'probe_cycle' | 'outage' | 'rules' | 'error';

/** One encoded message: `key` is the device id of a `status` (latest-value), null for the rest. */
export interface OutMessage {
  readonly type: WsMessageType | 'pong';
  readonly key: string | null;
  readonly data: Buffer;
}

export function encode(type: WsMessageType, ts: number, deviceId: string | null, data: unknown): OutMessage {
  const body = deviceId === null ? { type, ts, data } : { type, ts, device_id: deviceId, data };
  return { type, key: type === 'status' && deviceId !== null ? deviceId : null, data: Buffer.from(JSON.stringify(body)) };
}

/** The answer to `{"type":"ping"}`, exactly as §15 writes it; the same Buffer for everybody. */
export const PONG: OutMessage = { type: 'pong', key: null, data: Buffer.from('{"type":"pong"}') };

export interface HelloData {
  version: string;
  devices: string[];
  auth_enabled: boolean;
  demo: boolean;
}

export function helloMessage(nowS: number, data: HelloData): OutMessage {
  return encode('hello', nowS, null, data);
}

/** `status`: the PDU status object of §14.3 part A, built by the function `/api/status` uses. */
export function statusMessage(snap: PduSnapshot, info: DeviceInfo, nowS: number): OutMessage {
  return encode('status', snap.ts, snap.device_id, pduStatusView(snap, info, nowS));
}

/** `online` only while healthy (SPEC §7.7, as `availability` on MQTT). */
export function availability(state: TransportState): 'online' | 'offline' {
  return state === 'healthy' ? 'online' : 'offline';
}

export function deviceStateMessage(h: HealthChange): OutMessage {
  return encode('device_state', h.ts, h.device_id, {
    state: h.to, availability: availability(h.to), previous: h.from, reason: h.reason, consecutive_failures: h.consecutive_failures,
  });
}

/** The row shape of `/api/events` (without the stored id): system events of the PDU. */
export function deviceEventMessage(e: DeviceEvent): OutMessage {
  return encode('event', e.ts, e.device_id, {
    rule: null, source: e.source, kind: 'system', type: e.type, details: e.details, ts: e.ts, device_id: e.device_id, system: true, data: e.data,
  });
}

/** Rule firings, restores, failures and edits, in the `/api/events` row shape; rule-set events have no device. */
export function automationMessage(e: AutomationEvent): OutMessage {
  return encode('event', e.ts, e.device_id, {
    rule: e.rule, source: e.rule === null ? 'rules' : `rule:${e.rule}`, kind: 'automation', type: e.type, details: e.details, ts: e.ts,
    device_id: e.device_id, system: false, data: e.data ?? {},
  });
}

/** A watchdog state change or power cycle as an automation `event`, the row `/api/events` stores for it. */
export function watchdogMessage(e: WatchdogBusEvent): OutMessage {
  const row = watchdogEventRow(e);
  return encode('event', e.ts, e.device_id, {
    rule: null, source: row.source, kind: 'automation', type: row.type, details: row.details, ts: e.ts, device_id: e.device_id, system: false, data: row.data,
  });
}

export function commandResultMessage(r: CommandResult): OutMessage {
  return encode('command_result', r.ts, r.device_id, {
    outlet: r.outlet, command: r.command, success: r.success, error: r.error, code: r.code, state: r.state, pending: r.pending,
    duration_ms: r.duration_ms, ...(r.transaction !== undefined ? { transaction: r.transaction } : {}),
  });
}

/** `probe_cycle`: every active target's state after the cycle; `unknown` counts unknown and stale targets. */
export function probeCycleMessage(e: ProbeCycleEvent): OutMessage {
  let up = 0;
  let down = 0;
  const switches = e.switches.map((s) => {
    if (s.state === 'up') up++;
    else if (s.state === 'down') down++;
    return { id: s.target.id, name: s.target.name, result: s.state, response_time: s.last_check?.response_time ?? null };
  });
  return encode('probe_cycle', e.ts, null, { cycle: e.cycle, switches, up, down, unknown: switches.length - up - down });
}

/** The payload of the retained `pdu/bridge/outage` topic (SPEC §9.3). */
export function outageMessage(s: OutageStatus): OutMessage {
  return encode('outage', s.ts, null, s);
}

/** `rules`: the rules acting on one device with their state, as `GET /api/rules?device_id=` lists them. */
export function rulesMessage(deviceId: string, rules: readonly RuleView[], nowS: number): OutMessage {
  return encode('rules', nowS, deviceId, rules.map(ruleJson));
}

export function errorMessage(nowS: number, error: string): OutMessage {
  return encode('error', nowS, null, { error });
}

// ---- client → server ----

export type ClientRequest = { ok: true; type: 'ping' } | { ok: false; error: string };

const ACCEPTED = 'the server accepts {"type":"ping"}';

/** A text frame from a client; never throws. */
export function parseClientMessage(text: string): ClientRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `message is not valid JSON (${err instanceof Error ? err.message : String(err)}): ${ACCEPTED}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, error: `message must be a JSON object: ${ACCEPTED}` };
  const type = (parsed as { type?: unknown }).type;
  if (type === 'ping') return { ok: true, type: 'ping' };
  if (typeof type !== 'string') return { ok: false, error: `type: missing or not a string: ${ACCEPTED}` };
  return { ok: false, error: `type: unknown message type "${type.slice(0, 64)}": ${ACCEPTED}` };
}

/** Most device ids one filter may list. */
export const MAX_FILTER_IDS = 256;

/**
 * `?device_id=a,b` → the set of ids (SPEC §15); absent → null (every device). Ids that name no
 * device yet are kept: a device added later is then delivered.
 */
export function parseDeviceFilter(raw: string | undefined): { ok: true; ids: ReadonlySet<string> | null } | { ok: false; error: string } {
  if (raw === undefined) return { ok: true, ids: null };
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) return { ok: false, error: 'device_id: lists no device id (write ?device_id=a or ?device_id=a,b, or leave it out for every device)' };
  if (ids.length > MAX_FILTER_IDS) return { ok: false, error: `device_id: lists ${ids.length} ids, at most ${MAX_FILTER_IDS}` };
  const long = ids.find((s) => s.length > 64);
  if (long !== undefined) return { ok: false, error: `device_id: "${long.slice(0, 20)}…" is longer than 64 characters` };
  return { ok: true, ids: new Set(ids) };
}
