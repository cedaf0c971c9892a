import type { EnergyDay } from '../core/ports.js';
import type { OutageRecord } from '../core/power.js';
import { periodDates, type ReportPeriod } from './periods.js';

// The content of one report (SPEC §13.7), as numbers: header, summary cards, daily rows,
// per-outlet rows and the outages of the period. Pure; both renderers (html.ts, pdf.ts) draw it.

export interface DeviceMeta {
  id: string;
  name: string;
  model: string | null;
  serial: string | null;
  firmware: string | null;
}

export interface ReportInput {
  device: DeviceMeta;
  period: ReportPeriod;
  /** energy_daily rows of the period (PDU and outlets, every source). */
  rows: readonly EnergyDay[];
  /** energy_daily rows of the previous period (for the % change). */
  previousRows: readonly EnergyDay[];
  /** Cost per local date of the period (null: no prices configured). */
  costs: ReadonlyMap<string, number | null>;
  currency: string;
  outages: readonly OutageRecord[];
  outletNames: ReadonlyMap<number, string>;
  /** Epoch seconds. */
  generatedAt: number;
  tz: string;
  /** web.public_url ('' = none): a link to the dashboard in the footer. */
  publicUrl: string;
}

export interface Cards {
  total_kwh: number;
  source_a_kwh: number;
  source_b_kwh: number;
  peak_w: number | null;
  /** null: no prices configured (the card is left out). */
  cost: number | null;
  /** vs the previous period's total; null without data then. */
  change_pct: number | null;
}

export interface DayLine {
  date: string;
  total_kwh: number | null;
  a_kwh: number | null;
  b_kwh: number | null;
  peak_w: number | null;
  avg_w: number | null;
}

export interface OutletLine {
  outlet: number;
  /** '' when the outlet has no name. */
  name: string;
  kwh: number;
  a_kwh: number;
  b_kwh: number;
  /** Percent of the PDU total; null when the total is 0. */
  share: number | null;
}

export interface OutageLine {
  start: number;
  /** null: still ongoing. */
  end: number | null;
  duration_s: number | null;
  cause: string;
}

export interface ReportModel {
  device: DeviceMeta;
  period: ReportPeriod;
  generatedAt: number;
  tz: string;
  currency: string;
  publicUrl: string;
  cards: Cards;
  days: DayLine[];
  outlets: OutletLine[];
  outages: OutageLine[];
}

const isPdu = (r: EnergyDay): boolean => r.outlet === null;

/** A period has data when the PDU has an energy row with samples or energy (SPEC: no data → no file). */
export function hasEnergyData(rows: readonly EnergyDay[]): boolean {
  return rows.some((r) => isPdu(r) && r.source === null && (r.samples > 0 || r.kwh > 0));
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function dayLines(period: ReportPeriod, rows: readonly EnergyDay[]): DayLine[] {
  return periodDates(period).map((date) => {
    const of = (source: 1 | 2 | null): EnergyDay | undefined => rows.find((r) => isPdu(r) && r.date === date && r.source === source);
    const all = of(null);
    const a = of(1);
    const b = of(2);
    const none = !all && !a && !b;
    return {
      date,
      total_kwh: all?.kwh ?? (none ? null : (a?.kwh ?? 0) + (b?.kwh ?? 0)),
      a_kwh: none ? null : (a?.kwh ?? 0),
      b_kwh: none ? null : (b?.kwh ?? 0),
      peak_w: all?.peak_power_w ?? null,
      avg_w: all?.avg_power_w ?? null,
    };
  });
}

function outletLines(rows: readonly EnergyDay[], total: number, names: ReadonlyMap<number, string>): OutletLine[] {
  const by = new Map<number, OutletLine>();
  for (const r of rows) {
    if (r.outlet === null) continue;
    const line = by.get(r.outlet) ?? { outlet: r.outlet, name: names.get(r.outlet) ?? '', kwh: 0, a_kwh: 0, b_kwh: 0, share: null };
    by.set(r.outlet, line);
    if (r.source === null) line.kwh += r.kwh;
    else if (r.source === 1) line.a_kwh += r.kwh;
    else line.b_kwh += r.kwh;
  }
  return [...by.values()]
    .sort((x, y) => x.outlet - y.outlet)
    .map((l) => ({ ...l, share: total > 0 ? (l.kwh / total) * 100 : null }));
}

function pduTotal(rows: readonly EnergyDay[], source: 1 | 2 | null): number {
  return sum(rows.filter((r) => isPdu(r) && r.source === source).map((r) => r.kwh));
}

export function buildReport(input: ReportInput): ReportModel {
  const { rows } = input;
  const total = pduTotal(rows, null);
  const peaks = rows.filter((r) => isPdu(r) && r.source === null && r.peak_power_w !== null).map((r) => r.peak_power_w as number);
  const costs = [...input.costs.values()].filter((c): c is number => c !== null);
  const before = hasEnergyData(input.previousRows) ? pduTotal(input.previousRows, null) : 0;
  const cards: Cards = {
    total_kwh: total,
    source_a_kwh: pduTotal(rows, 1),
    source_b_kwh: pduTotal(rows, 2),
    peak_w: peaks.length > 0 ? Math.max(...peaks) : null,
    cost: costs.length > 0 ? sum(costs) : null,
    change_pct: before > 0 ? ((total - before) / before) * 100 : null,
  };
  const outages = [...input.outages]
    .sort((a, b) => a.started_at - b.started_at || a.id - b.id)
    .map((o): OutageLine => ({ start: o.started_at, end: o.ended_at, duration_s: o.is_ongoing ? null : o.duration_seconds, cause: o.cause ?? 'unknown' }));
  return {
    device: input.device, period: input.period, generatedAt: input.generatedAt, tz: input.tz, currency: input.currency, publicUrl: input.publicUrl,
    cards, days: dayLines(input.period, rows), outlets: outletLines(rows, total, input.outletNames), outages,
  };
}

/** The daily chart's stacked parts per day: [A, B, energy without a known source]. */
export function dayParts(d: DayLine): number[] {
  const a = d.a_kwh ?? 0;
  const b = d.b_kwh ?? 0;
  const rest = (d.total_kwh ?? 0) - a - b;
  return [a, b, rest > 1e-9 ? rest : 0];
}
