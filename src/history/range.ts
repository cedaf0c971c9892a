import { P2mError } from '../core/errors.js';
import { ROLLUP_LEVELS } from './rollup.js';

// History query windows and bucket sizes (SPEC §13.4): pure, table-driven.

export const RANGES = { '1h': 3_600, '6h': 6 * 3_600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400, '60d': 60 * 86_400 } as const;
export type RangeName = keyof typeof RANGES;

/** Span → bucket size (SPEC §13.4, the original's table). Max points per series stay ≤ 3600. */
export const BUCKETS: ReadonlyArray<{ maxSpan: number; bucket: number }> = [
  { maxSpan: 3_600, bucket: 1 },
  { maxSpan: 6 * 3_600, bucket: 10 },
  { maxSpan: 86_400, bucket: 60 },
  { maxSpan: 7 * 86_400, bucket: 300 },
  { maxSpan: 30 * 86_400, bucket: 900 },
  { maxSpan: 60 * 86_400, bucket: 1_800 },
  { maxSpan: 180 * 86_400, bucket: 7_200 },
  { maxSpan: Infinity, bucket: 86_400 },
];

export interface Window {
  start: number;
  end: number;
  bucket: number;
}

export interface RangeParams {
  range?: string | undefined;
  start?: string | number | undefined;
  end?: string | number | undefined;
}

function epoch(v: string | number, field: string): number {
  const n = typeof v === 'number' ? v : /^\d{1,12}$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new P2mError('P2M_ERR_VALIDATION', `${field} must be epoch seconds (a whole number), got "${String(v)}"`, field);
  }
  return n;
}

export function bucketFor(spanS: number): number {
  return (BUCKETS.find((b) => spanS <= b.maxSpan) as { bucket: number }).bucket;
}

/** The rollup level a bucket is computed from: the largest whose size divides it; null = raw. */
export function levelFor(bucket: number): number | null {
  let best: number | null = null;
  for (const l of ROLLUP_LEVELS) if (bucket % l.size === 0) best = l.size;
  return best;
}

/**
 * `start`+`end` take precedence over `range` (default 1h ending now). Errors name the field:
 * an unknown range, malformed epochs, end ≤ start, a span beyond the retention.
 */
export function resolveWindow(p: RangeParams, nowS: number, retentionDays: number): Window {
  let start: number;
  let end: number;
  if (p.start !== undefined || p.end !== undefined) {
    if (p.start === undefined) throw new P2mError('P2M_ERR_VALIDATION', 'start is required with end (epoch seconds)', 'start');
    if (p.end === undefined) throw new P2mError('P2M_ERR_VALIDATION', 'end is required with start (epoch seconds)', 'end');
    start = epoch(p.start, 'start');
    end = epoch(p.end, 'end');
    if (end <= start) throw new P2mError('P2M_ERR_VALIDATION', `end (${end}) must be after start (${start})`, 'end');
    const max = retentionDays * 86_400;
    if (end - start > max) {
      throw new P2mError('P2M_ERR_VALIDATION', `span of ${end - start} s is longer than history.retention_days (${retentionDays} days)`, 'start');
    }
  } else {
    const name = p.range ?? '1h';
    if (!(name in RANGES)) {
      throw new P2mError('P2M_ERR_VALIDATION', `range must be one of ${Object.keys(RANGES).join(', ')} (got "${name}")`, 'range');
    }
    end = Math.floor(nowS) + 1;
    start = end - RANGES[name as RangeName];
  }
  return { start, end, bucket: bucketFor(end - start) };
}
