// Bar chart geometry shared by the SVG and PDF charts: nice axis maximum, stacking, label thinning.
import { describe, expect, it } from 'vitest';
import { barChart, labelStep, niceMax, tickText } from '../../../src/reports/chart.js';

const BOX = { width: 240, height: 120, left: 40, bottom: 20, top: 0 };

describe('chart geometry', () => {
  it.each([
    [0, 1],
    [-3, 1],
    [Number.NaN, 1],
    [0.7, 1],
    [1, 1],
    [1.2, 2],
    [2.2, 2.5],
    [3, 5],
    [7, 10],
    [10, 10],
    [42, 50],
    [0.013, 0.02],
  ])('niceMax(%d) = %d', (v, want) => expect(niceMax(v)).toBeCloseTo(want, 12));

  it.each([
    [7, 200, 1],
    [31, 200, 5],
    [31, 520, 2],
    [0, 200, 1],
  ])('labelStep(%i bars, %i px) = %i', (n, w, want) => expect(labelStep(n, w)).toBe(want));

  it('stacks parts from the plot bottom with heights proportional to the axis maximum', () => {
    const g = barChart([{ label: 'a', parts: [1, 1] }, { label: 'b', parts: [4] }], BOX);
    expect(g.plot).toEqual({ x: 40, y: 0, w: 200, h: 100 });
    expect(g.max).toBe(5);
    const [a0, a1, b0] = g.bars;
    expect(a0).toMatchObject({ part: 0, h: 20, y: 80 });
    expect(a1).toMatchObject({ part: 1, h: 20, y: 60 });
    expect(b0).toMatchObject({ part: 0, h: 80, y: 20 });
    expect(a0!.w).toBeCloseTo(70);
    expect(b0!.x).toBeCloseTo(40 + 100 + 15);
    expect(g.ticks.map((t) => t.value)).toEqual([0, 1.25, 2.5, 3.75, 5]);
    expect(g.ticks[0]!.y).toBe(100);
    expect(g.ticks[4]!.y).toBe(0);
    expect(g.labels).toEqual([{ x: 90, text: 'a' }, { x: 190, text: 'b' }]);
  });

  it('draws nothing for zero, negative or non-finite parts, and keeps an axis', () => {
    const g = barChart([{ label: 'x', parts: [0, -2, Number.NaN] }], BOX);
    expect(g.bars).toEqual([]);
    expect(g.max).toBe(1);
    expect(barChart([], BOX).bars).toEqual([]);
  });

  it('thins labels of a 31-day month', () => {
    const g = barChart(Array.from({ length: 31 }, (_, i) => ({ label: String(i + 1), parts: [1] })), BOX);
    expect(g.bars).toHaveLength(31);
    expect(g.labels.map((l) => l.text)).toEqual(['1', '6', '11', '16', '21', '26', '31']);
  });

  it.each([
    [0.30000000000000004, '0.3'],
    [1.25, '1.25'],
    [12.5, '12.5'],
    [0, '0'],
  ])('tick text of %d is %s', (v, want) => expect(tickText(v)).toBe(want));
});
