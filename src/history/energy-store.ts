import { P2mError } from '../core/errors.js';
import type { SeriesCatalog } from './catalog.js';
import type { Db } from './db.js';
import {
  addDays, dayBounds, hybridEnergy, localDay, monthRowsFromDays, parseDate, parseMonth,
  type AtsSource, type EnergyDayRow, type EnergyMonthRow, type HybridPoint, type IntegrateOptions,
} from './energy/index.js';
import { BLOCK_S, readRaw } from './raw.js';

// Stored energy (SPEC §13.1 energy_daily / energy_monthly, §13.5): daily rows computed from raw
// samples of one local day, monthly rows recomputed from daily rows, and their readers. The daily
// job is energy-job.ts, the summary energy-summary.ts.
// Rules (documented choices):
// - PDU power per sample = `total_power`, else the sum of the `bank_power` values present; the
//   counter is `total_energy`; outlets use `outlet_power` + `outlet_energy`. Energy: hybridEnergy.
// - Per-source rows (1 = A, 2 = B): kWh = hybridEnergy's per-source split; peak and samples over
//   the samples taken while that source was active; avg = time-weighted over its intervals.
// - A row is kept when it has power samples or energy (a counter-only day keeps its kWh).
// - upsertDays replaces every row of each (date, device) it is given (a recompute may drop rows).

export interface EnergySamples {
  maxGapS: number;
  /** Metered outlets (those with an `outlet_power` series), ascending. */
  outlets: number[];
  /** Whole-PDU points; then one outlet's points (built on demand: a day at 1 Hz is 86 400 points). */
  pdu(): HybridPoint[];
  outlet(n: number): HybridPoint[];
}

const ENERGY_SERIES = new Set(['total_power', 'total_energy', 'bank_power', 'active_source', 'outlet_power', 'outlet_energy']);
type Col = ReadonlyArray<number | null> | undefined;

/**
 * Samples of [from − maxGapS, to + maxGapS] (every interval overlapping the window). Scope: 'day'
 * everything, 'pdu' without outlets, 'power' only the PDU power (a time profile for pricing).
 */
export function energySamples(db: Db, catalog: SeriesCatalog, dev: number, from: number, to: number, scope: 'day' | 'pdu' | 'power' = 'day'): EnergySamples {
  const maxGapS = 3 * catalog.pollIntervalOf(dev);
  const keep = (name: string): boolean =>
    ENERGY_SERIES.has(name) && (scope === 'day' || !name.startsWith('outlet_')) && (scope !== 'power' || name.endsWith('_power'));
  const rows = catalog.seriesOf(dev).filter((r) => keep(r.name));
  const raw = readRaw(db, catalog, dev, from - maxGapS, to + maxGapS + 1, new Set(rows.map((r) => r.id)));
  const col = (name: string, n?: number): { c: Col; scale: number } | null => {
    const r = rows.find((x) => x.name === name && (n === undefined || x.n === n));
    return r ? { c: raw.series.get(r.id), scale: r.scale } : null;
  };
  const value = (s: { c: Col; scale: number } | null, i: number): number | null => {
    const v = s?.c?.[i];
    return v === null || v === undefined ? null : v / (s as { scale: number }).scale;
  };
  const src = col('active_source');
  const source = raw.ts.map((_, i): AtsSource => (src?.c?.[i] === 1 ? 1 : src?.c?.[i] === 2 ? 2 : null));
  const points = (power: (i: number) => number | null, counter: { c: Col; scale: number } | null): HybridPoint[] =>
    raw.ts.map((ts, i) => ({ ts, power: power(i), counter: value(counter, i), source: source[i] ?? null }));
  const [totalP, totalE] = [col('total_power'), col('total_energy')];
  const banks = rows.filter((r) => r.name === 'bank_power').map((r) => ({ c: raw.series.get(r.id), scale: r.scale }));
  const pduPower = (i: number): number | null => {
    const total = value(totalP, i);
    if (total !== null) return total;
    let sum: number | null = null; // no total in this sample: the bank powers present, if any
    for (const bank of banks) {
      const v = value(bank, i);
      if (v !== null) sum = (sum ?? 0) + v;
    }
    return sum;
  };
  return {
    maxGapS,
    outlets: rows.filter((r) => r.name === 'outlet_power').map((r) => r.n).sort((x, y) => x - y),
    pdu: () => points(pduPower, totalE),
    outlet: (n) => {
      const p = col('outlet_power', n);
      return points((i) => value(p, i), col('outlet_energy', n));
    },
  };
}

