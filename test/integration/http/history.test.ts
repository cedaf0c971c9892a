// History and energy REST endpoints (SPEC §14.2) on the real app: the demo PDU is polled at 1 Hz
// and recorded in a real SQLite file; the routes read it back through the HistoryQueries port
// with the contracts of §13.4 (ranges, buckets, _min/_max, X-Bucket-Seconds, errors naming the
// field), §13.5 (summary) and §13.6 (CSV). Then the answers without a store or a device choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, localMonth } from '../../../src/core/calendar.js';
import type { EnergySummaryView, HistoryQueries } from '../../../src/core/ports.js';
import { recomputeMonths, upsertDays } from '../../../src/history/energy-store.js';
import { DbHandle } from '../../../src/history/handle.js';
import { RANGES } from '../../../src/history/range.js';
import { buildHttpServer } from '../../../src/http/index.js';
import { HISTORY_RANGES } from '../../../src/http/routes/history.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { deviceInfo, fakeHttpContext } from '../../support/http-ports.js';

interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}
type Row = Record<string, number | null>;

let t: TestApp;
let dev: string;
const PRICE = 0.25;
const SEEDED_KWH = 2.5;

async function get(path: string): Promise<Got> {
  const res = await fetch(`${t.webUrl}${path}`);
  const text = await res.text();
  const json: unknown = res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : null;
  return { status: res.status, headers: res.headers, text, json };
}

async function rows(path: string): Promise<{ rows: Row[]; bucket: number }> {
  const r = await get(path);
  expect(r.status, r.text).toBe(200);
  return { rows: r.json as Row[], bucket: Number(r.headers.get('x-bucket-seconds')) };
}

/** 400 (or `status`) naming `field` in the catalogue's error shape. */
async function rejects(path: string, field: string, status = 400): Promise<void> {
  const r = await get(path);
  expect(r.status, `${path}: ${r.text}`).toBe(status);
  expect(r.json).toMatchObject({ field, error: expect.stringContaining(field) });
}

beforeAll(async () => {
  t = await startTestApp({ history: { commit_interval_ms: 200 }, energy: { tariff: { price_per_kwh: PRICE, currency: 'EUR' } } });
  dev = t.app.registry.list()[0]!.id;
  // Bounded wait: at least 4 stored seconds of banks and outlets.
  const until = Date.now() + 15_000;
  while (new Set((await rows('/api/history/outlets')).rows.map((r) => r.bucket)).size < 4) {
    expect(Date.now(), 'no history after 15 s').toBeLessThan(until);
    await new Promise((r) => setTimeout(r, 250));
  }
  // Closed days come from the daily job (00:05); seed yesterday's rows like it would write them.
  const h = new DbHandle(t.config.history.path, 5_000);
  try {
    const date = localDay(Date.now() / 1000 - 86_400, t.config.timezone);
    const base = { date, device_id: dev, outlet: null, peak_power_w: 400, avg_power_w: 104.2, samples: 86_400 };
    upsertDays(h.db, [{ ...base, source: null, kwh: SEEDED_KWH }, { ...base, source: 1, kwh: SEEDED_KWH }, { ...base, outlet: 4, source: null, kwh: 0.5 }]);
    recomputeMonths(h.db, dev, [date.slice(0, 7)]);
  } finally {
    h.close();
  }
}, 40_000);
afterAll(() => t?.stop());

