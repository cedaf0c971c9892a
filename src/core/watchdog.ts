// Contracts of the outlet watchdogs (SPEC §12.7): the watchdog as configured, its state as
// published (`pdu/bridge/watchdog/{name}/state`), its bus events and what REST/CLI show.
// watchdog/ implements them; mqtt/, http/ and notify/ read them through WatchdogsPort (core/ports.ts).

export const WATCHDOG_STATES = ['ok', 'waiting', 'cycling', 'booting', 'recovered', 'gave_up', 'suppressed'] as const;
export type WatchdogState = (typeof WATCHDOG_STATES)[number];

/** Why a due cycle is held (SPEC §12.7 `suppressed`). */
export const SUPPRESS_REASONS = ['outage', 'network', 'unhealthy', 'depends_on', 'outlet_off'] as const;
export type SuppressReason = (typeof SUPPRESS_REASONS)[number];

export type WatchdogAction = 'reboot' | 'off_on';

/** A watchdog with every default filled in (config `watchdogs[]`, or REST). */
export interface Watchdog {
  name: string;
  /** "" = the only device, else the only cyberpower device. */
  device: string;
  outlet: number;
  /** http(s) URL, host:port, or a switch name. */
  target: string;
  interval_s: number;
  timeout_ms: number;
  fail_after_s: number;
  action: WatchdogAction;
  off_s: number;
  boot_grace_s: number;
  max_cycles: number;
  window_h: number;
  /** "" = none. */
  depends_on: string;
}

/** The retained `pdu/bridge/watchdog/{name}/state` payload (SPEC §9.3). Times are epoch seconds. */
export interface WatchdogStatus {
  state: WatchdogState;
  /** suppressed: a SuppressReason; else a short explanation or null. */
  reason: string | null;
  /** Cycles within the current window_h. */
  cycles: number;
  last_cycle_at: number | null;
}

/** What REST and the CLI show beside the status. */
export interface WatchdogDetail extends WatchdogStatus {
  /** Latest check of the target (null: not checked yet). */
  last_result: 'up' | 'down' | null;
  last_check_at: number | null;
  /** Start of the current failure streak. */
  failing_since: number | null;
  /** Why the watchdog does not act (device unknown, outlet out of range, …); null = active. */
  inactive: string | null;
}

export interface WatchdogView extends Watchdog {
  source: 'config' | 'runtime';
  /** The device id it acts on, once resolved ("" when none). */
  device_id: string;
  state: WatchdogDetail;
}

/** One check of a watchdog's target (`POST /api/watchdogs/{name}/test`, `watchdog test`). */
export interface WatchdogCheck {
  result: 'up' | 'down';
  /** ms until the answer; null when nothing answered. */
  response_time: number | null;
  error: string | null;
}

/**
 * On the bus (`watchdog`): `check` after every check, `state` on every state/reason change,
 * `cycle` when an outlet command ran (ok or failed), `changed` when watchdogs were added,
 * edited or removed (views re-read the list).
 */
export interface WatchdogBusEvent {
  kind: 'check' | 'state' | 'cycle' | 'changed';
  name: string;
  /** The status after the event (for `changed` of a removed watchdog: null). */
  status: WatchdogStatus | null;
  device_id: string | null;
  outlet: number | null;
  /** `check`: the result. */
  result?: 'up' | 'down' | null;
  /** `cycle`: whether the outlet command succeeded. */
  success?: boolean;
  details: string;
  /** Epoch seconds. */
  ts: number;
}

/** What a watchdog remembers between checks; persisted in SQLite (survives restarts). Epoch seconds. */
export interface WatchdogMemory {
  state: WatchdogState;
  reason: string | null;
  /** First failed check of the current streak. */
  failing_since: number | null;
  /** End of the boot grace after the last cycle. */
  boot_until: number | null;
  /** Start times of the cycles inside the window (older ones are dropped). */
  cycle_times: number[];
  last_cycle_at: number | null;
  last_result: 'up' | 'down' | null;
  last_check_at: number | null;
}

/** A load problem: which watchdog, which field, what is wrong and how to fix it. */
export interface WatchdogIssue {
  watchdog: string | null;
  field: string;
  message: string;
}

/** How a watchdog event reads as an events row (`/api/events`, `/ws` `event`): kind automation, source `watchdog:<name>`. */
export function watchdogEventRow(e: WatchdogBusEvent): { type: string; source: string; details: string; data: Record<string, unknown> } {
  return {
    type: e.kind === 'state' ? `watchdog_${e.status?.state ?? 'removed'}` : `watchdog_${e.kind}`,
    source: `watchdog:${e.name}`,
    details: e.details,
    data: { name: e.name, outlet: e.outlet, ...(e.status ?? {}), ...(e.success !== undefined ? { success: e.success } : {}) },
  };
}
