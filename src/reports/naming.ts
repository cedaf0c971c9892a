import { parseDate, parseMonth } from '../core/calendar.js';
import type { ReportFormat, ReportType } from '../core/reports.js';

// Report file names (SPEC §13.7): `{reports.path}/{device_id}/weekly-{YYYY-MM-DD}.{pdf,html}`
// (the week's Monday) and `…/monthly-{YYYY-MM}.{pdf,html}`. Pure. Every name that reaches the
// file system passes parseReportFilename / isDeviceId first, so a path can never leave the
// reports folder (no separators, no dots besides the one before the extension).

/** SPEC §5 device ids: 1–64 of [A-Za-z0-9_-] (so never `.` or `..`). */
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FILENAME = /^(weekly)-(\d{4}-\d{2}-\d{2})\.(pdf|html)$|^(monthly)-(\d{4}-\d{2})\.(pdf|html)$/;

export interface ReportName {
  type: ReportType;
  period: string;
  format: ReportFormat;
}

export function isDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}

export function reportFilename(type: ReportType, period: string, format: ReportFormat): string {
  return `${type}-${period}.${format}`;
}

/** Monday-based weekday of a calendar date (0 = Monday … 6 = Sunday); no zone involved. */
export function dateWeekday(date: string): number {
  const { year, month, day } = parseDate(date);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return (d.getUTCDay() + 6) % 7;
}

/** The parts of a valid report file name; null for anything else (a weekly period must be a Monday). */
export function parseReportFilename(name: string): ReportName | null {
  const m = FILENAME.exec(name);
  if (!m) return null;
  const type: ReportType = m[1] ? 'weekly' : 'monthly';
  const period = (m[2] ?? m[5]) as string;
  const format = (m[3] ?? m[6]) as ReportFormat;
  try {
    if (type === 'weekly' && dateWeekday(period) !== 0) return null;
    if (type === 'monthly') parseMonth(period);
  } catch {
    return null;
  }
  return { type, period, format };
}
