// The dashboard's pure helpers (web/src/lib): history alignment with gaps, formatting, outlet specs.
import { describe, expect, it } from 'vitest';
import { age, duration, loadTone, num, parseOutletSpec } from '../../../web/src/lib/format.js';
import { alignHistory, pointCount } from '../../../web/src/lib/series.js';

describe('alignHistory', () => {
  it('aligns entities on the union of buckets, min/max per point, null where an entity has no bucket', () => {
    const rows = [
      { bucket: 10, bank: 1, power: 100, power_min: 90, power_max: 110 },
      { bucket: 10, bank: 2, power: 200, power_min: 200, power_max: 200 },
      { bucket: 11, bank: 1, power: 101 },
    ];
    const a = alignHistory(rows, 'bank', 'power', 1);
    expect(a.xs).toEqual([10, 11]);
    expect(a.series.map((s) => s.key)).toEqual([1, 2]);
    expect(a.series[0]).toEqual({ key: 1, avg: [100, 101], min: [90, 101], max: [110, 101] });
    expect(a.series[1]?.avg).toEqual([200, null]);
    expect(pointCount(a)).toBe(3);
  });

  it.each([
    // [bucket seconds, bucket times, expected x axis]: a run of missing buckets gets one null slot
    [1, [0, 1, 2, 10, 11], [0, 1, 2, 3, 10, 11]],
    [60, [0, 60, 120], [0, 60, 120]],
    [60, [0, 60, 300], [0, 60, 120, 300]],
    [1800, [0, 1800, 3600, 9000], [0, 1800, 3600, 5400, 9000]],
  ])('bucket %i s: %j → %j (a gap stays a gap)', (bucket, times, xs) => {
    const a = alignHistory(times.map((t) => ({ bucket: t, outlet: 3, current: 1 })), 'outlet', 'current', bucket);
    expect(a.xs).toEqual(xs);
    const gaps = xs.filter((x) => !times.includes(x));
    for (const g of gaps) expect(a.series[0]?.avg[xs.indexOf(g)]).toBeNull();
  });

  it('keeps a null reading as a gap and ignores rows of other fields', () => {
    const a = alignHistory([{ bucket: 5, bank: 1, voltage: null }, { bucket: 6, bank: 1, voltage: 120 }], 'bank', 'voltage', 1);
    expect(a.series[0]?.avg).toEqual([null, 120]);
    expect(alignHistory([], 'bank', 'power', 1)).toEqual({ xs: [], series: [] });
  });
});

describe('format', () => {
  it.each([
    [num(120.04, 1), '120.0'], [num(1.234, 2, 'A'), '1.23 A'], [num(null), '—'], [num(Number.NaN, 1), '—'],
    [duration(5), '5 s'], [duration(65), '1 min 5 s'], [duration(3 * 3600 + 120), '3 h 2 min'], [duration(90_000), '1 d 1 h'], [duration(null), '—'],
    [age(0.4), 'just now'], [age(12), '12 s ago'], [age(null), 'no data'],
    [loadTone('overload'), 'bad'], [loadTone('nearOverload'), 'warn'], [loadTone('normal'), 'ok'], [loadTone('low'), 'muted'], [loadTone(null), 'muted'],
  ])('%s = %s', (got, want) => {
    expect(got).toBe(want);
  });

  it.each([
    ['1,3,5-7', 10, [1, 3, 5, 6, 7]], ['all', 4, [1, 2, 3, 4]], [' 2 - 3 ', 10, [2, 3]], ['', 10, []], [undefined, 10, []], ['x', 10, []],
  ])('parseOutletSpec(%j, %i) = %j', (spec, count, want) => {
    expect([...parseOutletSpec(spec, count)]).toEqual(want);
  });
});
