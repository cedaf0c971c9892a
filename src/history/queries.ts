import { localDay, localMonth, parseMonth } from '../core/calendar.js';
import type { Clock } from '../core/clock.js';
import { P2mError } from '../core/errors.js';
import type { CsvExport, EnergyQuery, HistoryKind, HistoryParams, HistoryQueries, HistoryWindow } from '../core/ports.js';
import { CSV_COLUMNS, csvFilename, csvLines } from './csv.js';
import type { HistoryStore } from './store.js';

// The HistoryQueries port (core/ports.ts) over the history store: what the web server reads
// (SPEC §13.4–§13.6). No query of its own: it picks defaults, names the CSV files, and answers a
// device without stored history yet with no rows (not an error: its first samples are on the way).

const pad = (n: number): string => String(n).padStart(2, '0');

/** `month` (YYYY-MM) shifted by `months` calendar months. */
export function addMonths(month: string, months: number): string {
  const { year, month: m } = parseMonth(month);
  const i = year * 12 + (m - 1) + months;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${pad((i % 12) + 1)}`;
}

const isUnknownDevice = (err: unknown): boolean => err instanceof P2mError && err.code === 'P2M_ERR_UNKNOWN_DEVICE';

export function historyQueries(store: HistoryStore, clock: Clock, timezone: string): HistoryQueries {
  const nowS = (): number => clock.now() / 1000;
  const days = (q: EnergyQuery): { device_id: string; start: string; end: string } => ({
    device_id: q.device_id,
    start: q.start ?? localDay(nowS() - 29 * 86_400, timezone),
    end: q.end ?? localDay(nowS(), timezone),
  });
  const months = (q: EnergyQuery): { device_id: string; start: string; end: string } => {
    const now = localMonth(nowS(), timezone);
    return { device_id: q.device_id, start: q.start ?? addMonths(now, -11), end: q.end ?? now };
  };

  return {
    devices: () => store.devices(),

    history(kind, deviceId, params) {
      try {
        return store.history(kind, deviceId, params);
      } catch (err) {
        // The window and the filter are checked before the device: only a device without history lands here.
        if (isUnknownDevice(err)) return { window: store.window(params), rows: [] };
        throw err;
      }
    },

    historyCsv(kind: HistoryKind, deviceId: string, params: HistoryParams & { raw?: boolean }): CsvExport & { window: HistoryWindow } {
      const window = store.window(params);
      const csvKind = kind === 'banks' ? 'bank_history' : 'outlet_history';
      let lines: AsyncIterable<string>;
      try {
        lines = store.csv(kind, deviceId, params);
      } catch (err) {
        if (!isUnknownDevice(err)) throw err;
        lines = csvLines(CSV_COLUMNS[csvKind], []);
      }
      if (params.raw) window.bucket = 1;
      return { window, filename: csvFilename(csvKind, deviceId, window.start, window.end), lines };
    },

    energyDaily(q) {
      const r = days(q);
      return { start: r.start, end: r.end, rows: store.energyDaily(r) };
    },

    energyMonthly(q) {
      const r = months(q);
      return { start: r.start, end: r.end, rows: store.energyMonthly(r) };
    },

    energyCsv(kind, q) {
      if (kind === 'daily') {
        const r = days(q);
        return { filename: csvFilename('energy_daily', q.device_id, r.start, r.end), lines: csvLines(CSV_COLUMNS.energy_daily, store.energyDaily(r)) };
      }
      const r = months(q);
      return { filename: csvFilename('energy_monthly', q.device_id, r.start, r.end), lines: csvLines(CSV_COLUMNS.energy_monthly, store.energyMonthly(r)) };
    },

    energySummary: (deviceId) => store.energySummary(deviceId),
  };
}
