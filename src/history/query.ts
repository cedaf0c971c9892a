import { P2mError } from '../core/errors.js';
import type { SeriesCatalog, SeriesRow } from './catalog.js';
import type { Db } from './db.js';
import { ROLLUP_LEVELS, decodeRollups, foldAgg, type Agg } from './rollup.js';
import { levelFor, type Window } from './range.js';
import { readRaw, type MutableRaw } from './raw.js';

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

function accumulate(into: Map<number, Agg>, t: number, v: number): void {
  const a = into.get(t);
  if (!a) into.set(t, { min: v, max: v, sum: v, n: 1, last: v, ws: null, wsA: null, wsB: null });
  else foldAgg(a, { min: v, max: v, sum: v, n: 1, last: v, ws: null, wsA: null, wsB: null });
}

function fromRaw(raw: MutableRaw, bucket: number, into: Map<number, Map<number, Agg>>): void {
  for (const [id, col] of raw.series) {
    let m = into.get(id);
    if (!m) into.set(id, (m = new Map()));
    for (let i = 0; i < raw.ts.length; i++) {
      const v = col[i];
      if (v === null || v === undefined) continue;
      accumulate(m, Math.floor((raw.ts[i] as number) / bucket) * bucket, v);
    }
  }
}

function fromRollups(db: Db, dev: number, level: number, w: Window, until: number, ids: ReadonlySet<number>, into: Map<number, Map<number, Agg>>): void {
  const span = (ROLLUP_LEVELS.find((l) => l.size === level) as { span: number }).span;
  const from = Math.floor(w.start / w.bucket) * w.bucket;
  const rows = db
    .prepare('SELECT data FROM rollup WHERE dev = ? AND size = ? AND t0 >= ? AND t0 < ? ORDER BY t0')
    .all(dev, level, Math.floor(from / span) * span, Math.min(w.end, until)) as Array<{ data: Uint8Array }>;
  for (const r of rows) {
    for (const [t, series] of decodeRollups(r.data, ids)) {
      if (t < from || t >= w.end || t >= until) continue;
      const b = Math.floor(t / w.bucket) * w.bucket;
      for (const [id, agg] of series) {
        let m = into.get(id);
        if (!m) into.set(id, (m = new Map()));
        m.set(b, foldAgg(m.get(b), agg));
      }
    }
  }
}

/** Where rollups end: the first second still held as tail rows (not yet compacted). */
function rolledUntil(db: Db, dev: number): number {
  const row = db.prepare('SELECT MIN(ts) AS ts FROM raw_tail WHERE dev = ?').get(dev) as { ts: number | null };
  return row.ts ?? Infinity;
}

function toPoints(s: SeriesRow, buckets: Map<number, Agg> | undefined): Point[] {
  if (!buckets) return [];
  const out: Point[] = [];
  for (const t of [...buckets.keys()].sort((a, b) => a - b)) {
    const a = buckets.get(t) as Agg;
    out.push({
      t, n: a.n, avg: Math.round((a.sum / a.n / s.scale) * 1000) / 1000,
      min: a.min / s.scale, max: a.max / s.scale, last: a.last / s.scale,
    });
  }
  return out;
}

export function resolveDevice(catalog: SeriesCatalog, deviceId: string): { id: number; pollIntervalS: number } {
  const dev = catalog.findDev(deviceId);
  if (!dev) throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `no history for device "${deviceId}"`, 'device_id');
  return dev;
}

/** Downsampled series of a device; `names` = null for every series it has. */
export function querySeries(db: Db, catalog: SeriesCatalog, deviceId: string, names: readonly string[] | null, w: Window): SeriesResult[] {
  const dev = resolveDevice(catalog, deviceId);
  const all = catalog.seriesOf(dev.id);
  if (names) {
    const known = new Set(all.map((s) => s.name));
    const unknown = names.find((n) => !known.has(n));
    if (unknown !== undefined) {
      throw new P2mError('P2M_ERR_VALIDATION', `unknown series "${unknown}" for ${deviceId} (has: ${[...known].join(', ')})`, 'series');
    }
  }
  const series = names ? all.filter((s) => names.includes(s.name)) : all;
  const ids = new Set(series.map((s) => s.id));
  const acc = new Map<number, Map<number, Agg>>();
  const level = w.bucket >= 60 ? levelFor(w.bucket) : null;
  if (level === null) {
    fromRaw(readRaw(db, catalog, dev.id, w.start, w.end, ids), w.bucket, acc);
  } else {
    const until = rolledUntil(db, dev.id);
    fromRollups(db, dev.id, level, w, until, ids, acc);
    if (until < w.end) fromRaw(readRaw(db, catalog, dev.id, Math.max(until, w.start), w.end, ids), w.bucket, acc);
  }
  return series.map((s) => ({ name: s.name, n: s.n, points: toPoints(s, acc.get(s.id)) }));
}
