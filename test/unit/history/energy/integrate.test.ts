// Power integration, counters and the hybrid rule (SPEC §13.5).
import { describe, expect, it } from 'vitest';
import { dayBounds } from '../../../../src/core/calendar.js';
import {
  counterEnergy,
  hybridEnergy,
  integratePower,
  powerIntervals,
  type AtsSource,
  type HybridPoint,
  type PowerPoint,
} from '../../../../src/history/energy/integrate.js';

/** Samples every `step` s over [0, span] at constant power. */
const constant = (watts: number, step: number, span: number): PowerPoint[] =>
  Array.from({ length: span / step + 1 }, (_, i) => ({ ts: i * step, power: watts }));

const pts = (rows: Array<[number, number | null, AtsSource?]>): PowerPoint[] =>
  rows.map(([ts, power, source]) => ({ ts, power, source: source ?? null }));

describe('integratePower', () => {
  it.each([1, 2, 5, 10])('gives 1 kWh for 1000 W over one hour polled every %i s', (step) => {
    const r = integratePower(constant(1000, step, 3600), { maxGapS: 3 * step });
    expect(r.kwh).toBeCloseTo(1, 12);
    expect(r.avg_power_w).toBeCloseTo(1000, 9);
    expect(r.samples).toBe(3600 / step + 1);
  });

  it.each([
    // name, samples, maxGapS, expected kWh (3600 W = 0.001 kWh per second)
    ['a gap longer than maxGap contributes nothing', [[0, 3600], [1, 3600], [2, 3600], [90, 3600], [91, 3600]], 3, 0.003],
    ['dt equal to maxGap still counts', [[0, 3600], [3, 3600]], 3, 0.003],
    ['dt just over maxGap does not', [[0, 3600], [3.5, 3600]], 3, 0],
    ['the current sample’s power is used for (prev, cur]', [[0, 100], [1, 3600]], 3, 0.001],
    ['a null power breaks the chain', [[0, 3600], [1, 3600], [2, null], [3, 3600], [4, 3600]], 3, 0.002],
    ['a duplicate timestamp adds nothing', [[0, 3600], [1, 3600], [1, 3600], [2, 3600]], 3, 0.002],
    ['negative power never subtracts', [[0, 3600], [1, -3600], [2, 3600]], 3, 0.001],
    ['a single sample integrates to 0', [[5, 3600]], 3, 0],
  ] as Array<[string, Array<[number, number | null]>, number, number]>)('%s', (_name, rows, maxGapS, kwh) => {
    expect(integratePower(pts(rows), { maxGapS }).kwh).toBeCloseTo(kwh, 12);
  });

  it('reports peak, samples and the time-weighted average', () => {
    const r = integratePower(pts([[0, 0], [1, 1000], [3, 4000]]), { maxGapS: 5 });
    expect(r).toMatchObject({ peak_power_w: 4000, samples: 3 });
    expect(r.avg_power_w).toBeCloseTo(3000, 12); // (1000×1 + 4000×2) / 3
    expect(r.kwh).toBeCloseTo(0.0025, 12);
  });

  it('returns null peak/avg without usable samples', () => {
    expect(integratePower(pts([[0, null]]), { maxGapS: 3 })).toEqual({
      kwh: 0, source_a_kwh: 0, source_b_kwh: 0, peak_power_w: null, avg_power_w: null, samples: 0,
    });
  });

  it('attributes each interval to the source active at its closing sample', () => {
    const r = integratePower(pts([[0, 3600, 1], [1, 3600, 1], [2, 3600, 2], [3, 3600, 2], [4, 3600, null]]), { maxGapS: 3 });
    expect(r.kwh).toBeCloseTo(0.004, 12);
    expect(r.source_a_kwh).toBeCloseTo(0.001, 12);
    expect(r.source_b_kwh).toBeCloseTo(0.002, 12);
  });

  it('splits an interval at a local day boundary (Europe/Berlin, 23 h DST day)', () => {
    const day = dayBounds('2026-03-29', 'Europe/Berlin');
    const series = pts([[day.start - 2, 3600], [day.start + 2, 3600], [day.end - 1, 3600], [day.end + 3, 3600]]);
    const before = integratePower(series, { maxGapS: 6, to: day.start });
    const inside = integratePower(series, { maxGapS: 6, from: day.start, to: day.end });
    const after = integratePower(series, { maxGapS: 6, from: day.end });
    expect(before).toMatchObject({ samples: 1 });
    expect(before.kwh).toBeCloseTo(0.002, 12); // the 2 s of (start−2, start+2] before midnight
    // the other 2 s of that interval + 1 s of (end−1, end+3]; (start+2, end−1] is a gap
    expect(inside.kwh).toBeCloseTo(0.002 + 0.001, 12);
    expect(inside.samples).toBe(2);
    expect(after.kwh).toBeCloseTo(0.003, 12);
    expect(before.kwh + inside.kwh + after.kwh).toBeCloseTo(integratePower(series, { maxGapS: 6 }).kwh, 12);
  });

  it('rejects a non-positive maxGapS', () => {
    expect(() => integratePower([], { maxGapS: 0 })).toThrow(RangeError);
  });

  it('powerIntervals lists the clipped, counted intervals', () => {
    const iv = powerIntervals(pts([[0, 3600, 1], [2, 1800, 2], [10, 3600, 1], [11, 7200, null]]), { maxGapS: 3, from: 1 });
    expect(iv).toEqual([
      { from: 1, to: 2, kwh: 0.0005, source: 2 },
      { from: 10, to: 11, kwh: 0.002, source: null },
    ]);
  });
});

