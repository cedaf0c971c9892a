// History rows (SPEC §13.4: one row per bucket and bank/outlet, empty buckets omitted) → aligned
// columns for the chart: x = bucket times, and per entity avg/min/max with null where that entity
// has no bucket. A missing run of buckets longer than `bucket` gets a null point so the line
// breaks there: a gap stays a gap.

export interface HistoryRow { bucket: number; [field: string]: number | null | undefined }

export interface Aligned {
  xs: number[];
  series: Array<{ key: number; avg: Array<number | null>; min: Array<number | null>; max: Array<number | null> }>;
}

export function alignHistory(rows: readonly HistoryRow[], entityField: string, field: string, bucketS: number): Aligned {
  const keys = [...new Set(rows.map((r) => Number(r[entityField])))].filter(Number.isFinite).sort((a, b) => a - b);
  const times = [...new Set(rows.map((r) => r.bucket))].sort((a, b) => a - b);
  const xs: number[] = [];
  const step = bucketS > 0 ? bucketS : 1;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    const prev = i > 0 ? (times[i - 1] as number) : null;
    // One empty slot marks the break (more would only waste points).
    if (prev !== null && t - prev > step * 1.5) xs.push(prev + step);
    xs.push(t);
  }
  const index = new Map(xs.map((t, i) => [t, i]));
  const series = keys.map((key) => ({
    key,
    avg: new Array<number | null>(xs.length).fill(null),
    min: new Array<number | null>(xs.length).fill(null),
    max: new Array<number | null>(xs.length).fill(null),
  }));
  const byKey = new Map(series.map((s) => [s.key, s]));
  for (const r of rows) {
    const s = byKey.get(Number(r[entityField]));
    const i = index.get(r.bucket);
    if (!s || i === undefined) continue;
    s.avg[i] = val(r[field]);
    s.min[i] = val(r[`${field}_min`]) ?? s.avg[i] ?? null;
    s.max[i] = val(r[`${field}_max`]) ?? s.avg[i] ?? null;
  }
  return { xs, series };
}

const val = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Points with a value, over all series (the tests and the empty-state message use it). */
export function pointCount(a: Aligned): number {
  return a.series.reduce((n, s) => n + s.avg.filter((v) => v !== null).length, 0);
}
