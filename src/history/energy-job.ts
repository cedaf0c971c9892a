import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { addDays, localDay, localMonth, zonedEpoch } from './energy/index.js';
import { computeDay, missingDays, recomputeMonths, upsertDays } from './energy-store.js';
import type { DbHandle } from './handle.js';

// The daily energy job (SPEC §13.5): at 00:05 local, and once shortly after start, every local day
// within raw retention that has samples but no energy_daily rows is computed (not only yesterday),
// then the monthly rows of the current and previous month (and of every backfilled day's month)
// are recomputed from the daily rows. A long backfill runs in slices of `sliceBudgetMs`, each on
// its own clock timer, so the event loop (polling, MQTT) is never held for long. Timers come only
// from the Clock. A day whose samples yield no row (e.g. all power readings null) stays missing and
// is retried by the next run.

export interface EnergyJobOptions {
  clock: Clock;
  logger: Logger;
  handle: DbHandle;
  /** IANA zone ('' = process zone) of dates, months and the 00:05 schedule. */
  tz: string;
  rawRetentionDays: number;
  /** First run after start(), ms (default 30 s). */
  startDelayMs?: number;
  /** Work per timer turn during a backfill, ms (default 50; at least one day per turn). */
  sliceBudgetMs?: number;
}

export interface EnergyRunResult {
  /** Days computed and stored. */
  days: number;
  /** (device, month) pairs recomputed. */
  months: number;
  errors: number;
}

interface Run {
  queue: Array<{ deviceId: string; date: string }>;
  months: Map<string, Set<string>>;
  result: EnergyRunResult;
}

/** Local 00:05 after `nowS` (the next scheduled run), epoch seconds. */
export function nextRunAt(nowS: number, tz: string): number {
  const today = localDay(nowS, tz);
  const t = zonedEpoch(today, 300, tz);
  return t > nowS ? t : zonedEpoch(addDays(today, 1), 300, tz);
}

export class EnergyJob {
  private timer: TimerHandle | undefined;
  private run: Run | null = null;
  private running = false;
  private readonly log: Logger;

  constructor(private readonly opts: EnergyJobOptions) {
    this.log = opts.logger.child({ module: 'energy' });
  }

  /** One complete run, synchronously (CLI, tests). */
  runOnce(): EnergyRunResult {
    const run = this.plan();
    while (this.step(run, Infinity));
    return this.finish(run);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(this.opts.startDelayMs ?? 30_000);
  }

  stop(): void {
    this.running = false;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.run = null;
  }

  private arm(ms: number): void {
    this.timer = this.opts.clock.setTimeout(() => this.tick(), Math.max(0, ms));
  }

  private tick(): void {
    if (!this.running) return;
    try {
      this.run ??= this.plan();
      if (this.step(this.run, this.opts.sliceBudgetMs ?? 50)) {
        this.arm(0);
        return;
      }
      const r = this.finish(this.run);
      if (r.days > 0 || r.errors > 0) this.log.info({ ...r }, 'energy: daily rows computed');
    } catch (err) {
      this.log.error({ error: errorMessage(err) }, 'energy: daily job failed; retried at the next run');
    }
    this.run = null;
    const nowS = this.opts.clock.now() / 1000;
    this.arm((nextRunAt(nowS, this.opts.tz) - nowS) * 1000);
  }

  private plan(): Run {
    const { tz, rawRetentionDays, handle } = this.opts;
    const nowS = this.opts.clock.now() / 1000;
    const month = localMonth(nowS, tz);
    const previous = localMonth(zonedEpoch(`${month}-01`, 0, tz) - 1, tz);
    const run: Run = { queue: [], months: new Map(), result: { days: 0, months: 0, errors: 0 } };
    for (const deviceId of handle.catalog.deviceIds()) {
      run.months.set(deviceId, new Set([previous, month]));
      for (const date of missingDays(handle.db, deviceId, tz, nowS, rawRetentionDays)) run.queue.push({ deviceId, date });
    }
    return run;
  }

  /** Compute queued days until the budget is spent; true while work remains. */
  private step(run: Run, budgetMs: number): boolean {
    const t0 = this.opts.clock.monotonic();
    for (let item = run.queue.shift(); item; item = run.queue.shift()) {
      const { db, catalog } = this.opts.handle;
      try {
        upsertDays(db, computeDay(db, catalog, item.deviceId, item.date, this.opts.tz));
        run.months.get(item.deviceId)?.add(item.date.slice(0, 7));
        run.result.days++;
      } catch (err) {
        run.result.errors++;
        this.log.error({ device_id: item.deviceId, date: item.date, error: errorMessage(err) }, 'energy: computing a day failed');
      }
      if (this.opts.clock.monotonic() - t0 >= budgetMs) break;
    }
    return run.queue.length > 0;
  }

  private finish(run: Run): EnergyRunResult {
    for (const [deviceId, months] of run.months) {
      try {
        recomputeMonths(this.opts.handle.db, deviceId, [...months].sort());
        run.result.months += months.size;
      } catch (err) {
        run.result.errors++;
        this.log.error({ device_id: deviceId, error: errorMessage(err) }, 'energy: recomputing monthly rows failed');
      }
    }
    return run.result;
  }
}
