import { P2mError } from '../core/errors.js';
import type { SeriesCatalog, SeriesRow } from './catalog.js';
import { stmt, type Db } from './db.js';
import { decodeBlock } from './codec.js';
import { ROLLUP_LEVELS } from './rollup.js';
import { levelFor, type Window } from './range.js';
import { visitRaw } from './raw.js';

// Downsampled range queries (SPEC §13.4). Buckets below one minute come from raw samples; larger
// ones from the largest rollup level whose size divides the bucket, weighted by n, and the part
// not yet compacted (the open chunk's tail rows) from raw. Empty buckets are left out, so a gap
// stays a gap. Every bucket is whole: the first may begin before `start`.

export interface Point {
  /** Bucket start, epoch seconds. */
  t: number;
  avg: number;
  min: number;
  max: number;
  last: number;
  n: number;
}

export interface SeriesResult {
  name: string;
  n: number;
  points: Point[];
}

/**
 * A bucket while it is built, in stored integers: `avg` holds the sum until toPoints turns the
 * same object into the Point it returns (one allocation per bucket: a 1 h bundle has ~100k).
 */
type Acc = Point;

/** Raw samples (sorted by time) into buckets: one pass, no maps (the 1 h bundle is ~240k values). */
function aggregateColumn(ts: readonly number[], col: ReadonlyArray<number | null>, lo: number, hi: number, bucket: number, out: Acc[]): void {
  let cur: Acc | null = out[out.length - 1] ?? null;
  for (let i = lo; i < hi; i++) {
    const v = col[i];
    if (v === null || v === undefined) continue;
    const t = bucket === 1 ? (ts[i] as number) : Math.floor((ts[i] as number) / bucket) * bucket;
    if (cur && cur.t === t) {
      if (v < cur.min) cur.min = v;
      if (v > cur.max) cur.max = v;
      cur.avg += v;
      cur.n++;
      cur.last = v;
    } else {
      cur = { t, avg: v, min: v, max: v, last: v, n: 1 };
      out.push(cur);
    }
  }
}

/** Fold one rollup bucket into the query bucket `t` (the list is in time order). */
function foldInto(list: Acc[], t: number, min: number, max: number, sum: number, n: number, last: number): void {
  const cur = list[list.length - 1];
  if (cur && cur.t === t) {
    if (min < cur.min) cur.min = min;
    if (max > cur.max) cur.max = max;
    cur.avg += sum;
    cur.n += n;
    cur.last = last;
  } else list.push({ t, avg: sum, min, max, last, n });
}

function fromRollups(db: Db, dev: number, level: number, w: Window, until: number, ids: ReadonlySet<number>): Map<number, Acc[]> {
  const span = (ROLLUP_LEVELS.find((l) => l.size === level) as { span: number }).span;
  const from = Math.floor(w.start / w.bucket) * w.bucket;
  const rows = stmt(db, 'SELECT data FROM rollup WHERE dev = ? AND size = ? AND t0 >= ? AND t0 < ? ORDER BY t0')
    .all(dev, level, Math.floor(from / span) * span, Math.min(w.end, until)) as Array<{ data: Uint8Array }>;
  const out = new Map<number, Acc[]>();
  // Straight from the block's columns (min, max, sum, n, last, …): no per-bucket objects.
  for (const r of rows) {
    const block = decodeBlock(r.data, ids);
    for (const [id, cols] of block.series) {
      const [min, max, sum, n, last] = cols as Array<Array<number | null>>;
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      for (let i = 0; i < block.ts.length; i++) {
        const t = block.ts[i] as number;
        const count = n?.[i] ?? 0;
        if (!count || t < from || t >= w.end || t >= until) continue;
        foldInto(list, Math.floor(t / w.bucket) * w.bucket, min?.[i] as number, max?.[i] as number, sum?.[i] as number, count, last?.[i] as number);
      }
    }
  }
  return out;
}

/** Where rollups end: the first second still held as tail rows (not yet compacted). */
function rolledUntil(db: Db, dev: number): number {
  const row = stmt(db, 'SELECT MIN(ts) AS ts FROM raw_tail WHERE dev = ?').get(dev) as { ts: number | null };
  return row.ts ?? Infinity;
}

function toPoints(s: SeriesRow, list: Acc[]): Point[] {
  for (const a of list) {
    a.avg = Math.round((a.avg / a.n / s.scale) * 1000) / 1000;
    a.min /= s.scale;
    a.max /= s.scale;
    a.last /= s.scale;
  }
  return list;
}

export function resolveDevice(catalog: SeriesCatalog, deviceId: string): { id: number; pollIntervalS: number } {
  const dev = catalog.findDev(deviceId);
  if (!dev) throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `no history for device "${deviceId}"`, 'device_id');
  return dev;
}

/** Downsampled series of a device; `names` = null for every series it has. */
export function querySeries(
  db: Db, catalog: SeriesCatalog, deviceId: string, names: readonly string[] | null, w: Window, instance?: number,
): SeriesResult[] {
  const dev = resolveDevice(catalog, deviceId);
  const all = catalog.seriesOf(dev.id);
  if (names) {
    const known = new Set(all.map((s) => s.name));
    const unknown = names.find((n) => !known.has(n));
    if (unknown !== undefined) {
      throw new P2mError('P2M_ERR_VALIDATION', `unknown series "${unknown}" for ${deviceId} (has: ${[...known].join(', ')})`, 'series');
    }
  }
  const series = all.filter((s) => (!names || names.includes(s.name)) && (instance === undefined || s.n === instance));
  const ids = new Set(series.map((s) => s.id));
  const level = w.bucket >= 60 ? levelFor(w.bucket) : null;
  let lists = new Map<number, Acc[]>();
  let rawFrom = w.start;
  if (level !== null) {
    const until = rolledUntil(db, dev.id);
    lists = fromRollups(db, dev.id, level, w, until, ids);
    rawFrom = Math.max(until, w.start);
  }
  if (rawFrom < w.end) {
    visitRaw(db, catalog, dev.id, rawFrom, w.end, ids, (ts, lo, hi, cols) => {
      for (const [id, col] of cols) {
        let list = lists.get(id);
        if (!list) lists.set(id, (list = []));
        // A bucket at a junction (rollups → raw, block → block) continues the last one.
        aggregateColumn(ts, col, lo, hi, w.bucket, list);
      }
    });
  }
  return series.map((s) => ({ name: s.name, n: s.n, points: toPoints(s, lists.get(s.id) ?? []) }));
}
