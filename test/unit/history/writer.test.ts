import Database from 'better-sqlite3';
import { renameSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, type Clock } from '../../../src/core/clock.js';
import { createLogger, silentLogger, type Logger } from '../../../src/core/logger.js';
import type { Capability, PduSnapshot } from '../../../src/core/types.js';
import { CPS_MIB_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { DbHandle } from '../../../src/history/handle.js';
import { HistoryWriter } from '../../../src/history/writer.js';
import { querySeries, type SeriesResult } from '../../../src/history/query.js';
import { readRaw } from '../../../src/history/raw.js';
import { ALL_CAPABILITIES } from '../../support/pdu-snapshot.js';
import { tempHistory, varyingSnapshot, type TempHistory } from '../../support/history.js';

// The history writer against real SQLite files (SPEC §13.2): a disk that fills up for real
// (PRAGMA max_page_count), a lock held by a second real connection (SQLITE_BUSY), the bounded
// buffer of held batches and its drop policy, reopening and the health window, layout changes,
// and the bus subscriber path. Samples are ingested with explicit timestamps and the fake clock
// is moved separately, so the monotonic time the writer sees (drop-log rate limit) is controlled.

const DEVICE = 'pdu-01';
const MAX_PAGES = 1_073_741_823;

let h: TempHistory | undefined;
const extra: Database.Database[] = [];

afterEach(() => {
  for (const db of extra.splice(0)) if (db.open) db.close();
  h?.cleanup();
  h = undefined;
});

function open(opts: Parameters<typeof tempHistory>[0] = {}): TempHistory {
  h = tempHistory(opts);
  return h;
}

/** A logger writing JSON lines into an array. */
function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void out.push(s) });
  return { logger, lines: () => out.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function msgs(lines: Array<Record<string, unknown>>, msg: string): Array<Record<string, unknown>> {
  return lines.filter((l) => l.msg === msg);
}

const DROP_MSG = 'history: write buffer full, oldest batch dropped';
const FAIL_MSG = 'history: write failed, batch held for retry';
const BAD_SAMPLE_MSG = 'history: sample not recorded';

/** The first second of the temp history (tempHistory starts on a whole second, chunk-aligned). */
function t0Of(t: TempHistory): number {
  return t.clock.now() / 1000;
}

/** Ingest samples i = from..to-1 at t0 + i (the bus path: no clock movement, no commit). */
function ingestRange(t: TempHistory, t0: number, from: number, to: number, snap: (i: number) => PduSnapshot = (i) => varyingSnapshot(i)): void {
  for (let i = from; i < to; i++) t.writer.ingest({ ...snap(i), ts: t0 + i });
}

/**
 * The disk is full for the writer's connection: no page beyond the current ones can be allocated,
 * so any transaction that needs a new page fails with SQLITE_FULL. (Per connection: a reopened
 * connection starts without the limit.)
 */
function fillDisk(db: Database.Database): number {
  expect(db.pragma('freelist_count', { simple: true })).toBe(0); // no free page to reuse
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  expect(db.pragma('max_page_count', { simple: true })).toBe(pages);
  return pages;
}

function freeDisk(db: Database.Database): void {
  db.pragma(`max_page_count = ${MAX_PAGES}`);
}

/** Rows in raw_tail as seen by an independent connection (what is really on disk). */
function tailRowsOnDisk(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM raw_tail').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function devOf(t: TempHistory): number {
  const dev = t.handle.catalog.findDev(DEVICE);
  expect(dev).not.toBeNull();
  return (dev as { id: number }).id;
}

function seriesId(t: TempHistory, name: string, n: number): number {
  const row = t.handle.catalog.seriesOf(devOf(t)).find((s) => s.name === name && s.n === n);
  expect(row, `${name}.${n}`).toBeDefined();
  return (row as { id: number }).id;
}

/** Every timestamp of the device's raw data in [from, to). */
function rawSeconds(t: TempHistory, from: number, to: number): number[] {
  return readRaw(t.handle.db, t.handle.catalog, devOf(t), from, to).ts;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function one(res: SeriesResult[]): SeriesResult {
  expect(res).toHaveLength(1);
  return res[0] as SeriesResult;
}

describe('HistoryWriter: full disk (SQLITE_FULL, real)', () => {
  it('holds every batch while the disk is full, never throws, and writes them all once space is back', async () => {
    const t = open();
    const t0 = t0Of(t);
    fillDisk(t.handle.db);
    const PER = 60; // 60 tail rows (~10 kB) need new pages: every commit must fail
    const CYCLES = 5;
    for (let c = 0; c < CYCLES; c++) {
      expect(() => ingestRange(t, t0, c * PER, (c + 1) * PER)).not.toThrow();
      expect(() => t.writer.commit()).not.toThrow();
      await t.clock.advance(1000);
      expect(t.writer.stats).toMatchObject({
        write_errors: c + 1, consecutive_failures: c + 1, held_batches: c + 1,
        samples_written: 0, total_writes: 0, dropped_batches: 0, dropped_samples: 0, reopens: 0,
      });
    }
    expect(tailRowsOnDisk(t.path)).toBe(0);

    freeDisk(t.handle.db);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({
      consecutive_failures: 0, held_batches: 0, samples_written: PER * CYCLES, total_writes: 1, write_errors: CYCLES, dropped_samples: 0,
    });
    expect(tailRowsOnDisk(t.path)).toBe(PER * CYCLES);
    // Every second exactly once, with the values that were polled.
    expect(rawSeconds(t, t0, t0 + PER * CYCLES + 10)).toEqual(range(t0, t0 + PER * CYCLES));
    const raw = readRaw(t.handle.db, t.handle.catalog, devOf(t), t0, t0 + PER * CYCLES);
    const bank1 = raw.series.get(seriesId(t, 'bank_power', 1)) as Array<number | null>;
    const outlet4 = raw.series.get(seriesId(t, 'outlet_power', 4)) as Array<number | null>;
    expect(bank1).toEqual(range(0, PER * CYCLES).map((i) => varyingSnapshot(i).banks[1]?.power));
    expect(outlet4).toEqual(range(0, PER * CYCLES).map((i) => varyingSnapshot(i).outlets[4]?.power));
  });

  it('bounded buffer: the oldest batches are dropped and counted, the newest arrive, the drop is logged at most once a minute', async () => {
    const cap = captureLogger();
    const t = open({ maxHeldBatches: 3, logger: cap.logger });
    const t0 = t0Of(t);
    fillDisk(t.handle.db);
    const PER = 60;
    for (let c = 0; c < 10; c++) {
      ingestRange(t, t0, c * PER, (c + 1) * PER);
      expect(() => t.writer.commit()).not.toThrow();
      await t.clock.advance(1000); // 10 commits within 10 s of monotonic time
      expect(t.writer.stats.held_batches).toBe(Math.min(c + 1, 3));
      expect(t.writer.stats.dropped_batches).toBe(Math.max(0, c + 1 - 3));
    }
    // Push then trim to 3: commits 4..10 each drop the oldest batch.
    expect(t.writer.stats).toMatchObject({ dropped_batches: 7, dropped_samples: 7 * PER, held_batches: 3, write_errors: 10, samples_written: 0 });
    expect(msgs(cap.lines(), DROP_MSG)).toHaveLength(1);
    // The 10th consecutive failure reopened the connection (which forgets max_page_count).
    expect(t.writer.stats.reopens).toBe(1);
    // Failure logs: the first and the 10th, not one per commit.
    expect(msgs(cap.lines(), FAIL_MSG).map((l) => l.failures)).toEqual([1, 10]);

    // Still full on the new connection; a minute later the next drop is logged again, once.
    fillDisk(t.handle.db);
    await t.clock.advance(60_000);
    ingestRange(t, t0, 10 * PER, 11 * PER);
    t.writer.commit();
    ingestRange(t, t0, 11 * PER, 12 * PER);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ dropped_batches: 9, dropped_samples: 9 * PER, held_batches: 3, samples_written: 0 });
    const drops = msgs(cap.lines(), DROP_MSG);
    expect(drops).toHaveLength(2);
    expect(drops[1]?.dropped_batches).toBe(8);
    expect(tailRowsOnDisk(t.path)).toBe(0);

    freeDisk(t.handle.db);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ held_batches: 0, consecutive_failures: 0, samples_written: 3 * PER });
    // Only the three newest batches (samples 540..719) exist, each second once.
    expect(rawSeconds(t, t0, t0 + 12 * PER + 10)).toEqual(range(t0 + 9 * PER, t0 + 12 * PER));
  });
});

