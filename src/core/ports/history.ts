// Ports: history and energy (SPEC §13.4–§13.6).

export type HistoryKind = 'banks' | 'outlets';

/** `range` (1h … 60d) or `start`+`end` (epoch seconds, taking precedence); checked by the store. */
export interface HistoryRange {
  range?: string | undefined;
  start?: string | number | undefined;
  end?: string | number | undefined;
}

/** A bank/outlet history query: the range plus one bank or outlet (`instance`) when given. */
export interface HistoryParams extends HistoryRange {
  instance?: number | undefined;
}

/** The resolved window, epoch seconds; `bucket` = the bucket size in seconds (X-Bucket-Seconds). */
export interface HistoryWindow {
  start: number;
  end: number;
  bucket: number;
}

/**
 * One bank or outlet row (SPEC §13.4): `bucket` (epoch s), `bank` | `outlet`, then each value
 * field with `{field}_min` / `{field}_max`; null = no reading of that series in the bucket.
 */
export type HistoryRow = Record<string, number | null>;

/** What energy_daily and energy_monthly rows share (SPEC §13.1). */
export interface EnergyRowFields {
  device_id: string;
  /** null = all sources, 1 = A, 2 = B. */
  source: 1 | 2 | null;
  /** null = whole PDU. */
  outlet: number | null;
  kwh: number;
  peak_power_w: number | null;
  avg_power_w: number | null;
}
export interface EnergyDay extends EnergyRowFields {
  date: string;
  samples: number;
}
export interface EnergyMonth extends EnergyRowFields {
  month: string;
  days: number;
}

/** `start`/`end` as given (YYYY-MM-DD days, YYYY-MM months); absent = the default span. */
export interface EnergyQuery {
  device_id: string;
  start?: string | undefined;
  end?: string | undefined;
}

export interface EnergyWindowSummary {
  total_kwh: number;
  source_a_kwh: number;
  source_b_kwh: number;
  cost: number | null;
}

/** SPEC §13.5 `/api/energy/summary`. */
export interface EnergySummaryView {
  currency: string;
  today: EnergyWindowSummary;
  this_week: EnergyWindowSummary;
  this_month: EnergyWindowSummary;
  all_time: EnergyWindowSummary;
}

/** A CSV export (SPEC §13.6): its file name and its lines (header first), pulled one at a time. */
export interface CsvExport {
  filename: string;
  lines: AsyncIterable<string>;
}

/**
 * Stored history and energy, read by the web server; implemented by history/. Every method
 * checks its input before returning (a CSV export fails before its first line), throwing
 * P2mError naming the field (range, start, end, bank, outlet, raw).
 */
export interface HistoryQueries {
  /** Devices with stored history (a removed device keeps its history). */
  devices(): string[];
  history(kind: HistoryKind, deviceId: string, params: HistoryParams): { window: HistoryWindow; rows: HistoryRow[] };
  /** `raw`: 1 s rows whatever the span (at most 7 days). */
  historyCsv(kind: HistoryKind, deviceId: string, params: HistoryParams & { raw?: boolean }): CsvExport & { window: HistoryWindow };
  /** Default: the last 30 local days, today included. */
  energyDaily(q: EnergyQuery): { start: string; end: string; rows: EnergyDay[] };
  /** Default: the last 12 local months, this one included. */
  energyMonthly(q: EnergyQuery): { start: string; end: string; rows: EnergyMonth[] };
  energyCsv(kind: 'daily' | 'monthly', q: EnergyQuery): CsvExport;
  energySummary(deviceId: string): EnergySummaryView;
}
