import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PduSnapshot } from '../core/types.js';
import type { PduProfile } from '../devices/pdu/profiles/types.js';
import { closeChunk, type LastSample } from './compact.js';
import { HistoryOpenError, stmt } from './db.js';
import type { DbHandle } from './handle.js';
import { CHUNK_S } from './raw.js';
import { compileSeries, layoutKey, type SeriesSlot } from './series.js';
import { encodeTail } from './tail.js';

// The history writer (SPEC §13.2). The poll path only turns a snapshot into integers and appends
// them to an in-memory batch; every commit_interval_ms one transaction appends the batch as tail
// rows (append-ordered: a few pages per commit). Failed batches are held and retried, bounded;
// chunks whose time has passed are compacted in their own small transactions, staggered per
// device and within a time budget, so no commit blocks the event loop for long.

interface Pending {
  deviceId: string;
  ts: number;
  key: string;
  slots: readonly SeriesSlot[];
  values: Array<number | null>;
}

interface DeviceLayout {
  /** Outlets, banks and capabilities of the snapshot the slots were compiled for. */
  shape: string;
  /** The series names in slot order (identifies the layout row). */
  key: string;
  slots: SeriesSlot[];
}

export interface WriterOptions {
  clock: Clock;
  logger: Logger;
  commitIntervalMs: number;
  /** The profile of a device (its table drives the series), or null if unknown. */
  profileOf: (deviceId: string) => PduProfile | null;
  pollIntervalOf: (deviceId: string) => number;
  /** Held batches kept while the database refuses writes; the oldest is dropped beyond it. */
  maxHeldBatches?: number;
  /** Work budget for chunk compaction per commit, ms. */
  compactBudgetMs?: number;
}

export interface WriterStats {
  total_writes: number;
  write_errors: number;
  consecutive_failures: number;
  dropped_batches: number;
  dropped_samples: number;
  held_batches: number;
  samples_written: number;
  chunks_closed: number;
  compact_errors: number;
  reopens: number;
  last_commit_ms: number;
  healthy: boolean;
}

const RETRYABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN)/;
const REOPEN_AFTER = 10;
const HEALTH_WINDOW = 100;

export class HistoryWriter {
  private batch: Pending[] = [];
  private held: Pending[][] = [];
  private readonly layouts = new Map<string, DeviceLayout>();
  private readonly lastTs = new Map<string, number>();
  /** Monotonic due time of the next timed commit (null before start). */
  private nextCommitAt: number | null = null;
  /** Devices whose samples are older than their last recorded second (wall clock stepped back). */
  private readonly clockBehind = new Set<string>();
  private readonly openChunk = new Map<number, number>();
  private readonly lastSample = new Map<number, LastSample>();
  private readonly outcomes: boolean[] = [];
  /** deviceId|series key → ids, valid until the catalog is reset (a rolled-back transaction). */
  private readonly ids = new Map<string, { dev: number; layout: number }>();
  private timer: TimerHandle | undefined;
  private running = false;
  private lastDropLog = -Infinity;
  private readonly log: Logger;
  readonly stats: WriterStats = {
    total_writes: 0, write_errors: 0, consecutive_failures: 0, dropped_batches: 0, dropped_samples: 0, held_batches: 0,
    samples_written: 0, chunks_closed: 0, compact_errors: 0, reopens: 0, last_commit_ms: 0, healthy: true,
  };

  constructor(
    private readonly handle: DbHandle,
    private readonly opts: WriterOptions,
  ) {
    this.log = opts.logger.child({ module: 'history' });
    this.loadOpenChunks();
    this.loadLastSeconds();
  }

  /**
   * The last stored second of each device, so that after a restart with the wall clock behind it
   * (no RTC, a bad NTP step) samples are held back exactly as while running, instead of being
   * written a second time under seconds that are already stored.
   */
  private loadLastSeconds(): void {
    const rows = stmt(
      this.handle.db,
      `SELECT h.device_id AS id, MAX(x.ts) AS ts FROM hist_device h JOIN (
         SELECT dev, MAX(ts) AS ts FROM raw_tail GROUP BY dev UNION ALL SELECT dev, MAX(t1) - 1 AS ts FROM raw_chunk GROUP BY dev
       ) x ON x.dev = h.id GROUP BY h.device_id`,
    ).all() as Array<{ id: string; ts: number | null }>;
    for (const r of rows) if (r.ts !== null) this.lastTs.set(r.id, r.ts);
  }