describe('HistoryWriter: locked database (SQLITE_BUSY, real second connection)', () => {
  it('a commit against a held write lock returns quickly, keeps the batch and writes it after the lock is released', () => {
    const t = open();
    const t0 = t0Of(t);
    ingestRange(t, t0, 0, 5);
    t.writer.commit(); // creates the device, its series and layout
    expect(t.writer.stats.samples_written).toBe(5);

    const other = new Database(t.path, { timeout: 0 });
    extra.push(other);
    other.exec('BEGIN IMMEDIATE');
    other.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, 0)').run('lock-holder', '1');

    // The bus path never touches the database: ingest works while the lock is held.
    expect(() => ingestRange(t, t0, 5, 10)).not.toThrow();
    expect(t.writer.stats.write_errors).toBe(0);

    const a = performance.now();
    expect(() => t.writer.commit()).not.toThrow();
    const elapsed = performance.now() - a;
    expect(elapsed).toBeLessThan(1000); // guard against blocking for seconds (busy timeout is 20 ms)
    expect(t.writer.stats).toMatchObject({ write_errors: 1, consecutive_failures: 1, held_batches: 1, samples_written: 5 });

    ingestRange(t, t0, 10, 15);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ write_errors: 2, held_batches: 2, samples_written: 5 });

    other.exec('COMMIT');
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ write_errors: 2, consecutive_failures: 0, held_batches: 0, samples_written: 15, dropped_batches: 0 });
    expect(rawSeconds(t, t0, t0 + 30)).toEqual(range(t0, t0 + 15));
    // The other connection's transaction was not disturbed.
    expect(other.prepare('SELECT value FROM kv WHERE key = ?').get('lock-holder')).toEqual({ value: '1' });
  });

  it('a lock released by ROLLBACK: the held batches of a fresh database (no catalog rows yet) land', () => {
    const t = open();
    const t0 = t0Of(t);
    const other = new Database(t.path, { timeout: 0 });
    extra.push(other);
    other.exec('BEGIN IMMEDIATE');
    ingestRange(t, t0, 0, 3);
    t.writer.commit();
    ingestRange(t, t0, 3, 6);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ write_errors: 2, held_batches: 2, samples_written: 0 });
    expect(t.handle.catalog.findDev(DEVICE)).toBeNull(); // the rolled-back catalog rows are gone
    other.exec('ROLLBACK');
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ held_batches: 0, samples_written: 6, consecutive_failures: 0 });
    expect(rawSeconds(t, t0, t0 + 10)).toEqual(range(t0, t0 + 6));
  });
});

