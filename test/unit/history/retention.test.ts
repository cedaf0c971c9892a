import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { kvGet } from '../../../src/history/events.js';
import { DbHandle } from '../../../src/history/handle.js';
import { readRaw } from '../../../src/history/raw.js';
import { RetentionJob, type RetentionOptions, type RetentionReport } from '../../../src/history/retention.js';
import { tempHistory, varyingSnapshot } from '../../support/history.js';

// Retention against a real SQLite file: 70 days of two PDUs written by the real writer at a 60 s
// poll (one hour per day keeps the fill fast while every day has raw chunks and rollups), copied
// per test; the small tables are filled directly around their cut-offs. Expectations are computed
// by brute force from the rows present before the run. No timing is asserted here.

const DAY = 86_400;
const START_S = Date.UTC(2026, 6, 1) / 1000;
const DAYS = 70;
/** The job runs half an hour into day 70, so the raw cut-off falls inside day 10's hour block. */
const NOW_S = START_S + DAYS * DAY + 1800;

let template = '';
let templateDir = '';
let dir: string | undefined;
let handle: DbHandle | undefined;

beforeAll(async () => {
  const h = tempHistory({ pollIntervalS: 60, startMs: START_S * 1000 });
  for (let d = 0; d < DAYS; d++) {
    for (let i = 0; i < 60; i++) {
      h.writer.ingest({ ...varyingSnapshot(i, { deviceId: 'pdu-02' }), ts: h.clock.now() / 1000 });
      await h.feed(varyingSnapshot(d * 60 + i), 60);
    }
    h.writer.commit({ compact: false });
    for (let k = 0; k < 4; k++) h.writer.compactAll();
    await h.clock.advance((DAY - 3600) * 1000);
  }
  expect((h.handle.db.prepare('SELECT count(*) AS c FROM raw_tail').get() as { c: number }).c).toBe(0);
  h.handle.db.pragma('wal_checkpoint(TRUNCATE)');
  h.handle.close();
  templateDir = h.dir;
  template = h.path;
}, 120_000);

afterAll(() => rmSync(templateDir, { recursive: true, force: true }));
afterEach(() => {
  handle?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  handle = undefined;
  dir = undefined;
});

function open(): { db: DbHandle['db']; handle: DbHandle; clock: FakeClock } {
  dir = mkdtempSync(join(tmpdir(), 'p2m-retention-'));
  copyFileSync(template, join(dir, 'history.db'));
  handle = new DbHandle(join(dir, 'history.db'), 20);
  return { db: handle.db, handle, clock: new FakeClock(NOW_S * 1000) };
}

function job(h: DbHandle, clock: FakeClock, over: Partial<RetentionOptions> = {}): RetentionJob {
  return new RetentionJob({ handle: h, clock, logger: silentLogger(), rawRetentionDays: 60, retentionDays: 730, checkRetentionDays: 30, ...over });
}

/** Run once, driving the fake clock so the yields between steps resolve. */
async function run(j: RetentionJob, clock: FakeClock): Promise<RetentionReport> {
  let done = false;
  const p = j.runOnce().finally(() => (done = true));
  while (!done) await clock.advance(0);
  return p;
}

