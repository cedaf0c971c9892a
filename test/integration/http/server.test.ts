// The web server on a real socket (127.0.0.1, ephemeral port) over in-memory ports: health,
// error mapping, security headers, the OpenAPI document and the exposure rule (SPEC §14, §16.3;
// the auth matrix itself is in auth.test.ts).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, createHttpService, type HttpService } from '../../../src/http/index.js';
import { fakeHttpContext, type FakeHttpPorts } from '../../support/http-ports.js';

const HASH = 'scrypt$16384$8$5$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==';

let ports: FakeHttpPorts;
let service: HttpService;
let base: string;

beforeAll(async () => {
  ports = fakeHttpContext({ web: { bind: '127.0.0.1' } });
  service = createHttpService(ports.ctx);
  await service.start();
  const addr = service.address();
  expect(addr?.host).toBe('127.0.0.1');
  base = `http://127.0.0.1:${addr!.port}`;
});
afterAll(async () => {
  await service.stop();
  expect(service.address()).toBeNull();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const jsonPost = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('GET /api/health (SPEC §14.2)', () => {
  afterEach(() => {
    ports.health.healthy = true;
    ports.health.issues = [];
  });

  it('answers 200 healthy with no issues', async () => {
    const r = await call('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'healthy', issues: [], pdu_count: 0 });
  });

  it('answers 503 degraded with the issues from the health port', async () => {
    ports.health.healthy = false;
    ports.health.issues = ['device pdu-01 is lost', 'MQTT disconnected'];
    const r = await call('/api/health');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'degraded', issues: ['device pdu-01 is lost', 'MQTT disconnected'], pdu_count: 0 });
  });
});

describe('errors (one mapper, SPEC §14.1)', () => {
  it('answers unknown routes 404 JSON', async () => {
    const r = await call('/api/nope?x=1');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body).toEqual({ error: 'no route GET /api/nope', code: 'P2M_ERR_NOT_FOUND' });
  });

  it('answers a malformed JSON body 400 naming the body', async () => {
    const r = await call('/api/switches', jsonPost('{"name": "x",'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'body: is not valid JSON', code: 'P2M_ERR_VALIDATION', field: 'body' });
  });

  it('refuses a body over 1 MB with 413 naming the body', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), url: 'http://10.0.0.1/' });
    const r = await call('/api/switches', jsonPost(big));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'P2M_ERR_VALIDATION', field: 'body' });
    expect(String(r.body.error)).toContain('1048576 bytes');
  });

  it('answers a malformed URL encoding 400 in the same JSON shape', async () => {
    const r = await call('/api/switches/%zz');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'P2M_ERR_VALIDATION' });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await call('/api/switches', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' });
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ field: 'body' });
  });

  it('answers an unexpected failure 500 without a stack, and logs it once at error level', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb(); } });
    const p = fakeHttpContext();
    p.ctx.logger = pino({ level: 'info' }, sink);
    p.health.check = () => {
      throw new Error('health port exploded');
    };
    const app = await buildHttpServer(p.ctx);
    const r = await app.inject({ method: 'GET', url: '/api/health' });
    await app.close();
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: 'internal error' });
    expect(r.body).not.toContain('exploded');
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('health port exploded');
    expect((errors[0]!.err as { stack?: string }).stack).toContain('Error: health port exploded');
  });

  it('treats a response that breaks its own schema as a 500 (programmer error), not as bad input', async () => {
    const p = fakeHttpContext();
    p.outages.list = () => [{ id: 'not-a-number' } as never];
    const app = await buildHttpServer(p.ctx);
    const r = await app.inject({ method: 'GET', url: '/api/outages' });
    await app.close();
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: 'internal error' });
  });
});

describe('security headers (SPEC §16)', () => {
  for (const [what, path, init] of [
    ['a 200', '/api/health', {}],
    ['a 404', '/api/nope', {}],
    ['a 400', '/api/switches', jsonPost('{')],
  ] as const) {
    it(`are on ${what}`, async () => {
      const r = await call(path, init);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('x-powered-by')).toBeNull();
    });
  }
});

