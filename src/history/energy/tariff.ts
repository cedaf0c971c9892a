// Energy cost from `energy.tariff` (SPEC §13.5): flat, or time-of-use periods evaluated in the
// configured IANA zone. Pure: instants are epoch seconds, the zone is passed in.
//
// Rule for a tou period (documented choice): a period is a window that OPENS at `start` on each
// local weekday listed in `days` and lasts (end − start) mod 24 h, where 0 means a full 24 h.
// So 22:00–06:00 on 'fri' covers Friday 22:00 → Saturday 06:00: the hours after midnight belong
// to Friday's period (and Saturday 00:00–06:00 is NOT covered unless 'thu' is listed too).
// Times are wall-clock: on a DST day 01:00–04:00 lasts 2 h (spring) or 4 h (autumn), and a
// wall time that repeats in the autumn hour has the same price both times. When periods
// overlap, the first one listed wins; outside every period `price_per_kwh` applies.
import type { TariffConfig } from '../../config/schema.js';
import { localParts, utcOffset } from '../../core/calendar.js';

/** The parts of `energy.tariff` that pricing needs (TariffConfig is assignable to it). */
export type Tariff = Pick<TariffConfig, 'type' | 'price_per_kwh' | 'periods'>;

/** Energy `kwh` consumed evenly over [from, to) (epoch seconds). */
export interface CostInterval {
  readonly from: number;
  readonly to: number;
  readonly kwh: number;
}

interface Period {
  startS: number;
  lenS: number;
  days: boolean[];
  price: number;
}

interface Compiled {
  base: number;
  periods: Period[];
  /** Seconds of the local day at which the price may change; always includes 0 (weekday change). */
  boundaries: number[];
}

const DAY = 86400;
const DAY_INDEX: Readonly<Record<string, number>> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };

function clockSeconds(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`invalid time of day ${JSON.stringify(hhmm)} (expected HH:MM)`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

function compile(tariff: Tariff): Compiled {
  const periods = tariff.periods.map((p): Period => {
    const startS = clockSeconds(p.start);
    const days = [false, false, false, false, false, false, false];
    for (const d of p.days) {
      const i = DAY_INDEX[d];
      if (i !== undefined) days[i] = true;
    }
    return { startS, lenS: (clockSeconds(p.end) - startS + DAY) % DAY || DAY, days, price: p.price_per_kwh };
  });
  const edges = new Set<number>([0]);
  for (const p of periods) edges.add(p.startS).add((p.startS + p.lenS) % DAY);
  return { base: tariff.price_per_kwh, periods, boundaries: [...edges].sort((a, b) => a - b) };
}

/** Is local (weekday, second of day) inside `p`? Either today's window or yesterday's spill-over. */
function covers(p: Period, weekday: number, sec: number): boolean {
  if (p.days[weekday] === true && sec >= p.startS && sec - p.startS < p.lenS) return true;
  return p.days[(weekday + 6) % 7] === true && sec + DAY - p.startS < p.lenS;
}

function priceOf(c: Compiled, weekday: number, sec: number): number {
  for (const p of c.periods) if (covers(p, weekday, sec)) return p.price;
  return c.base;
}

/** False when every price in the tariff is 0: costs are then not shown (null). */
export function hasPrices(tariff: Tariff): boolean {
  if (tariff.price_per_kwh > 0) return true;
  return tariff.type === 'tou' && tariff.periods.some((p) => p.price_per_kwh > 0);
}

/** Price per kWh in force at `epochS` (zone '' = process time zone). */
export function priceAt(tariff: Tariff, epochS: number, timeZone: string): number {
  if (tariff.type === 'flat') return tariff.price_per_kwh;
  const p = localParts(epochS, timeZone);
  return priceOf(compile(tariff), p.weekday, p.hour * 3600 + p.minute * 60 + p.second);
}

/** First integer instant in (lo, hi] whose UTC offset differs from `offset` (hi is known to differ). */
function transition(lo: number, hi: number, offset: number, tz: string): number {
  let a = Math.floor(lo) + 1;
  let b = Math.floor(hi);
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (utcOffset(mid, tz) !== offset) b = mid;
    else a = mid + 1;
  }
  return a;
}

/** Cost of one interval under a tou tariff: split wherever the price can change, pro rata by time. */
function touCost(c: Compiled, iv: CostInterval, tz: string): number {
  const len = iv.to - iv.from;
  if (len <= 0) {
    const p = localParts(iv.from, tz);
    return iv.kwh * priceOf(c, p.weekday, p.hour * 3600 + p.minute * 60 + p.second);
  }
  let cost = 0;
  for (let t = iv.from; t < iv.to; ) {
    const p = localParts(t, tz);
    const sec = p.hour * 3600 + p.minute * 60 + p.second;
    const edge = c.boundaries.find((b) => b > sec) ?? DAY;
    // Integer arithmetic from floor(t): each step advances at least to the next whole second.
    let next = Math.min(Math.floor(t) + edge - sec, iv.to);
    // A DST transition moves the wall clock, so the price may change there as well.
    const offset = utcOffset(t, tz);
    if (utcOffset(next, tz) !== offset) next = transition(t, next, offset, tz);
    cost += (iv.kwh * (next - t) * priceOf(c, p.weekday, sec)) / len;
    t = next;
  }
  return cost;
}

/**
 * Cost of `intervals` (each spread evenly over its [from, to)); null when every price is 0.
 * A zero-length interval is priced at its `from` instant.
 */
export function costOf(tariff: Tariff, intervals: ReadonlyArray<CostInterval>, timeZone: string): number | null {
  if (!hasPrices(tariff)) return null;
  let cost = 0;
  if (tariff.type === 'flat') {
    for (const iv of intervals) cost += iv.kwh * tariff.price_per_kwh;
    return cost;
  }
  const c = compile(tariff);
  for (const iv of intervals) {
    if (!Number.isFinite(iv.from) || !Number.isFinite(iv.to)) {
      throw new RangeError(`invalid interval [${String(iv.from)}, ${String(iv.to)})`);
    }
    if (iv.kwh !== 0) cost += touCost(c, iv, timeZone);
  }
  return cost;
}
