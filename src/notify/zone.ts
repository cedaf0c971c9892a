// Wall-clock arithmetic in the config `timezone` (IANA, '' = process zone) for quiet hours and
// notification texts. Pure: instants are epoch seconds passed in. (history/ has a fuller calendar;
// services do not import each other, so this keeps the two functions the notifier needs.)

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    // h23: some ICU versions print midnight as "24" with the default hour cycle.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz === '' ? undefined : tz, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall-clock fields of `epochS` in `tz`. */
export function wallTime(epochS: number, tz: string): WallTime {
  const out: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(tz).formatToParts(Math.floor(epochS) * 1000)) {
    if (p.type in out) out[p.type as keyof WallTime] = Number(p.value);
  }
  return out;
}

/** A wall time read as if it were UTC (Date.UTC normalises day overflow: day 32 = next month). */
function asUtc(year: number, month: number, day: number, secOfDay: number): number {
  return Date.UTC(year, month - 1, day) / 1000 + secOfDay;
}

/** UTC offset of `tz` at `epochS`, seconds (local = UTC + offset). */
export function offsetAt(epochS: number, tz: string): number {
  const w = wallTime(epochS, tz);
  return asUtc(w.year, w.month, w.day, w.hour * 3600 + w.minute * 60 + w.second) - Math.floor(epochS);
}

/**
 * Epoch seconds of a local date + second of day in `tz`. An ambiguous wall time (DST fall-back)
 * gives the earlier instant; a skipped one (spring-forward) the transition instant, the first
 * instant whose wall time is not earlier. Day overflow is allowed (day + 1 = the next day).
 */
export function zonedToEpoch(year: number, month: number, day: number, secOfDay: number, tz: string): number {
  const wall = asUtc(year, month, day, secOfDay);
  // Offsets a day either side bracket any single transition near `wall`.
  const offsets = [...new Set([offsetAt(wall - 86_400, tz), offsetAt(wall, tz), offsetAt(wall + 86_400, tz)])];
  const exact = offsets.map((o) => wall - o).filter((t) => offsetAt(t, tz) === wall - t);
  if (exact.length > 0) return Math.min(...exact);
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetAt(mid, tz) >= wall) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
