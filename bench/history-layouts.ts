import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CPS_MIB_PROFILE } from '../src/devices/pdu/profiles/cps-mib.js';
import { ByteReader, ByteWriter, decodeBlock, encodeBlock, type Column } from '../src/history/codec.js';
import { compileSeries } from '../src/history/series.js';
import { simulatedSamples } from './history-sim.js';

// Storage-layout comparison for the history store (SPEC §13.1): the same simulated PDU44001
// seconds go into one real SQLite file per layout, committed once per second like the real writer,
// and we measure what the 60-day / 60 MB budget depends on: file bytes per PDU-day, pages written
// per commit (WAL frames: write amplification on an SD card), and reading one series back.

export interface LayoutResult {
  /** a, b, c, d, e60, e300, e900, e3600; simulated hours; series per second; rows in the layout's table. */
  layout: string; description: string; hours: number; series: number; rows: number;
  /** File size after a TRUNCATE checkpoint; page_count × page_size (a cross-check); the file with empty tables (fixed cost). */
  fileBytes: number; pageBytes: number; emptyBytes: number;
  /** fileBytes × 24 / hours (what the issue asks to record). */
  bytesPerPduDay: number;
  /** (fileBytes − emptyBytes) × 24 / hours: growth per day, for short runs where the fixed pages weigh. */
  dataBytesPerPduDay: number;
  /** WAL frames per commit over up to 60 commits from mid-run (null: none then), and how many commits. */
  walPagesPerCommit: number | null; walCommitsSampled: number;
  /** Mean time per simulated second in this layout's encode + insert + commit (µs). */
  writeUsPerSecond: number;
  /** Query + decode of one series for one hour, median of 20 (ms); decode only (blob layouts), same. */
  readMs: number; decodeMs: number | null;
}

type Values = ReadonlyArray<number | null>;
type Db = Database.Database;
type Write = (() => void) | null;

/** `fetch` runs the query and keeps the rows; `decode` turns them into one value per second of [t0, t1). */
type Reader = { fetch(): void; decode(): Values };

interface Layout {
  /** `packed`: reading decodes blobs rather than copying rows. */
  id: string; description: string; table: string; packed: boolean;
  /** Buffer one second; return the writes due this second (committed as one transaction), or null. */
  push(ts: number, vals: Values): Write;
  /** End of run: what an open minute / chunk still holds. */
  flush(): Write;
  reader(sid: number, t0: number, t1: number): Reader;
}

const DEV = 1; // one PDU here, but the layouts keep the device key a real store needs

/** Place (timestamps, values) pieces into one array over [t0, t1); seconds without a value stay null. */
function spread(t0: number, t1: number, pieces: Array<[readonly number[], Values]>): Values {
  const out = new Array<number | null>(t1 - t0).fill(null);
  for (const [ts, vals] of pieces) ts.forEach((t, i) => { if (t >= t0 && t < t1) out[t - t0] = vals[i] ?? null; });
  return out;
}

/** Reads the rows of `sql` (with `args`) over [t0, t1); `piece` unpacks one row into timestamps and values. */
function rowReader<R>(db: Db, sql: string, args: unknown[], t0: number, t1: number, piece: (r: R) => [readonly number[], Values]): Reader {
  const stmt = db.prepare(sql).raw();
  let rows: R[] = [];
  return { fetch: () => void (rows = stmt.all(...args) as R[]), decode: () => spread(t0, t1, rows.map(piece)) };
}

/** Plain integer rows, written every second; `read(sid)` selects (ts, value) of one series for (t0, t1). */
function plainRows(db: Db, l: Pick<Layout, 'id' | 'description' | 'table'>, ddl: string, insertSql: string,
  args: (ts: number, vals: Values) => unknown[][], read: (sid: number) => string): Layout {
  db.exec(ddl);
  const ins = db.prepare(insertSql);
  return {
    ...l, packed: false, flush: () => null,
    push: (ts, vals) => () => args(ts, vals).forEach((a) => ins.run(...a)),
    reader: (sid, t0, t1) => rowReader<[number, number | null]>(db, read(sid), [t0, t1], t0, t1, (r) => [[r[0]], [r[1]]]),
  };
}