describe('GET /api/openapi.json', () => {
  const ROUTES: Array<[string, string]> = [
    ['get', '/api/health'],
    ['get', '/api/status'],
    ['get', '/api/switches'],
    ['post', '/api/switches'],
    ['get', '/api/switches/{id}'],
    ['put', '/api/switches/{id}'],
    ['patch', '/api/switches/{id}'],
    ['delete', '/api/switches/{id}'],
    ['post', '/api/switches/{id}/check'],
    ['get', '/api/power-checks'],
    ['get', '/api/outages'],
    ['get', '/api/statistics'],
    ['get', '/api/demo/scenarios'],
    ['post', '/api/demo/scenario'],
    ['get', '/api/rules'],
    ['post', '/api/rules'],
    ['get', '/api/rules/{name}'],
    ['put', '/api/rules/{name}'],
    ['delete', '/api/rules/{name}'],
    ['put', '/api/rules/{name}/toggle'],
    ['post', '/api/rules/reload'],
    ['post', '/api/rules/{name}/dry-run'],
    ['post', '/api/rules/dry-run'],
    ['get', '/api/watchdogs'],
    ['post', '/api/watchdogs'],
    ['get', '/api/watchdogs/{name}'],
    ['put', '/api/watchdogs/{name}'],
    ['delete', '/api/watchdogs/{name}'],
    ['post', '/api/watchdogs/{name}/reset'],
    ['post', '/api/watchdogs/{name}/test'],
    ['get', '/api/events'],
    ['get', '/api/history/banks'],
    ['get', '/api/history/banks.csv'],
    ['get', '/api/history/outlets'],
    ['get', '/api/history/outlets.csv'],
    ['get', '/api/energy/daily'],
    ['get', '/api/energy/daily.csv'],
    ['get', '/api/energy/monthly'],
    ['get', '/api/energy/monthly.csv'],
    ['get', '/api/energy/summary'],
    ['get', '/api/reports'],
    ['post', '/api/reports/generate'],
    ['get', '/api/reports/download/{device_id}/{filename}'],
    ['post', '/api/outlets/{n}/command'],
    ['put', '/api/outlets/{n}/name'],
    ['get', '/api/outlet-names'],
    ['put', '/api/device/name'],
    ['put', '/api/device/location'],
    ['put', '/api/device/contact'],
    ['put', '/api/pdu/ats/preferred-source'],
    ['put', '/api/pdu/ats/auto-transfer'],
    ['get', '/api/pdus'],
    ['post', '/api/pdus'],
    ['put', '/api/pdus/{id}'],
    ['delete', '/api/pdus/{id}'],
    ['get', '/api/pdus/{id}/status'],
    ['post', '/api/pdus/test-connection'],
    ['post', '/api/pdus/discover'],
    ['get', '/api/system/info'],
    ['get', '/api/system/logs'],
    ['get', '/api/system/backup'],
    ['get', '/api/system/mqtt-credentials'],
    ['post', '/api/system/restore'],
    ['post', '/api/system/restart'],
    ['get', '/api/config'],
    ['put', '/api/config'],
    ['post', '/api/config/test-mqtt'],
    ['get', '/api/openapi.json'],
    ['post', '/api/auth/login'],
    ['post', '/api/auth/logout'],
    ['get', '/api/auth/status'],
    ['post', '/api/auth/setup'],
    ['post', '/api/auth/password'],
    ['get', '/api/auth/tokens'],
    ['post', '/api/auth/tokens'],
    ['delete', '/api/auth/tokens/{id}'],
  ];

  it('is an OpenAPI 3.1 document listing every route, generated from the zod schemas', async () => {
    const r = await call('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(r.body.info).toMatchObject({ title: 'power2mqtt', version: '0.0.0-test' });
    const paths = r.body.paths as Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: Array<{ name: string }> }>>;
    const listed = Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    expect(listed).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    // Request schemas come through: the hours bounds and the switch body's required name.
    const hours = paths['/api/power-checks']!.get!.parameters!.find((x) => x.name === 'hours') as unknown as { schema: Record<string, unknown> };
    expect(hours.schema).toMatchObject({ minimum: 1, maximum: 8760, default: 24 });
    const post = paths['/api/switches']!.post as unknown as { requestBody: { content: Record<string, { schema: { required: string[] } }> } };
    expect(post.requestBody.content['application/json']!.schema.required).toContain('name');
    expect(Object.keys(paths['/api/switches']!.post!.responses!)).toEqual(expect.arrayContaining(['201', '400', '409']));
  });

  it('states every route\'s access: security schemes, `security` and `x-access` (SPEC §14.1, §16)', async () => {
    type Op = { security: unknown[]; 'x-access': string; description: string };
    const doc = (await call('/api/openapi.json')).body as { components: { securitySchemes: Record<string, unknown> }; paths: Record<string, Record<string, Op>> };
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearerAuth', 'cookieAuth']);
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'p2m_session' });
    const op = (m: string, p: string): Op => doc.paths[p]![m]!;
    expect(op('get', '/api/health')).toMatchObject({ security: [], 'x-access': 'public' });
    expect(op('get', '/api/status')).toMatchObject({ security: [{ bearerAuth: [] }, { cookieAuth: [] }], 'x-access': 'read' });
    expect(op('post', '/api/outlets/{n}/command')['x-access']).toBe('control');
    expect(op('put', '/api/config')['x-access']).toBe('admin');
    expect(op('put', '/api/config').description).toMatch(/Access: when authentication is on: role admin/);
    for (const ops of Object.values(doc.paths)) {
      for (const o of Object.values(ops)) expect(['public', 'read', 'control', 'admin']).toContain(o['x-access']);
    }
  });

  it('lists only routes the server answers', async () => {
    const app = await buildHttpServer(ports.ctx);
    for (const [m, p] of ROUTES) expect(app.hasRoute({ method: m.toUpperCase() as 'GET', url: p.replace('{id}', ':id').replace('{name}', ':name').replace('{n}', ':n').replace('{device_id}', ':device_id').replace('{filename}', ':filename') }), `${m} ${p}`).toBe(true);
    await app.close();
  });
});

