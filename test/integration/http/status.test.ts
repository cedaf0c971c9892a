// /api/status (SPEC §14.3), outages and statistics (§14.4) and demo scenarios (§8) over the
// in-memory ports, through inject() plus one real request.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHttpServer, createHttpService } from '../../../src/http/index.js';
import { deviceInfo, fakeHttpContext, outageRecord, type FakeHttpPorts } from '../../support/http-ports.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';

const NOW_S = Date.UTC(2026, 2, 1, 12) / 1000;
type Json = Record<string, unknown>;

let ports: FakeHttpPorts;
let app: FastifyInstance;

async function get(url: string): Promise<{ status: number; body: Json }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() as Json };
}

beforeEach(async () => {
  ports = fakeHttpContext();
  app = await buildHttpServer(ports.ctx);
});
afterEach(() => app.close());

describe('GET /api/outages and /api/statistics (SPEC §14.4)', () => {
  beforeEach(() => {
    ports.outages.records = [
      outrec(1, NOW_S - 10 * 86400, 1200),
      outrec(2, NOW_S - 3 * 3600, 600),
      { ...outrec(3, NOW_S - 7200, 300), kind: 'network', cause: 'switch_quorum', scope: null, confidence: null },
      outageRecord({ id: 4, started_at: NOW_S - 120, outlets_shed: { 'pdu-01': [3, 5] } }),
    ];
  });

  it('lists power outages of the last 168 h newest first, with ISO times', async () => {
    const r = await get('/api/outages');
    expect(r.status).toBe(200);
    const list = r.body as unknown as Json[];
    expect(list.map((o) => o.id)).toEqual([4, 2]);
    expect(list[0]).toEqual({
      id: 4, kind: 'power', started_at: '2026-03-01T11:58:00.000Z', ended_at: null, duration_seconds: null, switches_affected: [1],
      outlets_shed: { 'pdu-01': [3, 5] }, is_ongoing: true, cause: 'switch_quorum', scope: 'site', confidence: 'medium', evidence: { switches_total: 1 },
    });
    expect(list[1]).toMatchObject({ started_at: '2026-03-01T09:00:00.000Z', ended_at: '2026-03-01T09:10:00.000Z', duration_seconds: 600, is_ongoing: false });
  });

  it('filters by kind and hours', async () => {
    expect(((await get('/api/outages?kind=network')).body as unknown as Json[]).map((o) => o.id)).toEqual([3]);
    expect(((await get('/api/outages?kind=all&hours=720')).body as unknown as Json[]).map((o) => o.id)).toEqual([4, 3, 2, 1]);
    expect(((await get('/api/outages?hours=1')).body as unknown as Json[]).map((o) => o.id)).toEqual([4]);
    expect(await get('/api/outages?kind=solar')).toMatchObject({ status: 400, body: { field: 'kind' } });
  });

  it('answers statistics with ISO times and the ongoing outage', async () => {
    const r = await get('/api/statistics?hours=24');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ window_hours: 24, total_outages: 2, total_outage_seconds: 600, longest_outage_seconds: 600 });
    expect((r.body.ongoing_outage as Json).started_at).toBe('2026-03-01T11:58:00.000Z');
    expect(r.body.switches).toEqual([{ id: 1, name: 'plug-1', uptime_percentage: 99.5, checks: 200, avg_response_time_ms: 4.2, last_check_at: '2026-03-01T11:59:55.000Z' }]);
    expect((await get('/api/statistics')).body.window_hours).toBe(720);
    expect(await get('/api/statistics?hours=0')).toMatchObject({ status: 400, body: { field: 'hours' } });
  });

  it('lists nothing, and refuses statistics with 503, when outage detection is off', async () => {
    ports.ctx.outages = null;
    const off = await buildHttpServer(ports.ctx);
    expect((await off.inject({ method: 'GET', url: '/api/outages' })).json()).toEqual([]);
    const stats = await off.inject({ method: 'GET', url: '/api/statistics' });
    expect(stats.statusCode).toBe(503);
    expect(stats.json().error).toContain('outage.enabled');
    await off.close();
  });
});

function outrec(id: number, startedAt: number, duration: number) {
  return outageRecord({ id, started_at: startedAt, ended_at: startedAt + duration, duration_seconds: duration, is_ongoing: false });
}

