import type { SeriesCatalog } from './catalog.js';
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

/** Fold 1-minute buckets into the stored rows of every rollup level. */
export function foldIntoRollups(db: Db, dev: number, minute: Buckets): void {
  const select = stmt(db, 'SELECT data FROM rollup WHERE dev = ? AND size = ? AND t0 = ?');
  const upsert = stmt(db, 
    'INSERT INTO rollup (dev, size, t0, t1, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dev, size, t0) DO UPDATE SET t1 = excluded.t1, data = excluded.data',
  );
  for (const level of ROLLUP_LEVELS) {
    const byRow = new Map<number, Buckets>();
    for (const [t, row] of minute) {
      const r0 = Math.floor(t / level.span) * level.span;
      let part = byRow.get(r0);
      if (!part) byRow.set(r0, (part = new Map()));
      part.set(t, row);
    }
    for (const [r0, part] of byRow) {
      const existing = select.get(dev, level.size, r0) as { data: Uint8Array } | undefined;
      const buckets: Buckets = existing ? decodeRollups(existing.data) : new Map();
      foldBuckets(buckets, part, level.size);
      const last = Math.max(...buckets.keys());
      upsert.run(dev, level.size, r0, last + level.size, encodeRollups(buckets));
    }
  }
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
  foldIntoRollups(db, dev, bucketsFromRaw(raw, ROLLUP_LEVELS[0]?.size ?? 60, integrationInfo(catalog, dev, before)));
  return lastOf(raw);
}