describe('exposure (SPEC §16.3)', () => {
  it('locks a non-loopback bind without users (built, not listening): 401 but health, the setup code logged at warn', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb(); } });
    const p = fakeHttpContext({ web: { bind: '0.0.0.0' } });
    p.ctx.logger = pino({ level: 'info' }, sink);
    const app = await buildHttpServer(p.ctx);
    try {
      expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
      const r = await app.inject({ method: 'GET', url: '/api/switches' });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ code: 'P2M_ERR_AUTH_REQUIRED', error: expect.stringContaining('locked') });
      const warn = lines.find((l) => l.level === 40 && String(l.msg).includes('locked'));
      expect(String(warn?.msg)).toMatch(/web\.bind "0\.0\.0\.0" is not a loopback address.*Setup code: [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    } finally {
      await app.close();
    }
  });

  it('serves 0.0.0.0 with web.allow_unauthenticated_remote: true, and warns', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb(); } });
    const p = fakeHttpContext({ web: { bind: '0.0.0.0', allow_unauthenticated_remote: true } });
    p.ctx.logger = pino({ level: 'info' }, sink);
    const s = createHttpService(p.ctx);
    await s.start();
    try {
      const addr = s.address()!;
      expect(addr.host).toBe('0.0.0.0');
      expect(addr.port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${addr.port}/api/health`)).status).toBe(200);
      expect(lines.some((l) => l.level === 40 && String(l.msg).includes('allow_unauthenticated_remote'))).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('starts on loopback with auth users configured and asks for credentials (without a database it warns that nobody can sign in)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb(); } });
    const p = fakeHttpContext({ web: { auth: { password_hash: HASH } } });
    p.ctx.logger = pino({ level: 'info' }, sink);
    const s = createHttpService(p.ctx);
    await s.start();
    try {
      const url = `http://127.0.0.1:${s.address()!.port}`;
      expect((await fetch(`${url}/api/switches`)).status).toBe(401);
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
    } finally {
      await s.stop();
    }
    expect(lines.filter((l) => (l.level as number) >= 40).map((l) => l.msg)).toEqual(['web users are configured but there is no database: nobody can sign in (sessions and tokens live in SQLite)']);
  });

  it('starts nothing when web.enabled is false', async () => {
    const s = createHttpService(fakeHttpContext({ web: { enabled: false, bind: '0.0.0.0' } }).ctx);
    await s.start();
    expect(s.address()).toBeNull();
    await s.stop();
  });

  it('names web.bind and web.port when the port is taken', async () => {
    const p = fakeHttpContext({ web: { port: service.address()!.port } });
    await expect(createHttpService(p.ctx).start()).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+ \(web\.bind, web\.port\)/);
  });
});
