// Property tests: energy is never negative, integration and tou costing are additive over splits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zonedEpoch } from '../../../../src/core/calendar.js';
import { EnergyStream, hybridEnergy, integratePower, type AtsSource, type HybridPoint, type HybridTotals, type IntegrateOptions } from '../../../../src/history/energy/integrate.js';
import { costOf, priceAt, type Tariff } from '../../../../src/history/energy/tariff.js';

const sourceArb = fc.constantFrom<AtsSource>(1, 2, null);

/** Sorted series: positive steps (some beyond maxGap), powers incl. null/negative, counters with resets. */
const seriesArb = fc
  .array(
    fc.record({
      step: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 300 }).map((n) => n / 10)),
      power: fc.option(fc.integer({ min: -50, max: 5000 }), { nil: null, freq: 8 }),
      counterStep: fc.option(fc.oneof(fc.constant(0), fc.constant(0.1), fc.constant(-50)), { nil: null }),
      source: sourceArb,
    }),
    { minLength: 2, maxLength: 150, size: 'large' },
  )
  .map((rows) => {
    let ts = 1_790_000_000;
    let counter = 100;
    return rows.map((r): HybridPoint => {
      ts += r.step;
      if (r.counterStep !== null) counter = Math.max(0, counter + r.counterStep);
      return { ts, power: r.power, counter: r.counterStep === null ? null : counter, source: r.source };
    });
  });

// Integer-based fractions: fc.double in [0, 1] clusters at the extremes and would rarely split anything.
const fractionArb = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000);
const windowArb = fc.tuple(fractionArb, fractionArb, fractionArb);
const maxGapArb = fc.double({ min: 1, max: 20, noNaN: true });

/** [from, mid, to] spread over the series' time span from three fractions. */
function cuts(points: ReadonlyArray<HybridPoint>, fractions: [number, number, number]): [number, number, number] {
  const lo = (points[0]?.ts ?? 0) - 5;
  const hi = (points.at(-1)?.ts ?? 0) + 5;
  const [a, b, c] = fractions.map((f) => lo + f * (hi - lo)).sort((x, y) => x - y) as [number, number, number];
  return [a, b, c];
}

/** hybridEnergy's rule written out window by window (spans first, then integratePower per edge and span). */
function hybridByWindows(points: ReadonlyArray<HybridPoint>, opts: IntegrateOptions): HybridTotals {
  const [from, to] = [opts.from ?? -Infinity, opts.to ?? Infinity];
  const whole = integratePower(points, opts);
  const readings = points.filter((p) => p.counter !== null && p.ts >= from && p.ts < to) as Array<{ ts: number; counter: number }>;
  if (whole.samples === 0 && whole.kwh === 0) {
    let kwh = 0;
    for (let i = 1; i < readings.length; i++) kwh += Math.max(0, readings[i]!.counter - readings[i - 1]!.counter);
    return { ...whole, kwh, source_a_kwh: 0, source_b_kwh: 0, counter_kwh: kwh, method: readings.length > 0 ? 'counter' : 'none' };
  }
  const spans: Array<{ start: number; end: number; kwh: number }> = [];
  let first: { ts: number; counter: number } | null = null;
  let last: { ts: number; counter: number } | null = null;
  const close = (): void => {
    if (first && last && last.ts > first.ts) spans.push({ start: first.ts, end: last.ts, kwh: last.counter - first.counter });
    first = last = null;
  };
  for (let i = 1; i < readings.length; i++) {
    const [prev, cur] = [readings[i - 1]!, readings[i]!];
    if (cur.counter < prev.counter) close();
    else if (cur.counter > prev.counter) [first, last] = [first ?? cur, cur];
  }
  close();
  if (spans.length === 0) return { ...whole, counter_kwh: 0, method: 'integrated' };
  const out: HybridTotals = { ...whole, kwh: 0, source_a_kwh: 0, source_b_kwh: 0, counter_kwh: 0, method: 'hybrid' };
  const edge = (a: number, b: number): void => {
    const e = integratePower(points, { maxGapS: opts.maxGapS, from: a, to: b });
    [out.kwh, out.source_a_kwh, out.source_b_kwh] = [out.kwh + e.kwh, out.source_a_kwh + e.source_a_kwh, out.source_b_kwh + e.source_b_kwh];
  };
  let cursor = from;
  for (const s of spans) {
    edge(cursor, s.start);
    const inside = integratePower(points, { maxGapS: opts.maxGapS, from: s.start, to: s.end });
    [out.kwh, out.counter_kwh] = [out.kwh + s.kwh, out.counter_kwh + s.kwh];
    if (inside.kwh > 0) [out.source_a_kwh, out.source_b_kwh] = [out.source_a_kwh + (s.kwh * inside.source_a_kwh) / inside.kwh, out.source_b_kwh + (s.kwh * inside.source_b_kwh) / inside.kwh];
    cursor = s.end;
  }
  edge(cursor, to);
  return out;
}