describe('GET /api/history/banks · /outlets (SPEC §13.4)', () => {
  const BANK_KEYS = ['bucket', 'bank', ...['voltage', 'current', 'power', 'apparent', 'pf'].flatMap((f) => [f, `${f}_min`, `${f}_max`])];
  const OUTLET_KEYS = ['bucket', 'outlet', ...['current', 'power', 'energy'].flatMap((f) => [f, `${f}_min`, `${f}_max`])];

  it('serves the range enum of the store', () => expect([...HISTORY_RANGES]).toEqual(Object.keys(RANGES)));

  it('answers range=1h with 1 s buckets (epoch s), values with _min/_max, ordered by bucket', async () => {
    const nowS = Date.now() / 1000;
    const { rows: banks, bucket } = await rows('/api/history/banks?range=1h');
    expect(bucket).toBe(1);
    expect(banks.length).toBeGreaterThanOrEqual(3);
    for (const r of banks) {
      expect(Object.keys(r).sort()).toEqual([...BANK_KEYS].sort());
      expect(Number.isInteger(r.bucket)).toBe(true);
      expect(r.bucket!).toBeGreaterThan(nowS - 3_700);
      expect(r.bucket!).toBeLessThanOrEqual(nowS + 1);
      expect(r.bank!).toBeGreaterThanOrEqual(1);
      expect(r.voltage!).toBeGreaterThan(50);
      expect(r.voltage_min!).toBeLessThanOrEqual(r.voltage!);
      expect(r.voltage_max!).toBeGreaterThanOrEqual(r.voltage!);
    }
    for (let i = 1; i < banks.length; i++) expect(banks[i]!.bucket!).toBeGreaterThanOrEqual(banks[i - 1]!.bucket!);
  });

  it('answers outlet rows (energy = bucket max), and one outlet with ?outlet=', async () => {
    const all = (await rows('/api/history/outlets')).rows;
    expect(new Set(all.map((r) => r.outlet)).size).toBe(10);
    for (const r of all) {
      expect(Object.keys(r).sort()).toEqual([...OUTLET_KEYS].sort());
      if (r.energy !== null) expect(r.energy).toBe(r.energy_max);
    }
    const four = (await rows('/api/history/outlets?range=1h&outlet=4')).rows;
    expect(four.length).toBeGreaterThanOrEqual(3);
    expect(four.every((r) => r.outlet === 4)).toBe(true);
  });

  it('picks the bucket by span: ranges and start+end, which take precedence over range', async () => {
    expect((await rows('/api/history/banks?range=6h')).bucket).toBe(10);
    expect((await rows('/api/history/banks?range=24h')).bucket).toBe(60);
    expect((await rows('/api/history/outlets?range=7d')).bucket).toBe(300);
    const end = Math.floor(Date.now() / 1000) + 1;
    const start = end - 2 * 3_600;
    const r = await rows(`/api/history/banks?range=1h&start=${start}&end=${end}&device_id=${dev}`);
    expect(r.bucket).toBe(10);
    expect(r.rows.length).toBeGreaterThan(0);
    for (const row of r.rows) {
      expect(row.bucket! % 10).toBe(0);
      expect(row.bucket!).toBeGreaterThan(start - 10);
      expect(row.bucket!).toBeLessThan(end);
    }
    // A window before any sample: no rows (empty buckets are omitted).
    expect((await rows(`/api/history/banks?start=${start - 7_200}&end=${start - 3_600}`)).rows).toEqual([]);
  });

  it('answers bad input 400 naming the field, an unknown device 404', async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejects('/api/history/banks?range=2h', 'range');
    await rejects(`/api/history/banks?start=abc&end=${now}`, 'start');
    await rejects(`/api/history/banks?start=${now}&end=${now}`, 'end');
    await rejects(`/api/history/banks?start=${now}&end=${now - 60}`, 'end');
    await rejects(`/api/history/outlets?start=${now - 60}`, 'end');
    await rejects(`/api/history/outlets?start=0&end=${now}`, 'start'); // longer than retention_days
    await rejects('/api/history/outlets?outlet=0', 'outlet');
    await rejects('/api/history/banks?device_id=nope', 'device_id', 404);
    await rejects('/api/history/banks.csv?device_id=nope', 'device_id', 404);
  });
});