describe('HistoryWriter: reopen and health', () => {
  it('10 consecutive failures reopen the connection; healthy is false at ≥ 10 % failures of the last 100 writes', () => {
    const t = open();
    const t0 = t0Of(t);
    let i = 0;
    const cycle = (): void => {
      ingestRange(t, t0, i, i + 1);
      i++;
      t.writer.commit();
    };
    for (let k = 0; k < 90; k++) cycle();
    expect(t.writer.stats).toMatchObject({ total_writes: 90, write_errors: 0, healthy: true });

    const other = new Database(t.path, { timeout: 0 });
    extra.push(other);
    other.exec('BEGIN IMMEDIATE');
    const before = t.handle.db;
    for (let k = 0; k < 9; k++) cycle();
    // 9 of the last 99 writes failed (9.1 %): still healthy; no reopen yet.
    expect(t.writer.stats).toMatchObject({ write_errors: 9, consecutive_failures: 9, healthy: true, reopens: 0, held_batches: 9 });
    expect(t.handle.db).toBe(before);
    cycle();
    // 10 of the last 100 (10 %): unhealthy, and the 10th consecutive failure reopened.
    expect(t.writer.stats).toMatchObject({ write_errors: 10, consecutive_failures: 10, healthy: false, reopens: 1, held_batches: 10 });
    expect(t.handle.db).not.toBe(before);
    expect(before.open).toBe(false);
    expect(t.handle.db.open).toBe(true);

    other.exec('ROLLBACK');
    // The failures leave the window one by one: the first drops out after 91 more writes.
    for (let k = 0; k < 90; k++) {
      cycle();
      expect(t.writer.stats.healthy).toBe(false);
    }
    expect(t.writer.stats).toMatchObject({ consecutive_failures: 0, held_batches: 0, reopens: 1 });
    cycle();
    expect(t.writer.stats.healthy).toBe(true);
    // Nothing lost across the reopen.
    expect(rawSeconds(t, t0, t0 + i + 10)).toEqual(range(t0, t0 + i));
    expect(t.writer.stats.samples_written).toBe(i);
  });

  // When the reopen after 10 failures itself fails, the connection stays closed: a condition that
  // passes, so the batches stay held and the next commit tries to reopen again (§13.2).
  it('a failed reopen keeps the held batches, retries the reopen and writes them once the file is back', () => {
    const cap = captureLogger();
    const t = open({ logger: cap.logger });
    const t0 = t0Of(t);
    fillDisk(t.handle.db);
    // The file is replaced by something that is not a database: the reopen at failure 10 fails.
    renameSync(t.path, `${t.path}.moved`);
    writeFileSync(t.path, 'not a database '.repeat(400));
    const PER = 60;
    for (let c = 0; c < 12; c++) {
      ingestRange(t, t0, c * PER, (c + 1) * PER);
      expect(() => t.writer.commit()).not.toThrow();
    }
    expect(msgs(cap.lines(), 'history: reopening the database failed').length).toBeGreaterThanOrEqual(1);
    expect(t.writer.stats).toMatchObject({ write_errors: 12, held_batches: 12, dropped_batches: 0, dropped_samples: 0, samples_written: 0 });

    renameSync(`${t.path}.moved`, t.path);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ held_batches: 0, consecutive_failures: 0, samples_written: 12 * PER, dropped_samples: 0 });
    expect(rawSeconds(t, t0, t0 + 12 * PER + 10)).toEqual(range(t0, t0 + 12 * PER));
  });

  it('a failure that is not transient drops the batch (counted) instead of retrying forever', () => {
    const t = open();
    const t0 = t0Of(t);
    ingestRange(t, t0, 0, 3);
    t.writer.commit();
    // A constraint that fails every insert: not SQLITE_BUSY/FULL/IOERR.
    t.handle.db.exec("CREATE TRIGGER no_tail BEFORE INSERT ON raw_tail BEGIN SELECT RAISE(ABORT, 'refused'); END");
    ingestRange(t, t0, 3, 7);
    expect(() => t.writer.commit()).not.toThrow();
    expect(t.writer.stats).toMatchObject({ write_errors: 1, held_batches: 0, dropped_batches: 1, dropped_samples: 4, samples_written: 3 });
    t.handle.db.exec('DROP TRIGGER no_tail');
    ingestRange(t, t0, 7, 9);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ consecutive_failures: 0, samples_written: 5 });
    expect(rawSeconds(t, t0, t0 + 20)).toEqual([t0, t0 + 1, t0 + 2, t0 + 7, t0 + 8]);
  });
});

