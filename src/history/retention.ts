import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { stmt as prepared, type Db } from './db.js';
import { kvGet, kvSet } from './events.js';
import type { DbHandle } from './handle.js';

// The hourly retention job (SPEC §13.3). It shares the service's one connection with the writer
// and everything else on the event loop, so it never runs a long statement: every delete is a
// small `DELETE … WHERE rowid IN (SELECT rowid … LIMIT n)` whose n adapts to keep each step near
// stepBudgetMs, with a yield to the event loop between steps (polls, MQTT and the writer's
// commits run in between). A run that is interrupted (busy database, stop()) simply leaves the
// rest for the next run: every step is its own transaction and the cut-offs are idempotent.

export type RetentionTable = 'raw_tail' | 'raw_chunk' | 'rollup' | 'events' | 'outages' | 'power_checks';
const TABLES: readonly RetentionTable[] = ['raw_tail', 'raw_chunk', 'rollup', 'events', 'outages', 'power_checks'];

export interface RetentionOptions {
  handle: DbHandle;
  clock: Clock;
  logger: Logger;
  rawRetentionDays: number;
  retentionDays: number;
  checkRetentionDays: number;
  /** Target duration of one step (ms); the row limit halves above it and doubles well below it. */
  stepBudgetMs?: number;
  /** Upper bound of rows per delete step (tests force many steps with a tiny value). */
  maxBatchRows?: number;
  /** Pages freed per incremental-vacuum step to start with (adapted like the row limit). */
  vacuumPagesPerStep?: number;
  /** Free pages from which the vacuum runs at once rather than weekly. */
  vacuumMinFreePages?: number;
  firstDelayMs?: number;
  intervalMs?: number;
}

export interface RetentionReport {
  /** Epoch seconds the cut-offs were computed from. */
  at: number;
  cutoffs: { raw: number; history: number; checks: number };
  deleted: Record<RetentionTable, number>;
  steps: number;
  /** Longest single step (delete, vacuum or optimize), ms on the job's clock. */
  maxStepMs: number;
  /** What that step was, e.g. `delete raw_chunk LIMIT 128`, `incremental_vacuum(512)`, `optimize`. */
  maxStep: string;
  totalMs: number;
  vacuumedPages: number;
  optimized: boolean;
  /** Why the run ended early (database busy or locked, job stopped); the next run continues. */
  error: string | null;
}

interface Pass {
  table: RetentionTable;
  where: string;
  args: number[];
}

const DAY_S = 86_400;
const KEY_RUN = 'retention.last_run_at';
const KEY_VACUUM = 'retention.last_vacuum_at';
const KEY_OPTIMIZE = 'retention.last_optimize_at';

class Stopped extends Error {
  constructor() {
    super('retention job stopped');
  }
}

/** The next row or page limit: halve when a step overran the budget, double when far under it. */
function adapt(limit: number, ms: number, budgetMs: number, max: number): number {
  if (ms > budgetMs) return Math.max(1, Math.floor(limit / 2));
  if (ms < budgetMs / 4) return Math.min(max, limit * 2);
  return limit;
}

