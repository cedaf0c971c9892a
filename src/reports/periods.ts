import { addDays, daysBetween, localDay, parseDate, parseMonth, zonedEpoch, type Bounds } from '../core/calendar.js';
import type { ReportType } from '../core/reports.js';
import { dateWeekday } from './naming.js';

// Report periods and their schedule (SPEC §13.7): weekly = Monday–Sunday, monthly = a calendar
// month, both in local time (`timezone`); generated at 00:30 local on Monday / the 1st; at
// start-up the last 8 weeks and 3 months are back-filled. Pure: instants are passed in.

export interface ReportPeriod {
  type: ReportType;
  /** weekly: its Monday (YYYY-MM-DD); monthly: YYYY-MM. The file name carries it. */
  period: string;
  /** First and last local date, inclusive. */
  start: string;
  end: string;
  /** Human label: "2026-06-01 – 2026-06-07" / "June 2026". */
  label: string;
}

export interface ScheduleConfig {
  weekly: boolean;
  monthly: boolean;
}

/** Local time of the scheduled run: 00:30 (after the daily energy job at 00:05). */
export const RUN_AT_SECOND_OF_DAY = 30 * 60;
export const BACKFILL_WEEKS = 8;
export const BACKFILL_MONTHS = 3;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `month` (YYYY-MM) shifted by `months` calendar months. */
export function addMonths(month: string, months: number): string {
  const { year, month: m } = parseMonth(month);
  const i = year * 12 + (m - 1) + months;
  return `${pad(Math.floor(i / 12), 4)}-${pad((i % 12) + 1)}`;
}

/** The week (Monday–Sunday) containing `date`. */
export function weekPeriod(date: string): ReportPeriod {
  const start = addDays(date, -dateWeekday(date));
  const end = addDays(start, 6);
  return { type: 'weekly', period: start, start, end, label: `${start} – ${end}` };
}

export function monthPeriod(month: string): ReportPeriod {
  const { year, month: m } = parseMonth(month);
  const end = addDays(`${addMonths(month, 1)}-01`, -1);
  return { type: 'monthly', period: month, start: `${month}-01`, end, label: `${MONTHS[m - 1] ?? month} ${year}` };
}

export function periodDates(p: ReportPeriod): string[] {
  return daysBetween(p.start, p.end);
}

/** The period before `p` (for the "% change" card). */
export function previousPeriod(p: ReportPeriod): ReportPeriod {
  return p.type === 'weekly' ? weekPeriod(addDays(p.start, -7)) : monthPeriod(addMonths(p.period, -1));
}

/** `text` as a period of `type` (weekly: any date of the week; monthly: YYYY-MM); RangeError otherwise. */
export function parsePeriod(type: ReportType, text: string): ReportPeriod {
  if (type === 'monthly') {
    parseMonth(text);
    return monthPeriod(text);
  }
  parseDate(text);
  return weekPeriod(text);
}

/** Local midnight of the first day to local midnight after the last (epoch seconds). */
export function periodBounds(p: ReportPeriod, tz: string): Bounds {
  return { start: zonedEpoch(p.start, 0, tz), end: zonedEpoch(addDays(p.end, 1), 0, tz) };
}

/** True once the whole period lies in the past at `nowS`. */
export function hasEnded(p: ReportPeriod, nowS: number, tz: string): boolean {
  return periodBounds(p, tz).end <= nowS;
}

/** The newest complete period of `type` at `nowS`. */
export function lastComplete(type: ReportType, nowS: number, tz: string): ReportPeriod {
  const today = localDay(nowS, tz);
  return type === 'weekly' ? weekPeriod(addDays(today, -7)) : monthPeriod(addMonths(today.slice(0, 7), -1));
}

/** Start-up back-fill: the last 8 complete weeks and 3 complete months (as enabled), newest first. */
export function backfillPeriods(nowS: number, tz: string, cfg: ScheduleConfig): ReportPeriod[] {
  const out: ReportPeriod[] = [];
  if (cfg.weekly) {
    const last = lastComplete('weekly', nowS, tz);
    for (let k = 0; k < BACKFILL_WEEKS; k++) out.push(weekPeriod(addDays(last.start, -7 * k)));
  }
  if (cfg.monthly) {
    const last = lastComplete('monthly', nowS, tz);
    for (let k = 0; k < BACKFILL_MONTHS; k++) out.push(monthPeriod(addMonths(last.period, -k)));
  }
  return out;
}

const isRunDay = (date: string, cfg: ScheduleConfig): boolean => (cfg.weekly && dateWeekday(date) === 0) || (cfg.monthly && date.endsWith('-01'));

/** The next 00:30 local on a Monday (weekly) or a 1st (monthly) strictly after `nowS`; null when both are off. */
export function nextRunAt(nowS: number, tz: string, cfg: ScheduleConfig): number | null {
  if (!cfg.weekly && !cfg.monthly) return null;
  const today = localDay(nowS, tz);
  for (let i = 0; i <= 31; i++) {
    const date = addDays(today, i);
    const t = zonedEpoch(date, RUN_AT_SECOND_OF_DAY, tz);
    if (t > nowS && isRunDay(date, cfg)) return t;
  }
  return null; // unreachable: a Monday comes within 7 days, a 1st within 31
}

/** Periods due at the run planned for `runS`: the week before a Monday, the month before a 1st. */
export function duePeriods(runS: number, tz: string, cfg: ScheduleConfig): ReportPeriod[] {
  const date = localDay(runS, tz);
  const out: ReportPeriod[] = [];
  if (cfg.weekly && dateWeekday(date) === 0) out.push(weekPeriod(addDays(date, -7)));
  if (cfg.monthly && date.endsWith('-01')) out.push(monthPeriod(addMonths(date.slice(0, 7), -1)));
  return out;
}