describe('GET /api/status (SPEC §14.3)', () => {
  beforeEach(() => {
    ports.switches.seed({ name: 'fridge', ip: '10.0.0.2' }, {
      id: 7, switch_id: 0, result: 'up', is_online: true, http_status: 200, response_time: 4, error_message: null, reason: 'http', checked_at: NOW_S - 30,
    });
    ports.switches.seed({ name: 'tv', ip: '10.0.0.3' }, {
      id: 8, switch_id: 0, result: 'down', is_online: false, http_status: null, response_time: null, error_message: 'timeout', reason: 'timeout', checked_at: NOW_S - 10,
    });
    ports.switches.seed({ name: 'new', ip: '10.0.0.4' });
  });

  it('carries both parts for the only device: PDU status (epoch) and power status (ISO)', async () => {
    const snap = { ...pduSnapshot({ deviceId: 'pdu-01' }), ts: NOW_S - 1.5 };
    ports.registry.put(deviceInfo('pdu-01'), snap);
    ports.outages.state = 'outage';
    ports.outages.records = [outageRecord({ id: 9, started_at: NOW_S - 60 })];
    const r = await get('/api/status');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      power_status: 'outage', switches_total: 3, switches_online: 1, switches_offline: 1, last_check_at: '2026-03-01T11:59:50.000Z', pdus: ['pdu-01'],
      device: { id: 'pdu-01', name: 'Rack PDU', outlet_count: 10 }, data_age_seconds: 1.5, ts: NOW_S - 1.5, mqtt: null,
      summary: { active_outlets: 7, total_outlets: 10 },
    });
    expect((r.body.current_outage as Json).started_at).toBe('2026-03-01T11:59:00.000Z');
    expect((r.body.switches as Json[]).map((s) => [s.name, (s.last_check as Json | null)?.result ?? null])).toEqual([['fridge', 'up'], ['tv', 'down'], ['new', null]]);
    expect(r.body.ats).toMatchObject({ current_source: 1, redundancy_ok: true });
    expect(Object.keys(r.body.outlets as Json)).toHaveLength(10);
  });

  it('leaves Part A out (still 200) when several devices and no device_id', async () => {
    ports.registry.put(deviceInfo('a'), pduSnapshot({ deviceId: 'a' })).put(deviceInfo('b'), pduSnapshot({ deviceId: 'b' }));
    const r = await get('/api/status');
    expect(r.status).toBe(200);
    expect(r.body.power_status).toBe('normal');
    expect(r.body).not.toHaveProperty('device');
    expect(r.body).not.toHaveProperty('pdu_error');
    expect((await get('/api/status?device_id=b')).body.device).toMatchObject({ id: 'b' });
  });

  it('picks the only cyberpower device among plugs', async () => {
    ports.registry.put(deviceInfo('plug', { kind: 'kasa' }), null).put(deviceInfo('pdu'), pduSnapshot({ deviceId: 'pdu' }));
    expect((await get('/api/status')).body.device).toMatchObject({ id: 'pdu' });
  });

  it('answers 404 naming device_id for an unknown device', async () => {
    ports.registry.put(deviceInfo('pdu-01'), pduSnapshot());
    expect(await get('/api/status?device_id=nope')).toMatchObject({ status: 404, body: { code: 'P2M_ERR_UNKNOWN_DEVICE', field: 'device_id' } });
  });

  it('says "no data yet" before the first poll', async () => {
    ports.registry.put(deviceInfo('pdu-01'), null);
    const r = await get('/api/status');
    expect(r.body.pdu_error).toBe('no data yet');
    expect(r.body).not.toHaveProperty('outlets');
  });

  it('reports no verdict and no switches when neither service runs', async () => {
    ports.ctx.outages = null;
    ports.ctx.switches = null;
    const off = await buildHttpServer(ports.ctx);
    expect((await off.inject({ method: 'GET', url: '/api/status' })).json()).toEqual({
      power_status: null, current_outage: null, switches_total: 0, switches_online: 0, switches_offline: 0, switches: [], last_check_at: null, pdus: [],
    });
    await off.close();
  });
});

describe('demo scenarios (SPEC §8)', () => {
  it('answers 404 outside demo mode', async () => {
    expect(await get('/api/demo/scenarios')).toMatchObject({ status: 404, body: { code: 'P2M_ERR_NOT_FOUND' } });
    const r = await app.inject({ method: 'POST', url: '/api/demo/scenario', payload: { name: 'fail_source', source: 'A' } });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toContain('demo');
  });

  it('lists and runs scenarios in demo mode, over a real socket', async () => {
    const demo = fakeHttpContext({}, { demo: true });
    const s = createHttpService(demo.ctx);
    await s.start();
    try {
      const base = `http://127.0.0.1:${s.address()!.port}`;
      expect(await (await fetch(`${base}/api/demo/scenarios`)).json()).toEqual({ scenarios: ['fail_source', 'restore_source', 'switches_down'] });
      const post = (body: unknown) => fetch(`${base}/api/demo/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const ok = await post({ name: 'fail_source', source: 'B' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true, scenario: 'fail_source', detail: 'fail_source done' });
      // `action` is the SPEC §14.2 spelling of the name.
      expect((await post({ action: 'restore_source' })).status).toBe(200);
      expect(demo.demo.runs).toEqual([{ name: 'fail_source', params: { source: 'B' } }, { name: 'restore_source', params: {} }]);

      const unknown = await post({ name: 'earthquake' });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ field: 'name', error: expect.stringContaining('fail_source, restore_source') });
      const badParam = await post({ name: 'fail_source', source: 'C' });
      expect(badParam.status).toBe(400);
      expect(await badParam.json()).toMatchObject({ field: 'source', code: 'P2M_ERR_VALIDATION' });
      expect(await (await post({})).json()).toMatchObject({ field: 'name' });
    } finally {
      await s.stop();
    }
  });
});
