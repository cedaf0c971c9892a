import type { Clock } from '../core/clock.js';
import type { DbHandle } from './handle.js';
import { querySeries, type SeriesResult } from './query.js';
import { resolveWindow, type RangeParams, type Window } from './range.js';
import { historyRows, type HistoryKind, type HistoryRow } from './views.js';
import type { HistoryWriter, WriterStats } from './writer.js';

// The programmatic API of the history store (issue 5 §9): the web server and the CLI use this;
// no SQL outside src/history/.

export interface HistoryResult {
  window: Window;
  rows: HistoryRow[];
}

export interface StoreOptions {
  retentionDays: number;
  clock: Clock;
  /** The running writer (null for a read-only CLI store). */
  writer: HistoryWriter | null;
}

export class HistoryStore {
  constructor(
    private readonly handle: DbHandle,
    private readonly opts: StoreOptions,
  ) {}

  get path(): string {
    return this.handle.path;
  }

  window(params: RangeParams): Window {
    return resolveWindow(params, this.opts.clock.now() / 1000, this.opts.retentionDays);
  }

  /** Bank or outlet history rows (SPEC §13.4); throws P2mError naming the field on bad input. */
  history(kind: HistoryKind, deviceId: string, params: RangeParams): HistoryResult {
    const window = this.window(params);
    return { window, rows: historyRows(this.handle.db, this.handle.catalog, deviceId, kind, window) };
  }

  /** Any series of a device (null = all): the dashboard's chart bundle. */
  series(deviceId: string, names: readonly string[] | null, params: RangeParams): { window: Window; series: SeriesResult[] } {
    const window = this.window(params);
    return { window, series: querySeries(this.handle.db, this.handle.catalog, deviceId, names, window) };
  }

  devices(): string[] {
    return this.handle.catalog.deviceIds();
  }

  stats(): WriterStats | null {
    return this.opts.writer ? { ...this.opts.writer.stats } : null;
  }
}