function rowPerValue(db: Db, id: 'a' | 'b'): Layout {
  const description = id === 'a' ? 'row per value, PK (series_id, ts) WITHOUT ROWID' : 'row per value, rowid (append order) + index (series_id, ts)';
  return plainRows(db, { id, description, table: 'v' },
    id === 'a'
      ? 'CREATE TABLE v (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value INTEGER, PRIMARY KEY (series_id, ts)) WITHOUT ROWID'
      : 'CREATE TABLE v (ts INTEGER NOT NULL, series_id INTEGER NOT NULL, value INTEGER); CREATE INDEX v_series_ts ON v (series_id, ts)',
    'INSERT INTO v (series_id, ts, value) VALUES (?, ?, ?)', (ts, vals) => vals.map((v, i) => [i + 1, ts, v]),
    (sid) => `SELECT ts, value FROM v WHERE series_id = ${sid} AND ts >= ? AND ts < ? ORDER BY ts`);
}

function wide(db: Db, n: number): Layout {
  const cols = Array.from({ length: n }, (_, i) => `s${i + 1}`);
  return plainRows(db, { id: 'c', description: `row per device-second, ${n} INTEGER columns + index (dev, ts)`, table: 'w' },
    `CREATE TABLE w (id INTEGER PRIMARY KEY, dev INTEGER NOT NULL, ts INTEGER NOT NULL, ${cols.map((c) => `${c} INTEGER`).join(', ')});
     CREATE UNIQUE INDEX w_dev_ts ON w (dev, ts);`,
    `INSERT INTO w (dev, ts, ${cols.join(', ')}) VALUES (?, ?, ${cols.map(() => '?').join(', ')})`, (ts, vals) => [[DEV, ts, ...vals]],
    (sid) => `SELECT ts, s${sid} FROM w WHERE dev = ${DEV} AND ts >= ? AND ts < ? ORDER BY ts`);
}

/** Minute rows: count, null positions, zigzag deltas; deflated (as the codec: level 9) behind a flag byte when smaller. */
function encodeMinute(vals: Values): Uint8Array {
  const w = new ByteWriter();
  const nulls = vals.flatMap((v, i) => (v === null ? [i] : []));
  for (const x of [vals.length, nulls.length, ...nulls]) w.uvarint(x);
  let prev = 0;
  for (const v of vals) if (v !== null) (w.svarint(v - prev), (prev = v));
  const plain = w.result();
  const packed = deflateRawSync(plain, { level: 9, memLevel: 9 });
  return packed.length < plain.length ? Buffer.concat([Buffer.of(1), packed]) : Buffer.concat([Buffer.of(0), plain]);
}

function decodeMinute(buf: Uint8Array): Array<number | null> {
  const r = new ByteReader(buf[0] === 1 ? new Uint8Array(inflateRawSync(buf.subarray(1))) : buf.subarray(1));
  const out = new Array<number | null>(r.uvarint()).fill(0);
  for (let j = r.uvarint(); j > 0; j--) out[r.uvarint()] = null;
  let prev = 0;
  for (let i = 0; i < out.length; i++) if (out[i] !== null) out[i] = prev += r.svarint();
  return out;
}

type ChunkWrite = (t0: number, ts: number[], cols: Array<Array<number | null>>) => void;

/** Buffers chunks of `size` seconds (aligned to ts % size) and hands each over when it closes. */
function chunker(size: number, n: number, write: ChunkWrite): Pick<Layout, 'push' | 'flush'> {
  let t0 = 0;
  let ts: number[] = [];
  let cols: Array<Array<number | null>> = [];
  const flush = (): Write => {
    const [a, b, c] = [t0, ts, cols];
    ts = [];
    return b.length === 0 ? null : () => write(a, b, c);
  };
  const push = (t: number, vals: Values): Write => {
    if (ts.length === 0) [t0, cols] = [t - (t % size), Array.from({ length: n }, () => [])];
    ts.push(t);
    vals.forEach((v, i) => (cols[i] as Array<number | null>).push(v));
    return (t + 1) % size === 0 ? flush() : null;
  };
  return { push, flush };
}

function perMinute(db: Db, n: number): Layout {
  db.exec(`CREATE TABLE m (id INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, t0 INTEGER NOT NULL, data BLOB NOT NULL);
           CREATE UNIQUE INDEX m_series_t0 ON m (series_id, t0);`);
  const ins = db.prepare('INSERT INTO m (series_id, t0, data) VALUES (?, ?, ?)');
  const secs = (s: number): number[] => Array.from({ length: 60 }, (_, i) => s + i);
  // Values sit at their second within the minute, so a missed poll is a null, not a shift.
  const write: ChunkWrite = (t0, ts, cols) => cols.forEach((c, i) => ins.run(i + 1, t0, encodeMinute(spread(t0, t0 + 60, [[ts, c]]))));
  return {
    id: 'd', table: 'm', packed: true, description: 'row per series-minute: 60 zigzag-delta varints, deflated', ...chunker(60, n, write),
    reader: (sid, t0, t1) => rowReader<[number, Uint8Array]>(db, 'SELECT t0, data FROM m WHERE series_id = ? AND t0 > ? AND t0 < ? ORDER BY t0',
      [sid, t0 - 60, t1], t0, t1, ([s, d]) => [secs(s), decodeMinute(d)]),
  };
}

