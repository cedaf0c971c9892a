import type { TariffConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { DeviceStateStore, DiscoveryRecord, DiscoveryRecordStore, RuntimeDeviceSpec } from '../core/ports.js';
import { P2mError } from '../core/errors.js';
import { CSV_COLUMNS, csvLines, isoSecond } from './csv.js';
import { dailyRows, monthlyRows, type EnergyRange } from './energy-store.js';
import { energySummary, storedDayCost } from './energy-summary.js';
import type { EnergyDayRow, EnergyMonthRow, EnergySummary } from './energy/index.js';
import {
  clearOutletName, deleteDiscoveryTopic, insertEvent, kvGet, kvSet, listDiscoveryTopics, listEvents, listOutages, listOutletNames, listRuntimeDevices, recordDiscoveryTopic, removeRuntimeDevice, saveRuntimeDevice, setOutletName,
  type EventInput, type EventQuery, type EventRecord, type OutageRecord,
} from './events.js';
import type { DbHandle } from './handle.js';
import { querySeries, type SeriesResult } from './query.js';
import { resolveWindow, type RangeParams, type Window } from './range.js';
import { historyRows, type HistoryKind, type HistoryRow } from './views.js';
import type { HistoryWriter, WriterStats } from './writer.js';

// The programmatic API of the history store (issue 5 §9): the web server and the CLI use this;
// no SQL outside src/history/.

/** kv key prefix of a config device's address found by address recovery (SPEC §7.7). */
const MOVED_HOST_KEY = 'device.moved_host.';

export interface HistoryResult {
  window: Window;
  rows: HistoryRow[];
}

export interface StoreOptions {
  retentionDays: number;
  clock: Clock;
  /** The running writer (null for a read-only CLI store). */
  writer: HistoryWriter | null;
  tariff: TariffConfig;
  /** IANA zone of energy days and tariffs ('' = process zone). */
  timezone: string;
}

/** A bank or outlet filter is a number from 1; the error names `bank` or `outlet`. */
function checkInstance(kind: HistoryKind, instance: number | undefined): void {
  if (instance !== undefined && (!Number.isInteger(instance) || instance < 1)) {
    throw new P2mError('P2M_ERR_VALIDATION', `${kind === 'banks' ? 'bank' : 'outlet'} must be a number from 1 (got ${String(instance)})`, kind === 'banks' ? 'bank' : 'outlet');
  }
}

export class HistoryStore implements DeviceStateStore, DiscoveryRecordStore {
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
  history(kind: HistoryKind, deviceId: string, params: RangeParams & { instance?: number | undefined }): HistoryResult {
    const window = this.window(params);
    checkInstance(kind, params.instance);
    return { window, rows: historyRows(this.handle.db, this.handle.catalog, deviceId, kind, window, params.instance) };
  }

  /** Any series of a device (null = all): the dashboard's chart bundle. */
  series(deviceId: string, names: readonly string[] | null, params: RangeParams): { window: Window; series: SeriesResult[] } {
    const window = this.window(params);
    return { window, series: querySeries(this.handle.db, this.handle.catalog, deviceId, names, window) };
  }

  /**
   * Bank/outlet history as CSV lines (SPEC §13.6), computed slice by slice (3600 buckets at a
   * time), so memory stays bounded whatever the span. `raw` forces 1 s buckets (spans ≤ 7 days);
   * `instance` limits the rows to one bank or outlet.
   */
  csv(kind: HistoryKind, deviceId: string, params: RangeParams & { raw?: boolean; instance?: number }): AsyncGenerator<string> {
    const w = this.window(params);
    if (params.raw) {
      if (w.end - w.start > 7 * 86_400) throw new P2mError('P2M_ERR_VALIDATION', 'raw export spans at most 7 days: narrow start/end or drop raw', 'raw');
      w.bucket = 1;
    }
    checkInstance(kind, params.instance);
    historyRows(this.handle.db, this.handle.catalog, deviceId, kind, { ...w, end: w.start + 1 }, params.instance); // validates the device now
    const { db, catalog } = this.handle;
    const slice = w.bucket * 3_600;
    function* rows(): Generator<Record<string, unknown>> {
      for (let s = Math.floor(w.start / w.bucket) * w.bucket; s < w.end; s += slice) {
        const part = { start: Math.max(s, w.start), end: Math.min(s + slice, w.end), bucket: w.bucket };
        for (const r of historyRows(db, catalog, deviceId, kind, part, params.instance)) {
          yield { ...r, bucket: isoSecond(r.bucket as number), epoch: r.bucket };
        }
      }
    }
    return csvLines(CSV_COLUMNS[kind === 'banks' ? 'bank_history' : 'outlet_history'], rows());
  }

  energyDaily(q: EnergyRange): EnergyDayRow[] {
    return dailyRows(this.handle.db, q);
  }

  energyMonthly(q: EnergyRange): EnergyMonthRow[] {
    return monthlyRows(this.handle.db, q);
  }

  /** Cost of a device's stored day (energy_daily) under the tariff; null when every price is 0. */
  energyDayCost(deviceId: string, date: string): number | null {
    const { db, catalog } = this.handle;
    return storedDayCost(db, catalog, deviceId, date, this.opts.tariff, this.opts.timezone);
  }

  /** SPEC §13.5 summary of one device (or all with null). */
  energySummary(deviceId: string | null): EnergySummary {
    const { db, catalog } = this.handle;
    return energySummary(db, catalog, deviceId, this.opts.tariff, this.opts.timezone, this.opts.clock.now() / 1000);
  }

  addEvent(e: EventInput): number {
    return insertEvent(this.handle.db, e);
  }

  events(q: EventQuery = {}): EventRecord[] {
    return listEvents(this.handle.db, q);
  }

  outages(q: { since?: number; until?: number; limit?: number } = {}): OutageRecord[] {
    return listOutages(this.handle.db, q);
  }

  outletNames(deviceId: string): Array<{ outlet: number; name: string }> {
    return listOutletNames(this.handle.db, deviceId);
  }

  saveOutletName(deviceId: string, outlet: number, name: string | null): void {
    if (name === null) clearOutletName(this.handle.db, deviceId, outlet);
    else setOutletName(this.handle.db, deviceId, outlet, name);
  }

  runtimeDevices(): Array<RuntimeDeviceSpec & { id: string }> {
    return listRuntimeDevices(this.handle.db).map((r) => ({ ...(r.spec as RuntimeDeviceSpec), id: r.device_id }));
  }

  saveRuntimeDevice(spec: RuntimeDeviceSpec & { id: string }): void {
    saveRuntimeDevice(this.handle.db, spec.id, spec, Math.floor(this.opts.clock.now() / 1000));
  }

  removeRuntimeDevice(deviceId: string): void {
    removeRuntimeDevice(this.handle.db, deviceId);
  }

  movedHost(deviceId: string): { configured: string; host: string } | null {
    const v = kvGet(this.handle.db, `${MOVED_HOST_KEY}${deviceId}`);
    if (typeof v !== 'object' || v === null) return null;
    const { configured, host } = v as Record<string, unknown>;
    return typeof configured === 'string' && typeof host === 'string' ? { configured, host } : null;
  }

  saveMovedHost(deviceId: string, configured: string, host: string): void {
    kvSet(this.handle.db, `${MOVED_HOST_KEY}${deviceId}`, { configured, host }, Math.floor(this.opts.clock.now() / 1000));
  }

  discoveryTopics(): DiscoveryRecord[] {
    return listDiscoveryTopics(this.handle.db).map((r) => ({ topic: r.topic, device_id: r.device_id }));
  }

  recordDiscoveryTopics(records: DiscoveryRecord[]): void {
    const db = this.handle.db;
    const now = Math.floor(this.opts.clock.now() / 1000);
    db.transaction(() => {
      for (const r of records) recordDiscoveryTopic(db, r.topic, r.device_id, now);
    })();
  }

  forgetDiscoveryTopics(topics: string[]): void {
    const db = this.handle.db;
    db.transaction(() => {
      for (const t of topics) deleteDiscoveryTopic(db, t);
    })();
  }

  devices(): string[] {
    return this.handle.catalog.deviceIds();
  }

  stats(): WriterStats | null {
    return this.opts.writer ? { ...this.opts.writer.stats } : null;
  }
}
