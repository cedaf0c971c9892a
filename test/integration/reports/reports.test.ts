// Weekly and monthly reports (SPEC §13.7) from a real SQLite history: energy_daily rows seeded as
// the daily job writes them, outages in the outage store, read through the history side's
// ReportDataPort. Both files are checked (the PDF read back uncompressed), then the idempotent
// back-fill and the "no data, no file" rule.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, resolveConfig } from '../../../src/config/index.js';
import { addDays, zonedEpoch } from '../../../src/core/calendar.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { EnergyDay } from '../../../src/core/ports.js';
import { upsertDays } from '../../../src/history/energy-store.js';
import { PowerStore } from '../../../src/history/power-store.js';
import { reportData } from '../../../src/history/report-data.js';
import { HistoryStore } from '../../../src/history/store.js';
import { createReportsService, type ReportsService } from '../../../src/reports/service.js';
import { tempHistory, type TempHistory } from '../../support/history.js';
import { deviceInfo, FakeRegistry } from '../../support/http-ports.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';
import { readPdf } from '../../support/pdf-text.js';

const TZ = 'Europe/Berlin';
const DEV = 'pdu-01';
let h: TempHistory;
let svc: ReportsService;
let dir: string;

/** One local day as the daily job writes it: PDU all/A/B and two metered outlets. */
function day(date: string, total: number): EnergyDay[] {
  const base = { date, device_id: DEV, peak_power_w: 1500, avg_power_w: (total * 1000) / 24, samples: 86_400 };
  return [
    { ...base, outlet: null, source: null, kwh: total },
    { ...base, outlet: null, source: 1, kwh: total * 0.6 },
    { ...base, outlet: null, source: 2, kwh: total * 0.4 },
    { ...base, outlet: 1, source: null, kwh: 3 },
    { ...base, outlet: 1, source: 1, kwh: 2 },
    { ...base, outlet: 1, source: 2, kwh: 1 },
    { ...base, outlet: 2, source: null, kwh: 1 },
  ];
}

const local = (date: string, hh: number, mm = 0): number => zonedEpoch(date, hh * 3600 + mm * 60, TZ);
const path = (name: string): string => join(dir, DEV, name);

beforeAll(() => {
  // "Now" is Tuesday 2026-11-24 00:00 UTC: the last complete week is 2026-11-16 … 11-22, month 2026-10.
  h = tempHistory({ startMs: Date.UTC(2026, 10, 24, 0, 0, 0) });
  dir = join(h.dir, 'reports');
  h.writer.ingest({ ...pduSnapshot({ deviceId: DEV }), ts: h.clock.now() / 1000 - 60 });
  h.writer.commit(); // the device now has history
  const rows: EnergyDay[] = [];
  for (let d = '2026-10-01'; d <= '2026-11-22'; d = addDays(d, 1)) rows.push(...day(d, d >= '2026-11-16' ? 12 : 10));
  upsertDays(h.handle.db, rows);
  const power = new PowerStore(h.handle);
  const o = power.openOutage({ kind: 'power', started_at: local('2026-11-18', 10), cause: 'utility_lost' });
  power.closeOutage(o.id, local('2026-11-18', 11, 15));
  const oct = power.openOutage({ kind: 'power', started_at: local('2026-10-05', 3), cause: 'breaker_trip' });
  power.closeOutage(oct.id, local('2026-10-05', 3, 20));
  power.openOutage({ kind: 'network', started_at: local('2026-11-19', 8), cause: 'lan_down' });

  const config = resolveConfig(
    configSchema.parse({ timezone: TZ, reports: { path: dir }, energy: { tariff: { price_per_kwh: 0.3, currency: 'EUR' } } }),
    { fileLoaded: true },
  );
  const store = new HistoryStore(h.handle, { retentionDays: 730, clock: h.clock, writer: null, tariff: config.energy.tariff, timezone: TZ });
  const registry = new FakeRegistry().put(deviceInfo(DEV, { label: 'Rack 1 PDU', model: 'PDU44001', serial: 'NA1234567890' }), pduSnapshot({ deviceId: DEV }));
  svc = createReportsService({ config, logger: silentLogger(), clock: h.clock, data: reportData(store, power), registry, compressPdf: false });
});
afterAll(async () => {
  await svc?.stop();
  h?.cleanup();
});

