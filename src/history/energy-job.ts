import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { addDays, localDay, localMonth, zonedEpoch } from './energy/index.js';
import { DayComputation, missingDays, recomputeMonths, upsertDays } from './energy-store.js';
import type { DbHandle } from './handle.js';

// The daily energy job (SPEC §13.5): at 00:05 local, and once shortly after start, every local day
// within raw retention that has samples but no energy_daily rows is computed (not only yesterday),
// then the monthly rows of the current and previous month (and of every backfilled day's month)
// are recomputed from the daily rows. The work is cut into small units — planning one device
// (its missing days), one slice of a device-day (an hour of raw samples, DayComputation), storing
// a finished day, one device's monthly rows — and a timer turn does units for `sliceBudgetMs`,
// then yields on a fresh clock timer, so the event loop (polling, MQTT) is never held for long
// (a unit is ~2 ms for a PDU44001 at 1 Hz). Timers come only from the Clock. A day whose samples
// yield no row (e.g. all power readings null) stays missing and is retried by the next run.

export interface EnergyJobOptions {
  clock: Clock;
  logger: Logger;
  handle: DbHandle;
  /** IANA zone ('' = process zone) of dates, months and the 00:05 schedule. */
  tz: string;
  rawRetentionDays: number;
  /** First run after start(), ms (default 30 s). */
  startDelayMs?: number;
  /** Work per timer turn, ms (default 10; at least one unit per turn, e.g. an hour of one device-day). */
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
  nowS: number;
  /** Devices whose missing days are still to be listed. */
  devices: string[];
  queue: Array<{ deviceId: string; date: string }>;
  /** The day being computed, slice by slice. */
  day: DayComputation | null;
  /** Months to recompute per device (done once every day is computed). */
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
    return run.result;
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
      if (this.step(this.run, this.opts.sliceBudgetMs ?? 10)) {
        this.arm(0);
        return;
      }
      const r = this.run.result;
      if (r.days > 0 || r.errors > 0) this.log.info({ ...r }, 'energy: daily rows computed');
    } catch (err) {
      this.log.error({ error: errorMessage(err) }, 'energy: daily job failed; retried at the next run');
    }
    this.run = null;
    const nowS = this.opts.clock.now() / 1000;
    this.arm((nextRunAt(nowS, this.opts.tz) - nowS) * 1000);
  }

  private plan(): Run {
    const nowS = this.opts.clock.now() / 1000;
    const devices = this.opts.handle.catalog.deviceIds();
    return { nowS, devices, queue: [], day: null, months: new Map(), result: { days: 0, months: 0, errors: 0 } };
  }

  /** Do units of work until the budget is spent; true while work remains. */
  private step(run: Run, budgetMs: number): boolean {
    const t0 = this.opts.clock.monotonic();
    do if (!this.unit(run)) return false;
    while (this.opts.clock.monotonic() - t0 < budgetMs);
    return true;
  }

  /** One small unit of work; false when the run is complete. */
  private unit(run: Run): boolean {
    const { db, catalog } = this.opts.handle;
    const item = run.day ?? run.queue.shift();
    if (item) {
      try {
        const day = (run.day ??= new DayComputation(catalog, item.deviceId, item.date, this.opts.tz));
        if (day.step(db, catalog)) return true;
        upsertDays(db, day.rows());
        run.months.get(day.deviceId)?.add(day.date.slice(0, 7));
        run.result.days++;
      } catch (err) {
        run.result.errors++;
        this.log.error({ device_id: item.deviceId, date: item.date, error: errorMessage(err) }, 'energy: computing a day failed');
      }
      run.day = null;
      return true;
    }
    const deviceId = run.devices.shift();
    if (deviceId === undefined) return this.monthsOfOneDevice(run);
    const { tz } = this.opts;
    try {
      const month = localMonth(run.nowS, tz);
      run.months.set(deviceId, new Set([localMonth(zonedEpoch(`${month}-01`, 0, tz) - 1, tz), month]));
      for (const date of missingDays(db, deviceId, tz, run.nowS, this.opts.rawRetentionDays)) run.queue.push({ deviceId, date });
    } catch (err) {
      run.result.errors++;
      this.log.error({ device_id: deviceId, error: errorMessage(err) }, 'energy: listing missing days failed');
    }
    return true;
  }

  private monthsOfOneDevice(run: Run): boolean {
    const next = run.months.entries().next();
    if (next.done) return false;
    const [deviceId, months] = next.value;
    run.months.delete(deviceId);
    try {
      recomputeMonths(this.opts.handle.db, deviceId, [...months].sort());
      run.result.months += months.size;
    } catch (err) {
      run.result.errors++;
      this.log.error({ device_id: deviceId, error: errorMessage(err) }, 'energy: recomputing monthly rows failed');
    }
    return true;
  }
}
