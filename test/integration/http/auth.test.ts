// REST and WebSocket authentication on the whole real app (demo PDU, real SQLite, a real socket on
// 127.0.0.1): the role and scope matrix of SPEC §14.1/§16.1 over every route, sessions, tokens,
// the login rate limit, CSRF, the Host check and /ws credentials (§15, §16.2, §16.3).
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { buildHttpServer } from '../../../src/http/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PASSWORDS, configUsersInput, sessionCookie, tempAuthDb } from '../../support/auth.js';
import { fakeHttpContext } from '../../support/http-ports.js';

type Role = 'admin' | 'operator' | 'viewer';
type Scope = 'read' | 'control' | 'admin';
const USER: Record<Role, string> = { admin: 'ada', operator: 'otto', viewer: 'vera' };

let t: TestApp;
const session = {} as Record<Role, string>;
const token = {} as Record<Scope, string>;

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function api(method: string, path: string, opts: { body?: unknown; cookie?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${t.webUrl!}${path}`, {
    method, headers, signal: AbortSignal.timeout(10_000), ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text, headers: res.headers };
}

async function login(username: string, password: string, headers: Record<string, string> = {}): Promise<Reply> {
  return api('POST', '/api/auth/login', { body: { username, password }, headers });
}

beforeAll(async () => {
  t = await startTestApp({ web: { trust_proxy: true, auth: { users: configUsersInput(), login_max_attempts: 3, login_window_s: 60 } } });
  await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')).not.toBeNull(), { timeout: 15_000 });
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    const r = await login(USER[role], PASSWORDS[role]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, username: USER[role], role });
    session[role] = sessionCookie(r.headers.getSetCookie()) as string;
  }
  for (const scope of ['read', 'control', 'admin'] as const) {
    const r = await api('POST', '/api/auth/tokens', { cookie: session.admin, body: { name: `t-${scope}`, scope } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: `t-${scope}`, scope, last_used_at: null, expires_at: null, token: expect.stringMatching(/^p2m_[A-Za-z0-9_-]{43}$/) });
    token[scope] = r.body.token;
  }
}, 30_000);
afterAll(() => t?.stop());

const COMMAND = '/api/outlets/3/command?device_id=demo-pdu';
const RULE = { name: 'auth-rule', condition: 'voltage_below', input: 2, threshold: 100, outlet: '3-4', action: 'off', delay: 7 };

describe('no credentials (SPEC §14.1)', () => {
  it('answers 401 but for health and the login endpoints; the status says auth is on', async () => {
    for (const path of ['/api/status', '/api/switches', '/api/rules', '/api/openapi.json', '/metrics', '/api/auth/tokens']) {
      const r = await api('GET', path);
      expect(r.status, path).toBe(401);
      expect(r.body, path).toMatchObject({ code: 'P2M_ERR_AUTH_REQUIRED' });
    }
    expect((await api('POST', COMMAND, { body: { action: 'on' } })).status).toBe(401);
    expect((await api('GET', '/api/health')).status).toBe(200);
    expect((await api('GET', '/api/auth/status')).body).toEqual({ auth_enabled: true, setup_required: false, authenticated: false });
  });
});

describe('sessions per role (SPEC §16.1)', () => {
  it('viewer: reads and dry-runs; outlet commands and rule changes are 403', async () => {
    const c = session.viewer;
    expect((await api('GET', '/api/status', { cookie: c })).status).toBe(200);
    expect((await api('POST', '/api/rules/dry-run', { cookie: c, body: RULE })).status).toBe(200);
    const cmd = await api('POST', COMMAND, { cookie: c, body: { action: 'on' } });
    expect(cmd.status).toBe(403);
    expect(cmd.body).toMatchObject({ code: 'P2M_ERR_FORBIDDEN', error: 'needs control access; role viewer does not cover it' });
    expect((await api('POST', '/api/rules', { cookie: c, body: RULE })).status).toBe(403);
    expect((await api('GET', '/api/auth/tokens', { cookie: c })).status).toBe(403);
  });

  it('operator: switches outlets; rule changes are 403', async () => {
    const c = session.operator;
    const cmd = await api('POST', COMMAND, { cookie: c, body: { action: 'on' } });
    expect(cmd.status).toBe(200);
    expect(cmd.body).toMatchObject({ ok: true, outlet: 3, state: 'on' });
    expect((await api('POST', '/api/rules', { cookie: c, body: RULE })).status).toBe(403);
    expect((await api('POST', '/api/switches', { cookie: c, body: { name: 'x', ip_address: '10.0.0.9' } })).status).toBe(403);
  });

  it('admin: everything', async () => {
    const c = session.admin;
    expect((await api('POST', COMMAND, { cookie: c, body: { action: 'on' } })).status).toBe(200);
    expect((await api('POST', '/api/rules', { cookie: c, body: RULE })).status).toBe(201);
    expect((await api('DELETE', `/api/rules/${RULE.name}`, { cookie: c })).status).toBe(200);
    expect((await api('GET', '/api/auth/status', { cookie: c })).body).toEqual({
      auth_enabled: true, setup_required: false, authenticated: true, username: 'ada', role: 'admin', scope: 'admin',
    });
  });

  it('refuses a cookie-authenticated cross-site request (CSRF) even from an admin', async () => {
    const r = await api('POST', COMMAND, { cookie: session.admin, body: { action: 'on' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(r.status).toBe(403);
    expect(r.body.error).toContain('CSRF');
    expect((await api('POST', COMMAND, { cookie: session.admin, body: { action: 'on' }, headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await api('POST', COMMAND, { cookie: session.admin, body: { action: 'on' }, headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });
});

describe('API tokens per scope (SPEC §16.2)', () => {
  it.each([
    ['read', 200, 403, 403],
    ['control', 200, 200, 403],
    ['admin', 200, 200, 201],
  ] as const)('%s: read %i, outlet command %i, create a switch %i', async (scope, read, command, admin) => {
    expect((await api('GET', '/api/status', { token: token[scope] })).status).toBe(read);
    // Bearer requests are exempt from the CSRF rule.
    expect((await api('POST', COMMAND, { token: token[scope], body: { action: 'on' }, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(command);
    const created = await api('POST', '/api/switches', { token: token[scope], body: { name: `sw-${scope}`, ip_address: '10.0.0.9' } });
    expect(created.status).toBe(admin);
  });

  it('lists tokens without secrets, with last use; /metrics takes a read token', async () => {
    expect((await api('GET', '/metrics', { token: token.read })).status).toBe(200);
    const list = await api('GET', '/api/auth/tokens', { token: token.admin });
    expect(list.status).toBe(200);
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(['t-read', 't-control', 't-admin']);
    expect(JSON.stringify(list.body)).not.toContain('p2m_');
    expect(list.body[0].last_used_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('answers 401 for a wrong, a malformed and a revoked token; a name is unique', async () => {
    expect((await api('GET', '/api/status', { token: 'p2m_not-a-real-token' })).status).toBe(401);
    expect((await api('GET', '/api/status', { token: `${token.read}x` })).status).toBe(401);
    const made = await api('POST', '/api/auth/tokens', { token: token.admin, body: { name: 'to-revoke', scope: 'admin' } });
    expect((await api('GET', '/api/status', { token: made.body.token })).status).toBe(200);
    expect((await api('POST', '/api/auth/tokens', { token: token.admin, body: { name: 'to-revoke', scope: 'read' } })).status).toBe(409);
    expect((await api('DELETE', `/api/auth/tokens/${made.body.id}`, { token: token.admin })).body).toEqual({ id: made.body.id, deleted: true });
    const revoked = await api('GET', '/api/status', { token: made.body.token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toBe('invalid, revoked or expired API token');
    expect((await api('DELETE', `/api/auth/tokens/${made.body.id}`, { token: token.admin })).status).toBe(404);
  });
});

describe('every route declares its access (SPEC §14.1)', () => {
  const PUBLIC = new Set(['get /api/health', 'post /api/auth/login', 'post /api/auth/logout', 'get /api/auth/status', 'post /api/auth/setup']);
  const CONTROL = new Set(['post /api/outlets/{n}/command']);
  const READ_POSTS = new Set(['post /api/rules/dry-run', 'post /api/rules/{name}/dry-run', 'post /api/auth/password']);
  // Logs and backups show hosts, names and failed sign-ins, the broker user is a secret: admin only.
  const ADMIN_GETS = new Set(['get /api/auth/tokens', 'get /api/system/logs', 'get /api/system/backup', 'get /api/system/mqtt-credentials']);
  const expected = (m: string, p: string): string =>
    PUBLIC.has(`${m} ${p}`) ? 'public' : CONTROL.has(`${m} ${p}`) ? 'control' : ADMIN_GETS.has(`${m} ${p}`) || p === '/api/auth/tokens' ? 'admin' : m === 'get' || READ_POSTS.has(`${m} ${p}`) ? 'read' : 'admin';

  it('anonymous → 401 unless public; a read token → 403 exactly where more than read is needed', async () => {
    const doc = (await api('GET', '/api/openapi.json', { token: token.read })).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => [m, p] as const));
    routes.push(['get', '/metrics'], ['get', '/ws']);
    expect(routes.length).toBeGreaterThan(45);
    const seen: Record<string, number> = {};
    for (const [m, p] of routes) {
      const url = p.replace(/\{(id|n)\}/g, '99').replace(/\{[^}]+\}/g, 'no-such-thing');
      const access = expected(m, p);
      seen[access] = (seen[access] ?? 0) + 1;
      // An empty JSON body: refused requests never reach validation, accepted ones fail it (400) or 404.
      const init = m === 'get' ? {} : { body: {} };
      const anon = await api(m.toUpperCase(), url, init);
      if (access === 'public') expect(anon.status, `${m} ${p}`).not.toBe(401);
      else expect(anon.status, `${m} ${p}`).toBe(401);
      const reader = await api(m.toUpperCase(), url, { ...init, token: token.read });
      if (access === 'control' || access === 'admin') expect(reader.status, `${m} ${p}`).toBe(403);
      else expect([401, 403], `${m} ${p} → ${reader.status}`).not.toContain(reader.status);
    }
    expect(Object.keys(seen).sort()).toEqual(['admin', 'control', 'public', 'read']);
  });
});

describe('login (SPEC §14.5, §16.3)', () => {
  it('rate-limits failed logins per client IP: the 4th attempt is 429 with Retry-After, other IPs are not affected', async () => {
    const a = { 'x-forwarded-for': '198.51.100.7' };
    for (let i = 0; i < 3; i++) {
      const r = await login('vera', 'wrong-password', a);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'Invalid credentials' });
    }
    const limited = await login('vera', 'wrong-password', a);
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.body.code).toBe('P2M_ERR_RATE_LIMITED');
    // The right password does not get through either, until the window ends.
    expect((await login('vera', PASSWORDS.viewer, a)).status).toBe(429);
    // An unknown user counts like a wrong password, from its own address.
    expect((await login('nobody', 'x', { 'x-forwarded-for': '198.51.100.8' })).status).toBe(401);
    expect((await login('vera', PASSWORDS.viewer, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);
  });

  it('defaults the username to web.auth.username and marks the cookie Secure behind HTTPS (X-Forwarded-Proto, trust_proxy)', async () => {
    expect((await api('POST', '/api/auth/login', { body: { password: PASSWORDS.admin }, headers: { 'x-forwarded-for': '198.51.100.20' } })).status).toBe(401);
    const r = await login('ada', PASSWORDS.admin, { 'x-forwarded-proto': 'https' });
    const set = r.headers.getSetCookie().join('\n');
    expect(set).toMatch(/p2m_session=[A-Za-z0-9_-]{43};/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const c = sessionCookie((await login('otto', PASSWORDS.operator)).headers.getSetCookie()) as string;
    expect((await api('GET', '/api/status', { cookie: c })).status).toBe(200);
    const out = await api('POST', '/api/auth/logout', { cookie: c });
    expect(out.body).toEqual({ ok: true });
    expect(out.headers.getSetCookie().join('\n')).toMatch(/p2m_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await api('GET', '/api/status', { cookie: c })).status).toBe(401);
  });
});

describe('Host header (SPEC §16.2 DNS rebinding)', () => {
  function get(host: string, path = '/api/status'): Promise<number> {
    const url = new URL(t.webUrl!);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: url.port, path, headers: { host, authorization: `Bearer ${token.read}` }, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers 421 to a name that is not ours, even with credentials; IP literals and localhost pass', async () => {
    expect(await get('evil.example')).toBe(421);
    expect(await get(`evil.example:${new URL(t.webUrl!).port}`)).toBe(421);
    expect(await get('evil.example', '/api/health')).toBe(200);
    expect(await get(new URL(t.webUrl!).host)).toBe(200);
    expect(await get('localhost')).toBe(200);
    expect(await get('[::1]:8080')).toBe(200);
  });
});

describe('WebSocket /ws (SPEC §15)', () => {
  function open(query = '', headers: Record<string, string> = {}): Promise<{ ws: WebSocket; hello: any } | { status: number }> {
    const ws = new WebSocket(`${t.webUrl!.replace(/^http/, 'ws')}/ws${query}`, { headers, handshakeTimeout: 5000 });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0 });
        ws.terminate();
      });
      ws.once('message', (data) => resolve({ ws, hello: JSON.parse(String(data)) }));
      ws.once('error', reject);
    });
  }

  it('refuses the handshake without credentials (401) and with a wrong token', async () => {
    expect(await open()).toEqual({ status: 401 });
    expect(await open('?token=p2m_wrong')).toEqual({ status: 401 });
    expect(await open('', { authorization: 'Bearer p2m_wrong' })).toEqual({ status: 401 });
  });

  it.each([
    ['a session cookie', () => ['', { cookie: session.viewer }] as const],
    ['?token=', () => [`?token=${token.read}&device_id=demo-pdu`, {}] as const],
    ['a bearer header', () => ['', { authorization: `Bearer ${token.read}` }] as const],
  ])('admits %s and says auth is on', async (_what, args) => {
    const [query, headers] = args();
    const r = await open(query, headers);
    expect('ws' in r).toBe(true);
    if (!('ws' in r)) return;
    expect(r.hello).toMatchObject({ type: 'hello', data: { auth_enabled: true, devices: ['demo-pdu'] } });
    r.ws.close();
  });

  it('refuses a cross-site page that rides on the cookie (403)', async () => {
    expect(await open('', { cookie: session.viewer, origin: 'http://evil.example' })).toEqual({ status: 403 });
  });
});

describe('/metrics with metrics.require_auth: false (SPEC §16.3)', () => {
  it('is open although auth is on; the API still is not', async () => {
    const db = tempAuthDb();
    const p = fakeHttpContext({ metrics: { require_auth: false }, web: { auth: { users: configUsersInput() } } });
    p.ctx.auth = db.store;
    const app = await buildHttpServer(p.ctx);
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/status' })).statusCode).toBe(401);
    } finally {
      await app.close();
      db.cleanup();
    }
  });
});
