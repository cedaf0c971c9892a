// Local calendar arithmetic in an IANA zone (SPEC §4.2 `timezone`, §13.5) without a date library.
// Pure: every instant is passed in as epoch seconds; '' means the process time zone.
// Local parts come from Intl.DateTimeFormat (one cached formatter per zone, since constructing
// one costs far more than formatting); local → epoch conversion searches the zone's offsets so
// DST days are 23 h / 25 h long and a skipped wall time resolves to the first instant after it.

/** Wall-clock fields of an instant in a zone; weekday 0 = Monday … 6 = Sunday (SPEC weeks start Monday). */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** Half-open window [start, end) in epoch seconds. */
export interface Bounds {
  start: number;
  end: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    // h23: en-US would otherwise print midnight as "24" in some Node/ICU versions.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz === '' ? undefined : tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

function finite(epochS: number): number {
  if (!Number.isFinite(epochS)) throw new RangeError(`invalid epoch seconds ${String(epochS)}`);
  return Math.floor(epochS);
}

/** Local wall-clock fields of `epochS` (fractional seconds are truncated) in zone `tz`. */
export function localParts(epochS: number, tz: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of formatter(tz).formatToParts(finite(epochS) * 1000)) {
    if (p.type === 'weekday') out.weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type in out) out[p.type as keyof LocalParts] = Number(p.value);
  }
  return out;
}

/** Wall time read as if it were UTC, in epoch seconds (setUTCFullYear keeps years < 100 literal). */
function wallSeconds(year: number, month: number, day: number, secOfDay = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime() / 1000 + secOfDay;
}

/** UTC offset of zone `tz` at `epochS`, in seconds (local = UTC + offset). */
export function utcOffset(epochS: number, tz: string): number {
  const t = finite(epochS);
  const p = localParts(t, tz);
  return wallSeconds(p.year, p.month, p.day, p.hour * 3600 + p.minute * 60 + p.second) - t;
}

/**
 * Epoch seconds of local `date` + `secOfDay` in `tz`. Ambiguous wall times (DST fall-back) give
 * the earlier instant; skipped ones (spring-forward) give the transition instant, i.e. the first
 * instant whose wall time is not earlier — so a day always starts at its first existing instant.
 */
export function zonedEpoch(date: string, secOfDay: number, tz: string): number {
  const { year, month, day } = parseDate(date);
  return zonedToEpoch(year, month, day, secOfDay, tz);
}

/** As zonedEpoch, from numeric parts; day (and second) overflow is allowed: day + 1 = the next day. */
export function zonedToEpoch(year: number, month: number, day: number, secOfDay: number, tz: string): number {
  const wall = wallSeconds(year, month, day, secOfDay);
  // Offsets a day either side bracket any single transition near `wall` (offsets are < ±15 h).
  const offsets = [...new Set([utcOffset(wall - 86400, tz), utcOffset(wall, tz), utcOffset(wall + 86400, tz)])];
  const exact = offsets.map((o) => wall - o).filter((t) => utcOffset(t, tz) === wall - t);
  if (exact.length > 0) return Math.min(...exact);
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + utcOffset(mid, tz) >= wall) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Parses 'YYYY-MM-DD' (a real calendar date) or throws a RangeError naming the value. */
export function parseDate(date: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const back = new Date(wallSeconds(year, month, day) * 1000);
  if (!m || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new RangeError(`invalid date ${JSON.stringify(date)} (expected YYYY-MM-DD)`);
  }
  return { year, month, day };
}

/** Parses 'YYYY-MM' or throws a RangeError naming the value. */
export function parseMonth(month: string): { year: number; month: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RangeError(`invalid month ${JSON.stringify(month)} (expected YYYY-MM)`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** `date` shifted by `days` calendar days (pure date arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  const d = new Date(wallSeconds(year, month, day + days) * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Local date 'YYYY-MM-DD' of `epochS` in `tz`. */
export function localDay(epochS: number, tz: string): string {
  const p = localParts(epochS, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Local month 'YYYY-MM' of `epochS` in `tz`. */
export function localMonth(epochS: number, tz: string): string {
  return localDay(epochS, tz).slice(0, 7);
}

/** Local midnight of `date` to the next local midnight (23 h / 25 h on DST days). */
export function dayBounds(date: string, tz: string): Bounds {
  return { start: zonedEpoch(date, 0, tz), end: zonedEpoch(addDays(date, 1), 0, tz) };
}

/** First local midnight of `month` to the first local midnight of the next month. */
export function monthBounds(month: string, tz: string): Bounds {
  const { year, month: m } = parseMonth(month);
  const next = m === 12 ? `${pad(year + 1, 4)}-01-01` : `${pad(year, 4)}-${pad(m + 1)}-01`;
  return { start: zonedEpoch(`${month}-01`, 0, tz), end: zonedEpoch(next, 0, tz) };
}

/** Monday 00:00 local of the week containing `epochS` (SPEC: this_week = Mon–today). */
export function weekStart(epochS: number, tz: string): number {
  const p = localParts(epochS, tz);
  return zonedEpoch(addDays(localDay(epochS, tz), -p.weekday), 0, tz);
}

/** Every date from `startDate` to `endDate` inclusive; empty when end < start. */
export function daysBetween(startDate: string, endDate: string): string[] {
  parseDate(startDate);
  parseDate(endDate);
  const out: string[] = [];
  for (let d = startDate; d <= endDate; d = addDays(d, 1)) out.push(d);
  return out;
}

/** `YYYYMMDD-HHMMSS` (UTC) for backup file and folder names. */
export function fileStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}
