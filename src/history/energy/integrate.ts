// Energy from power samples and cumulative counters (SPEC §13.5). Pure: samples carry their own
// epoch-second timestamps, nothing here reads the clock.
//
// Integration: each sample after the first of a chain covers the left-open interval (prev, cur]
// at the CURRENT sample's power, attributed to the ATS source active at the current sample.
// kWh += P × dt / 3 600 000, counted only when 0 < dt ≤ maxGapS (a gap contributes nothing; the
// next interval starts at the sample after the gap). A null power breaks the chain. With a
// window [from, to) only the part of each interval inside it counts, so a day boundary splits
// an interval and integration is additive over adjacent windows.

export type AtsSource = 1 | 2 | null;

export interface PowerPoint {
  readonly ts: number;
  readonly power: number | null;
  readonly source?: AtsSource;
}

export interface CounterPoint {
  readonly ts: number;
  /** Cumulative kWh as read from the device (e.g. 0.1 kWh steps); may reset to a lower value. */
  readonly counter: number | null;
}

export interface HybridPoint extends PowerPoint, CounterPoint {}

export interface IntegrateOptions {
  /** Longest dt (s) still integrated; SPEC: 3 × poll interval. */
  readonly maxGapS: number;
  /** Window start (inclusive), epoch seconds; default unbounded. */
  readonly from?: number;
  /** Window end (exclusive), epoch seconds; default unbounded. */
  readonly to?: number;
}

export interface EnergyTotals {
  kwh: number;
  source_a_kwh: number;
  source_b_kwh: number;
  /** Highest power of the samples with ts in the window (null: none). */
  peak_power_w: number | null;
  /** Time-weighted mean power over the counted intervals (null: none counted). */
  avg_power_w: number | null;
  /** Samples with a power value and ts in the window. */
  samples: number;
}

export interface EnergyInterval {
  from: number;
  to: number;
  kwh: number;
  source: AtsSource;
}

export interface CounterTotals {
  kwh: number;
  resets: number;
  first_ts: number | null;
  last_ts: number | null;
}

export interface HybridTotals extends EnergyTotals {
  /** The part of `kwh` taken from counter steps. */
  counter_kwh: number;
  method: 'integrated' | 'hybrid' | 'counter' | 'none';
}

const WS_PER_KWH = 3_600_000;

const usable = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

type Visit = (from: number, to: number, watts: number, source: AtsSource) => void;

/** Walks the counted, window-clipped intervals; returns the sample statistics of the window. */
function walk(points: ReadonlyArray<PowerPoint>, opts: IntegrateOptions, visit: Visit): { samples: number; peak: number | null } {
  if (!(opts.maxGapS > 0)) throw new RangeError(`maxGapS must be > 0 (got ${String(opts.maxGapS)})`);
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  let prev: number | null = null;
  let samples = 0;
  let peak: number | null = null;
  for (const p of points) {
    if (p.ts >= to && (prev === null || prev >= to)) break; // sorted: nothing later can overlap
    if (!usable(p.power)) {
      prev = null;
      continue;
    }
    if (p.ts >= from && p.ts < to) {
      samples++;
      peak = peak === null ? p.power : Math.max(peak, p.power);
    }
    const dt = prev === null ? 0 : p.ts - prev;
    if (prev !== null && dt > 0 && dt <= opts.maxGapS) {
      const a = Math.max(prev, from);
      const b = Math.min(p.ts, to);
      // A negative reading is a metering glitch: it must not subtract energy.
      if (b > a) visit(a, b, Math.max(0, p.power), p.source === 1 || p.source === 2 ? p.source : null);
    }
    prev = p.ts;
  }
  return { samples, peak };
}

/** Integrates power over time (SPEC §13.5); see the rule at the top of this file. */
export function integratePower(points: ReadonlyArray<PowerPoint>, opts: IntegrateOptions): EnergyTotals {
  let ws = 0;
  let wsA = 0;
  let wsB = 0;
  let secs = 0;
  const { samples, peak } = walk(points, opts, (a, b, watts, source) => {
    const e = watts * (b - a);
    ws += e;
    if (source === 1) wsA += e;
    else if (source === 2) wsB += e;
    secs += b - a;
  });
  return {
    kwh: ws / WS_PER_KWH,
    source_a_kwh: wsA / WS_PER_KWH,
    source_b_kwh: wsB / WS_PER_KWH,
    peak_power_w: peak,
    avg_power_w: secs > 0 ? ws / secs : null,
    samples,
  };
}

/** The counted intervals themselves (e.g. for tou costing with costOf). */
export function powerIntervals(points: ReadonlyArray<PowerPoint>, opts: IntegrateOptions): EnergyInterval[] {
  const out: EnergyInterval[] = [];
  walk(points, opts, (from, to, watts, source) => out.push({ from, to, kwh: (watts * (to - from)) / WS_PER_KWH, source }));
  return out;
}

