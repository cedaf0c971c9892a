import type { PduSnapshot } from '../../../core/types.js';
import { TOTAL_ROWS } from './derived.js';
import type { MetricRow, PduProfile, Unit } from './types.js';

/** One published reading: its sub-topic under `{base}/{id}/` (SPEC §9.2), value and unit. */
export interface Reading {
  key: string;
  value: number | string;
  unit: Unit | null;
  decimals: number | null;
  row: MetricRow | null;
}

type Bag = Record<string, unknown>;

/** Where a row's value sits in the snapshot, per instance (the inverse of assembleSnapshot). */
function instances(snap: PduSnapshot, row: MetricRow): Array<{ n: number | null; value: unknown }> {
  const [scope, key, sub] = row.field.split('.') as [string, string, string?];
  switch (scope) {
    case 'input': return [{ n: null, value: (snap.input as Bag)[key] }];
    case 'bank': return Object.entries(snap.banks).map(([n, b]) => ({ n: Number(n), value: (b as unknown as Bag)[key] }));
    case 'outlet': return Object.entries(snap.outlets).map(([n, o]) => ({ n: Number(n), value: (o as unknown as Bag)[key] }));
    case 'ats': {
      const v = snap.ats ? (snap.ats as unknown as Bag)[key] : null;
      return [{ n: null, value: typeof v === 'boolean' ? (v ? 'on' : 'off') : v }];
    }
    case 'sources': return [{ n: null, value: snap.sources?.[key as 'a' | 'b']?.[sub as 'voltage'] ?? null }];
    case 'coldstart': return [{ n: null, value: snap.coldstart ? (snap.coldstart as Bag)[key] : null }];
    case 'environment': return [{ n: null, value: snap.environment ? (snap.environment as unknown as Bag)[key] : null }];
    case 'contact': return Object.entries(snap.environment?.contacts ?? {}).map(([n, v]) => ({ n: Number(n), value: v }));
    default: return [];
  }
}

/**
 * Every present reading of a snapshot, in profile order, driven by the profile's topic column.
 * Absent values are left out (never 0, never empty: SPEC §9.1); `unknown` states are kept only
 * for outlets (SPEC §9.2: nothing is published for an unknown bank load state).
 */
export function readingsOf(snap: PduSnapshot, profile: PduProfile): Reading[] {
  const out: Reading[] = [];
  for (const row of profile.rows) {
    if (!row.topic || row.group === 'identity' || row.group === 'layout') continue;
    for (const { n, value } of instances(snap, row)) {
      if (value === null || value === undefined || value === '') continue;
      if (value === 'unknown' && row.field !== 'outlet.state') continue;
      if (typeof value !== 'number' && typeof value !== 'string') continue;
      out.push({ key: n === null ? row.topic : row.topic.replace('{n}', String(n)), value, unit: row.unit ?? null, decimals: row.decimals ?? null, row });
    }
  }
  for (const t of TOTAL_ROWS) {
    const v = t.totalField ? snap.totals[t.totalField] : null;
    if (v !== null && v !== undefined) out.push({ key: t.topic, value: v, unit: t.unit ?? null, decimals: t.decimals ?? null, row: null });
  }
  return out;
}

/** Plain decimal text with the row's decimals (SPEC §9.1: "120.4", "0.97", "145.0"). */
export function formatValue(r: Reading): string {
  if (typeof r.value === 'number') return r.decimals === null ? String(r.value) : r.value.toFixed(r.decimals);
  return r.value;
}
