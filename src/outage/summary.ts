// The one-line human summary of an outage (SPEC §11.8 webhook `text`), e.g.
// `mains out 02:13–02:41 (28 min), source A, outlets shed: 3, 5`. Pure: times are formatted in
// the given IANA zone, and an ongoing outage needs `now` for its "so far" duration.
import type { OutageRecord, OutageScope } from '../core/power.js';

const SCOPE_TEXT: Record<OutageScope, string> = {
  site: 'whole site',
  partial: 'partial',
  source_a: 'source A',
  source_b: 'source B',
};

// Formatters are costly to build; a handful of zones at most is ever used (bounded anyway).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    // An unknown zone (the config validates it; this is a last resort): UTC, not an exception.
    f = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }
  if (formatters.size >= 32) formatters.clear();
  formatters.set(tz, f);
  return f;
}

/** HH:MM of an epoch-seconds time in `tz`. */
export function clockTime(ts: number, tz: string): string {
  return formatter(tz).format(new Date(ts * 1000));
}

/** `45 s`, `28 min`, `2 h 05 min`, `3 d 4 h` (rounded down to the unit shown). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function shedText(shed: Readonly<Record<string, readonly number[]>>): string | null {
  const devices = Object.entries(shed).filter(([, outlets]) => outlets.length > 0);
  if (devices.length === 0) return null;
  const list = (outlets: readonly number[]): string => [...outlets].sort((a, b) => a - b).join(', ');
  const first = devices[0];
  if (devices.length === 1 && first) return `outlets shed: ${list(first[1])}`;
  return `outlets shed: ${devices.map(([id, outlets]) => `${id} ${list(outlets)}`).join('; ')}`;
}

/**
 * @param outletsShed  overrides `record.outlets_shed` (e.g. the rules engine's latest list)
 * @param now          epoch seconds; needed for the duration of an ongoing outage
 */
export function outageText(
  record: OutageRecord,
  tz: string,
  outletsShed?: Readonly<Record<string, readonly number[]>>,
  now?: number,
): string {
  const start = clockTime(record.started_at, tz);
  let when: string;
  if (record.ended_at !== null) {
    when = `${start}–${clockTime(record.ended_at, tz)} (${formatDuration(record.ended_at - record.started_at)})`;
  } else {
    when = now === undefined ? `since ${start}` : `since ${start} (${formatDuration(now - record.started_at)} so far)`;
  }
  if (record.kind === 'network') return `network fault ${when}: control targets silent`;
  const parts = [`mains out ${when}`];
  if (record.scope) parts.push(SCOPE_TEXT[record.scope]);
  if (record.confidence === 'low') parts.push('low confidence');
  const shed = shedText(outletsShed ?? record.outlets_shed);
  if (shed) parts.push(shed);
  return parts.join(', ');
}
