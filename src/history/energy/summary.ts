// Daily/monthly energy rows (SPEC §13.1 `energy_daily` / `energy_monthly`) and the
// `/api/energy/summary` shape (§13.5). Pure and storage-independent: callers read the rows and
// integrate today's samples, these functions only combine numbers.
import { dayBounds, localDay, localMonth, monthBounds, parseDate, weekStart } from '../../core/calendar.js';
import type { AtsSource } from './integrate.js';

/** What energy_daily and energy_monthly rows share (SPEC §13.1). */
interface EnergyRowBase {
  device_id: string;
  /** null = all sources, 1 = A, 2 = B. */
  source: AtsSource;
  /** null = whole PDU. */
  outlet: number | null;
  kwh: number;
  peak_power_w: number | null;
  avg_power_w: number | null;
}

export interface EnergyDayRow extends EnergyRowBase {
  date: string;
  samples: number;
}

export interface EnergyMonthRow extends EnergyRowBase {
  month: string;
  days: number;
}

interface MonthAcc {
  row: EnergyMonthRow;
  dates: Set<string>;
  avgWeighted: number;
  avgSamples: number;
}

const nullsFirst = (a: number | null, b: number | null): number => (a ?? -Infinity) - (b ?? -Infinity);

/**
 * Monthly rows recomputed from daily rows, grouped by (month, device_id, source, outlet):
 * kwh summed, peak = max, avg weighted by samples (rows without samples or avg are skipped),
 * days = distinct dates. Sorted by month, device_id, source, outlet (nulls first).
 */
export function monthRowsFromDays(dayRows: ReadonlyArray<EnergyDayRow>): EnergyMonthRow[] {
  const groups = new Map<string, MonthAcc>();
  for (const r of dayRows) {
    parseDate(r.date);
    const month = r.date.slice(0, 7);
    const key = JSON.stringify([month, r.device_id, r.source, r.outlet]);
    let g = groups.get(key);
    if (g === undefined) {
      const row: EnergyMonthRow = { month, device_id: r.device_id, source: r.source, outlet: r.outlet, kwh: 0, peak_power_w: null, avg_power_w: null, days: 0 };
      g = { row, dates: new Set(), avgWeighted: 0, avgSamples: 0 };
      groups.set(key, g);
    }
    g.row.kwh += r.kwh;
    if (r.peak_power_w !== null) g.row.peak_power_w = Math.max(g.row.peak_power_w ?? -Infinity, r.peak_power_w);
    if (r.avg_power_w !== null && r.samples > 0) {
      g.avgWeighted += r.avg_power_w * r.samples;
      g.avgSamples += r.samples;
    }
    g.dates.add(r.date);
  }
  const rows = [...groups.values()].map((g) => ({
    ...g.row,
    avg_power_w: g.avgSamples > 0 ? g.avgWeighted / g.avgSamples : null,
    days: g.dates.size,
  }));
  return rows.sort(
    (a, b) =>
      a.month.localeCompare(b.month) ||
      (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : 0) ||
      nullsFirst(a.source, b.source) ||
      nullsFirst(a.outlet, b.outlet),
  );
}

/** A summary window: [from, to] in epoch seconds and the local dates it spans (null = open). */
export interface SummaryWindow {
  from: number | null;
  to: number;
  start_date: string | null;
  end_date: string;
}

export interface SummaryPeriods {
  today: SummaryWindow;
  this_week: SummaryWindow;
  this_month: SummaryWindow;
  all_time: SummaryWindow;
}

/** The summary windows at `nowS` in zone `tz`: each runs from its local start up to now. */
export function summaryPeriods(nowS: number, tz: string): SummaryPeriods {
  const today = localDay(nowS, tz);
  const monday = weekStart(nowS, tz);
  const month = localMonth(nowS, tz);
  const window = (from: number | null, start: string | null): SummaryWindow => ({ from, to: nowS, start_date: start, end_date: today });
  return {
    today: window(dayBounds(today, tz).start, today),
    this_week: window(monday, localDay(monday, tz)),
    this_month: window(monthBounds(month, tz).start, `${month}-01`),
    all_time: window(null, null),
  };
}

/** One contribution to a window, e.g. the closed days from energy_daily, or today integrated live. */
export interface EnergyPart {
  readonly kwh: number;
  readonly source_a_kwh: number;
  readonly source_b_kwh: number;
  /** Cost of this part; null = unknown (makes the window's cost null). */
  readonly cost: number | null;
}

export interface WindowSummary {
  total_kwh: number;
  source_a_kwh: number;
  source_b_kwh: number;
  cost: number | null;
}

export interface EnergySummary {
  currency: string;
  today: WindowSummary;
  this_week: WindowSummary;
  this_month: WindowSummary;
  all_time: WindowSummary;
}

export interface SummaryInput {
  currency: string;
  /** hasPrices(tariff): false → every cost is null (SPEC: null when every price is 0). */
  priced: boolean;
  today: ReadonlyArray<EnergyPart>;
  this_week: ReadonlyArray<EnergyPart>;
  this_month: ReadonlyArray<EnergyPart>;
  all_time: ReadonlyArray<EnergyPart>;
}

function combine(parts: ReadonlyArray<EnergyPart>, priced: boolean): WindowSummary {
  const out: WindowSummary = { total_kwh: 0, source_a_kwh: 0, source_b_kwh: 0, cost: priced ? 0 : null };
  for (const p of parts) {
    out.total_kwh += p.kwh;
    out.source_a_kwh += p.source_a_kwh;
    out.source_b_kwh += p.source_b_kwh;
    out.cost = out.cost === null || p.cost === null ? null : out.cost + p.cost;
  }
  return out;
}

/** The `/api/energy/summary` body from per-window parts computed elsewhere. */
export function summarize(input: SummaryInput): EnergySummary {
  return {
    currency: input.currency,
    today: combine(input.today, input.priced),
    this_week: combine(input.this_week, input.priced),
    this_month: combine(input.this_month, input.priced),
    all_time: combine(input.all_time, input.priced),
  };
}
