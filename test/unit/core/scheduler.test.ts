import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { Scheduler, clampDeadline, type CycleContext } from '../../../src/core/scheduler.js';

describe('Scheduler (fake clock)', () => {
  it('fires fixed-rate ticks without drift even when cycles take time', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const dues: number[] = [];
    s.add({
      id: 't', periodMs: 1000, deadlineMs: 800,
      run: async (ctx) => {
        dues.push(ctx.dueAt);
        // work inside the cycle must not shift the grid; it honours the abort signal
        await Promise.race([clock.sleep(300), new Promise((r) => ctx.signal.addEventListener('abort', r))]);
      },
    });
    await clock.advance(10_000);
    expect(dues.slice(0, 10)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    const st = s.stats()[0]!;
    expect(st.completed).toBeGreaterThanOrEqual(10);
    expect(st.latenessMs.max).toBe(0);
    expect(st.overruns).toBe(0);
    await s.stop();
  });

  it('never overlaps cycles: a cycle still running when the next is due is skipped and counted', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    let running = 0;
    let maxConcurrent = 0;
    s.add({
      id: 'slow', periodMs: 1000, deadlineMs: 5000, // clamped to 900
      run: async (ctx) => {
        running++;
        maxConcurrent = Math.max(maxConcurrent, running);
        // ignores the abort signal on purpose: runs 2.5 periods
        await clock.sleep(2500);
        running--;
        void ctx;
      },
    });
    await clock.advance(10_000);
    const st = s.stats()[0]!;
    expect(maxConcurrent).toBe(1);
    expect(st.overruns).toBeGreaterThan(0);
    expect(st.deadlineExceeded).toBeGreaterThan(0);
    expect(st.started + st.overruns).toBe(11); // every due tick either started or was counted as overrun
    const stopped = s.stop();
    await clock.advance(3000); // the cycle ignores abort: it settles when its own sleep ends
    await stopped;
  });

  it('aborts a cycle at its deadline (below the period) and counts it', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const aborts: number[] = [];
    s.add({
      id: 'd', periodMs: 1000, deadlineMs: 400,
      run: (ctx: CycleContext) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborts.push(clock.monotonic() - ctx.startedAt);
            resolve();
          });
        }),
    });
    await clock.advance(3000);
    expect(aborts.slice(0, 3)).toEqual([400, 400, 400]);
    expect(s.stats()[0]!.deadlineExceeded).toBeGreaterThanOrEqual(3);
    await s.stop();
  });

  it.each([
    [800, 1000, 800],
    [5000, 1000, 900],
    [200, 300_000, 200],
    [2000, 1, 1],
  ])('clampDeadline(%i, period %i) = %i', (deadline, period, expected) => {
    expect(clampDeadline(deadline, period)).toBe(expected);
  });

  it('keeps lateness totals since the target was added, beyond the ring of recent cycles (/metrics _count, _sum)', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const t = s.add({ id: 'n', periodMs: 10, deadlineMs: 5, run: async () => {} });
    await clock.advance(6000);
    (clock as unknown as { t: number }).t += 25; // one blocked loop: the only late start
    await clock.advance(0);
    const st = t.stats();
    expect(st.latenessMs.count).toBe(512);
    expect(st.latenessMs.total).toBe(st.started);
    expect(st.latenessMs.total).toBeGreaterThan(600);
    expect(st.latenessMs.max).toBeGreaterThanOrEqual(15);
    expect(st.latenessMs.sum).toBe(st.latenessMs.max);
    await s.stop();
  });

  it('records lateness and skips cycles the event loop blocked past', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const dues: number[] = [];
    const t = s.add({ id: 'l', periodMs: 1000, deadlineMs: 500, run: async (ctx) => void dues.push(ctx.dueAt) });
    await clock.advance(1500);
    // Simulate a blocked loop: jump time forward without firing timers in between.
    (clock as unknown as { t: number }).t += 3200;
    await clock.advance(0);
    const st = t.stats();
    expect(st.latenessMs.max).toBeGreaterThanOrEqual(2700);
    expect(st.missed).toBeGreaterThanOrEqual(2);
    await clock.advance(2000);
    // back on the grid afterwards
    expect(dues.at(-1)! % 1000).toBe(0);
    await s.stop();
  });

  it('setPeriod re-grids from the last due time (backoff)', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const dues: number[] = [];
    const t = s.add({ id: 'p', periodMs: 1000, deadlineMs: 500, run: async (ctx) => void dues.push(ctx.dueAt) });
    await clock.advance(2100); // dues 0, 1000, 2000
    t.setPeriod(4000);
    await clock.advance(8000);
    expect(dues).toEqual([0, 1000, 2000, 6000, 10000]);
    await s.stop();
  });

  it('a throwing cycle is counted as failed and reported, and the schedule continues', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const s = new Scheduler(clock, (id, err) => errors.push(`${id}:${(err as Error).message}`));
    let n = 0;
    s.add({ id: 'x', periodMs: 1000, deadlineMs: 500, run: async () => { n++; throw new Error('boom'); } });
    await clock.advance(2500);
    expect(n).toBe(3);
    expect(errors).toEqual(['x:boom', 'x:boom', 'x:boom']);
    expect(s.stats()[0]!.failed).toBe(3);
    await s.stop();
  });
});