  private loadOpenChunks(): void {
    this.openChunk.clear();
    const rows = stmt(this.handle.db, 'SELECT dev, MIN(ts) AS ts FROM raw_tail GROUP BY dev').all() as Array<{ dev: number; ts: number }>;
    for (const r of rows) this.openChunk.set(r.dev, Math.floor(r.ts / CHUNK_S) * CHUNK_S);
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  /**
   * Fixed-rate commits on the monotonic clock (not "interval after the last commit", which drifts
   * by each commit's duration against the 1 Hz polls until one commit carries two seconds, and a
   * kill -9 then loses 2 s instead of at most 1 s).
   */
  private arm(): void {
    if (!this.running) return;
    const every = this.opts.commitIntervalMs;
    const now = this.opts.clock.monotonic();
    // Late by more than a period (a blocked loop): start a new grid rather than commit in a burst.
    this.nextCommitAt = this.nextCommitAt === null || this.nextCommitAt + every <= now ? now + every : this.nextCommitAt + every;
    this.timer = this.opts.clock.setTimeout(() => {
      this.commit();
      this.arm();
    }, Math.max(0, this.nextCommitAt - now));
  }

  /** Flush what is pending (one last commit); chunks stay open until the next start. */
  stop(): void {
    this.running = false;
    this.opts.clock.clearTimeout(this.timer);
    this.commit({ compact: false });
  }

  /** Bus subscriber: never throws, never touches the database. */
  ingest(snap: PduSnapshot): void {
    try {
      if (typeof snap.device_id !== 'string' || snap.device_id === '' || !Number.isFinite(snap.ts)) {
        throw new Error(`malformed snapshot (device_id ${String(snap.device_id)}, ts ${String(snap.ts)})`);
      }
      const ts = Math.floor(snap.ts);
      const last = this.lastTs.get(snap.device_id) ?? -Infinity;
      if (last >= ts) {
        // One sample per second, in order. The same second again is poll jitter; an earlier one
        // means the wall clock stepped back: nothing is stored until it passes the last stored
        // second (those seconds are taken), said once instead of losing them silently.
        if (last - ts >= 2 && !this.clockBehind.has(snap.device_id)) {
          this.clockBehind.add(snap.device_id);
          this.log.warn({ device_id: snap.device_id, last_ts: last, ts, behind_s: last - ts }, 'history: the wall clock went back; samples are not recorded until it passes the last recorded second');
        }
        return;
      }
      if (this.clockBehind.delete(snap.device_id)) this.log.info({ device_id: snap.device_id, ts }, 'history: recording again after the clock went back');
      const profile = this.opts.profileOf(snap.device_id);
      if (!profile) return;
      const shape = `${Object.keys(snap.outlets).length}|${Object.keys(snap.banks).join(',')}|${snap.capabilities.join(',')}`;
      let layout = this.layouts.get(snap.device_id);
      if (!layout || layout.shape !== shape) {
        const slots = compileSeries(snap, profile);
        layout = { shape, key: layoutKey(slots), slots };
        this.layouts.set(snap.device_id, layout);
      }
      this.lastTs.set(snap.device_id, ts);
      this.batch.push({ deviceId: snap.device_id, ts, key: layout.key, slots: layout.slots, values: layout.slots.map((s) => s.read(snap)) });
    } catch (err) {
      this.log.error({ device_id: (snap as PduSnapshot | null)?.device_id, error: errorMessage(err) }, 'history: sample not recorded');
    }
  }

  /** One commit: append the pending batches, then compact due chunks. Public for tests. */
  commit(opts: { compact?: boolean } = {}): void {
    const t0 = this.opts.clock.monotonic();
    if (this.batch.length > 0) {
      this.held.push(this.batch);
      this.batch = [];
    }
    const max = this.opts.maxHeldBatches ?? 600;
    while (this.held.length > max) this.dropOldest();
    if (this.held.length > 0) this.writeHeld();
    if (opts.compact !== false && this.stats.consecutive_failures === 0) this.compactDue(t0);
    this.stats.held_batches = this.held.length;
    this.stats.last_commit_ms = this.opts.clock.monotonic() - t0;
  }

  private dropOldest(): void {
    const dropped = this.held.shift() ?? [];
    this.stats.dropped_batches++;
    this.stats.dropped_samples += dropped.length;
    const now = this.opts.clock.monotonic();
    if (now - this.lastDropLog >= 60_000) {
      this.lastDropLog = now;
      this.log.error({ dropped_batches: this.stats.dropped_batches, held: this.held.length }, 'history: write buffer full, oldest batch dropped');
    }
  }

  private writeHeld(): void {
    if (!this.handle.db.open) {
      // An earlier reopen failed: try again before writing, and keep the batches if it fails.
      try {
        this.handle.reopen();
        this.stats.reopens++;
        this.loadOpenChunks();
      } catch (err) {
        this.onWriteError(err);
        return;
      }
    }
    const { db, catalog } = this.handle;
    const insert = (): number => {
      const insertTail = stmt(db, 'INSERT INTO raw_tail (dev, ts, layout, vals) VALUES (?, ?, ?, ?)');
      let n = 0;
      for (const batch of this.held) {
        for (const p of batch) {
          const cacheKey = `${p.deviceId}|${p.key}`;
          let ids = this.ids.get(cacheKey);
          if (!ids) {
            const dev = catalog.devId(p.deviceId, this.opts.pollIntervalOf(p.deviceId));
            ids = { dev, layout: catalog.layoutId(dev, p.slots.map((s) => catalog.seriesId(dev, s))) };
            this.ids.set(cacheKey, ids);
          }
          insertTail.run(ids.dev, p.ts, ids.layout, encodeTail(p.values));
          if (!this.openChunk.has(ids.dev)) this.openChunk.set(ids.dev, Math.floor(p.ts / CHUNK_S) * CHUNK_S);
          n++;
        }
      }
      return n;
    };
    try {
      this.stats.samples_written += db.transaction(insert)();
      this.held = [];
      this.stats.total_writes++;
      this.stats.consecutive_failures = 0;
      this.record(true);
    } catch (err) {
      this.onWriteError(err);
    }
  }

  private resetIds(): void {
    this.handle.catalog.reset();
    this.ids.clear();
  }

  private onWriteError(err: unknown): void {
    this.resetIds();
    this.stats.write_errors++;
    this.stats.consecutive_failures++;
    this.record(false);
    const code = String((err as { code?: unknown }).code ?? '');
    const retry = RETRYABLE.test(code) || err instanceof HistoryOpenError || !this.handle.db.open;
    if (!retry) {
      // Not a condition that passes (e.g. a constraint): retrying would fail forever.
      for (const b of this.held) this.stats.dropped_samples += b.length;
      this.stats.dropped_batches += this.held.length;
      this.held = [];
    }
    if (this.stats.consecutive_failures === 1 || this.stats.consecutive_failures % REOPEN_AFTER === 0 || !retry) {
      const msg = retry ? 'history: write failed, batch held for retry' : 'history: write failed, batch dropped (not a condition that passes)';
      this.log.error({ code, error: errorMessage(err), held: this.held.length, failures: this.stats.consecutive_failures }, msg);
    }
    if (this.stats.consecutive_failures % REOPEN_AFTER === 0) {
      try {
        this.handle.reopen();
        this.stats.reopens++;
        this.loadOpenChunks();
      } catch (e) {
        this.log.error({ error: errorMessage(e) }, 'history: reopening the database failed');
      }
    }
  }

  private record(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > HEALTH_WINDOW) this.outcomes.shift();
    const failed = this.outcomes.filter((o) => !o).length;
    this.stats.healthy = failed * 10 < this.outcomes.length;
  }

