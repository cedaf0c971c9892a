import { P2mError } from '../core/errors.js';
import type { SeriesCatalog, SeriesRow } from './catalog.js';
import { stmt, type Db } from './db.js';
import { addDays, dayBounds, localDay, monthRowsFromDays, parseDate, parseMonth, type EnergyDayRow, type EnergyMonthRow, type HybridTotals } from './energy/index.js';
import { EnergyStream, type AtsSource, type IntervalVisitor } from './energy/integrate.js';
import { BLOCK_S, visitRaw } from './raw.js';

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

type Cols = ReadonlyMap<number, ReadonlyArray<number | null>>;
type Ref = { id: number; scale: number } | null;

/** One point series to integrate: power (else the sum of `banks` present), counter, its stream. */
interface Target {
  power: Ref;
  banks: Array<{ id: number; scale: number }>;
  counter: Ref;
  stream: EnergyStream;
}

/** The device's energy series: ids to read, the ATS source series and a lookup by name. */
function energySeries(catalog: SeriesCatalog, dev: number, names: ReadonlySet<string>): { only: Set<number>; source: Ref; ref: (name: string, n?: number) => Ref; rows: SeriesRow[] } {
  const rows = catalog.seriesOf(dev).filter((r) => names.has(r.name));
  const ref = (name: string, n?: number): Ref => {
    const r = rows.find((x) => x.name === name && (n === undefined || x.n === n));
    return r ? { id: r.id, scale: r.scale } : null;
  };
  return { only: new Set(rows.map((r) => r.id)), source: ref('active_source'), ref, rows };
}

const pduTarget = (s: ReturnType<typeof energySeries>, stream: EnergyStream): Target => ({
  power: s.ref('total_power'), banks: s.rows.filter((r) => r.name === 'bank_power').map((r) => ({ id: r.id, scale: r.scale })), counter: s.ref('total_energy'), stream,
});

/** Push the samples [lo, hi) of one visited block into every target (no copies). */
function feedBlock(targets: readonly Target[], source: Ref, ts: readonly number[], lo: number, hi: number, series: Cols): void {
  const src = source ? series.get(source.id) : undefined;
  const sources: AtsSource[] = [];
  for (let i = lo; i < hi; i++) sources.push(src?.[i] === 1 ? 1 : src?.[i] === 2 ? 2 : null);
  const column = (r: Ref): ReadonlyArray<number | null> => (r && series.get(r.id)) || NONE;
  for (const { power, banks, counter, stream } of targets) {
    const [p, ps, e, es] = [column(power), power?.scale ?? 1, column(counter), counter?.scale ?? 1];
    const bankCols = banks.map((b) => ({ c: column(b), scale: b.scale }));
    for (let i = lo; i < hi; i++) {
      const v = p[i];
      let watts = v === null || v === undefined ? null : v / ps;
      if (watts === null) {
        for (const b of bankCols) { // no total in this sample: the bank powers present, if any
          const bv = b.c[i];
          if (bv !== null && bv !== undefined) watts = (watts ?? 0) + bv / b.scale;
        }
      }
      const c = e[i];
      stream.push(ts[i] as number, watts, c === null || c === undefined ? null : c / es, sources[i - lo]);
    }
  }
}

const NONE: ReadonlyArray<number | null> = [];
const DAY_SERIES = new Set(['total_power', 'total_energy', 'bank_power', 'active_source', 'outlet_power', 'outlet_energy']);
const PDU_SERIES = new Set(['total_power', 'total_energy', 'bank_power', 'active_source']);
const POWER_SERIES = new Set(['total_power', 'bank_power']);

/**
 * Whole-PDU energy of [from, to) from the raw samples of [from − maxGapS, to + maxGapS] (every
 * interval overlapping the window) in one pass. `powerOnly`: no counter nor source (the totals
 * are then pure integration): a time profile for pricing, whose intervals go to `onInterval`.
 */
export function pduEnergy(db: Db, catalog: SeriesCatalog, dev: number, from: number, to: number, powerOnly: boolean, onInterval?: IntervalVisitor): HybridTotals {
  const maxGapS = 3 * catalog.pollIntervalOf(dev);
  const s = energySeries(catalog, dev, powerOnly ? POWER_SERIES : PDU_SERIES);
  const target = pduTarget(s, new EnergyStream({ maxGapS, from, to }, onInterval));
  visitRaw(db, catalog, dev, from - maxGapS, to + maxGapS + 1, s.only, (ts, lo, hi, series) => feedBlock([target], s.source, ts, lo, hi, series));
  return target.stream.totals();
}