type Db = DbHandle['db'];
const ids = (db: Db, sql: string): number[] => (db.prepare(sql).all() as Array<{ id: number }>).map((r) => r.id).sort((a, b) => a - b);
const count = (db: Db, table: string): number => (db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;

/** Rows of the small tables around each cut-off (cut = the first second that is kept). */
function seedSmallTables(db: Db, historyCut: number, checkCut: number): void {
  const ev = db.prepare("INSERT INTO events (ts, device_id, kind, type) VALUES (?, 'pdu-01', 'system', 'ats_transfer')");
  for (const ts of [historyCut - 100 * DAY, historyCut - 1, historyCut, historyCut + 1, NOW_S]) ev.run(ts);
  const out = db.prepare("INSERT INTO outages (kind, started_at, ended_at, is_ongoing) VALUES ('power', ?, ?, ?)");
  out.run(historyCut - 10 * DAY, historyCut - 1, 0); // closed before the cut: deleted
  out.run(historyCut - 10 * DAY, historyCut, 0); // ends at the cut: kept
  out.run(historyCut - 100 * DAY, null, 1); // ongoing, however old: kept
  out.run(NOW_S - 3600, NOW_S - 60, 0);
  const pc = db.prepare("INSERT INTO power_checks (switch_id, result, checked_at) VALUES (1, 'up', ?)");
  for (let i = 0; i < 500; i++) pc.run(checkCut - 1 - i * 60);
  for (const ts of [checkCut, checkCut + 1, NOW_S]) pc.run(ts);
  db.prepare("INSERT INTO energy_daily (date, device_id, kwh, samples) VALUES ('2020-01-01', 'pdu-01', 1.5, 10), ('2026-07-01', 'pdu-01', 2, 20)").run();
  db.prepare("INSERT INTO energy_monthly (month, device_id, kwh, days) VALUES ('2020-01', 'pdu-01', 30, 31)").run();
}

describe('RetentionJob.runOnce', () => {
  it('deletes exactly the rows past each cut-off and keeps rollups, energy and ongoing outages', async () => {
    const { db, handle: h, clock } = open();
    const rawCut = NOW_S - 60 * DAY;
    const histCut = NOW_S - 730 * DAY;
    seedSmallTables(db, NOW_S - 65 * DAY, NOW_S - 30 * DAY);
    const dev1 = h.catalog.findDev('pdu-01')!.id;
    const layout = (db.prepare('SELECT id FROM hist_layout LIMIT 1').get() as { id: number }).id;
    const tail = db.prepare('INSERT INTO raw_tail (dev, ts, layout, vals) VALUES (?, ?, ?, ?)');
    for (const ts of [rawCut - 5, rawCut - 1, rawCut, NOW_S - 10]) tail.run(dev1, ts, layout, Buffer.alloc(0));

    const chunks = db.prepare('SELECT id, t1 FROM raw_chunk').all() as Array<{ id: number; t1: number }>;
    const tails = db.prepare('SELECT id, ts FROM raw_tail').all() as Array<{ id: number; ts: number }>;
    const rollups = ids(db, 'SELECT id FROM rollup');
    const events = db.prepare('SELECT id, ts FROM events').all() as Array<{ id: number; ts: number }>;
    const checks = db.prepare('SELECT id, checked_at FROM power_checks').all() as Array<{ id: number; checked_at: number }>;
    const outages = ids(db, 'SELECT id FROM outages');
    expect(chunks.some((c) => c.t1 <= rawCut)).toBe(true);
    expect(chunks.some((c) => c.t1 > rawCut && c.t1 - 3600 < rawCut)).toBe(true); // the block straddling the cut

    const r = await run(job(h, clock), clock);
    expect(r.error).toBeNull();
    expect(r.cutoffs).toEqual({ raw: rawCut, history: histCut, checks: NOW_S - 30 * DAY });
    const keptChunks = chunks.filter((c) => c.t1 > rawCut).map((c) => c.id).sort((a, b) => a - b);
    expect(ids(db, 'SELECT id FROM raw_chunk')).toEqual(keptChunks);
    expect(ids(db, 'SELECT id FROM raw_tail')).toEqual(tails.filter((t) => t.ts >= rawCut).map((t) => t.id).sort((a, b) => a - b));
    expect(ids(db, 'SELECT id FROM rollup')).toEqual(rollups); // retention_days 730: every rollup stays
    expect(ids(db, 'SELECT id FROM events')).toEqual(events.map((e) => e.id).sort((a, b) => a - b)); // all within 730 days
    expect(ids(db, 'SELECT id FROM outages')).toEqual(outages);
    const checkCut = NOW_S - 30 * DAY;
    expect(ids(db, 'SELECT id FROM power_checks')).toEqual(checks.filter((c) => c.checked_at >= checkCut).map((c) => c.id).sort((a, b) => a - b));
    expect(r.deleted).toEqual({
      raw_tail: 2, raw_chunk: chunks.length - keptChunks.length, rollup: 0, events: 0, outages: 0, power_checks: 500,
    });
    expect(count(db, 'energy_daily')).toBe(2);
    expect(count(db, 'energy_monthly')).toBe(1);

    // What remains of the raw series starts with the first kept hour block, whole.
    const raw = readRaw(db, h.catalog, dev1, START_S, START_S + DAYS * DAY);
    expect(raw.ts[0]).toBe(START_S + 10 * DAY);
    expect(raw.ts.length).toBe((DAYS - 10) * 60);
    expect(kvGet(db, 'retention.last_run_at')).toBe(NOW_S);
  });

  it('cuts rollups, events and closed outages at retention_days', async () => {
    const { db, handle: h, clock } = open();
    const histCut = NOW_S - 65 * DAY;
    seedSmallTables(db, histCut, NOW_S - 30 * DAY);
    const rollups = db.prepare('SELECT id, size, t1 FROM rollup').all() as Array<{ id: number; size: number; t1: number }>;
    const events = db.prepare('SELECT id, ts FROM events').all() as Array<{ id: number; ts: number }>;
    const outages = db.prepare('SELECT id, ended_at, is_ongoing FROM outages').all() as Array<{ id: number; ended_at: number | null; is_ongoing: number }>;
    const sortNum = (a: number, b: number): number => a - b;

    const r = await run(job(h, clock, { retentionDays: 65 }), clock);
    const keptRollups = rollups.filter((x) => x.t1 > histCut);
    expect(ids(db, 'SELECT id FROM rollup')).toEqual(keptRollups.map((x) => x.id).sort(sortNum));
    // Every level lost its oldest rows and kept the newer ones.
    for (const size of [60, 900, 3600, 86_400]) expect(keptRollups.filter((x) => x.size === size).length).toBeGreaterThan(0);
    expect(r.deleted.rollup).toBe(rollups.length - keptRollups.length);
    expect(r.deleted.rollup).toBeGreaterThan(2 * 5 * 2); // ≥ 5 days of 1-min and 15-min rows, two PDUs
    expect(ids(db, 'SELECT id FROM events')).toEqual(events.filter((e) => e.ts >= histCut).map((e) => e.id).sort(sortNum));
    expect(r.deleted.events).toBe(2);
    const keptOutages = outages.filter((o) => o.is_ongoing === 1 || (o.ended_at as number) >= histCut);
    expect(ids(db, 'SELECT id FROM outages')).toEqual(keptOutages.map((o) => o.id).sort(sortNum));
    expect(r.deleted.outages).toBe(1);
    expect(count(db, 'energy_daily') + count(db, 'energy_monthly')).toBe(3);
  });

  it('is idempotent: a second run deletes nothing and does not optimize again the same day', async () => {
    const { db, handle: h, clock } = open();
    seedSmallTables(db, NOW_S - 65 * DAY, NOW_S - 30 * DAY);
    const j = job(h, clock, { retentionDays: 65 });
    const first = await run(j, clock);
    expect(first.optimized).toBe(true);
    const before = ids(db, 'SELECT id FROM raw_chunk UNION ALL SELECT id FROM rollup');
    const second = await run(j, clock);
    expect(second.error).toBeNull();
    expect(Object.values(second.deleted).every((n) => n === 0)).toBe(true);
    expect(second.optimized).toBe(false);
    expect(second.vacuumedPages).toBe(0);
    expect(ids(db, 'SELECT id FROM raw_chunk UNION ALL SELECT id FROM rollup')).toEqual(before);
    await clock.advance(DAY * 1000);
    expect((await run(j, clock)).optimized).toBe(true);
  });

  it('deletes a large backlog in many small steps (row limit forced to 3)', async () => {
    const { db, handle: h, clock } = open();
    seedSmallTables(db, NOW_S - 65 * DAY, NOW_S - 30 * DAY);
    const r = await run(job(h, clock, { maxBatchRows: 3 }), clock);
    expect(r.deleted.power_checks).toBe(500);
    expect(r.steps).toBeGreaterThanOrEqual(Math.ceil(500 / 3) + Math.ceil(r.deleted.raw_chunk / 3));
    expect(count(db, 'power_checks')).toBe(3);
    // Timed on the injected clock, which does not move within a step; the bound itself is for benchmarks.
    expect(r.maxStepMs).toBe(0);
    expect(r.maxStep).toMatch(/^delete (raw_tail|raw_chunk|rollup|events|outages|power_checks) LIMIT [1-3]$/);
  });

  it('gives freed pages back: at once when many are free, otherwise weekly', async () => {
    const { db, handle: h, clock } = open();
    const big = db.prepare("INSERT INTO events (ts, kind, type, data) VALUES (?, 'system', 'x', ?)");
    const addOld = (n: number): void => db.transaction(() => {
      for (let i = 0; i < n; i++) big.run(NOW_S - 800 * DAY, 'y'.repeat(2000));
    })();
    const j = job(h, clock, { vacuumPagesPerStep: 16, maxBatchRows: 100, vacuumMinFreePages: 500 });
    const free = (): number => db.pragma('freelist_count', { simple: true }) as number;
    addOld(2000);
    const pagesBefore = db.pragma('page_count', { simple: true }) as number;
    const r = await run(j, clock);
    expect(r.deleted.events).toBe(2000);
    expect(r.vacuumedPages).toBeGreaterThan(1000);
    expect(free()).toBe(0);
    expect(db.pragma('page_count', { simple: true }) as number).toBeLessThan(pagesBefore - 1000);
    expect(kvGet(db, 'retention.last_vacuum_at')).toBe(NOW_S);

    addOld(2000); // a large freelist does not wait for the week
    expect((await run(j, clock)).vacuumedPages).toBeGreaterThan(1000);
    addOld(20); // a small one does
    expect((await run(j, clock)).vacuumedPages).toBe(0);
    expect(free()).toBeGreaterThan(0);
    await clock.advance(7 * DAY * 1000);
    expect((await run(j, clock)).vacuumedPages).toBeGreaterThan(0);
    expect(free()).toBe(0);
  });
});

describe('RetentionJob scheduling', () => {
  it('runs ~60 s after start, then hourly, and stop() cancels the timer', async () => {
    const { db, handle: h, clock } = open();
    const j = job(h, clock);
    j.start();
    await clock.advance(59_000);
    expect(kvGet(db, 'retention.last_run_at')).toBeUndefined();
    await clock.advance(1_000);
    expect(kvGet(db, 'retention.last_run_at')).toBe(NOW_S + 60);
    await clock.advance(3_600_000);
    expect(kvGet(db, 'retention.last_run_at')).toBe(NOW_S + 3660);
    await j.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stop() ends a run at its next step; the next run finishes the work', async () => {
    const { db, handle: h, clock } = open();
    seedSmallTables(db, NOW_S - 65 * DAY, NOW_S - 30 * DAY);
    const j = job(h, clock, { maxBatchRows: 1 });
    const p = j.runOnce();
    const stopped = j.stop();
    await clock.advance(0);
    await stopped;
    const r = await p;
    expect(r.error).toMatch(/stopped/);
    expect(count(db, 'power_checks')).toBeGreaterThan(3);
    expect((await run(j, clock)).error).toBeNull();
    expect(count(db, 'power_checks')).toBe(3);
  });

  it('ends a run early without throwing when the database is busy', async () => {
    const { db, handle: h, clock } = open();
    seedSmallTables(db, NOW_S - 65 * DAY, NOW_S - 30 * DAY);
    const other = new DbHandle(h.path, 5);
    try {
      other.db.exec('BEGIN IMMEDIATE'); // another writer (e.g. a CLI command) holds the lock
      const r = await run(job(h, clock), clock);
      expect(r.error).toMatch(/locked|busy/i);
      other.db.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect((await run(job(h, clock), clock)).deleted.power_checks).toBe(500);
  });
});