describe('weekly report', () => {
  let pdf: Buffer;
  let html: string;

  beforeAll(async () => {
    expect(await svc.generate({ device_id: DEV, type: 'weekly' })).toEqual({ ok: true, filenames: ['weekly-2026-11-16.pdf', 'weekly-2026-11-16.html'] });
    pdf = readFileSync(path('weekly-2026-11-16.pdf'));
    html = readFileSync(path('weekly-2026-11-16.html'), 'utf8');
  });

  it('is a PDF with the header, totals, cost, change, outlets and the outage', () => {
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const facts = readPdf(pdf);
    expect(facts.trailer).toBe(true);
    expect(facts.pages).toBeGreaterThanOrEqual(1);
    const text = facts.texts.join('\n');
    for (const s of ['Weekly energy report', 'Rack 1 PDU', 'PDU44001', 'NA1234567890', '1.3.2', '84.00 kWh', '50.40 kWh', '33.60 kWh', '1500 W', '25.20 EUR', '+20.0 %', '25.0 %', 'utility_lost', '2026-11-18 10:00', '1 h 15 min']) {
      expect(text, s).toContain(s);
    }
    expect(text).not.toContain('lan_down'); // network faults are not power outages
  });

  it('is self-contained HTML with the cards, the daily and outlet tables, the outage and inline SVG', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<div class="card">/g)).toHaveLength(6);
    for (const d of ['2026-11-16', '2026-11-22']) expect(html).toContain(`<td>${d}</td>`);
    expect(html).not.toContain('<td>2026-11-23</td>');
    expect(html).toMatch(/<section id="outlets">[\s\S]*<td>25\.0 %<\/td>/);
    expect(html).toMatch(/<section id="outages">[\s\S]*<td>2026-11-18 10:00<\/td><td>2026-11-18 11:15<\/td><td>1 h 15 min<\/td><td>utility_lost<\/td>/);
    expect(html).not.toContain('breaker_trip');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/https?:\/\/|<script|\ssrc=|url\(|@import/i);
  });
});

describe('monthly report', () => {
  it('covers the calendar month, with its outage and no change card value without a previous month', async () => {
    expect(await svc.generate({ device_id: DEV, type: 'monthly', period: '2026-10' })).toMatchObject({ ok: true });
    const text = readPdf(readFileSync(path('monthly-2026-10.pdf'))).texts.join('\n');
    for (const s of ['Monthly energy report', 'October 2026', '310.00 kWh', '93.00 EUR', 'breaker_trip', '2026-10-31']) expect(text, s).toContain(s);
    const html = readFileSync(path('monthly-2026-10.html'), 'utf8');
    expect(html).toContain('<div class="k">vs previous month</div><div class="v">—</div>');
    expect(html.match(/<tr><td>2026-10-\d\d<\/td>/g)).toHaveLength(31);
    expect(html).not.toContain('utility_lost');
  });
});

describe('back-fill', () => {
  it('writes the missing reports of the last 8 weeks and 3 months once, then skips them', async () => {
    const first = await svc.backfill();
    // Weeks 09-28 … 11-16 all have data (11-16 exists already); months: 10 exists, 09 and 08 have none.
    expect(first).toEqual({ generated: 7, skipped: 2, empty: 2, errors: 0 });
    const names = readdirSync(join(dir, DEV)).sort();
    expect(names).toHaveLength(2 * 9);
    expect(names).not.toContain('monthly-2026-09.pdf');
    const mtimes = names.map((n) => statSync(path(n)).mtimeMs);
    expect(await svc.backfill()).toEqual({ generated: 0, skipped: 9, empty: 2, errors: 0 });
    expect(readdirSync(join(dir, DEV)).sort().map((n) => statSync(path(n)).mtimeMs)).toEqual(mtimes);
  });

  it('lists what it wrote, newest period first', async () => {
    const list = await svc.list(DEV);
    expect(list).toHaveLength(18);
    expect(list[0]).toMatchObject({ device_id: DEV, report_type: 'weekly', period: '2026-11-16', size_bytes: expect.any(Number) });
    expect(list.every((r) => r.size_bytes > 0)).toBe(true);
  });
});

describe('day costs from the history store (energy.tariff)', () => {
  const storeWith = (tariff: Record<string, unknown>): HistoryStore => {
    const t = resolveConfig(configSchema.parse({ energy: { tariff } }), { fileLoaded: true }).energy.tariff;
    return new HistoryStore(h.handle, { retentionDays: 730, clock: h.clock, writer: null, tariff: t, timezone: TZ });
  };

  it.each([
    ['flat', { price_per_kwh: 0.3 }, '2026-11-16', 3.6],
    ['flat, a day without rows', { price_per_kwh: 0.3 }, '2026-12-01', 0],
    ['no prices', { price_per_kwh: 0 }, '2026-11-16', null],
    ['time of use without raw samples left: price_per_kwh', { type: 'tou', price_per_kwh: 0.2, periods: [{ name: 'peak', start: '17:00', end: '21:00', price_per_kwh: 0.5 }] }, '2026-11-16', 2.4],
  ])('%s', (_name, tariff, date, want) => {
    const cost = storeWith(tariff).energyDayCost(DEV, date);
    if (want === null) expect(cost).toBeNull();
    else expect(cost).toBeCloseTo(want, 9);
  });
});

describe('no data', () => {
  it('answers an error and writes no file', async () => {
    const r = await svc.generate({ device_id: DEV, type: 'weekly', period: '2026-06-01' });
    expect(r).toEqual({ ok: false, error: expect.stringContaining('no energy data') });
    expect(existsSync(path('weekly-2026-06-01.pdf'))).toBe(false);
    expect(existsSync(path('weekly-2026-06-01.html'))).toBe(false);
  });
});