/** Header line and data lines of a CSV answer, after checking the download headers. */
function csv(r: Got, filename: RegExp): { header: string; lines: string[][] } {
  expect(r.status, r.text).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(r.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${filename.source}"$`));
  expect(r.text.endsWith('\n')).toBe(true);
  const [header = '', ...lines] = r.text.slice(0, -1).split('\n');
  return { header, lines: lines.map((l) => l.split(',')) };
}

describe('GET /api/history/*.csv (SPEC §13.6)', () => {
  it('streams bank history with ISO-8601 UTC and epoch columns', async () => {
    const r = await get('/api/history/banks.csv?range=1h');
    expect(r.headers.get('x-bucket-seconds')).toBe('1');
    const { header, lines } = csv(r, new RegExp(`bank_history_${dev}_\\d{4}-\\d\\d-\\d\\dT\\d{6}Z_\\d{4}-\\d\\d-\\d\\dT\\d{6}Z\\.csv`));
    expect(header).toBe('bucket,epoch,bank,voltage,current,power,apparent,pf');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const [iso, epoch, bank, voltage, ...rest] of lines) {
      expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(iso!) / 1000).toBe(Number(epoch));
      expect(Number(bank)).toBeGreaterThanOrEqual(1);
      expect(Number(voltage)).toBeGreaterThan(50);
      expect(rest).toHaveLength(4);
    }
  });

  it('streams one outlet, raw rows on request, and refuses bad input as JSON before any line', async () => {
    const { header, lines } = csv(await get('/api/history/outlets.csv?outlet=4'), /outlet_history_.+\.csv/);
    expect(header).toBe('bucket,epoch,outlet,current,power,energy');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l[2] === '4' && Number(l[4]) >= 0)).toBe(true);
    const raw = await get('/api/history/banks.csv?range=6h&raw=true');
    expect(raw.headers.get('x-bucket-seconds')).toBe('1');
    expect(csv(raw, /bank_history_.+\.csv/).lines.length).toBeGreaterThanOrEqual(3);
    await rejects('/api/history/banks.csv?range=30d&raw=true', 'raw');
    await rejects('/api/history/outlets.csv?range=1y', 'range');
    await rejects(`/api/history/outlets.csv?start=1&end=x`, 'end');
  });
});

