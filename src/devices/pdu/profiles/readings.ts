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
export type RowRead = (s: PduSnapshot) => unknown;

/** A reading's place in the snapshot, compiled once per device layout (SPEC §9.2 sub-topic). */
export interface ReadingSlot {
  key: string;
  read: (s: PduSnapshot) => number | string | null;
  unit: Unit | null;
  decimals: number | null;
  row: MetricRow | null;
}

/** Readers for one row, one per instance the snapshot has (the inverse of assembleSnapshot). */
export function rowReaders(snap: PduSnapshot, row: MetricRow): Array<{ n: number | null; read: RowRead }> {
  const [scope, key, sub] = row.field.split('.') as [string, string, string?];
  const keyed = (coll: (s: PduSnapshot) => Record<number, unknown> | undefined, ns: string[]) =>
    ns.map((n) => ({ n: Number(n), read: (s: PduSnapshot) => (coll(s)?.[Number(n)] as Bag | undefined)?.[key] }));
  switch (scope) {
    case 'input': return [{ n: null, read: (s) => (s.input as Bag)[key] }];
    case 'bank': return keyed((s) => s.banks, Object.keys(snap.banks));
    case 'outlet': return keyed((s) => s.outlets, Object.keys(snap.outlets));
    case 'ats': return [{ n: null, read: (s) => {
      const v = s.ats ? (s.ats as unknown as Bag)[key] : null;
      return typeof v === 'boolean' ? (v ? 'on' : 'off') : v;
    } }];
    case 'sources': return [{ n: null, read: (s) => s.sources?.[key as 'a' | 'b']?.[sub as 'voltage'] ?? null }];
    case 'coldstart': return [{ n: null, read: (s) => (s.coldstart ? (s.coldstart as Bag)[key] : null) }];
    case 'environment': return [{ n: null, read: (s) => (s.environment ? (s.environment as unknown as Bag)[key] : null) }];
    case 'contact': return Object.keys(snap.environment?.contacts ?? {}).map((n) => ({ n: Number(n), read: (s) => s.environment?.contacts[Number(n)] }));
    default: return [];
  }
}

/**
 * Absent values are left out (never 0, never empty: SPEC §9.1); `unknown` states are kept only
 * for outlets (SPEC §9.2: nothing is published for an unknown bank load state).
 */
function present(row: MetricRow | null, v: unknown): number | string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v === 'unknown' && row?.field !== 'outlet.state') return null;
  return typeof v === 'number' || typeof v === 'string' ? v : null;
}

/**
 * The reading slots of a device with this snapshot's layout (outlets, banks, capabilities), in
 * profile order, driven by the profile's topic column. Build once per layout; read every poll.
 */
export function compileReadings(snap: PduSnapshot, profile: PduProfile): ReadingSlot[] {
  const out: ReadingSlot[] = [];
  for (const row of profile.rows) {
    if (!row.topic || row.group === 'identity' || row.group === 'layout') continue;
    for (const { n, read } of rowReaders(snap, row)) {
      out.push({ key: n === null ? row.topic : row.topic.replace('{n}', String(n)), read: (s) => present(row, read(s)), unit: row.unit ?? null, decimals: row.decimals ?? null, row });
    }
  }
  for (const t of TOTAL_ROWS) {
    const field = t.totalField;
    if (field) out.push({ key: t.topic, read: (s) => present(null, s.totals[field]), unit: t.unit ?? null, decimals: t.decimals ?? null, row: null });
  }
  return out;
}

/** Every present reading of a snapshot (probe report, tests); the publisher reads compiled slots. */
export function readingsOf(snap: PduSnapshot, profile: PduProfile): Reading[] {
  const out: Reading[] = [];
  for (const slot of compileReadings(snap, profile)) {
    const value = slot.read(snap);
    if (value !== null) out.push({ key: slot.key, value, unit: slot.unit, decimals: slot.decimals, row: slot.row });
  }
  return out;
}

/** Plain decimal text with the row's decimals (SPEC §9.1: "120.4", "0.97", "145.0"). */
export function formatValue(r: Pick<Reading, 'value' | 'decimals'>): string {
  if (typeof r.value === 'number') return r.decimals === null ? String(r.value) : r.value.toFixed(r.decimals);
  return r.value;
}
