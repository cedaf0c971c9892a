import type { PduSnapshot } from '../core/types.js';
import { TOTAL_ROWS } from '../devices/pdu/profiles/derived.js';
import { rowReaders } from '../devices/pdu/profiles/readings.js';
import type { MetricRow, PduProfile } from '../devices/pdu/profiles/types.js';

// Which history series a device has, and how one snapshot becomes one integer per series
// (SPEC §13.1). Driven by the profile table's `history` column: adding a metric row with a
// history name adds a series, with no code here. Values are stored as integers in the device's
// own resolution (tenths of a volt, whole watts, hundredths of pf), so `scale` is the divisor.

export type SeriesKind = 'gauge' | 'counter' | 'state';

export interface SeriesDef {
  /** History series name from the profile row (e.g. `bank_power`). */
  name: string;
  /** Bank / outlet number; 0 for a per-device series. */
  n: number;
  /** Stored integer = round(value × scale). */
  scale: number;
  kind: SeriesKind;
  /** Watts: the writer integrates it into energy per rollup bucket (SPEC §13.1 energy deltas). */
  power: boolean;
}

export interface SeriesSlot extends SeriesDef {
  /** The stored integer of this series in a snapshot, or null when absent. */
  read: (s: PduSnapshot) => number | null;
}

/**
 * Integer codes of state series. SPEC §13.1 fixes outlet state (1 on / 0 off) and the active
 * source (1 = A, 2 = B); the others keep the MIB's own codes (the inverse of the row's enumMap).
 */
const FIXED_CODES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  outlet_state: { on: 1, off: 0 },
  active_source: { A: 1, B: 2 },
};

/** Source voltages arrive in volts or tenths (SPEC §7.5); history keeps tenths either way. */
const SCALE_FROM_RESOLUTION = 10;

export const TOTAL_SERIES = { load: 'total_load', power: 'total_power', energy: 'total_energy' } as const;

function codesOf(row: MetricRow): Readonly<Record<string, number>> {
  const fixed = FIXED_CODES[row.history ?? ''];
  if (fixed) return fixed;
  return Object.fromEntries(Object.entries(row.enumMap ?? {}).map(([code, label]) => [label, Number(code)]));
}

function scaleOf(row: MetricRow): number {
  if (row.kind === 'enum') return 1;
  if (row.scaleFrom) return SCALE_FROM_RESOLUTION;
  return row.scale ?? 1;
}

function toStored(v: unknown, scale: number, codes: Readonly<Record<string, number>> | null): number | null {
  if (codes) return typeof v === 'string' && v in codes ? (codes[v] as number) : null;
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v * scale) : null;
}

function defOf(row: MetricRow, name: string, n: number): SeriesDef {
  return {
    name, n, scale: scaleOf(row),
    kind: row.kind === 'enum' ? 'state' : row.unit === 'kWh' ? 'counter' : 'gauge',
    power: row.unit === 'W',
  };
}

/**
 * The series of a device with this snapshot's layout (banks, outlets, capabilities), in profile
 * order, then the totals. Compile once per layout; read every poll.
 */
export function compileSeries(snap: PduSnapshot, profile: PduProfile): SeriesSlot[] {
  const out: SeriesSlot[] = [];
  const present = new Set(snap.capabilities);
  for (const row of profile.rows) {
    if (!row.history || (row.capability && !present.has(row.capability))) continue;
    const codes = row.kind === 'enum' ? codesOf(row) : null;
    for (const { n, read } of rowReaders(snap, row)) {
      const def = defOf(row, row.history, n ?? 0);
      out.push({ ...def, read: (s) => toStored(read(s), def.scale, codes) });
    }
  }
  for (const t of TOTAL_ROWS) {
    const field = t.totalField;
    const source = profile.rows.find((r) => r.totalField === field);
    if (!field || !source) continue;
    const def = defOf(source, TOTAL_SERIES[field], 0);
    out.push({ ...def, read: (s) => toStored(s.totals[field], def.scale, null) });
  }
  return out;
}

/** A stable text key of a series' layout, to notice when it changes (outlets, capabilities). */
export function layoutKey(slots: readonly SeriesDef[]): string {
  return slots.map((s) => `${s.name}.${s.n}`).join(',');
}