type RowBase = Pick<EnergyDayRow, 'date' | 'device_id' | 'outlet'>;

/**
 * The rows (all, A, B) of one point series over the window; empty rows left out. Per source, the
 * statistics follow integratePower's rule (interval (prev, cur] at cur's power and source, counted
 * when 0 < dt ≤ maxGapS, a null power breaks the chain, clipped to the window) in one pass.
 */
function rowsOf(points: readonly HybridPoint[], opts: Required<IntegrateOptions>, base: RowBase): EnergyDayRow[] {
  const h = hybridEnergy(points, opts);
  const st = [null, 1, 2].map(() => ({ samples: 0, peak: null as number | null, ws: 0, secs: 0 }));
  let prev: number | null = null;
  for (const p of points) {
    if (p.power === null || !Number.isFinite(p.power)) {
      prev = null;
      continue;
    }
    const s = p.source === 1 || p.source === 2 ? st[p.source] : undefined;
    if (s && p.ts >= opts.from && p.ts < opts.to) {
      s.samples++;
      s.peak = Math.max(s.peak ?? -Infinity, p.power);
    }
    const dt = prev === null ? 0 : p.ts - prev;
    const [a, b] = [Math.max(prev ?? 0, opts.from), Math.min(p.ts, opts.to)];
    if (s && dt > 0 && dt <= opts.maxGapS && b > a) {
      s.ws += Math.max(0, p.power) * (b - a);
      s.secs += b - a;
    }
    prev = p.ts;
  }
  const rows: EnergyDayRow[] = [{ ...base, source: null, kwh: h.kwh, peak_power_w: h.peak_power_w, avg_power_w: h.avg_power_w, samples: h.samples }];
  for (const source of [1, 2] as const) {
    const s = st[source] as { samples: number; peak: number | null; ws: number; secs: number };
    const kwh = source === 1 ? h.source_a_kwh : h.source_b_kwh;
    rows.push({ ...base, source, kwh, peak_power_w: s.peak, avg_power_w: s.secs > 0 ? s.ws / s.secs : null, samples: s.samples });
  }
  return rows.filter((r) => r.samples > 0 || r.kwh > 0);
}

/** energy_daily rows of one device and local day: PDU (outlet null) and metered outlets, each all/A/B. */
export function computeDay(db: Db, catalog: SeriesCatalog, deviceId: string, date: string, tz: string): EnergyDayRow[] {
  const dev = catalog.findDev(deviceId);
  if (!dev) return [];
  const { start, end } = dayBounds(date, tz);
  const samples = energySamples(db, catalog, dev.id, start, end);
  const opts = { maxGapS: samples.maxGapS, from: start, to: end };
  const rows = rowsOf(samples.pdu(), opts, { date, device_id: deviceId, outlet: null });
  for (const n of samples.outlets) rows.push(...rowsOf(samples.outlet(n), opts, { date, device_id: deviceId, outlet: n }));
  return rows;
}

/** Store daily rows; every existing row of each (date, device_id) present in `rows` is replaced. */
export function upsertDays(db: Db, rows: readonly EnergyDayRow[]): void {
  const del = db.prepare('DELETE FROM energy_daily WHERE date = ? AND device_id = ?');
  const ins = db.prepare('INSERT INTO energy_daily (date, device_id, source, outlet, kwh, peak_power_w, avg_power_w, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const key of new Set(rows.map((r) => JSON.stringify([r.date, r.device_id])))) del.run(...(JSON.parse(key) as [string, string]));
    for (const r of rows) ins.run(r.date, r.device_id, r.source, r.outlet, r.kwh, r.peak_power_w, r.avg_power_w, r.samples);
  })();
}