describe('HistoryWriter: layouts, duplicates and gaps', () => {
  const REDUCED_CAPS: Capability[] = ALL_CAPABILITIES.filter((c) => c !== 'environment');

  it('outlets 10 → 8 with a capability removed and back: queries follow both layouts, removed series stop', () => {
    const t = open();
    const t0 = t0Of(t);
    const phase = (i: number): 'full' | 'reduced' => (i >= 30 && i < 60 ? 'reduced' : 'full');
    const snap = (i: number): PduSnapshot => (phase(i) === 'reduced' ? varyingSnapshot(i, { outlets: 8, capabilities: REDUCED_CAPS }) : varyingSnapshot(i));
    for (let i = 0; i < 90; i += 10) {
      ingestRange(t, t0, i, i + 10, snap);
      t.writer.commit();
    }
    expect(t.writer.stats.samples_written).toBe(90);
    const layouts = (t.handle.db.prepare('SELECT count(*) AS n FROM hist_layout').get() as { n: number }).n;
    expect(layouts).toBe(2); // back to the first layout reuses its row

    const check = (label: string): void => {
      const w = { start: t0, end: t0 + 90, bucket: 1 };
      const q = (name: string, n?: number): SeriesResult => one(querySeries(t.handle.db, t.handle.catalog, DEVICE, [name], w, n));
      // Outlet 1 is present in both layouts: every second, its polled value.
      expect(q('outlet_power', 1).points.map((p) => [p.t, p.avg]), label).toEqual(range(0, 90).map((i) => [t0 + i, snap(i).outlets[1]?.power]));
      // Outlets 9, 10 and the environment exist only in the full layout.
      for (const n of [9, 10]) {
        expect(q('outlet_power', n).points.map((p) => [p.t, p.avg]), `${label} outlet ${n}`).toEqual(
          range(0, 90).filter((i) => phase(i) === 'full').map((i) => [t0 + i, varyingSnapshot(i).outlets[n]?.power]),
        );
      }
      expect(q('env_temperature', 0).points.map((p) => p.t), label).toEqual(range(0, 90).filter((i) => phase(i) === 'full').map((i) => t0 + i));
      // Outlet state (1/0) of outlet 8: present throughout.
      expect(q('outlet_state', 8).points.map((p) => p.avg), label).toEqual(range(0, 90).map(() => 1));
    };
    check('tail rows');
    t.writer.compactAll(); // the same data as a compacted chunk (mixed layouts in one block)
    expect(t.writer.stats.chunks_closed).toBe(1);
    check('compacted');

    // A minute bucket from the rollups: outlet 9 averaged over its samples only.
    const m = one(querySeries(t.handle.db, t.handle.catalog, DEVICE, ['outlet_power'], { start: t0, end: t0 + 120, bucket: 60 }, 9));
    const mean = (is: number[]): number => is.reduce((a, i) => a + (varyingSnapshot(i).outlets[9]?.power as number), 0) / is.length;
    expect(m.points.map((p) => [p.t, p.n])).toEqual([[t0, 30], [t0 + 60, 30]]);
    expect(m.points[0]?.avg).toBeCloseTo(mean(range(0, 30)), 3);
    expect(m.points[1]?.avg).toBeCloseTo(mean(range(60, 90)), 3);
  });

  it('a second sample in the same second is ignored; absent values stay gaps, never 0', () => {
    const t = open();
    const t0 = t0Of(t);
    const first = varyingSnapshot(1);
    const second = varyingSnapshot(2);
    (first.banks[1] as { power: number | null }).power = 111;
    (second.banks[1] as { power: number | null }).power = 222;
    t.writer.ingest({ ...first, ts: t0 + 0.2 });
    t.writer.ingest({ ...second, ts: t0 + 0.7 }); // same second: ignored
    t.writer.ingest({ ...second, ts: t0 - 5 }); // a step back: ignored too
    for (let i = 1; i < 10; i++) {
      const s = varyingSnapshot(i);
      if (i === 4) {
        (s.outlets[2] as { power: number | null }).power = null;
        (s.banks[1] as { power: number | null }).power = null;
      }
      t.writer.ingest({ ...s, ts: t0 + i });
    }
    t.writer.commit();
    expect(t.writer.stats.samples_written).toBe(10);
    expect(rawSeconds(t, t0 - 10, t0 + 20)).toEqual(range(t0, t0 + 10));

    const raw = readRaw(t.handle.db, t.handle.catalog, devOf(t), t0, t0 + 10);
    const bank1 = raw.series.get(seriesId(t, 'bank_power', 1)) as Array<number | null>;
    expect(bank1[0]).toBe(111);
    expect(bank1[4]).toBeNull();
    expect((raw.series.get(seriesId(t, 'outlet_power', 2)) as Array<number | null>)[4]).toBeNull();

    const q = (bucket: number, name: string, n: number): SeriesResult =>
      one(querySeries(t.handle.db, t.handle.catalog, DEVICE, [name], { start: t0, end: t0 + 10, bucket }, n));
    const perSecond = q(1, 'outlet_power', 2).points;
    expect(perSecond.map((p) => p.t)).toEqual(range(t0, t0 + 10).filter((s) => s !== t0 + 4));
    expect(perSecond.every((p) => p.min > 0)).toBe(true);
    // A 10 s bucket averages the 9 present values: a 0 would pull it down and count n = 10.
    const tenS = q(10, 'outlet_power', 2).points;
    const present = [1, 1, 2, 3, 5, 6, 7, 8, 9].map((i) => varyingSnapshot(i).outlets[2]?.power as number); // second 0 holds `first` = varyingSnapshot(1)
    expect(tenS).toHaveLength(1);
    expect(tenS[0]?.n).toBe(9);
    expect(tenS[0]?.min).toBe(Math.min(...present));
    expect(tenS[0]?.avg).toBeCloseTo(present.reduce((a, b) => a + b, 0) / 9, 3);
    // The same gap after compaction.
    t.writer.compactAll();
    expect(q(1, 'bank_power', 1).points.map((p) => p.t)).toEqual(range(t0, t0 + 10).filter((s) => s !== t0 + 4));
    expect(q(1, 'bank_power', 1).points[0]?.avg).toBe(111);
  });
});

