import { describe, expect, it } from 'vitest';
import { NEW_COUNTER, stepCounter, type CounterTrack } from '../../../src/devices/plug/energy.js';

function run(raws: Array<number | null>): { energies: Array<number | null>; resets: number; track: CounterTrack } {
  let t = NEW_COUNTER;
  const energies: Array<number | null> = [];
  let resets = 0;
  for (const r of raws) {
    const s = stepCounter(t, r);
    t = s.next;
    energies.push(s.energy);
    if (s.reset) resets++;
  }
  return { energies, resets, track: t };
}

describe('plug energy counter segments', () => {
  it.each([
    ['steady growth', [1, 1.5, 2], [1, 1.5, 2], 0],
    ['reset to 0 starts a new segment', [5, 6, 0, 0.5], [5, 6, 6, 6.5], 1],
    ['two resets', [2, 0.1, 1, 0.2], [2, 2.1, 3, 3.2], 2],
    ['missing values keep the last energy', [1, null, 2], [1, 1, 2], 0],
    ['nothing before the first value', [null, 3], [null, 3], 0],
    ['negative raw ignored', [1, -5, 2], [1, 1, 2], 0],
  ])('%s', (_name, raws, expected, resets) => {
    const r = run(raws);
    expect(r.energies.map((e) => (e === null ? null : Math.round(e * 1e9) / 1e9))).toEqual(expected);
    expect(r.resets).toBe(resets);
  });

  it('never decreases, whatever the device sends', () => {
    const raws = [0, 3, 1, 1, 7, 0, 0, 2, 9, 4];
    const { energies } = run(raws);
    for (let i = 1; i < energies.length; i++) expect(energies[i]!).toBeGreaterThanOrEqual(energies[i - 1]!);
  });

  it('reports the reset values', () => {
    const s = stepCounter({ last: 10, offset: 0, resets: 0 }, 0.2);
    expect(s.reset).toEqual({ from: 10, to: 0.2 });
    expect(s.next).toEqual({ last: 0.2, offset: 10, resets: 1 });
  });
});
