import type { SeriesCatalog } from './catalog.js';
import { countParts } from './codec.js';
import { stmt, type Db } from './db.js';
import { BLOCK_S, CHUNK_S, readRaw, readTail, writeChunk, type MutableRaw } from './raw.js';
import { ROLLUP_LEVELS, bucketsFromRaw, decodeRollups, encodeRollups, foldBuckets, type Buckets, type IntegrationInfo } from './rollup.js';

// Closing a raw chunk (SPEC §13.2): the chunk's tail rows become one compact block, are deleted,
// and their 1-minute buckets are folded into every rollup level, all in the caller's transaction,
// so rollups always describe exactly the closed chunks (no double counting after a crash).

export interface LastSample {
  ts: number;
  values: Map<number, number | null>;
}

function lastOf(raw: MutableRaw): LastSample | null {
  const i = raw.ts.length - 1;
  if (i < 0) return null;
  const values = new Map<number, number | null>();
  for (const [id, col] of raw.series) values.set(id, col[i] ?? null);
  return { ts: raw.ts[i] as number, values };
}

/** The last sample before t0 (from the previous chunk), for the first energy interval. */
export function sampleBefore(db: Db, catalog: SeriesCatalog, dev: number, t0: number): LastSample | null {
  return lastOf(readRaw(db, catalog, dev, t0 - BLOCK_S, t0));
}

function integrationInfo(catalog: SeriesCatalog, dev: number, prev: LastSample | null): IntegrationInfo {
  const series = catalog.seriesOf(dev);
  return {
    power: new Map(series.filter((s) => s.power).map((s) => [s.id, s.scale])),
    sourceId: series.find((s) => s.name === 'active_source')?.id ?? null,
    maxGapS: 3 * catalog.pollIntervalOf(dev),
    prev,
  };
}

/**
 * A rollup row that a compaction leaves with this many appended parts is merged back into one
 * deflated block (at most one row per compaction, so merges do not pile up in one commit; not in
 * the compaction of an hour's last quarter, which re-encodes the fullest hour block).
 */
export const MAX_ROLLUP_PARTS = 8;

interface StoredRow {
  size: number;
  t0: number;
  data: Uint8Array;
  /** No compaction appends to it any more (the row before the current one of its level). */
  complete: boolean;
}

/**
 * Fold 1-minute buckets into the stored rows of every rollup level. On the levels of large rows
 * (`appendParts`) the chunk's buckets are appended to the row as a small undeflated part instead
 * of decoding and re-encoding the whole row (a week row holds up to 168 buckets of every series);
 * decodeRollups folds the parts. Such a row is merged back into one deflated block once it is
 * complete or has MAX_ROLLUP_PARTS parts.
 */
export function foldIntoRollups(db: Db, dev: number, minute: Buckets, opts: { mergeOpenRows?: boolean } = {}): void {
  const select = stmt(db, 'SELECT data, t1 FROM rollup WHERE dev = ? AND size = ? AND t0 = ?');
  const upsert = stmt(db, 
    'INSERT INTO rollup (dev, size, t0, t1, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dev, size, t0) DO UPDATE SET t1 = excluded.t1, data = excluded.data',
  );
  const touched: StoredRow[] = [];
  for (const level of ROLLUP_LEVELS) {
    const byRow = new Map<number, Buckets>();
    for (const [t, row] of minute) {
      const r0 = Math.floor(t / level.span) * level.span;
      let part = byRow.get(r0);
      if (!part) byRow.set(r0, (part = new Map()));
      part.set(t, row);
    }
    let latest = -Infinity;
    for (const [r0, part] of byRow) {
      latest = Math.max(latest, r0);
      const buckets: Buckets = new Map();
      foldBuckets(buckets, part, level.size);
      const starts = [...buckets.keys()];
      const existing = select.get(dev, level.size, r0) as { data: Uint8Array; t1: number } | undefined;
      let data: Uint8Array;
      // A row's first part is deflated like a merged one: a row that never gets a second part stays as written.
      if (!existing) data = encodeRollups(buckets);
      else if (level.appendParts && Math.min(...starts) >= existing.t1 - level.size) data = Buffer.concat([existing.data, encodeRollups(buckets, { deflate: false })]);
      else {
        // Rewritten: a level of small rows, or older buckets than the row's last (the wall clock stepped back).
        const all = decodeRollups(existing.data);
        foldBuckets(all, buckets, level.size);
        data = encodeRollups(all);
      }
      upsert.run(dev, level.size, r0, Math.max(existing?.t1 ?? 0, Math.max(...starts) + level.size), data);
      touched.push({ size: level.size, t0: r0, data, complete: false });
    }
    const before = select.get(dev, level.size, latest - level.span) as { data: Uint8Array } | undefined;
    if (before) touched.push({ size: level.size, t0: latest - level.span, data: before.data, complete: true });
  }
  mergeOneRow(db, dev, touched, opts.mergeOpenRows ?? true);
}

/** Merge the row that needs it most: a complete row of several parts first, else the one with the most parts. */
function mergeOneRow(db: Db, dev: number, rows: readonly StoredRow[], mergeOpenRows: boolean): void {
  let pick: { row: StoredRow; score: number } | null = null;
  for (const row of rows) {
    const parts = countParts(row.data);
    if (parts < 2 || (!row.complete && (!mergeOpenRows || parts < MAX_ROLLUP_PARTS))) continue;
    const score = parts + (row.complete ? 1e6 : 0);
    if (!pick || score > pick.score) pick = { row, score };
  }
  if (!pick) return;
  const { size, t0, data } = pick.row;
  stmt(db, 'UPDATE rollup SET data = ? WHERE dev = ? AND size = ? AND t0 = ?').run(encodeRollups(decodeRollups(data)), dev, size, t0);
}

/**
 * Compact the tail rows of [t0, t0 + CHUNK_S) of one device. Returns the chunk's last sample (the
 * next chunk's energy starts from it) or null when there was nothing to close.
 */
export function closeChunk(db: Db, catalog: SeriesCatalog, dev: number, t0: number, prev: LastSample | null): LastSample | null {
  const raw = readTail(db, catalog, dev, t0, t0 + CHUNK_S);
  stmt(db, 'DELETE FROM raw_tail WHERE dev = ? AND ts < ?').run(dev, t0 + CHUNK_S);
  if (raw.ts.length === 0) return prev;
  writeChunk(db, dev, raw);
  const before = prev && prev.ts < t0 ? prev : sampleBefore(db, catalog, dev, t0);
  const lastQuarter = (raw.ts[0] as number) % BLOCK_S >= BLOCK_S - CHUNK_S;
  foldIntoRollups(db, dev, bucketsFromRaw(raw, ROLLUP_LEVELS[0]?.size ?? 60, integrationInfo(catalog, dev, before)), { mergeOpenRows: !lastQuarter });
  return lastOf(raw);
}
