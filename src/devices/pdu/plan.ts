import type { PduLayout } from './layout.js';
import type { MetricRow, PduProfile, RowGroup } from './profiles/types.js';

/** One OID to read and the profile row (and instance) it decodes into. */
export interface PlanEntry {
  oid: string;
  row: MetricRow;
  /** Outlet / contact number, or load-table row index; null for scalars. */
  index: number | null;
  /** `row.field` split once at plan time (the cycle must not re-parse it 80 times a second). */
  path: readonly [string, string, string | undefined];
}

export function planEntry(oid: string, row: MetricRow, index: number | null): PlanEntry {
  const [scope = '', key = '', sub] = row.field.split('.');
  return { oid, row, index, path: [scope, key, sub] };
}

export interface PollPlan {
  entries: PlanEntry[];
  oids: string[];
}

export function instanceOid(row: MetricRow, index: number): string {
  return row.oid.includes('{n}') ? row.oid.replace('{n}', String(index)) : `${row.oid}.${index}`;
}

function indicesFor(row: MetricRow, layout: PduLayout): number[] {
  switch (row.scope) {
    case 'scalar':
      return [];
    case 'loadRow':
      // The phase/total row only carries what the totals use (SPEC §6 totals).
      return layout.loadRows.filter((r) => r.bank !== 0 || row.totalField !== undefined).map((r) => r.row);
    case 'outlet':
      return Array.from({ length: layout.outletCount }, (_, i) => i + 1);
    case 'contact':
      return Array.from({ length: layout.contactCount }, (_, i) => i + 1);
  }
}

/**
 * The OIDs of one or more row groups for this device's layout and capabilities. Built once per
 * layout, then reused every cycle (no per-cycle allocation of the OID list).
 */
export function buildPlan(profile: PduProfile, layout: PduLayout, groups: readonly RowGroup[]): PollPlan {
  const caps = new Set(layout.capabilities);
  const entries: PlanEntry[] = [];
  for (const row of profile.rows) {
    if (!groups.includes(row.group)) continue;
    if (row.capability && !caps.has(row.capability)) continue;
    if (row.scope === 'scalar') {
      entries.push(planEntry(row.oid, row, null));
      continue;
    }
    for (const index of indicesFor(row, layout)) entries.push(planEntry(instanceOid(row, index), row, index));
  }
  return { entries, oids: entries.map((e) => e.oid) };
}

/** Split a list into chunks of at most `size` (0 = no limit). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size <= 0 || items.length <= size) return [items.slice()];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