/**
 * Energy from a cumulative counter: the sum of positive deltas between consecutive readings.
 * A reading lower than the previous one is a reset and starts a new segment (the drop adds 0),
 * so energy is never negative. Null readings are skipped (they do not break a segment: the
 * device keeps counting while we cannot read it).
 */
export function counterEnergy(points: ReadonlyArray<CounterPoint>): CounterTotals {
  let kwh = 0;
  let resets = 0;
  let prev: number | null = null;
  let first: number | null = null;
  let last: number | null = null;
  for (const p of points) {
    if (!usable(p.counter)) continue;
    if (prev !== null) {
      if (p.counter < prev) resets++;
      else kwh += p.counter - prev;
    }
    prev = p.counter;
    first ??= p.ts;
    last = p.ts;
  }
  return { kwh, resets, first_ts: first, last_ts: last };
}

interface Span {
  start: number;
  end: number;
  kwh: number;
}

/**
 * Spans where the counter is trusted: per reset-free segment of in-window readings, from the
 * first reading at which the counter increased to the last one. A counter steps when the true
 * total crosses a resolution mark, so the energy between two steps is exactly their difference.
 */
function counterSpans(readings: ReadonlyArray<{ ts: number; counter: number }>): Span[] {
  const spans: Span[] = [];
  let first: { ts: number; counter: number } | null = null;
  let last: { ts: number; counter: number } | null = null;
  const close = (): void => {
    if (first && last && last.ts > first.ts) spans.push({ start: first.ts, end: last.ts, kwh: last.counter - first.counter });
    first = last = null;
  };
  for (let i = 1; i < readings.length; i++) {
    const prev = readings[i - 1] as { ts: number; counter: number };
    const cur = readings[i] as { ts: number; counter: number };
    if (cur.counter < prev.counter) close();
    else if (cur.counter > prev.counter) {
      first ??= cur;
      last = cur;
    }
  }
  close();
  return spans;
}

/**
 * Counter where it steps, power integration elsewhere (SPEC §13.5). Exact rule:
 * 1. Readings = non-null counters with ts in [from, to). Split them into reset-free segments; in
 *    each, the span [first step, last step] (a step = a reading above the previous one) gets
 *    counter(last step) − counter(first step). Segments with fewer than two steps give no span.
 * 2. Everything in the window outside the spans (the edges before the first and after the last
 *    step, and between segments) is integrated from power, clipped as in integratePower.
 * 3. Each span's counter energy is split between sources A/B in the ratio of integrated power
 *    per source over that same span (neither, if nothing integrates there).
 * 4. No span → pure integration. No power sample in the window → counter only: the sum of
 *    positive deltas of all in-window readings, attributed to no source.
 * peak/avg/samples always describe the power samples (integratePower over the whole window).
 */
export function hybridEnergy(points: ReadonlyArray<HybridPoint>, opts: IntegrateOptions): HybridTotals {
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  const whole = integratePower(points, opts);
  const readings: Array<{ ts: number; counter: number }> = [];
  for (const p of points) if (usable(p.counter) && p.ts >= from && p.ts < to) readings.push({ ts: p.ts, counter: p.counter });
  if (whole.samples === 0 && whole.kwh === 0) {
    const c = counterEnergy(readings);
    const method = readings.length > 0 ? 'counter' : 'none';
    return { ...whole, kwh: c.kwh, source_a_kwh: 0, source_b_kwh: 0, counter_kwh: c.kwh, method };
  }
  const spans = counterSpans(readings);
  if (spans.length === 0) return { ...whole, counter_kwh: 0, method: 'integrated' };
  const out: HybridTotals = { ...whole, kwh: 0, source_a_kwh: 0, source_b_kwh: 0, counter_kwh: 0, method: 'hybrid' };
  const addEdge = (a: number, b: number): void => {
    if (b <= a) return;
    const e = integratePower(points, { maxGapS: opts.maxGapS, from: a, to: b });
    out.kwh += e.kwh;
    out.source_a_kwh += e.source_a_kwh;
    out.source_b_kwh += e.source_b_kwh;
  };
  let cursor = from;
  for (const s of spans) {
    addEdge(cursor, s.start);
    const inside = integratePower(points, { maxGapS: opts.maxGapS, from: s.start, to: s.end });
    out.kwh += s.kwh;
    out.counter_kwh += s.kwh;
    if (inside.kwh > 0) {
      out.source_a_kwh += (s.kwh * inside.source_a_kwh) / inside.kwh;
      out.source_b_kwh += (s.kwh * inside.source_b_kwh) / inside.kwh;
    }
    cursor = s.end;
  }
  addEdge(cursor, to);
  return out;
}