describe('GET /api/energy/* (SPEC §13.5, §13.6)', () => {
  const yesterday = (): string => localDay(Date.now() / 1000 - 86_400, t.config.timezone);

  it('lists energy_daily rows of the default 30 days, and only start..end', async () => {
    const r = await get('/api/energy/daily');
    expect(r.status, r.text).toBe(200);
    const days = r.json as Array<Record<string, unknown>>;
    expect(days).toContainEqual({ date: yesterday(), device_id: dev, source: null, outlet: null, kwh: SEEDED_KWH, peak_power_w: 400, avg_power_w: 104.2, samples: 86_400 });
    expect(days).toContainEqual(expect.objectContaining({ date: yesterday(), source: 1, outlet: null }));
    expect(days).toContainEqual(expect.objectContaining({ date: yesterday(), source: null, outlet: 4, kwh: 0.5 }));
    const before = await get(`/api/energy/daily?device_id=${dev}&start=2020-01-01&end=2020-01-31`);
    expect(before.json).toEqual([]);
    await rejects('/api/energy/daily?start=2026-13-01', 'start');
    await rejects('/api/energy/daily?start=2026-02-01&end=2026-01-01', 'end');
    await rejects('/api/energy/daily?device_id=nope', 'device_id', 404);
  });

  it('lists energy_monthly rows of the default 12 months', async () => {
    const r = await get('/api/energy/monthly');
    expect(r.status, r.text).toBe(200);
    const month = yesterday().slice(0, 7);
    expect(r.json).toContainEqual({ month, device_id: dev, source: null, outlet: null, kwh: SEEDED_KWH, peak_power_w: 400, avg_power_w: 104.2, days: 1 });
    await rejects('/api/energy/monthly?end=2026-1', 'end');
  });

  it('exports daily and monthly CSV with their columns and file names', async () => {
    const today = localDay(Date.now() / 1000, t.config.timezone);
    const daily = csv(await get('/api/energy/daily.csv'), new RegExp(`energy_daily_${dev}_\\d{4}-\\d\\d-\\d\\d_${today}\\.csv`));
    expect(daily.header).toBe('date,device_id,source,outlet,kwh,peak_power_w,avg_power_w,samples');
    expect(daily.lines).toContainEqual([yesterday(), dev, '', '', String(SEEDED_KWH), '400', '104.2', '86400']);
    expect(daily.lines).toContainEqual([yesterday(), dev, '1', '', String(SEEDED_KWH), '400', '104.2', '86400']);
    const thisMonth = localMonth(Date.now() / 1000, t.config.timezone);
    const monthly = csv(await get(`/api/energy/monthly.csv?device_id=${dev}`), new RegExp(`energy_monthly_${dev}_\\d{4}-\\d\\d_${thisMonth}\\.csv`));
    expect(monthly.header).toBe('month,device_id,source,outlet,kwh,peak_power_w,avg_power_w,days');
    expect(monthly.lines).toContainEqual([yesterday().slice(0, 7), dev, '', '', String(SEEDED_KWH), '400', '104.2', '1']);
    expect(csv(await get('/api/energy/daily.csv?start=2020-01-01&end=2020-01-02'), /energy_daily_.+_2020-01-01_2020-01-02\.csv/).lines).toEqual([]);
    await rejects('/api/energy/daily.csv?end=yesterday', 'end');
  });

  it('summarises today (live), week, month and all time with cost and currency', async () => {
    const r = await get('/api/energy/summary');
    expect(r.status, r.text).toBe(200);
    const s = r.json as EnergySummaryView;
    expect(Object.keys(s).sort()).toEqual(['all_time', 'currency', 'this_month', 'this_week', 'today']);
    expect(s.currency).toBe('EUR');
    expect(s.today.total_kwh).toBeGreaterThan(0); // a few seconds of the demo's load
    expect(s.today.total_kwh).toBeLessThan(0.1);
    expect(s.today.cost).toBeCloseTo(s.today.total_kwh * PRICE, 9);
    expect(s.all_time.total_kwh).toBeCloseTo(SEEDED_KWH + s.today.total_kwh, 3);
    expect(s.all_time.source_a_kwh).toBeGreaterThanOrEqual(SEEDED_KWH);
    for (const w of [s.this_week, s.this_month]) expect(w.total_kwh).toBeGreaterThanOrEqual(s.today.total_kwh);
    await rejects('/api/energy/summary?device_id=nope', 'device_id', 404);
  });
});

describe('without a store or a device choice', () => {
  it('answers 503 without a history store, 400 with the available devices when none resolves', async () => {
    const ports = fakeHttpContext();
    const app = await buildHttpServer(ports.ctx);
    try {
      const off = await app.inject({ url: '/api/energy/summary' });
      expect(off.statusCode).toBe(503);
      expect(off.json()).toMatchObject({ error: 'history is not available (no history store)' });
      ports.registry.put(deviceInfo('a', { kind: 'plug' }), null).put(deviceInfo('b', { kind: 'plug' }), null);
      ports.ctx.history = { devices: () => [] } as unknown as HistoryQueries; // only devices() is reached
      for (const url of ['/api/history/banks', '/api/history/outlets.csv', '/api/energy/daily', '/api/energy/monthly.csv', '/api/energy/summary']) {
        const r = await app.inject({ url });
        expect(r.statusCode, url).toBe(400);
        expect(r.json()).toEqual({ error: expect.stringContaining('device_id'), code: 'P2M_ERR_VALIDATION', field: 'device_id', available_devices: ['a', 'b'] });
      }
    } finally {
      await app.close();
    }
  });
});
