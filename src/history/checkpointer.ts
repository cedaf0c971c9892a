import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../core/clock.js';
import { settlesWithin } from '../core/concurrency.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Db } from './db.js';
import type { DbHandle } from './handle.js';

// WAL checkpoints off the event loop. SQLite's default auto-checkpoint runs inside the commit
// that crosses 1000 WAL pages, on the committing connection: copying ~4 MB into the database
// file and fsyncing it took 7–18 ms per such commit in a plain test, and more in the compaction
// and retention commits (measured: the compaction-commit and retention-step outliers of the
// history benchmark). Here a worker thread with its own connection runs a PASSIVE checkpoint
// every intervalMs (2 s), which never blocks the service's writer. The service's own auto-checkpoint
// stays on at a high threshold (fallbackPages) as a safety net: should the worker stop or fall
// behind, SQLite checkpoints on the main thread again before the WAL grows without bound.

/** The worker: one connection, one PASSIVE checkpoint per message, close on 'close'. CommonJS. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  const t0 = performance.now();
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms: performance.now() - t0 });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err), ms: performance.now() - t0 });
  }
});
parentPort.postMessage({ ready: true });
`;

type Reply =
  | { ready: true }
  | { ok: true; busy: number; log: number; checkpointed: number; ms: number }
  | { ok: false; error: string; ms: number };

export interface CheckpointResult {
  /** 1 when another checkpoint or a reader stopped it short (the next run continues). */
  busy: number;
  /** Frames in the WAL when it ran, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
  /** Time in the worker, ms. */
  ms: number;
}

export interface CheckpointStats {
  runs: number;
  /** Longest checkpoint in the worker, ms (off the event loop). */
  maxMs: number;
  /** Most frames found in the WAL by one run. */
  maxLog: number;
  /** Why the worker is no longer used (SQLite checkpoints on the main thread again), else null. */
  stopped: string | null;
}

export interface CheckpointerOptions {
  handle: DbHandle;
  clock: Clock;
  logger: Logger;
  /** Pause between two checkpoints, ms (default 2000). */
  intervalMs?: number;
  /** The service connection's own auto-checkpoint threshold in pages while the worker runs (default 10000, ~40 MB). */
  fallbackPages?: number;
  /** The worker connection's busy timeout, ms (it may wait; nothing else runs on its thread). */
  busyTimeoutMs?: number;
}

/** How long stop() waits for the worker to close its connection. */
const STOP_WAIT_MS = 2000;

/** SQLite's default wal_autocheckpoint, restored when the worker is given up. */
const SQLITE_DEFAULT_PAGES = 1000;

export class WalCheckpointer {
  private worker: Worker | null = null;
  private timer: TimerHandle | undefined;
  private tuned: Db | null = null;
  private pending: ((r: Reply) => void) | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private failing = false;
  private readonly log: Logger;
  private readonly st: CheckpointStats = { runs: 0, maxMs: 0, maxLog: 0, stopped: null };

  constructor(private readonly opts: CheckpointerOptions) {
    this.log = opts.logger.child({ module: 'checkpoint' });
  }

  /** Start the worker; not when SQLite could not switch the file to WAL (e.g. a file system without shared memory). */
  start(): void {
    if (this.worker || this.stopping) return;
    const db = this.opts.handle.db;
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), file: db.name, busyTimeoutMs: this.opts.busyTimeoutMs ?? 1000 },
      // One small connection: a tiny heap is plenty, and keeps the thread's memory small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    this.worker = w;
    this.exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.on('message', (m: Reply) => {
      if ('ready' in m) {
        if (this.stopping) return;
        this.tune();
        this.schedule();
        this.log.info({ interval_ms: this.opts.intervalMs ?? 2000 }, 'WAL checkpoints run in a worker thread');
        return;
      }
      const done = this.pending;
      this.pending = null;
      done?.(m);
    });
    w.on('error', (err) => this.giveUp(`worker failed: ${errorMessage(err)}`));
    w.on('exit', (code) => {
      if (!this.stopping) this.giveUp(`worker exited (code ${code})`);
    });
  }

  /** One checkpoint now (tests, the bench); null when the worker is not running or busy. */
  async runOnce(): Promise<CheckpointResult | null> {
    const w = this.worker;
    if (!w || this.pending || this.st.stopped) return null;
    this.tune();
    const reply = await new Promise<Reply>((resolve) => {
      this.pending = resolve;
      w.postMessage('checkpoint');
    });
    if ('ready' in reply || this.st.stopped || this.stopping) return null;
    if (!reply.ok) {
      if (!this.failing) this.log.warn({ err: reply.error }, 'WAL checkpoint failed; retrying every interval');
      this.failing = true;
      return null;
    }
    if (this.failing) this.log.info('WAL checkpoint works again');
    this.failing = false;
    this.st.runs++;
    this.st.maxMs = Math.max(this.st.maxMs, reply.ms);
    this.st.maxLog = Math.max(this.st.maxLog, reply.log);
    return { busy: reply.busy, log: reply.log, checkpointed: reply.checkpointed, ms: reply.ms };
  }

  stats(): CheckpointStats {
    return { ...this.st };
  }

  /** Stop the timer and close the worker's connection (before the service's own is closed). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.opts.clock.clearTimeout(this.timer);
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    w.postMessage('close');
    // A checkpoint stuck in the file system (a hung fsync) must not hold up the shutdown.
    if (!(await settlesWithin(this.opts.clock, this.exited, STOP_WAIT_MS))) {
      this.log.warn({ wait_ms: STOP_WAIT_MS }, 'WAL checkpoint worker did not stop in time; terminating it');
      void w.terminate();
    }
    this.pending?.({ ok: false, error: 'stopped', ms: 0 });
    this.pending = null;
  }

  private schedule(): void {
    if (this.stopping || this.st.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.runOnce().then(() => this.schedule());
    }, this.opts.intervalMs ?? 2000);
  }

  /** The service connection may have been reopened (DbHandle.reopen): set its threshold again. */
  private tune(): void {
    const db = this.opts.handle.db;
    if (db === this.tuned || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${this.opts.fallbackPages ?? 10_000}`);
    this.tuned = db;
  }

  private giveUp(reason: string): void {
    if (this.st.stopped) return;
    this.st.stopped = reason;
    this.opts.clock.clearTimeout(this.timer);
    this.worker = null;
    this.pending?.({ ok: false, error: reason, ms: 0 });
    this.pending = null;
    const db = this.opts.handle.db;
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    this.tuned = null;
    this.log.warn({ reason }, 'WAL checkpoint worker stopped; SQLite checkpoints on the main thread again');
  }
}
