import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillHistory, formatHttpTable, historyPath, runLoad, startServer } from '../../bench/http-bench.js';

// Smoke version of the REST benchmark (`npm run bench -- --suite http`): the same server set-up
// (every route, 5 live PDUs, a history file of one simulated day) and the same autocannon load, in
// this process and for one second per request kind. Correctness only — no timing asserts.

const dir = mkdtempSync(join(tmpdir(), 'p2m-http-smoke-'));
let server: Awaited<ReturnType<typeof startServer>>;
let endS = 0;

beforeAll(async () => {
  endS = (await fillHistory(join(dir, 'history.db'), 1, () => undefined)).endS;
  server = await startServer(5, join(dir, 'history.db'));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('REST benchmark smoke', () => {
  it('serves /api/status of a live PDU and a 1 h bank history under autocannon, every answer 2xx', async () => {
    const status = await runLoad(server.url, { path: '/api/status?device_id=pdu-003', connections: 2, durationS: 1 });
    expect(status.requests).toBeGreaterThan(10);
    expect([status.non2xx, status.errors]).toEqual([0, 0]);
    expect(status.bytes_per_response).toBeGreaterThan(1000);
    const history = await runLoad(server.url, { path: historyPath('banks', endS - 3600, endS), connections: 1, durationS: 1, rate: 5 });
    expect(history.requests).toBeGreaterThan(0);
    expect([history.non2xx, history.errors]).toEqual([0, 0]);
    // 2 banks × 3,600 one-second buckets of JSON rows.
    expect(history.bytes_per_response).toBeGreaterThan(500_000);
    const table = formatHttpTable([{ name: 'status, dashboard-like load', path: '/api/status', connections: 2, rate: 'max', result: status, cpu_pct: 1 }]);
    expect(table).toMatch(/\| status, dashboard-like load \| 2 \| max \| \d+ \|/);
  }, 30_000);

  it('the rows of one history answer are the stored samples', async () => {
    const res = await fetch(`${server.url}${historyPath('outlets', endS - 600, endS)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-bucket-seconds')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const rows = (await res.json()) as Array<{ bucket: number; outlet: number; power: number; power_min: number; power_max: number }>;
    expect(new Set(rows.map((r) => r.outlet)).size).toBe(10);
    expect(rows.length).toBeGreaterThan(5000);
    for (const r of rows.slice(0, 50)) expect(r.power_min).toBeLessThanOrEqual(r.power_max);
  });
});