function codecBlocks(db: Db, n: number, size: number): Layout {
  // The store's own raw_chunk table (src/history/migrations.ts, version 1).
  db.exec(`CREATE TABLE raw_chunk (id INTEGER PRIMARY KEY, dev INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL,
             k INTEGER NOT NULL, data BLOB NOT NULL);
           CREATE UNIQUE INDEX raw_chunk_dev_t0 ON raw_chunk (dev, t0);`);
  const ins = db.prepare('INSERT INTO raw_chunk (dev, t0, t1, k, data) VALUES (?, ?, ?, ?, ?)');
  const write: ChunkWrite = (t0, ts, cols) =>
    void ins.run(DEV, t0, ts[ts.length - 1] as number, ts.length, encodeBlock(ts, new Map<number, readonly Column[]>(cols.map((c, i) => [i + 1, [c]])), 1));
  return {
    id: `e${size}`, table: 'raw_chunk', packed: true, description: `codec.ts encodeBlock: one block per device per ${size} s`, ...chunker(size, n, write),
    reader: (sid, t0, t1) => {
      const only = new Set([sid]);
      return rowReader<[Uint8Array]>(db, 'SELECT data FROM raw_chunk WHERE dev = ? AND t0 > ? AND t0 < ? ORDER BY t0',
        [DEV, t0 - size, t1], t0, t1, ([b]) => {
          const blk = decodeBlock(b, only);
          return [blk.ts, blk.series.get(sid)?.[0] ?? []];
        });
    },
  };
}