/**
 * energy_daily rows of one device and local day, computed in slices: each step() reads and
 * integrates the raw samples of one slice (`sliceS` seconds, aligned to epoch multiples; default
 * one stored block, an hour), so a caller can spread a day over several event-loop turns. The
 * result does not depend on the slicing (every sample goes once, in time order, to the same
 * streams). Raw range: [start − maxGapS, end + maxGapS] (every interval overlapping the day).
 */
export class DayComputation {
  private readonly slices: Array<[number, number]> = [];
  private readonly targets: Array<{ outlet: number | null; t: Target }> = [];
  private readonly series: ReturnType<typeof energySeries> | null = null;
  private readonly dev: number = 0;

  constructor(catalog: SeriesCatalog, readonly deviceId: string, readonly date: string, tz: string, sliceS: number = BLOCK_S) {
    const dev = catalog.findDev(deviceId);
    if (!dev) return;
    const { start, end } = dayBounds(date, tz);
    const maxGapS = 3 * dev.pollIntervalS;
    const s = (this.series = energySeries(catalog, (this.dev = dev.id), DAY_SERIES));
    const stream = (): EnergyStream => new EnergyStream({ maxGapS, from: start, to: end });
    this.targets.push({ outlet: null, t: pduTarget(s, stream()) });
    const outlets = s.rows.filter((r) => r.name === 'outlet_power').map((r) => r.n).sort((x, y) => x - y);
    for (const n of outlets) this.targets.push({ outlet: n, t: { power: s.ref('outlet_power', n), banks: [], counter: s.ref('outlet_energy', n), stream: stream() } });
    for (let a = start - maxGapS, hi = end + maxGapS + 1; a < hi; ) {
      const b = Math.min(hi, Number.isFinite(sliceS) ? (Math.floor(a / sliceS) + 1) * sliceS : hi);
      this.slices.push([a, b]);
      a = b;
    }
  }

  /** Read and integrate the next slice; true while slices remain. */
  step(db: Db, catalog: SeriesCatalog): boolean {
    const slice = this.slices.shift();
    const s = this.series;
    if (slice && s) {
      const targets = this.targets.map((x) => x.t);
      visitRaw(db, catalog, this.dev, slice[0], slice[1], s.only, (ts, lo, hi, cols) => feedBlock(targets, s.source, ts, lo, hi, cols));
    }
    return this.slices.length > 0;
  }

  /**
   * The rows (all, A, B) of the PDU (outlet null) and each metered outlet; empty rows left out.
   * Per source: kWh = hybridEnergy's split; peak, samples and avg of that source's samples.
   */
  rows(): EnergyDayRow[] {
    const out: EnergyDayRow[] = [];
    for (const { outlet, t } of this.targets) {
      const base = { date: this.date, device_id: this.deviceId, outlet };
      const h = t.stream.totals();
      out.push({ ...base, source: null, kwh: h.kwh, peak_power_w: h.peak_power_w, avg_power_w: h.avg_power_w, samples: h.samples });
      for (const source of [1, 2] as const) {
        const st = t.stream.bySource(source);
        out.push({ ...base, source, kwh: source === 1 ? h.source_a_kwh : h.source_b_kwh, peak_power_w: st.peak_power_w, avg_power_w: st.avg_power_w, samples: st.samples });
      }
    }
    return out.filter((r) => r.samples > 0 || r.kwh > 0);
  }
}

/** energy_daily rows of one device and local day at once (see DayComputation). */
export function computeDay(db: Db, catalog: SeriesCatalog, deviceId: string, date: string, tz: string): EnergyDayRow[] {
  const day = new DayComputation(catalog, deviceId, date, tz);
  while (day.step(db, catalog));
  return day.rows();
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

/** The device's oldest raw sample time (a lower bound: its hour block's start), or null: none left. */
export function oldestRawTs(db: Db, dev: number): number | null {
  const chunk = stmt(db, 'SELECT min(t0) AS t FROM raw_chunk WHERE dev = ?').get(dev) as { t: number | null };
  const tail = stmt(db, 'SELECT min(ts) AS t FROM raw_tail WHERE dev = ?').get(dev) as { t: number | null };
  return chunk.t === null ? tail.t : tail.t === null ? chunk.t : Math.min(chunk.t, tail.t);
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