describe('counterEnergy', () => {
  const c = (values: Array<number | null>) => values.map((counter, ts) => ({ ts: ts * 10, counter }));
  it.each([
    ['steps add up', [10.0, 10.0, 10.1, 10.3], 0.3, 0],
    ['a reset starts a new segment and the drop adds 0', [5.0, 5.2, 0.0, 0.1, 0.4], 0.6, 1],
    ['nulls are skipped without breaking the segment', [null, 1.0, null, 1.2, null], 0.2, 0],
    ['a counter that only goes down gives 0', [3, 2, 1, 0], 0, 3],
    ['no readings', [null, null], 0, 0],
  ])('%s', (_name, values, kwh, resets) => {
    const r = counterEnergy(c(values));
    expect(r.kwh).toBeCloseTo(kwh, 12);
    expect(r.resets).toBe(resets);
  });

  it('reports the first and last reading times', () => {
    expect(counterEnergy(c([null, 1.0, null, 1.2, null]))).toMatchObject({ first_ts: 10, last_ts: 30 });
    expect(counterEnergy(c([null]))).toMatchObject({ first_ts: null, last_ts: null });
  });
});

describe('hybridEnergy', () => {
  /** 1 Hz samples over [0, n) at `watts`; counter from `counterAt`; A before 500 s, B after. */
  const series = (n: number, watts: number | null, counterAt: (ts: number) => number | null): HybridPoint[] =>
    Array.from({ length: n }, (_, ts) => ({ ts, power: watts, counter: counterAt(ts), source: ts < 500 ? 1 : 2 }));
  // Counter 5.0 that steps by 0.1 at 150, 250, …, 850 s (5.8 from 850 s on).
  const stepping = (ts: number): number => Math.round(50 + Math.max(0, Math.min(8, Math.floor((ts - 50) / 100)))) / 10;

  it('uses the counter between its first and last step and integrates the edges', () => {
    const r = hybridEnergy(series(1000, 1800, stepping), { maxGapS: 3, from: 0, to: 1000 });
    // counter 5.8 − 5.1 over [150, 850]; edges at 0.5 Wh/s: (0,150] = 0.075, (850, 999] = 0.0745.
    expect(r.method).toBe('hybrid');
    expect(r.counter_kwh).toBeCloseTo(0.7, 12);
    expect(r.kwh).toBeCloseTo(0.8495, 12);
    // span split by integrated power per source: A 349 s, B 351 s of 700 s; edges are all A / all B.
    expect(r.source_a_kwh).toBeCloseTo(0.075 + (0.7 * 349) / 700, 12);
    expect(r.source_b_kwh).toBeCloseTo(0.0745 + (0.7 * 351) / 700, 12);
    expect(r).toMatchObject({ peak_power_w: 1800, avg_power_w: 1800, samples: 1000 });
  });

  it('treats each reset-free segment separately', () => {
    // 3600 W; segment 1 steps at 50 and 100 s (1.1 → 1.2), reset to 0 at 200 s, steps 250/300/350 s (0.1 → 0.3).
    const counter = (ts: number): number =>
      ts < 200 ? (ts < 50 ? 1.0 : ts < 100 ? 1.1 : 1.2) : ts < 250 ? 0 : ts < 300 ? 0.1 : ts < 350 ? 0.2 : 0.3;
    const r = hybridEnergy(series(400, 3600, counter), { maxGapS: 3 });
    expect(r.counter_kwh).toBeCloseTo(0.1 + 0.2, 12);
    // edges (0,50] 0.05 + (100,250] 0.15 + (350,399] 0.049
    expect(r.kwh).toBeCloseTo(0.3 + 0.05 + 0.15 + 0.049, 12);
  });

  it.each([
    ['never steps', (): number => 7.3],
    ['steps once', (ts: number): number => (ts < 300 ? 7.3 : 7.4)],
    ['has no counter', (): null => null],
  ])('is pure integration when the counter %s', (_name, counterAt) => {
    const points = series(1000, 1800, counterAt);
    const r = hybridEnergy(points, { maxGapS: 3 });
    expect(r.method).toBe('integrated');
    expect(r.kwh).toBeCloseTo(integratePower(points, { maxGapS: 3 }).kwh, 12);
    expect(r.counter_kwh).toBe(0);
  });

  it('is counter only, attributed to no source, when there is no power', () => {
    const r = hybridEnergy(series(1000, null, stepping), { maxGapS: 3, from: 100, to: 900 });
    expect(r.method).toBe('counter');
    expect(r.kwh).toBeCloseTo(0.8, 12); // readings 5.0 at 100 s … 5.8 at 899 s
    expect([r.source_a_kwh, r.source_b_kwh, r.peak_power_w]).toEqual([0, 0, null]);
  });

  it('reports method none for an empty window', () => {
    expect(hybridEnergy(series(10, 100, () => 1), { maxGapS: 3, from: 50, to: 60 })).toMatchObject({ kwh: 0, method: 'none' });
  });
});