describe('HistoryWriter: timer, stop and the bus path', () => {
  it('after a restart with the wall clock behind the last stored second, holds samples back as while running', async () => {
    const t = open();
    const t0 = t0Of(t);
    ingestRange(t, t0, 0, 10);
    t.writer.commit(); // t0 .. t0+9 stored
    // A new writer on the same file (the process restarted) whose clock is 5 s behind: seconds
    // t0+5 .. t0+9 are stored already and must not be written again.
    const again = new HistoryWriter(t.handle, { clock: t.clock, logger: silentLogger(), commitIntervalMs: 1000, profileOf: () => CPS_MIB_PROFILE, pollIntervalOf: () => 1 });
    for (let i = 5; i < 13; i++) again.ingest({ ...varyingSnapshot(i), ts: t0 + i });
    again.commit();
    const dev = t.handle.catalog.findDev(DEVICE) as { id: number };
    expect(readRaw(t.handle.db, t.handle.catalog, dev.id, t0, t0 + 20).ts).toEqual(range(t0, t0 + 13));
    expect(again.stats.samples_written).toBe(3);
  });

  it('commits on a fixed grid of the monotonic clock: a slow commit does not push the next one later', async () => {
    // Each commit "takes" 30 ms: the fake clock's time stands still while it runs, so the cost is
    // added to what monotonic() reads. Timed as "interval after the last commit", the commits
    // would drift 30 ms a second against the 1 Hz polls.
    const fake = new FakeClock(Date.UTC(2026, 10, 24));
    let spent = 0;
    const clock: Clock = {
      now: () => fake.now() + spent, monotonic: () => fake.monotonic() + spent,
      setTimeout: (fn, ms) => fake.setTimeout(fn, ms), clearTimeout: (x) => fake.clearTimeout(x), sleep: (ms) => fake.sleep(ms),
    };
    const t = open({ clock });
    const at: number[] = [];
    const commit = t.writer.commit.bind(t.writer);
    t.writer.commit = (o) => {
      at.push(clock.monotonic());
      commit(o);
      spent += 30;
    };
    const start = clock.monotonic();
    t.writer.start();
    await fake.advance(5000);
    t.writer.stop();
    expect(at.slice(0, 5).map((x) => x - start)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('start() commits every interval; stop() flushes what is pending and disarms the timer', async () => {
    const t = open();
    const t0 = t0Of(t);
    t.writer.start();
    ingestRange(t, t0, 0, 3);
    expect(tailRowsOnDisk(t.path)).toBe(0); // ingest alone writes nothing
    await t.clock.advance(1000);
    expect(tailRowsOnDisk(t.path)).toBe(3);

    ingestRange(t, t0, 3, 7);
    expect(tailRowsOnDisk(t.path)).toBe(3);
    t.writer.stop();
    expect(t.clock.pendingTimers()).toBe(0);
    expect(t.writer.stats).toMatchObject({ samples_written: 7, held_batches: 0 });
    t.handle.close();

    // A new handle on the same file sees every sample.
    const again = new DbHandle(t.path, 20);
    try {
      const dev = again.catalog.findDev(DEVICE);
      expect(dev).not.toBeNull();
      expect(readRaw(again.db, again.catalog, (dev as { id: number }).id, t0, t0 + 20).ts).toEqual(range(t0, t0 + 7));
    } finally {
      again.close();
    }
  });

  it('a malformed snapshot does not throw, is logged once, and does not disturb the samples around it', () => {
    const cap = captureLogger();
    const t = open({ logger: cap.logger });
    const t0 = t0Of(t);
    ingestRange(t, t0, 0, 2);
    const noOutlets = { ...varyingSnapshot(2), ts: t0 + 2 } as Partial<PduSnapshot>;
    delete noOutlets.outlets;
    expect(() => t.writer.ingest(noOutlets as PduSnapshot)).not.toThrow();
    expect(msgs(cap.lines(), BAD_SAMPLE_MSG)).toHaveLength(1);
    expect(msgs(cap.lines(), BAD_SAMPLE_MSG)[0]?.device_id).toBe(DEVICE);
    ingestRange(t, t0, 3, 5);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ samples_written: 4, write_errors: 0, dropped_samples: 0 });
    expect(rawSeconds(t, t0, t0 + 10)).toEqual([t0, t0 + 1, t0 + 3, t0 + 4]);
  });

  // ingest() rejects a non-finite ts: NaN would fail the INSERT (not retryable, costing the
  // whole batch) and Infinity would, as the device's last second, silence it for good.
  it('a snapshot with ts NaN is not recorded, is logged once, and does not cost the other samples of its batch', () => {
    const cap = captureLogger();
    const t = open({ logger: cap.logger });
    const t0 = t0Of(t);
    ingestRange(t, t0, 0, 2);
    expect(() => t.writer.ingest({ ...varyingSnapshot(2), ts: Number.NaN })).not.toThrow();
    ingestRange(t, t0, 3, 5);
    expect(() => t.writer.commit()).not.toThrow();
    expect(t.writer.stats).toMatchObject({ samples_written: 4, write_errors: 0, dropped_samples: 0, healthy: true });
    expect(rawSeconds(t, t0, t0 + 10)).toEqual([t0, t0 + 1, t0 + 3, t0 + 4]);
    expect(msgs(cap.lines(), BAD_SAMPLE_MSG)).toHaveLength(1);
  });

  it('a snapshot with ts Infinity is not recorded and does not block the samples after it', () => {
    const t = open();
    const t0 = t0Of(t);
    ingestRange(t, t0, 0, 2);
    expect(() => t.writer.ingest({ ...varyingSnapshot(2), ts: Number.POSITIVE_INFINITY })).not.toThrow();
    ingestRange(t, t0, 3, 5);
    t.writer.commit();
    expect(t.writer.stats).toMatchObject({ samples_written: 4, write_errors: 0 });
    expect(rawSeconds(t, t0, t0 + 10)).toEqual([t0, t0 + 1, t0 + 3, t0 + 4]);
  });
});
