import { decodeBlock, encodeBlock, type Column } from './codec.js';

// Rollups maintained at ingest (SPEC §13.1): every numeric series at 1 min, 15 min, 1 h and 1 day
// with min, max, sum (avg = sum / n), n and last, plus for power series the energy in the bucket
// (W·s, integrated by elapsed time, §13.5) in total and per active ATS source. One row per device,
// level and span holds all series of several buckets, in the codec's block format.

export interface RollupLevel {
  /** Bucket size, seconds. */
  size: number;
  /** Seconds covered by one stored row (a multiple of size). */
  span: number;
  /**
   * A compaction appends its buckets to the row as a part (compact.ts) instead of re-encoding the
   * row: for the rows of many buckets (a week row: 168), whose rewrite is the costly part of a
   * compaction. The hour rows (≤ 60 buckets, 4 compactions each, 168 of them a week) are
   * rewritten: appending to them too left the rollup table 22 % larger in pages after 8 days (rows
   * changing size split SQLite's pages).
   */
  appendParts: boolean;
}

export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { size: 60, span: 3_600, appendParts: false },
  { size: 900, span: 86_400, appendParts: true },
  { size: 3_600, span: 7 * 86_400, appendParts: true },
  { size: 86_400, span: 28 * 86_400, appendParts: true },
];

/** The aggregate of one series in one bucket. Values are stored integers (series scale). */
export interface Agg {
  min: number;
  max: number;
  sum: number;
  n: number;
  last: number;
  /** Energy in W·s when the series is a power (null otherwise); per active source A / B. */
  ws: number | null;
  wsA: number | null;
  wsB: number | null;
}

const COLS = 8;

/** Bucket start → series id → aggregate. */
export type Buckets = Map<number, Map<number, Agg>>;

export function foldAgg(into: Agg | undefined, a: Agg): Agg {
  if (!into) return { ...a };
  into.min = Math.min(into.min, a.min);
  into.max = Math.max(into.max, a.max);
  into.sum += a.sum;
  into.n += a.n;
  into.last = a.last;
  if (a.ws !== null) into.ws = (into.ws ?? 0) + a.ws;
  if (a.wsA !== null) into.wsA = (into.wsA ?? 0) + a.wsA;
  if (a.wsB !== null) into.wsB = (into.wsB ?? 0) + a.wsB;
  return into;
}

/** Fold finer buckets (in time order) into buckets of `size`. */
export function foldBuckets(target: Buckets, finer: Buckets, size: number): void {
  const starts = [...finer.keys()].sort((a, b) => a - b);
  for (const t of starts) {
    const b = Math.floor(t / size) * size;
    let row = target.get(b);
    if (!row) target.set(b, (row = new Map()));
    for (const [id, agg] of finer.get(t) as Map<number, Agg>) row.set(id, foldAgg(row.get(id), agg));
  }
}

export interface RawColumns {
  ts: readonly number[];
  series: ReadonlyMap<number, Column>;
}

export interface IntegrationInfo {
  /** Series ids that are powers in W with their scale (stored = W × scale). */
  power: ReadonlyMap<number, number>;
  /** The active-source series (1 = A, 2 = B), if the device has one. */
  sourceId: number | null;
  /** Intervals longer than this contribute no energy (3 × poll interval, SPEC §13.5). */
  maxGapS: number;
  /** The last sample before these columns (for the first interval), if known. */
  prev: { ts: number; values: ReadonlyMap<number, number | null> } | null;
}

/** 1-minute (or `size`) buckets of raw columns, with energy integrated per power series. */
export function bucketsFromRaw(raw: RawColumns, size: number, info: IntegrationInfo): Buckets {
  const out: Buckets = new Map();
  const source = info.sourceId === null ? null : raw.series.get(info.sourceId) ?? null;
  for (const [id, col] of raw.series) {
    const powerScale = info.power.get(id);
    let prevTs = info.prev?.ts ?? null;
    let prevV = info.prev?.values.get(id) ?? null;
    for (let i = 0; i < raw.ts.length; i++) {
      const v = col[i] ?? null;
      const t = raw.ts[i] as number;
      if (v !== null) {
        const b = Math.floor(t / size) * size;
        let row = out.get(b);
        if (!row) out.set(b, (row = new Map()));
        let agg = row.get(id);
        if (!agg) {
          agg = { min: v, max: v, sum: 0, n: 0, last: v, ws: null, wsA: null, wsB: null };
          row.set(id, agg);
        }
        if (v < agg.min) agg.min = v;
        if (v > agg.max) agg.max = v;
        agg.sum += v;
        agg.n++;
        agg.last = v;
        if (powerScale !== undefined) {
          const dt = prevTs === null || prevV === null ? 0 : t - prevTs;
          const ws = dt > 0 && dt <= info.maxGapS ? Math.round((v / powerScale) * dt) : 0;
          const src = source?.[i] ?? null;
          agg.ws = (agg.ws ?? 0) + ws;
          agg.wsA = (agg.wsA ?? 0) + (src === 1 ? ws : 0);
          agg.wsB = (agg.wsB ?? 0) + (src === 2 ? ws : 0);
        }
      }
      prevTs = t;
      prevV = v;
    }
  }
  return out;
}

/** `deflate: false` for a part appended to a stored row (compact.ts), merged into one block later. */
export function encodeRollups(buckets: Buckets, opts: { deflate?: boolean } = {}): Uint8Array {
  const starts = [...buckets.keys()].sort((a, b) => a - b);
  const ids = new Set<number>();
  for (const row of buckets.values()) for (const id of row.keys()) ids.add(id);
  const series = new Map<number, Column[]>();
  for (const id of ids) {
    const cols: Array<Array<number | null>> = Array.from({ length: COLS }, () => []);
    for (const t of starts) {
      const a = (buckets.get(t) as Map<number, Agg>).get(id);
      const vals = a ? [a.min, a.max, a.sum, a.n, a.last, a.ws, a.wsA, a.wsB] : [null, null, null, 0, null, null, null, null];
      vals.forEach((v, c) => (cols[c] as Array<number | null>).push(v));
    }
    series.set(id, cols);
  }
  return encodeBlock(starts, series, COLS, opts);
}

/** A row of appended parts may hold a bucket more than once (in time order): those are folded. */
export function decodeRollups(buf: Uint8Array, only?: ReadonlySet<number>): Buckets {
  const block = decodeBlock(buf, only);
  const out: Buckets = new Map();
  block.ts.forEach((t) => out.has(t) || out.set(t, new Map()));
  for (const [id, cols] of block.series) {
    const [min, max, sum, n, last, ws, wsA, wsB] = cols as Array<Array<number | null>>;
    block.ts.forEach((t, i) => {
      const count = n?.[i] ?? 0;
      if (!count) return;
      const row = out.get(t) as Map<number, Agg>;
      row.set(id, foldAgg(row.get(id), {
        min: min?.[i] as number, max: max?.[i] as number, sum: sum?.[i] as number, n: count, last: last?.[i] as number,
        ws: ws?.[i] ?? null, wsA: wsA?.[i] ?? null, wsB: wsB?.[i] ?? null,
      }));
    });
  }
  return out;
}
