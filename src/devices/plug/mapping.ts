import type { OutletState } from '../../core/types.js';
import type { PlugOutletReading } from './types.js';

// A plug model is data, like the PDU's OID profile (ARCHITECTURE.md "Device profile"): each row
// names where a value sits in the device's JSON answer, what it becomes, and how to scale it.
// Unit conversion happens here, at the edge. The first row of a metric that is present wins,
// so a table can list both unit schemes of a firmware family (e.g. Kasa V/A/W/kWh and mV/mA/mW/Wh).

export type OutletMetric = Exclude<keyof PlugOutletReading, 'name'> | 'name';

export interface PlugMapRow {
  /** Dot path inside the JSON object the row applies to. */
  path: string;
  metric: OutletMetric;
  kind: 'number' | 'string' | 'onoff';
  /** Decoded = raw / scale. */
  scale?: number;
  unit?: 'V' | 'A' | 'W' | 'kWh' | 'Hz';
  /** Plausible decoded range; outside → per-field error, value left absent. */
  range?: readonly [number, number];
  /**
   * The Home Assistant entity this metric feeds (the `ha.suffix` of the device-model row with the
   * same field), so a test can hold the plug tables and the entity table together.
   */
  ha?: string;
  /** Where the value is documented (API method / firmware), cited for readers. */
  source: string;
}

export type Decoded = Partial<Record<OutletMetric, number | string | OutletState>>;

/** Dot paths split once (they come from the static tables; bounded for any other caller). */
const SPLIT_PATHS = new Map<string, readonly string[]>();
const SPLIT_PATHS_MAX = 1024;

function pathParts(path: string): readonly string[] {
  let parts = SPLIT_PATHS.get(path);
  if (!parts) {
    parts = path.split('.');
    if (SPLIT_PATHS.size < SPLIT_PATHS_MAX) SPLIT_PATHS.set(path, parts);
  }
  return parts;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of pathParts(path)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A number, or a numeric string (Tasmota sends either, by firmware version); anything else → null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v.trim());
  return null;
}

/** on/off from true/false, 1/0, "ON"/"OFF", "on"/"off". */
export function toOnOff(v: unknown): OutletState | null {
  if (v === true || v === 1) return 'on';
  if (v === false || v === 0) return 'off';
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'on' || s === '1' || s === 'true') return 'on';
    if (s === 'off' || s === '0' || s === 'false') return 'off';
  }
  return null;
}

/** The field name is built only for a problem: decodeRows runs for every row of every poll. */
function problem(errors: Array<{ field: string; problem: string }>, prefix: string, row: PlugMapRow, text: string): void {
  errors.push({ field: `${prefix}${row.path}`, problem: text });
}

/** Decode one JSON object through a table. Pure; problems are collected, never thrown. */
export function decodeRows(rows: readonly PlugMapRow[], obj: unknown, errors: Array<{ field: string; problem: string }>, prefix = ''): Decoded {
  const out: Decoded = {};
  for (const row of rows) {
    if (out[row.metric] !== undefined) continue;
    const raw = getPath(obj, row.path);
    if (raw === undefined || raw === null) continue;
    if (row.kind === 'string') {
      if (typeof raw === 'string' || typeof raw === 'number') out[row.metric] = String(raw);
      else problem(errors, prefix, row, `expected text, got ${typeof raw}`);
      continue;
    }
    if (row.kind === 'onoff') {
      const s = toOnOff(raw);
      if (s === null) problem(errors, prefix, row, `not an on/off value: ${JSON.stringify(raw).slice(0, 40)}`);
      else out[row.metric] = s;
      continue;
    }
    const n = toNumber(raw);
    if (n === null) {
      problem(errors, prefix, row, `not a number: ${JSON.stringify(raw).slice(0, 40)}`);
      continue;
    }
    const v = n / (row.scale ?? 1);
    if (row.range && (v < row.range[0] || v > row.range[1])) {
      problem(errors, prefix, row, `${v} outside ${row.range[0]}..${row.range[1]}`);
      continue;
    }
    out[row.metric] = v;
  }
  return out;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** A table can switch what it reads: it has a row for the relay state. */
export function hasRelay(rows: readonly PlugMapRow[]): boolean {
  return rows.some((r) => r.metric === 'state');
}

/**
 * A decoded row set as an outlet reading; `name` falls back to "Outlet n". `switchable: false`
 * (a meter without a relay) is carried on the reading, nothing is set for an outlet with a relay.
 */
export function outletFrom(d: Decoded, n: number, fallbackState: OutletState = 'unknown', switchable = true): PlugOutletReading {
  const state = d.state === 'on' || d.state === 'off' ? d.state : fallbackState;
  const out: PlugOutletReading = {
    name: typeof d.name === 'string' && d.name.trim() !== '' ? d.name : `Outlet ${n}`,
    state,
    power: num(d.power),
    current: num(d.current),
    voltage: num(d.voltage),
    frequency: num(d.frequency),
    energy: num(d.energy),
  };
  if (!switchable) out.switchable = false;
  return out;
}
