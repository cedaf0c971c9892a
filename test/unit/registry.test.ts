import { describe, expect, it } from 'vitest';
import { STAGGER_SLOT_MS, staggerOffset } from '../../src/devices/registry.js';

describe('poll stagger (SPEC §3.2)', () => {
  it.each([
    [3, 100, 1000, [0, 100, 200]],
    [10, 100, 1000, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]],
    [20, 100, 1000, [0, 40, 100, 140]], // first four of twenty: spread over 20 ms slots, not wrapped
    [4, 100, 60_000, [0, 100, 200, 300]],
    [50, 100, 1000, [0, 20, 40, 60]], // one device per slot
  ])('%i devices, step %i ms, period %i ms', (n, step, period, firstOffsets) => {
    const offsets = Array.from({ length: n }, (_, i) => staggerOffset(i, n, step, period));
    expect(offsets.slice(0, firstOffsets.length)).toEqual(firstOffsets);
    expect(new Set(offsets).size).toBe(n); // up to one device per slot: no two start together
    expect(Math.max(...offsets)).toBeLessThan(period);
  });

  it.each([[400, 1000], [2000, 1000], [137, 1000], [1000, 5000]])('%i devices at %i ms share slots evenly', (n, period) => {
    const offsets = Array.from({ length: n }, (_, i) => staggerOffset(i, n, 100, period));
    const perSlot = new Map<number, number>();
    for (const o of offsets) perSlot.set(o, (perSlot.get(o) ?? 0) + 1);
    const slots = period / STAGGER_SLOT_MS;
    expect(perSlot.size).toBe(Math.min(n, slots)); // every slot used
    for (const [o, count] of perSlot) {
      expect(o % STAGGER_SLOT_MS).toBe(0);
      expect(o).toBeLessThan(period);
      expect(count).toBeLessThanOrEqual(Math.ceil(n / slots));
    }
  });
});