function epochOr0(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export class RetentionJob {
  private timer: TimerHandle | undefined;
  private running = false;
  private aborted = false;
  private current: Promise<RetentionReport> | undefined;
  /** Row limit per table, carried across runs (the adaptation starts where it ended). */
  private readonly limits = new Map<RetentionTable, number>();
  private readonly log: Logger;
  private readonly budgetMs: number;
  private readonly maxRows: number;

  constructor(private readonly opts: RetentionOptions) {
    for (const k of ['rawRetentionDays', 'retentionDays', 'checkRetentionDays'] as const) {
      if (!(opts[k] > 0)) throw new Error(`RetentionJob: ${k} must be > 0 (got ${opts[k]})`);
    }
    this.log = opts.logger.child({ module: 'retention' });
    this.budgetMs = opts.stepBudgetMs ?? 10;
    this.maxRows = opts.maxBatchRows ?? 10_000;
  }

  /** First run ~60 s after start (startup stays quick), then hourly after each run ends. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(this.opts.firstDelayMs ?? 60_000);
  }

  /** Stop scheduling and end a run in progress at its next step; resolves when it has ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current) {
      this.aborted = true;
      await this.current;
    }
  }

  /** One run now (a run already in progress is joined, never doubled). Never rejects. */
  runOnce(): Promise<RetentionReport> {
    if (!this.current) {
      this.aborted = false;
      this.current = this.run().finally(() => {
        this.current = undefined;
      });
    }
    return this.current;
  }

  private arm(ms: number): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.runOnce().then(() => this.arm(this.opts.intervalMs ?? 3_600_000));
    }, ms);
  }

  private get db(): Db {
    // Read on every step: the handle may have reopened the connection while we yielded.
    const db = this.opts.handle.db;
    if (!db.open || this.aborted) throw new Stopped();
    return db;
  }

  private async run(): Promise<RetentionReport> {
    const { clock } = this.opts;
    const start = clock.monotonic();
    const at = Math.floor(clock.now() / 1000);
    const r: RetentionReport = {
      at,
      cutoffs: {
        raw: at - this.opts.rawRetentionDays * DAY_S,
        history: at - this.opts.retentionDays * DAY_S,
        checks: at - this.opts.checkRetentionDays * DAY_S,
      },
      deleted: Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<RetentionTable, number>,
      steps: 0, maxStepMs: 0, maxStep: '', totalMs: 0, vacuumedPages: 0, optimized: false, error: null,
    };
    try {
      for (const pass of this.passes(r.cutoffs)) {
        while (this.deleteStep(pass, r)) await this.pause();
        await this.pause();
      }
      await this.vacuum(r);
      this.optimize(r);
      kvSet(this.db, KEY_RUN, at, at);
    } catch (err) {
      r.error = errorMessage(err);
      if (!(err instanceof Stopped)) this.log.warn({ error: r.error }, 'retention: run ended early; the next run continues');
    }
    r.totalMs = clock.monotonic() - start;
    const total = TABLES.reduce((s, t) => s + r.deleted[t], 0);
    this.log[total > 0 || r.vacuumedPages > 0 ? 'info' : 'debug'](
      { deleted: r.deleted, steps: r.steps, max_step_ms: Math.round(r.maxStepMs * 100) / 100, max_step: r.maxStep, vacuumed_pages: r.vacuumedPages },
      'retention: run done',
    );
    return r;
  }

  /**
   * What to delete, each phrased so an index bounds the scan: raw and rollup rows per device
   * (indexes start with dev) with `t0 < cut` added (implied by t1 ≤ cut, it makes the index usable).
   * Energy tables are never listed: they are kept forever (SPEC §13.3).
   */
  private passes(c: RetentionReport['cutoffs']): Pass[] {
    const db = this.db;
    const out: Pass[] = [];
    for (const { id } of prepared(db, 'SELECT id FROM hist_device ORDER BY id').all() as Array<{ id: number }>) {
      out.push({ table: 'raw_tail', where: 'dev = ? AND ts < ?', args: [id, c.raw] });
      out.push({ table: 'raw_chunk', where: 'dev = ? AND t0 < ? AND t1 <= ?', args: [id, c.raw, c.raw] });
      for (const { size } of prepared(db, 'SELECT DISTINCT size FROM rollup WHERE dev = ?').all(id) as Array<{ size: number }>) {
        out.push({ table: 'rollup', where: 'dev = ? AND size = ? AND t0 < ? AND t1 <= ?', args: [id, size, c.history, c.history] });
      }
    }
    out.push({ table: 'events', where: 'ts < ?', args: [c.history] });
    // Ongoing outages are kept whatever their age; closed ones go once they ended before the cut.
    out.push({ table: 'outages', where: 'started_at < ? AND is_ongoing = 0 AND ended_at < ?', args: [c.history, c.history] });
    out.push({ table: 'power_checks', where: 'checked_at < ?', args: [c.checks] });
    return out;
  }

  /** One bounded delete; true when it used its whole limit (more rows may match). */
  private deleteStep(p: Pass, r: RetentionReport): boolean {
    const db = this.db;
    const limit = Math.min(this.maxRows, this.limits.get(p.table) ?? 64);
    const sql = `DELETE FROM ${p.table} WHERE rowid IN (SELECT rowid FROM ${p.table} WHERE ${p.where} LIMIT ?)`;
    const t0 = this.opts.clock.monotonic();
    const n = prepared(db, sql).run(...p.args, limit).changes;
    const ms = this.note(r, t0, `delete ${p.table} LIMIT ${limit}`);
    r.deleted[p.table] += n;
    // Only a full step says anything about whether a bigger one would still fit the budget.
    if (n === limit || ms > this.budgetMs) this.limits.set(p.table, adapt(limit, ms, this.budgetMs, this.maxRows));
    return n === limit;
  }

  private note(r: RetentionReport, t0: number, what: string): number {
    const ms = this.opts.clock.monotonic() - t0;
    r.steps++;
    if (ms > r.maxStepMs || r.maxStep === '') {
      r.maxStepMs = ms;
      r.maxStep = what;
    }
    return ms;
  }

  /** Let timers and I/O run between steps (clock.sleep(0) is a macrotask on RealClock; stop() is seen by the next `db`). */
  private async pause(): Promise<void> {
    await this.opts.clock.sleep(0);
  }

  /**
   * Give free pages back to the file system. Freed pages are reused by new data anyway, so
   * shrinking the file is only worth it weekly (SPEC §13.3) or when the freelist is large, e.g.
   * after lowering a retention or removing a device: ≥ vacuumMinFreePages and ≥ 10 % of the file.
   */
  private async vacuum(r: RetentionReport): Promise<void> {
    const db = this.db;
    // 2 = INCREMENTAL (set by migration 1); on any other mode the pragma would do nothing.
    if (db.pragma('auto_vacuum', { simple: true }) !== 2) return;
    const free = (): number => this.db.pragma('freelist_count', { simple: true }) as number;
    let pages = free();
    const total = db.pragma('page_count', { simple: true }) as number;
    const large = pages >= (this.opts.vacuumMinFreePages ?? 1024) && pages * 10 >= total;
    const weekly = r.at - epochOr0(kvGet(db, KEY_VACUUM)) >= 7 * DAY_S;
    if (pages === 0 || (!large && !weekly)) return;
    let n = this.opts.vacuumPagesPerStep ?? 128;
    while (pages > 0) {
      const t0 = this.opts.clock.monotonic();
      this.db.exec(`PRAGMA incremental_vacuum(${n})`);
      const ms = this.note(r, t0, `incremental_vacuum(${n})`);
      const after = free();
      if (after >= pages) break; // no progress: nothing more this mode can free
      r.vacuumedPages += pages - after;
      pages = after;
      n = adapt(n, ms, this.budgetMs, 65_536);
      await this.pause();
    }
    kvSet(this.db, KEY_VACUUM, r.at, r.at);
  }

  /** PRAGMA optimize at most daily; analysis_limit keeps any ANALYZE it triggers short. */
  private optimize(r: RetentionReport): void {
    const db = this.db;
    if (r.at - epochOr0(kvGet(db, KEY_OPTIMIZE)) < DAY_S) return;
    const t0 = this.opts.clock.monotonic();
    db.pragma('analysis_limit = 400');
    db.pragma('optimize');
    this.note(r, t0, 'optimize');
    r.optimized = true;
    kvSet(db, KEY_OPTIMIZE, r.at, r.at);
  }
}
