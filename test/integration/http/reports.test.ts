// Report routes (SPEC §14.2 `/api/reports`, `/api/reports/generate`, `/api/reports/download/…`)
// on the real app: energy rows seeded into its SQLite file, files written under the test's temp
// folder. Requests are sent with node:http so the paths reach the server exactly as written
// (fetch would normalise `..` segments away); no traversal attempt may read outside the folder.
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/core/calendar.js';
import { upsertDays } from '../../../src/history/energy-store.js';
import { DbHandle } from '../../../src/history/handle.js';
import { PowerStore } from '../../../src/history/power-store.js';
import { lastComplete, periodBounds } from '../../../src/reports/periods.js';
import { startTestApp, type TestApp } from '../../support/app.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: Record<string, unknown> | null;
}

let t: TestApp;
let dev: string;
let week: string;

function send(method: string, path: string, body?: unknown): Promise<Res> {
  const url = new URL(t.webUrl as string);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: data ? { 'content-type': 'application/json' } : {}, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          const json = String(res.headers['content-type'] ?? '').startsWith('application/json') ? (JSON.parse(b.toString()) as Record<string, unknown>) : null;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

const reportsDir = (): string => t.config.reports.path;

beforeAll(async () => {
  t = await startTestApp({ energy: { tariff: { price_per_kwh: 0.25, currency: 'EUR' } } });
  dev = t.app.registry.list()[0]!.id;
  const p = lastComplete('weekly', Date.now() / 1000, t.config.timezone);
  week = p.period;
  const h = new DbHandle(t.config.history.path, 5_000);
  try {
    const rows = [];
    for (let d = p.start; d <= p.end; d = addDays(d, 1)) {
      const base = { date: d, device_id: dev, peak_power_w: 400, avg_power_w: 100, samples: 86_400 };
      rows.push({ ...base, outlet: null, source: null, kwh: 2.5 }, { ...base, outlet: null, source: 1 as const, kwh: 2.5 }, { ...base, outlet: 4, source: null, kwh: 0.5 });
    }
    upsertDays(h.db, rows);
    const b = periodBounds(p, t.config.timezone);
    const power = new PowerStore(h);
    const o = power.openOutage({ kind: 'power', started_at: b.start + 3600, cause: 'utility_lost' });
    power.closeOutage(o.id, b.start + 7200);
  } finally {
    h.close();
  }
}, 40_000);
afterAll(() => t?.stop());

describe('POST /api/reports/generate', () => {
  it('writes the PDF and HTML of the last complete week by default', async () => {
    const r = await send('POST', '/api/reports/generate', { device_id: dev, type: 'weekly' });
    expect(r.status, r.body.toString()).toBe(200);
    expect(r.json).toEqual({ ok: true, filenames: [`weekly-${week}.pdf`, `weekly-${week}.html`] });
    expect(readdirSync(join(reportsDir(), dev)).sort()).toEqual([`weekly-${week}.html`, `weekly-${week}.pdf`]);
  });

  it('answers 400 {ok:false, error} and writes nothing for a period without data', async () => {
    const r = await send('POST', '/api/reports/generate', { device_id: dev, type: 'monthly', period: '2020-01' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ ok: false, error: expect.stringContaining('no energy data') });
    expect(readdirSync(join(reportsDir(), dev)).some((f) => f.includes('2020'))).toBe(false);
  });

  it.each([
    [{ device_id: 'ghost', type: 'weekly' }, 404, 'device_id'],
    [{ device_id: 'x', type: 'yearly' }, 400, 'type'],
    [{ type: 'weekly' }, 400, 'device_id'],
  ])('%j → %i naming %s', async (body, status, field) => {
    const r = await send('POST', '/api/reports/generate', body);
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ field });
  });

  it('names the period when it is malformed or not over yet', async () => {
    for (const period of ['2020-13', 'soon', '2999-01']) {
      const r = await send('POST', '/api/reports/generate', { device_id: dev, type: 'monthly', period });
      expect(r.status, period).toBe(400);
      expect(r.json, period).toMatchObject({ field: 'period' });
    }
  });
});

describe('GET /api/reports', () => {
  it('lists the files with type, period, format and size', async () => {
    const r = await send('GET', '/api/reports');
    expect(r.status).toBe(200);
    expect(r.json?.count).toBe(2);
    expect(r.json?.reports).toEqual(
      expect.arrayContaining([
        { filename: `weekly-${week}.pdf`, device_id: dev, report_type: 'weekly', period: week, format: 'pdf', size_bytes: expect.any(Number), created: expect.any(Number) },
        expect.objectContaining({ filename: `weekly-${week}.html`, format: 'html' }),
      ]),
    );
    expect((await send('GET', '/api/reports?device_id=other')).json).toEqual({ reports: [], count: 0 });
  });
});

describe('GET /api/reports/download/{device_id}/{filename}', () => {
  it('serves the PDF', async () => {
    const r = await send('GET', `/api/reports/download/${dev}/weekly-${week}.pdf`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
  });

  it('serves the HTML with a policy that allows its inline styles and nothing else', async () => {
    const r = await send('GET', `/api/reports/download/${dev}/weekly-${week}.html`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    const html = r.body.toString();
    expect(html).toContain('utility_lost');
    expect(html).toContain('17.50 kWh'); // 7 × 2.5
  });

  it.each([
    [() => `/api/reports/download/${dev}/..%2F..%2Fetc%2Fpasswd`, 400],
    [() => `/api/reports/download/${dev}/..%2F..%2Fpower2mqtt.db`, 400],
    [() => `/api/reports/download/..%2F..%2Fetc/passwd`, 400],
    [() => `/api/reports/download/%2E%2E/weekly-${week}.pdf`, 400],
    [() => `/api/reports/download/${dev}/weekly-2020-01-07.pdf`, 400], // a Tuesday
    [() => `/api/reports/download/${dev}/monthly-2020-13.html`, 400],
    [() => `/api/reports/download/${dev}/report.exe`, 400],
    [() => `/api/reports/download/${dev}/weekly-2020-01-13.pdf`, 404], // valid name, no file
    [() => `/api/reports/download/ghost/weekly-${week}.pdf`, 404],
    [() => `/api/reports/download/${dev}/../../../power2mqtt.db`, 404], // normalised by nobody: no route
  ])('refuses %s with %i', async (path, status) => {
    const r = await send('GET', path());
    expect(r.status, r.body.toString().slice(0, 200)).toBe(status);
    expect(r.body.toString()).not.toMatch(/SQLite format|root:/);
  });

  it('does not follow a link planted in the reports folder to a file outside it', async () => {
    mkdirSync(join(reportsDir(), dev), { recursive: true });
    symlinkSync(t.config.history.path, join(reportsDir(), dev, 'weekly-2020-01-06.pdf'));
    const r = await send('GET', `/api/reports/download/${dev}/weekly-2020-01-06.pdf`);
    expect(r.status).toBe(404);
    expect(r.body.toString()).not.toContain('SQLite format');
  });
});