/** Median of `runs` timings, after one untimed run (statement compilation, page cache). */
function timeIt(runs: number, f: () => void): number {
  f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

/** A layout's open database and what is measured while writing. */
interface Open {
  layout: Layout; db: Db; file: string; emptyBytes: number; tx: (w: () => void) => void;
  writeMs: number; sampling: boolean; commits: number; walPages: number | null;
}

const SAMPLE_COMMITS = 60;
const pragma = (db: Db, p: string): number => db.pragma(p, { simple: true }) as number;
const pageBytes = (db: Db): number => pragma(db, 'page_count') * pragma(db, 'page_size');

/** From here the WAL holds exactly the sampled commits' frames: truncated now, no auto-checkpoint until stopSampling. */
function startSampling(o: Open): void {
  o.db.pragma('wal_checkpoint(TRUNCATE)');
  o.db.pragma('wal_autocheckpoint = 0');
  o.sampling = true;
}

/** Pages the commits since the last TRUNCATE checkpoint wrote: (WAL size − 32-byte header) / (24 + page). */
function stopSampling(o: Open): void {
  const size = statSync(`${o.file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  o.walPages = o.commits > 0 ? Math.max(0, size - 32) / (pragma(o.db, 'page_size') + 24) / o.commits : null;
  o.sampling = false;
  o.db.pragma('wal_autocheckpoint = 1000');
}

function commit(o: Open, w: Write): void {
  if (!w) return;
  const t = performance.now();
  o.tx(w);
  o.writeMs += performance.now() - t;
  if (o.sampling && ++o.commits === SAMPLE_COMMITS) stopSampling(o);
}

function openLayout(file: string, make: (db: Db) => Layout): Open {
  const db = new Database(file);
  // As src/history/db.ts opens the store: auto_vacuum before the first table, WAL, synchronous=NORMAL.
  for (const p of ['auto_vacuum = INCREMENTAL', 'journal_mode = WAL', 'synchronous = NORMAL']) db.pragma(p);
  const layout = make(db);
  return { layout, db, file, emptyBytes: pageBytes(db), tx: db.transaction((w: () => void) => w()), writeMs: 0, sampling: false, commits: 0, walPages: null };
}

/** Write `hours` of one simulated PDU44001 into every layout under `dir` and measure each. */
export async function runHistoryLayoutBench(opts: { hours: number; dir: string }): Promise<LayoutResult[]> {
  mkdirSync(opts.dir, { recursive: true });
  const seconds = Math.round(opts.hours * 3600);
  if (seconds < 60) throw new Error('history-layouts: run at least one minute');
  // Midnight UTC, so minute and chunk boundaries fall as in a day of service.
  const startS = 1_700_000_000 - (1_700_000_000 % 86_400);
  const samples = simulatedSamples({ startS, seconds });
  const first = samples.next();
  if (first.done) throw new Error('history-layouts: no samples');
  const slots = compileSeries(first.value, CPS_MIB_PROFILE);
  const n = slots.length;
  const makers: Array<(db: Db) => Layout> = [
    (db) => rowPerValue(db, 'a'), (db) => rowPerValue(db, 'b'), (db) => wide(db, n), (db) => perMinute(db, n),
    ...[60, 300, 900, 3600].map((size) => (db: Db) => codecBlocks(db, n, size)),
  ];
  const open = makers.map((make, i) => openLayout(join(opts.dir, `layout-${i}.sqlite`), make));

  // The series read back: bank 1 power (noisy, the kind a chart asks for), first hour of the run.
  const sid = Math.max(0, slots.findIndex((s) => s.name === 'bank_power' && s.n === 1)) + 1;
  const [r0, r1] = [startS, startS + Math.min(3600, seconds)];
  const expected: Array<number | null> = [];
  // WAL sampling starts mid-run on a minute boundary, when the B-trees are no longer tiny.
  const sampleAt = startS + Math.floor(seconds / 120) * 60;
  let snap = first.value;
  for (let ts = startS; ; ts++) {
    const vals = slots.map((s) => s.read(snap));
    if (ts < r1) expected.push(vals[sid - 1] ?? null);
    if (ts === sampleAt) open.forEach(startSampling);
    for (const o of open) commit(o, o.layout.push(ts, vals));
    const next = samples.next();
    if (next.done) break;
    snap = next.value;
  }
  return open.map((o) => measure(o, { hours: opts.hours, seconds, series: n, sid, r0, r1, expected }));
}

function measure(o: Open, run: { hours: number; seconds: number; series: number; sid: number; r0: number; r1: number; expected: Values }): LayoutResult {
  const { db, layout } = o;
  commit(o, layout.flush());
  if (o.sampling) stopSampling(o);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const fileBytes = statSync(o.file).size;
  // Reading back what was written also proves the layout lossless, or its numbers would mean nothing.
  const reader = layout.reader(run.sid, run.r0, run.r1);
  const readMs = timeIt(20, () => (reader.fetch(), reader.decode()));
  reader.fetch();
  const got = reader.decode();
  const bad = got.findIndex((v, i) => v !== run.expected[i]);
  if (got.length !== run.expected.length || bad >= 0) throw new Error(`history-layouts: ${layout.id} read ${got[bad]} at second ${bad}, wrote ${run.expected[bad]}`);
  const result: LayoutResult = {
    layout: layout.id, description: layout.description, hours: run.hours, series: run.series,
    rows: db.prepare(`SELECT count(*) FROM ${layout.table}`).pluck().get() as number,
    fileBytes, pageBytes: pageBytes(db), emptyBytes: o.emptyBytes, bytesPerPduDay: Math.round((fileBytes * 24) / run.hours),
    dataBytesPerPduDay: Math.round(((fileBytes - o.emptyBytes) * 24) / run.hours), walPagesPerCommit: o.walPages, walCommitsSampled: o.commits,
    writeUsPerSecond: (o.writeMs * 1000) / run.seconds, readMs, decodeMs: layout.packed ? timeIt(20, () => void reader.decode()) : null,
  };
  db.close();
  return result;
}

/** Markdown table of a run, one row per layout. */
export function formatLayoutTable(results: readonly LayoutResult[]): string {
  const head = '| Layout | Rows | File KiB (empty) | Bytes / PDU-day | MB / PDU-day, data only | 60 days MB | WAL pages / commit (n) | Write µs / s | ' +
    'Read 1 series × 1 h ms | Decode only ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map((r) => [
    `${r.layout}: ${r.description}`, r.rows, `${(r.fileBytes / 1024).toFixed(1)} (${(r.emptyBytes / 1024).toFixed(1)})`, r.bytesPerPduDay.toLocaleString('en-US'),
    (r.dataBytesPerPduDay / 1e6).toFixed(2), ((r.bytesPerPduDay * 60) / 1e6).toFixed(1),
    r.walPagesPerCommit === null ? '–' : `${r.walPagesPerCommit.toFixed(1)} (${r.walCommitsSampled})`,
    r.writeUsPerSecond.toFixed(0), r.readMs.toFixed(2), r.decodeMs === null ? '–' : r.decodeMs.toFixed(2),
  ].join(' | '));
  return [head, ...rows.map((r) => `| ${r} |`)].join('\n');
}
