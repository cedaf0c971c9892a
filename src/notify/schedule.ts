import type { QueuedNotification } from '../core/notify.js';
import { localParts, zonedToEpoch } from '../core/calendar.js';

// When to (re)try, hold or repeat a webhook notification (SPEC §11.8). Pure: every function takes
// the current time (epoch seconds) as an argument.

export const BACKOFF_FIRST_S = 5;
export const BACKOFF_CAP_S = 3600;
/** A notification not delivered within this long after it was queued is dropped. */
export const GIVE_UP_AFTER_S = 86_400;

/** Delay after the `attempts`-th failure: 5 s, 10 s, 20 s … capped at 1 h. */
export function backoffSeconds(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2 ** Math.min(n - 1, 20));
}

/** Rows created before this second are given up (dropOlderThan's argument). */
export function giveUpBefore(nowS: number): number {
  return Math.floor(nowS) - GIVE_UP_AFTER_S;
}

export function isExpired(createdAt: number, nowS: number): boolean {
  return createdAt < giveUpBefore(nowS);
}

export interface QuietHours {
  start: string;
  end: string;
  except: readonly string[];
}

function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * null when `event` may be sent at `nowS`; else the epoch second the quiet window ends (the
 * window is [start, end) in wall-clock time of `tz`, wrapping midnight when end < start;
 * start = end is an empty window). Events in `except` always pass.
 */
export function quietUntil(nowS: number, quiet: QuietHours | null, event: string, tz: string): number | null {
  if (quiet === null || quiet.except.includes(event)) return null;
  const start = minuteOfDay(quiet.start);
  const end = minuteOfDay(quiet.end);
  if (start === end) return null;
  const w = localParts(nowS, tz);
  const m = w.hour * 60 + w.minute;
  const inside = start < end ? m >= start && m < end : m >= start || m < end;
  if (!inside) return null;
  // Before `end` on the clock: it ends today; otherwise (wrapped window, evening part) tomorrow.
  const until = zonedToEpoch(w.year, w.month, w.day + (m < end ? 0 : 1), end * 60, tz);
  return until > nowS ? until : null;
}

/** Next re-send of an open condition first sent at `firstAt`: the next point of its repeat_s grid after now. */
export function nextRepeatAt(firstAt: number, repeatS: number, nowS: number): number | null {
  if (repeatS <= 0) return null;
  if (nowS < firstAt) return firstAt + repeatS;
  return firstAt + repeatS * (Math.floor((nowS - firstAt) / repeatS) + 1);
}

/** Events that open a condition re-sent every repeat_s, and the events that close them. */
export const OPENING_EVENTS: ReadonlySet<string> = new Set(['outage.opened', 'network_fault.opened', 'device.lost']);
const CLOSING_EVENTS: ReadonlySet<string> = new Set(['outage.closed', 'network_fault.closed', 'device.recovered']);

export interface Condition {
  /** `outage:<record id>` or `device:<device id>`. */
  key: string;
  phase: 'open' | 'close';
}

/** The open condition an event opens or closes, keyed by outage id or device id; null for other events. */
export function conditionOf(event: string, data: unknown): Condition | null {
  const phase = OPENING_EVENTS.has(event) ? 'open' : CLOSING_EVENTS.has(event) ? 'close' : null;
  if (phase === null || typeof data !== 'object' || data === null) return null;
  const d = data as { id?: unknown; device_id?: unknown };
  if (event.startsWith('device.')) return typeof d.device_id === 'string' ? { key: `device:${d.device_id}`, phase } : null;
  return typeof d.id === 'number' ? { key: `outage:${d.id}`, phase } : null;
}

/** Queue key of the not-yet-sent repeat of a condition (a close removes it). */
export function repeatKey(conditionKey: string): string {
  return `repeat:${conditionKey}`;
}

export type Pick = { row: QueuedNotification } | { row: null; wakeAt: number | null };

/**
 * Which queued row of one webhook to send now. Rows come oldest first; delivery keeps that order,
 * except that a row held by quiet hours lets later (excepted) rows pass. A row that failed before
 * and is waiting out its backoff blocks the rows after it, unless `force` (a probe cycle: try it
 * now). Without a row to send, `wakeAt` is the earliest second one could become sendable.
 */
export function nextToSend(
  rows: readonly QueuedNotification[],
  nowS: number,
  force: boolean,
  heldUntil: (row: QueuedNotification) => number | null,
): Pick {
  let wakeAt: number | null = null;
  const later = (t: number): void => void (wakeAt = wakeAt === null ? t : Math.min(wakeAt, t));
  for (const row of rows) {
    const held = heldUntil(row);
    if (held !== null) {
      later(held);
      continue;
    }
    if (row.next_attempt_at <= nowS) return { row };
    if (row.attempts > 0) {
      if (force) return { row };
      later(row.next_attempt_at);
      break;
    }
    later(row.next_attempt_at); // held when queued (quiet hours then): not a failure, others may pass
  }
  return { row: null, wakeAt };
}