  /** Seconds after the chunk's end at which a device's chunk is compacted (spreads the work). */
  static closeDelay(dev: number): number {
    return 5 + ((dev * 97) % Math.floor(CHUNK_S / 2));
  }

  private compactDue(startMono: number): void {
    const nowS = this.opts.clock.now() / 1000;
    const budget = this.opts.compactBudgetMs ?? 15;
    for (const [dev, t0] of [...this.openChunk]) {
      if (this.opts.clock.monotonic() - startMono > budget) return;
      if (nowS < t0 + CHUNK_S + HistoryWriter.closeDelay(dev)) continue;
      this.compactOne(dev, t0);
    }
  }

  /** Compact one chunk in its own transaction; a failure leaves its tail rows for a retry. */
  compactOne(dev: number, t0: number): void {
    const { db, catalog } = this.handle;
    try {
      const last = db.transaction(() => closeChunk(db, catalog, dev, t0, this.lastSample.get(dev) ?? null))();
      if (last) this.lastSample.set(dev, last);
      this.stats.chunks_closed++;
      const next = stmt(db, 'SELECT MIN(ts) AS ts FROM raw_tail WHERE dev = ?').get(dev) as { ts: number | null };
      if (next.ts === null) this.openChunk.delete(dev);
      else this.openChunk.set(dev, Math.floor(next.ts / CHUNK_S) * CHUNK_S);
    } catch (err) {
      this.resetIds();
      this.stats.compact_errors++;
      this.log.error({ dev, t0, error: errorMessage(err) }, 'history: compacting a chunk failed; its rows stay and are retried');
    }
  }

  /** Compact every open chunk now whatever its age (CLI export of a stopped bridge, tests). */
  compactAll(): void {
    for (const [dev, t0] of [...this.openChunk]) this.compactOne(dev, t0);
  }
}
