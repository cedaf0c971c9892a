// PowerMon-compatible switch routes (SPEC §14.4, §11.1): a CRUD round trip over a real socket,
// then validation and conflicts through inject().
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PowerCheck } from '../../../src/core/power.js';
import { buildHttpServer, createHttpService, type HttpService } from '../../../src/http/index.js';
import { fakeHttpContext, type FakeHttpPorts } from '../../support/http-ports.js';

const NOW_ISO = '2026-03-01T12:00:00.000Z';
const NOW_S = Date.UTC(2026, 2, 1, 12) / 1000;

describe('switches CRUD over HTTP', () => {
  let ports: FakeHttpPorts;
  let service: HttpService;
  let base: string;
  beforeAll(async () => {
    ports = fakeHttpContext();
    service = createHttpService(ports.ctx);
    await service.start();
    base = `http://127.0.0.1:${service.address()!.port}`;
  });
  afterAll(() => service.stop());

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('creates with the PowerMon aliases, reads, changes and deletes a switch', async () => {
    const created = await send('POST', '/api/switches', { name: 'fridge', ip_address: '192.168.1.20', is_active: false, group: 'kitchen' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 1, name: 'fridge', ip_address: '192.168.1.20', url: 'http://192.168.1.20/', role: 'sensor', is_active: false, group: 'kitchen',
      stale: false, source: 'runtime', created_at: NOW_ISO, updated_at: NOW_ISO, last_check: null,
    });
    // The model got `ip` and `active` from the aliases.
    expect(ports.switches.get(1)!.target).toMatchObject({ ip: '192.168.1.20', active: false });

    expect((await send('GET', '/api/switches/1')).body).toMatchObject({ id: 1, name: 'fridge' });
    expect((await send('GET', '/api/switches/fridge')).body).toMatchObject({ id: 1 });

    await ports.clock.advance(60_000);
    const put = await send('PUT', '/api/switches/1', { url: 'https://10.0.0.9:8443/status', is_active: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ url: 'https://10.0.0.9:8443/status', ip_address: '10.0.0.9', is_active: true, updated_at: '2026-03-01T12:01:00.000Z' });

    const patch = await send('PATCH', '/api/switches/fridge', { active: false, role: 'control' });
    expect(patch.body).toMatchObject({ is_active: false, role: 'control' });

    const list = await send('GET', '/api/switches');
    expect(list.body).toHaveLength(1);

    expect(await send('DELETE', '/api/switches/1')).toEqual({ status: 200, body: { id: 1, deleted: true } });
    expect((await send('GET', '/api/switches/1')).status).toBe(404);
    expect((await send('GET', '/api/switches')).body).toEqual([]);
  });
});