/** Replace the energy_monthly rows of `months` (YYYY-MM) of a device by sums of its daily rows. */
export function recomputeMonths(db: Db, deviceId: string, months: readonly string[]): EnergyMonthRow[] {
  const sel = db.prepare('SELECT date, device_id, source, outlet, kwh, peak_power_w, avg_power_w, samples FROM energy_daily WHERE device_id = ? AND date >= ? AND date < ?');
  const del = db.prepare('DELETE FROM energy_monthly WHERE month = ? AND device_id = ?');
  const ins = db.prepare('INSERT INTO energy_monthly (month, device_id, source, outlet, kwh, peak_power_w, avg_power_w, days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const out: EnergyMonthRow[] = [];
  db.transaction(() => {
    for (const month of [...new Set(months)].sort()) {
      parseMonth(month);
      del.run(month, deviceId);
      for (const r of monthRowsFromDays(sel.all(deviceId, `${month}-01`, `${month}-32`) as EnergyDayRow[])) {
        ins.run(r.month, r.device_id, r.source, r.outlet, r.kwh, r.peak_power_w, r.avg_power_w, r.days);
        out.push(r);
      }
    }
  })();
  return out;
}

/**
 * Local dates before today whose whole day lies within raw retention (a partly expired day would
 * be undercounted), with raw samples (raw_chunk / raw_tail) and no energy_daily row.
 */
export function missingDays(db: Db, deviceId: string, tz: string, nowS: number, rawRetentionDays: number): string[] {
  const dev = db.prepare('SELECT id FROM hist_device WHERE device_id = ?').get(deviceId) as { id: number } | undefined;
  if (!dev) return [];
  const cutoff = nowS - rawRetentionDays * 86_400;
  const chunk = db.prepare('SELECT 1 FROM raw_chunk WHERE dev = ? AND t0 >= ? AND t0 < ? AND t1 > ? LIMIT 1');
  const tail = db.prepare('SELECT 1 FROM raw_tail WHERE dev = ? AND ts >= ? AND ts < ? LIMIT 1');
  const done = db.prepare('SELECT 1 FROM energy_daily WHERE device_id = ? AND date = ? LIMIT 1');
  const out: string[] = [];
  for (let d = localDay(cutoff, tz), today = localDay(nowS, tz); d < today; d = addDays(d, 1)) {
    const { start, end } = dayBounds(d, tz);
    if (start < cutoff || done.get(deviceId, d)) continue;
    if (chunk.get(dev.id, start - BLOCK_S, end, start) || tail.get(dev.id, start, end)) out.push(d);
  }
  return out;
}

// ---- readers (REST / CSV) ----

export interface EnergyRange {
  device_id?: string | undefined;
  start: string;
  end: string;
}

function checkRange(q: EnergyRange, parse: (v: string) => unknown, format: string): void {
  for (const field of ['start', 'end'] as const) {
    try {
      parse(q[field]);
    } catch {
      throw new P2mError('P2M_ERR_VALIDATION', `${field} must be ${format} (got ${JSON.stringify(q[field])})`, field);
    }
  }
  if (q.start > q.end) throw new P2mError('P2M_ERR_VALIDATION', `end (${q.end}) is before start (${q.start}): give an end on or after start`, 'end');
}

const ORDER = 'ORDER BY 1, device_id, source, outlet'; // SQLite sorts NULL first: whole PDU / all sources lead

/** energy_daily rows with start ≤ date ≤ end (YYYY-MM-DD), optionally of one device. */
export function dailyRows(db: Db, q: EnergyRange): EnergyDayRow[] {
  checkRange(q, parseDate, 'a date YYYY-MM-DD');
  const dev = q.device_id === undefined ? '' : 'AND device_id = ?';
  return db
    .prepare(`SELECT date, device_id, source, outlet, kwh, peak_power_w, avg_power_w, samples FROM energy_daily WHERE date >= ? AND date <= ? ${dev} ${ORDER}`)
    .all(...[q.start, q.end, ...(q.device_id === undefined ? [] : [q.device_id])]) as EnergyDayRow[];
}

/** energy_monthly rows with start ≤ month ≤ end (YYYY-MM), optionally of one device. */
export function monthlyRows(db: Db, q: EnergyRange): EnergyMonthRow[] {
  checkRange(q, parseMonth, 'a month YYYY-MM');
  const dev = q.device_id === undefined ? '' : 'AND device_id = ?';
  return db
    .prepare(`SELECT month, device_id, source, outlet, kwh, peak_power_w, avg_power_w, days FROM energy_monthly WHERE month >= ? AND month <= ? ${dev} ${ORDER}`)
    .all(...[q.start, q.end, ...(q.device_id === undefined ? [] : [q.device_id])]) as EnergyMonthRow[];
}
