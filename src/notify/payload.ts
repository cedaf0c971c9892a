import type { OutageRecord } from '../core/power.js';
import { localParts } from '../core/calendar.js';

// Webhook bodies (SPEC §11.8): `{event, ts, text, data}` with `text` a one-line human summary such
// as `mains out 02:13–02:41 (28 min), source A, outlets shed: 3, 5`. Pure: times are passed in and
// shown in the config `timezone`. (outage/summary.ts writes a similar line for other views;
// services cannot import each other, so the notifier keeps its own small version.)

export interface WebhookBody {
  event: string;
  /** Epoch seconds of the event (not of the delivery: a stored report keeps its time). */
  ts: number;
  text: string;
  data: unknown;
}

const MAX_TEXT = 300;
const pad = (n: number): string => String(n).padStart(2, '0');

/** `28 min`, `45 s`, `1 h 5 min`, `2 d 3 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  if (min < 1440) return min % 60 === 0 ? `${min / 60} h` : `${Math.floor(min / 60)} h ${min % 60} min`;
  const h = Math.round(min / 60);
  return h % 24 === 0 ? `${h / 24} d` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** `HH:MM` of `epochS` in `tz`; with the date when `withDate` (spans of a day or more). */
export function localClock(epochS: number, tz: string, withDate = false): string {
  const w = localParts(epochS, tz);
  const time = `${pad(w.hour)}:${pad(w.minute)}`;
  return withDate ? `${w.year}-${pad(w.month)}-${pad(w.day)} ${time}` : time;
}

const SCOPE_TEXT: Readonly<Record<string, string>> = { site: 'whole site', partial: 'partial', source_a: 'source A', source_b: 'source B' };

function shedText(shed: Record<string, number[]> | undefined): string | null {
  const entries = Object.entries(shed ?? {}).filter(([, outlets]) => Array.isArray(outlets) && outlets.length > 0);
  if (entries.length === 0) return null;
  if (entries.length === 1) return `outlets shed: ${(entries[0]?.[1] ?? []).join(', ')}`;
  return `outlets shed: ${entries.map(([device, outlets]) => `${device} ${outlets.join(', ')}`).join('; ')}`;
}

/** `mains out 02:13–02:41 (28 min), source A, outlets shed: 3, 5` / `network fault since 02:13`. */
export function outageLine(o: OutageRecord, tz: string): string {
  const what = o.kind === 'network' ? 'network fault' : 'mains out';
  let when: string;
  if (o.ended_at === null) {
    when = `since ${localClock(o.started_at, tz)}`;
  } else {
    const seconds = o.duration_seconds ?? o.ended_at - o.started_at;
    const long = seconds >= 86_400;
    when = `${localClock(o.started_at, tz, long)}–${localClock(o.ended_at, tz, long)} (${formatDuration(seconds)})`;
  }
  const parts = [`${what} ${when}`];
  if (o.kind === 'power' && o.scope) parts.push(SCOPE_TEXT[o.scope] ?? o.scope);
  const shed = shedText(o.outlets_shed);
  if (shed) parts.push(shed);
  return parts.join(', ');
}

function field(data: unknown, key: string): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const v = (data as Record<string, unknown>)[key];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function isOutage(data: unknown): data is OutageRecord {
  return typeof data === 'object' && data !== null && typeof (data as OutageRecord).started_at === 'number' && 'kind' in data;
}

/** The one-line summary of an event for people reading a chat or a phone notification. */
export function summaryText(event: string, data: unknown, tz: string): string {
  if ((event.startsWith('outage.') || event.startsWith('network_fault.')) && isOutage(data)) return outageLine(data, tz);
  const device = field(data, 'device_id') ?? '?';
  const reason = field(data, 'reason');
  const failures = field(data, 'consecutive_failures');
  switch (event) {
    case 'device.lost': {
      const why = [reason, failures ? `${failures} failed polls` : null].filter(Boolean).join(', ');
      return `device ${device} lost${why ? ` (${why})` : ''}`;
    }
    case 'device.recovered':
      return `device ${device} recovered`;
    case 'rule.failed':
      return `rule "${field(data, 'rule') ?? '?'}" failed${field(data, 'details') ? `: ${field(data, 'details')}` : ''}`;
    case 'rule.fired':
      return `rule "${field(data, 'rule') ?? '?'}" fired${field(data, 'details') ? `: ${field(data, 'details')}` : ''}`;
    case 'watchdog.cycling':
      return `watchdog ${field(data, 'name') ?? '?'} is power-cycling its outlet${reason ? ` (${reason})` : ''}${field(data, 'cycles') ? `, cycle ${field(data, 'cycles')}` : ''}`;
    case 'watchdog.gave_up':
      return `watchdog ${field(data, 'name') ?? '?'} gave up${field(data, 'cycles') ? ` after ${field(data, 'cycles')} cycles` : ''}${reason ? ` (${reason})` : ''}`;
    case 'test':
      return 'test notification from power2mqtt';
    default:
      return event;
  }
}

/** Text of a repeat of an open condition (repeat_s): the summary plus how long it has lasted. */
export function reminderText(text: string, sinceS: number, nowS: number): string {
  return `${text}; still ongoing after ${formatDuration(nowS - sinceS)}`;
}

/** One line, bounded: a receiver shows it as a notification title. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

/** The body of a webhook POST; `text` defaults to the summary of the event. */
export function webhookBody(event: string, data: unknown, ts: number, tz: string, text?: string): WebhookBody {
  return { event, ts, text: oneLine(text ?? summaryText(event, data, tz)), data: data ?? null };
}
