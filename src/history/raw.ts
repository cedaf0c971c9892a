import type { SeriesCatalog } from './catalog.js';
import { decodeBlock, encodeBlock } from './codec.js';
import { stmt, type Db } from './db.js';
import type { RawColumns } from './rollup.js';
import { decodeTail } from './tail.js';

// Reading raw 1 Hz data: closed chunks (compact blocks) and the open chunk's tail rows, as
// columns over one timestamp axis. Shared by the chunk compactor and the queries.

/**
 * Tail rows are compacted every CHUNK_S seconds (bounds what a query of recent data reads row by
 * row), into stored blocks of BLOCK_S seconds (one hour compresses ~10 % better than 15 min and
 * 3× better than 1 min: docs/PERFORMANCE.md). A block is rewritten when a chunk is appended.
 */
export const CHUNK_S = 900;
export const BLOCK_S = 3600;

export interface MutableRaw {
  ts: number[];
  series: Map<number, Array<number | null>>;
}

export function emptyRaw(): MutableRaw {
  return { ts: [], series: new Map() };
}

/** Append columns (later in time than what `into` holds) to `into`. */
export function appendRaw(into: MutableRaw, part: RawColumns): void {
  const before = into.ts.length;
  for (const t of part.ts) into.ts.push(t);
  for (const [id, col] of part.series) {
    let dst = into.series.get(id);
    if (!dst) into.series.set(id, (dst = new Array<number | null>(before).fill(null)));
    for (const v of col) dst.push(v);
  }
  for (const dst of into.series.values()) while (dst.length < into.ts.length) dst.push(null);
}

/** Tail rows of a device with from ≤ ts < to, as columns. */
export function readTail(db: Db, catalog: SeriesCatalog, dev: number, from: number, to: number, only?: ReadonlySet<number>): MutableRaw {
  const rows = stmt(db, 'SELECT ts, layout, vals FROM raw_tail WHERE dev = ? AND ts >= ? AND ts < ? ORDER BY ts, id').all(dev, from, to) as Array<{
    ts: number; layout: number; vals: Uint8Array;
  }>;
  const out = emptyRaw();
  let lastTs = -Infinity;
  for (const r of rows) {
    if (r.ts === lastTs) continue; // one sample per second (a restart may have written the same second twice)
    lastTs = r.ts;
    const ids = catalog.layoutSeries(r.layout);
    const vals = decodeTail(r.vals, ids.length);
    const i = out.ts.length;
    out.ts.push(r.ts);
    ids.forEach((id, j) => {
      if (only && !only.has(id)) return;
      let col = out.series.get(id);
      if (!col) out.series.set(id, (col = new Array<number | null>(i).fill(null)));
      while (col.length < i) col.push(null);
      col.push(vals[j] ?? null);
    });
  }
  for (const col of out.series.values()) while (col.length < out.ts.length) col.push(null);
  return out;
}

/** Visit raw data of [from, to) block by block (no copies): columns and the index range inside. */
export type RawVisitor = (ts: readonly number[], lo: number, hi: number, series: ReadonlyMap<number, ReadonlyArray<number | null>>) => void;

export function visitRaw(db: Db, catalog: SeriesCatalog, dev: number, from: number, to: number, only: ReadonlySet<number> | undefined, visit: RawVisitor): void {
  const rows = stmt(db, 'SELECT data FROM raw_chunk WHERE dev = ? AND t0 >= ? AND t0 < ? ORDER BY t0')
    .all(dev, Math.floor(from / BLOCK_S) * BLOCK_S, to) as Array<{ data: Uint8Array }>;
  let next = from;
  for (const r of rows) {
    const b = decodeBlock(r.data, only);
    const lo = lowerBound(b.ts, from);
    const hi = lowerBound(b.ts, to);
    if (hi > lo) {
      visit(b.ts, lo, hi, new Map([...b.series].map(([id, cols]) => [id, cols[0] as Array<number | null>])));
      next = Math.max(next, (b.ts[hi - 1] as number) + 1);
    }
  }
  const tail = readTail(db, catalog, dev, next, to, only);
  if (tail.ts.length > 0) visit(tail.ts, 0, tail.ts.length, tail.series);
}

/** Everything raw for [from, to) as one set of columns (copies; queries use visitRaw). */
export function readRaw(db: Db, catalog: SeriesCatalog, dev: number, from: number, to: number, only?: ReadonlySet<number>): MutableRaw {
  const out = emptyRaw();
  visitRaw(db, catalog, dev, from, to, only, (ts, lo, hi, series) => {
    appendRaw(out, { ts: ts.slice(lo, hi), series: new Map([...series].map(([id, col]) => [id, col.slice(lo, hi)])) });
  });
  return out;
}

export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Append a closed chunk to its hour block (merging by time only if the clock stepped back). */
export function writeChunk(db: Db, dev: number, raw: MutableRaw): void {
  const t0 = Math.floor((raw.ts[0] as number) / BLOCK_S) * BLOCK_S;
  const existing = stmt(db, 'SELECT data FROM raw_chunk WHERE dev = ? AND t0 = ?').get(dev, t0) as { data: Uint8Array } | undefined;
  let data = raw;
  if (existing) {
    const old = decodeExisting(existing.data);
    const oldLast = old.ts[old.ts.length - 1] ?? -Infinity;
    if (oldLast < (raw.ts[0] as number)) {
      appendRaw(old, raw);
      data = old;
    } else data = mergeByTs(old, raw);
  }
  const blob = encodeBlock(data.ts, new Map([...data.series].map(([id, col]) => [id, [col]])), 1);
  const t1 = (data.ts[data.ts.length - 1] as number) + 1;
  stmt(db, 
    'INSERT INTO raw_chunk (dev, t0, t1, k, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dev, t0) DO UPDATE SET t1 = excluded.t1, k = excluded.k, data = excluded.data',
  ).run(dev, t0, t1, data.ts.length, blob);
}

function decodeExisting(buf: Uint8Array): MutableRaw {
  const b = decodeBlock(buf);
  const series = new Map<number, Array<number | null>>();
  for (const [id, cols] of b.series) series.set(id, cols[0] as Array<number | null>);
  return { ts: b.ts, series };
}

function mergeByTs(a: MutableRaw, b: MutableRaw): MutableRaw {
  const rows = new Map<number, Map<number, number | null>>();
  for (const src of [a, b]) {
    src.ts.forEach((t, i) => {
      const row = rows.get(t) ?? new Map<number, number | null>();
      for (const [id, col] of src.series) row.set(id, col[i] ?? null);
      rows.set(t, row);
    });
  }
  const out = emptyRaw();
  for (const t of [...rows.keys()].sort((x, y) => x - y)) {
    const row = rows.get(t) as Map<number, number | null>;
    appendRaw(out, { ts: [t], series: new Map([...row].map(([id, v]) => [id, [v]])) });
  }
  return out;
}
