import { describe, expect, it } from 'vitest';
import { staggerOffset } from '../../src/devices/registry.js';

describe('poll stagger (SPEC §3.2)', () => {
  it.each([
    [3, 100, 1000, [0, 100, 200]],
    [10, 100, 1000, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]],
    [20, 100, 1000, [0, 50, 100, 150]], // first four of twenty: spread, not wrapped
    [4, 100, 60_000, [0, 100, 200, 300]],
  ])('%i devices, step %i ms, period %i ms', (n, step, period, firstOffsets) => {
    const offsets = Array.from({ length: n }, (_, i) => staggerOffset(i, n, step, period));
    expect(offsets.slice(0, firstOffsets.length)).toEqual(firstOffsets);
    expect(new Set(offsets).size).toBe(n); // no two devices start together
    expect(Math.max(...offsets)).toBeLessThan(period);
  });
});
