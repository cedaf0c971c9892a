import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { deadlineSignal, forEachLimited } from '../../../src/core/concurrency.js';

describe('forEachLimited', () => {
  it('runs each item once, never more than the limit at a time, and counts what it started', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const started = await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      done.push(n);
      running--;
    });
    expect(started).toBe(7);
    expect(peak).toBe(3);
    expect([...done].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts nothing more once stop() is true', async () => {
    const seen: number[] = [];
    const started = await forEachLimited([1, 2, 3, 4, 5], 1, async (n) => void seen.push(n), () => seen.includes(2));
    expect(seen).toEqual([1, 2]);
    expect(started).toBe(2);
    expect(await forEachLimited([], 4, async () => {})).toBe(0);
  });
});

describe('deadlineSignal', () => {
  it('aborts after the time on the given clock with the reason, and not once cancelled', async () => {
    const clock = new FakeClock();
    const a = deadlineSignal(clock, 1000, 'too slow');
    await clock.advance(999);
    expect(a.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(a.signal.aborted).toBe(true);
    expect((a.signal.reason as Error).message).toBe('too slow');
    const b = deadlineSignal(clock, 1000, 'x');
    b.cancel();
    await clock.advance(5000);
    expect(b.signal.aborted).toBe(false);
  });
});