describe('energy properties', () => {
  it('hybridEnergy (one pass) equals its rule applied window by window exactly, and per-source stats are integratePower’s', () => {
    fc.assert(
      fc.property(seriesArb, maxGapArb, windowArb, fc.boolean(), (points, maxGapS, fractions, windowed) => {
        const [from, , to] = cuts(points, fractions);
        const opts = windowed ? { maxGapS, from, to } : { maxGapS };
        expect(hybridEnergy(points, opts)).toStrictEqual(hybridByWindows(points, opts));
        const stream = new EnergyStream(opts);
        for (const p of points) stream.push(p.ts, p.power, p.counter, p.source);
        expect(stream.totals()).toStrictEqual(hybridEnergy(points, opts));
        for (const source of [1, 2] as const) {
          const own = integratePower(points.map((p) => ({ ...p, power: p.source === source ? p.power : null })), opts);
          expect(stream.bySource(source).samples).toBe(own.samples);
          expect(stream.bySource(source).peak_power_w).toBe(own.peak_power_w);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('integrated and hybrid energy are never negative, and A + B never exceed the total', () => {
    fc.assert(
      fc.property(seriesArb, maxGapArb, windowArb, (points, maxGapS, fractions) => {
        const [from, , to] = cuts(points, fractions);
        for (const r of [integratePower(points, { maxGapS }), hybridEnergy(points, { maxGapS }), hybridEnergy(points, { maxGapS, from, to })]) {
          expect(r.kwh).toBeGreaterThanOrEqual(0);
          expect(r.source_a_kwh).toBeGreaterThanOrEqual(0);
          expect(r.source_b_kwh).toBeGreaterThanOrEqual(0);
          expect(r.source_a_kwh + r.source_b_kwh).toBeLessThanOrEqual(r.kwh + 1e-9);
        }
      }),
    );
  });

  it('integration is additive over a split window', () => {
    fc.assert(
      fc.property(seriesArb, maxGapArb, windowArb, (points, maxGapS, fractions) => {
        const [from, mid, to] = cuts(points, fractions);
        const whole = integratePower(points, { maxGapS, from, to });
        const left = integratePower(points, { maxGapS, from, to: mid });
        const right = integratePower(points, { maxGapS, from: mid, to });
        expect(left.kwh + right.kwh).toBeCloseTo(whole.kwh, 9);
        expect(left.source_a_kwh + right.source_a_kwh).toBeCloseTo(whole.source_a_kwh, 9);
        expect(left.source_b_kwh + right.source_b_kwh).toBeCloseTo(whole.source_b_kwh, 9);
        expect(left.samples + right.samples).toBe(whole.samples);
      }),
    );
  });

  it('tou cost is additive over a split and equals minute-by-minute pricing (across DST in Europe/Berlin)', () => {
    const tariff: Tariff = {
      type: 'tou',
      price_per_kwh: 0.3,
      periods: [
        // listed first: it must win over the night inside the repeated autumn hour
        { name: 'odd', days: ['sun'], start: '02:10', end: '02:50', price_per_kwh: 0.9 },
        { name: 'night', days: ['fri', 'sat', 'sun'], start: '22:00', end: '06:00', price_per_kwh: 0.1 },
      ],
    };
    const tz = 'Europe/Berlin';
    const base = zonedEpoch('2026-10-23', 0, tz);
    // Whole minutes within Fri–Mon around the autumn change; every price edge is on a whole minute.
    const minuteArb = fc.integer({ min: 0, max: 4 * 1440 });
    fc.assert(
      fc.property(minuteArb, fc.integer({ min: 1, max: 1440 }), fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 1, max: 100 }), (m0, len, cut, kwh) => {
        const from = base + m0 * 60;
        const to = from + len * 60;
        const mid = from + Math.min(cut, len) * 60;
        const whole = costOf(tariff, [{ from, to, kwh }], tz) ?? Number.NaN;
        const share = (a: number, b: number): number => (kwh * (b - a)) / (to - from);
        const parts = costOf(tariff, [{ from, to: mid, kwh: share(from, mid) }, { from: mid, to, kwh: share(mid, to) }], tz);
        let brute = 0;
        for (let t = from; t < to; t += 60) brute += priceAt(tariff, t, tz) * share(t, t + 60);
        expect(parts).toBeCloseTo(whole, 9);
        expect(whole).toBeCloseTo(brute, 9);
      }),
      { numRuns: 100 },
    );
  });
});