describe('switch routes', () => {
  let ports: FakeHttpPorts;
  let app: FastifyInstance;
  beforeEach(async () => {
    ports = fakeHttpContext();
    app = await buildHttpServer(ports.ctx);
    ports.switches.seed({ name: 'from-config', url: 'http://10.0.0.1/', source: 'config' });
    ports.switches.seed({ name: 'tv', ip: '10.0.0.2', active: false });
  });
  afterEach(() => app.close());

  const inject = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const r = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> };
  };

  it('filters by ?active=', async () => {
    expect(((await inject('GET', '/api/switches?active=true')).body as unknown as Array<{ name: string }>).map((s) => s.name)).toEqual(['from-config']);
    expect(((await inject('GET', '/api/switches?active=0')).body as unknown as Array<{ name: string }>).map((s) => s.name)).toEqual(['tv']);
    expect(await inject('GET', '/api/switches?active=maybe')).toMatchObject({ status: 400, body: { field: 'active', code: 'P2M_ERR_VALIDATION' } });
  });

  it.each([
    ['a missing name', { ip_address: '10.0.0.5' }, 'name', 'name: is required'],
    ['an empty name', { name: ' ', ip_address: '10.0.0.5' }, 'name', 'name: '],
    ['a bad URL', { name: 'x', url: 'ftp://10.0.0.5/' }, 'url', 'url: must start with http:// or https://'],
    ['an unparsable URL', { name: 'x', url: 'not a url' }, 'url', 'url: is not a valid URL'],
    ['neither address nor URL', { name: 'x' }, 'ip_address', 'ip_address: ip_address or url is required'],
    ['a bad host', { name: 'x', ip_address: 'a b/c' }, 'ip_address', 'ip_address: is not a host name'],
    ['a bad role', { name: 'x', ip_address: '10.0.0.5', role: 'boss' }, 'role', 'role: '],
    ['a non-boolean is_active', { name: 'x', ip_address: '10.0.0.5', is_active: 'yes' }, 'is_active', 'is_active: '],
  ])('refuses %s with 400 naming the field', async (_what, body, field, message) => {
    const r = await inject('POST', '/api/switches', body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'P2M_ERR_VALIDATION', field });
    expect(String(r.body.error)).toContain(message);
  });

  it('refuses a body that is not an object, naming the body', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/switches', headers: { 'content-type': 'application/json' }, payload: '[1]' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: 'body' });
  });

  it('answers 409 for a duplicate name', async () => {
    expect(await inject('POST', '/api/switches', { name: 'tv', url: 'http://10.0.0.7/' })).toMatchObject({
      status: 409,
      body: { code: 'P2M_ERR_CONFLICT', field: 'name' },
    });
    expect(await inject('PATCH', '/api/switches/tv', { name: 'from-config' })).toMatchObject({ status: 409, body: { field: 'name' } });
  });

  it('answers 409 for config-file switches (read-only at runtime)', async () => {
    for (const [method, body] of [['PUT', { is_active: false }], ['PATCH', { name: 'y' }], ['DELETE', undefined]] as const) {
      const r = await inject(method, '/api/switches/1', body);
      expect(r.status, method).toBe(409);
      expect(r.body.code).toBe('P2M_ERR_READ_ONLY');
    }
    expect(ports.switches.get(1)!.target.active).toBe(true);
  });

  it('answers 404 naming the id for an unknown switch', async () => {
    for (const [method, url] of [['GET', '/api/switches/99'], ['PUT', '/api/switches/nope'], ['DELETE', '/api/switches/99'], ['POST', '/api/switches/99/check']] as const) {
      const r = await inject(method, url, method === 'PUT' ? { role: 'sensor' } : undefined);
      expect(r, `${method} ${url}`).toMatchObject({ status: 404, body: { code: 'P2M_ERR_NOT_FOUND', field: 'id' } });
    }
  });

  it('probes one switch now and answers the check, with or without an empty JSON body', async () => {
    const r = await inject('POST', '/api/switches/tv/check');
    expect(r).toEqual({
      status: 200,
      body: { id: 1, switch_id: 2, result: 'up', is_online: true, http_status: 200, response_time: 3.5, error_message: null, checked_at: NOW_ISO },
    });
    const empty = await app.inject({ method: 'POST', url: '/api/switches/2/check', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(200);
    // The switch list now carries the last check.
    const tv = (await inject('GET', '/api/switches/2')).body;
    expect(tv.last_check).toMatchObject({ result: 'up', checked_at: NOW_ISO });
  });

  it('lists stored checks newest first, filtered by hours, switch_id and limit', async () => {
    const at = (switchId: number, agoS: number): PowerCheck => ({
      id: 0, switch_id: switchId, result: agoS % 2 ? 'down' : 'up', is_online: !(agoS % 2), http_status: agoS % 2 ? null : 200,
      response_time: agoS % 2 ? null : 5, error_message: agoS % 2 ? 'timeout' : null, reason: agoS % 2 ? 'timeout' : 'http', checked_at: NOW_S - agoS,
    });
    for (const c of [at(1, 60), at(2, 120), at(1, 1800), at(1, 7201), at(2, 90_000)]) ports.checks.insert(c);
    const day = (await inject('GET', '/api/power-checks')).body as unknown as Array<{ switch_id: number; checked_at: string }>;
    expect(day.map((c) => c.checked_at)).toEqual([
      '2026-03-01T11:59:00.000Z', '2026-03-01T11:58:00.000Z', '2026-03-01T11:30:00.000Z', '2026-03-01T09:59:59.000Z',
    ]);
    expect(((await inject('GET', '/api/power-checks?hours=1')).body as unknown as unknown[]).length).toBe(3);
    expect(((await inject('GET', '/api/power-checks?hours=48&switch_id=2')).body as unknown as unknown[]).length).toBe(2);
    expect(((await inject('GET', '/api/power-checks?limit=2')).body as unknown as unknown[]).length).toBe(2);
    expect((await inject('GET', '/api/power-checks?hours=1')).body).toContainEqual({
      id: 1, switch_id: 1, result: 'up', is_online: true, http_status: 200, response_time: 5, error_message: null, checked_at: '2026-03-01T11:59:00.000Z',
    });
    for (const q of ['hours=0', 'hours=8761', 'hours=x', 'limit=10001', 'switch_id=-1']) {
      const r = await inject('GET', `/api/power-checks?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.field, q).toBe(q.split('=')[0]);
    }
  });

  it('reads as empty and refuses changes with 503 when switch probes are not running', async () => {
    ports.ctx.switches = null;
    ports.ctx.checks = null;
    const off = await buildHttpServer(ports.ctx);
    expect((await off.inject({ method: 'GET', url: '/api/switches' })).json()).toEqual([]);
    expect((await off.inject({ method: 'GET', url: '/api/power-checks' })).json()).toEqual([]);
    const r = await off.inject({ method: 'POST', url: '/api/switches', payload: { name: 'x', url: 'http://10.0.0.1/' } });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ error: 'switch probes are not running', code: 'P2M_ERR_DEVICE_UNAVAILABLE' });
    await off.close();
  });
});
