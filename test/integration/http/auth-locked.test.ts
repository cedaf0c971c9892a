// The web server built (not listening) over in-memory ports, a real SQLite auth store and a
// FakeClock: the locked mode and first-run setup (SPEC §16.3), sliding sessions and token expiry
// on the clock, password changes, sessions surviving a restart (§16.2), CSRF with authentication
// off, CORS (§16.3) and secrets kept out of the logs.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/index.js';
import { buildHttpServer } from '../../../src/http/index.js';
import { PASSWORDS, capturedLogger, configUsersInput, sessionCookie, setupCodeFrom, tempAuthDb, type TempAuthDb } from '../../support/auth.js';
import { fakeHttpContext, type FakeHttpPorts } from '../../support/http-ports.js';

let db: TempAuthDb;
const apps: FastifyInstance[] = [];

beforeEach(() => {
  db = tempAuthDb();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  db.cleanup();
});

/** A server on the shared database; `store` = another connection to it (a restart). */
async function server(config: ConfigInput, opts: { ports?: FakeHttpPorts; store?: TempAuthDb['store'] } = {}) {
  const ports = opts.ports ?? fakeHttpContext(config);
  const log = capturedLogger('info');
  ports.ctx.logger = log.logger;
  ports.ctx.auth = opts.store ?? db.store;
  const app = await buildHttpServer(ports.ctx);
  apps.push(app);
  return { app, ports, log };
}

type Inject = { method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS'; url: string; body?: unknown; cookie?: string | null; token?: string; headers?: Record<string, string>; ip?: string };

function call(app: FastifyInstance, r: Inject): Promise<LightMyRequestResponse> {
  return app.inject({
    method: r.method ?? 'GET', url: r.url, ...(r.body === undefined ? {} : { payload: r.body as object }),
    ...(r.ip ? { remoteAddress: r.ip } : {}),
    headers: { ...(r.cookie ? { cookie: r.cookie } : {}), ...(r.token ? { authorization: `Bearer ${r.token}` } : {}), ...(r.headers ?? {}) },
  });
}

const LOCKED: ConfigInput = { web: { bind: '0.0.0.0', auth: { login_max_attempts: 3, login_window_s: 60 } } };

describe('locked server and first-run setup (SPEC §16.3, §14.5)', () => {
  it('serves only health, the auth status and setup; a wrong code is 401 and rate-limited; the right one creates the admin once', async () => {
    const { app, log } = await server(LOCKED);
    const code = setupCodeFrom(log.lines);
    expect((await call(app, { url: '/api/health' })).statusCode).toBe(200);
    for (const url of ['/api/status', '/api/switches', '/api/openapi.json', '/metrics']) expect((await call(app, { url })).statusCode, url).toBe(401);
    expect((await call(app, { url: '/api/auth/status' })).json()).toEqual({ auth_enabled: true, setup_required: true, authenticated: false });
    // Nobody can sign in while locked.
    expect((await call(app, { method: 'POST', url: '/api/auth/login', body: { username: 'admin', password: 'whatever-1' } })).statusCode).toBe(401);

    const attacker = '10.9.8.7';
    const wrong = { method: 'POST' as const, url: '/api/auth/setup', body: { setup_code: 'AAAA-BBBB-CCCC', username: 'eve', password: 'eve-password' }, ip: attacker };
    for (let i = 0; i < 3; i++) {
      const r = await call(app, wrong);
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ field: 'setup_code' });
    }
    const limited = await call(app, wrong);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Even the right code is refused to that address for now; other addresses are not affected.
    expect((await call(app, { ...wrong, body: { ...wrong.body, setup_code: code } })).statusCode).toBe(429);

    const ok = await call(app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: code.toLowerCase(), username: 'root', password: 'root-password' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ ok: true, username: 'root', role: 'admin' });
    const cookie = sessionCookie(ok.headers['set-cookie']);
    expect(cookie).not.toBeNull();
    expect(String(ok.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(ok.headers['set-cookie'])).toMatch(/SameSite=Strict/i);
    expect(String(ok.headers['set-cookie'])).toMatch(/Path=\//);
    expect(String(ok.headers['set-cookie'])).not.toMatch(/Secure/i);
    expect(db.store.listUsers()).toMatchObject([{ username: 'root', role: 'admin' }]);

    // Unlocked at once: the cookie reads, the anonymous still gets 401, setup is over.
    expect((await call(app, { url: '/api/switches', cookie })).statusCode).toBe(200);
    expect((await call(app, { url: '/api/switches' })).statusCode).toBe(401);
    expect((await call(app, { url: '/api/auth/status', cookie })).json()).toEqual({
      auth_enabled: true, setup_required: false, authenticated: true, username: 'root', role: 'admin', scope: 'admin',
    });
    const again = await call(app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: code, username: 'root2', password: 'root-password' } });
    expect(again.statusCode).toBe(409);
  });

  it('prints a new code at every start until an admin exists, and none after; the admin survives the restart', async () => {
    const first = await server(LOCKED);
    const second = await server(LOCKED, { store: db.reopen().store });
    const [a, b] = [setupCodeFrom(first.log.lines), setupCodeFrom(second.log.lines)];
    expect(a).not.toBe(b);
    // The first start's code does not open the second.
    expect((await call(second.app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: a, username: 'root', password: 'root-password' } })).statusCode).toBe(401);
    expect((await call(second.app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: b, username: 'root', password: 'root-password' } })).statusCode).toBe(201);

    const third = await server(LOCKED, { store: db.reopen().store });
    expect(third.log.lines.some((l) => /Setup code/.test(String(l.msg)))).toBe(false);
    expect((await call(third.app, { url: '/api/auth/status' })).json()).toMatchObject({ auth_enabled: true, setup_required: false });
    const login = await call(third.app, { method: 'POST', url: '/api/auth/login', body: { username: 'root', password: 'root-password' } });
    expect(login.json()).toEqual({ ok: true, username: 'root', role: 'admin' });
    expect((await call(third.app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: b, username: 'x', password: 'root-password' } })).statusCode).toBe(409);
  });

  it('refuses setup (409) when the server is not locked: loopback without users, or users configured', async () => {
    const open = await server({});
    expect((await call(open.app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: 'AAAA-BBBB-CCCC', username: 'root', password: 'root-password' } })).statusCode).toBe(409);
    const withUsers = await server({ web: { bind: '0.0.0.0', auth: { users: configUsersInput() } } });
    expect(withUsers.log.lines.some((l) => /Setup code/.test(String(l.msg)))).toBe(false);
    expect((await call(withUsers.app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: 'AAAA-BBBB-CCCC', username: 'root', password: 'root-password' } })).statusCode).toBe(409);
    expect(db.store.listUsers()).toEqual([]);
  });
});

async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const r = await call(app, { method: 'POST', url: '/api/auth/login', body: { username, password } });
  expect(r.statusCode, r.body).toBe(200);
  return sessionCookie(r.headers['set-cookie']) as string;
}

describe('sessions and tokens on the clock (SPEC §16.2)', () => {
  it('slides the session on use and ends it after session_timeout_s of silence', async () => {
    const { app, ports } = await server({ web: { auth: { users: configUsersInput(), session_timeout_s: 100 } } });
    const cookie = await login(app, 'vera', PASSWORDS.viewer);
    await ports.clock.advance(60_000);
    const used = await call(app, { url: '/api/switches', cookie });
    expect(used.statusCode).toBe(200);
    // The expiry moved: the cookie is sent again with the full lifetime.
    expect(String(used.headers['set-cookie'])).toMatch(/Max-Age=100/);
    await ports.clock.advance(60_000); // 120 s after login: past the first expiry, within the slid one
    expect((await call(app, { url: '/api/switches', cookie })).statusCode).toBe(200);
    await ports.clock.advance(101_000);
    const expired = await call(app, { url: '/api/switches', cookie });
    expect(expired.statusCode).toBe(401);
    // The dead cookie is cleared.
    expect(String(expired.headers['set-cookie'])).toMatch(/p2m_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('refuses a token once it expires', async () => {
    const { app, ports } = await server({ web: { auth: { users: configUsersInput() } } });
    const admin = await login(app, 'ada', PASSWORDS.admin);
    const created = await call(app, { method: 'POST', url: '/api/auth/tokens', cookie: admin, body: { name: 'short', scope: 'read', expires_in_days: 1 } });
    expect(created.statusCode).toBe(201);
    const { token, expires_at } = created.json() as { token: string; expires_at: string };
    expect(expires_at).toBe('2026-03-02T12:00:00Z');
    expect((await call(app, { url: '/api/switches', token })).statusCode).toBe(200);
    await ports.clock.advance(86_400_000);
    const r = await call(app, { url: '/api/switches', token });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ error: 'invalid, revoked or expired API token' });
  });

  it('keeps sessions and tokens across a restart (they live in SQLite)', async () => {
    const first = await server({ web: { auth: { users: configUsersInput() } } });
    const cookie = await login(first.app, 'ada', PASSWORDS.admin);
    const { token } = (await call(first.app, { method: 'POST', url: '/api/auth/tokens', cookie, body: { name: 'ha', scope: 'control' } })).json() as { token: string };
    await first.app.close();
    const second = await server({ web: { auth: { users: configUsersInput() } } }, { store: db.reopen().store });
    expect((await call(second.app, { url: '/api/auth/status', cookie })).json()).toMatchObject({ authenticated: true, username: 'ada' });
    expect((await call(second.app, { url: '/api/auth/status', token })).json()).toMatchObject({ authenticated: true, scope: 'control' });
  });
});

describe('password changes (SPEC §14.5)', () => {
  it('lets a stored user change their own password, ending their other sessions; config users are read-only', async () => {
    const { app, log } = await server(LOCKED);
    const code = setupCodeFrom(log.lines);
    const setup = await call(app, { method: 'POST', url: '/api/auth/setup', body: { setup_code: code, username: 'root', password: 'first-password' } });
    const mine = sessionCookie(setup.headers['set-cookie']) as string;
    const other = await login(app, 'root', 'first-password');
    const wrong = await call(app, { method: 'POST', url: '/api/auth/password', cookie: mine, body: { current_password: 'nope-nope', new_password: 'second-password' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ field: 'current_password' });
    const short = await call(app, { method: 'POST', url: '/api/auth/password', cookie: mine, body: { current_password: 'first-password', new_password: 'short' } });
    expect(short.statusCode).toBe(400);
    const both = await call(app, { method: 'POST', url: '/api/auth/password', cookie: mine, body: { current_password: 'first-password', username: 'root', new_password: 'second-password' } });
    expect(both.statusCode).toBe(400);
    const ok = await call(app, { method: 'POST', url: '/api/auth/password', cookie: mine, body: { current_password: 'first-password', new_password: 'second-password' } });
    expect(ok.json()).toEqual({ ok: true });
    expect((await call(app, { url: '/api/auth/status', cookie: mine })).json()).toMatchObject({ authenticated: true });
    expect((await call(app, { url: '/api/auth/status', cookie: other })).json()).toMatchObject({ authenticated: false });
    expect((await call(app, { method: 'POST', url: '/api/auth/login', body: { username: 'root', password: 'first-password' } })).statusCode).toBe(401);
    await login(app, 'root', 'second-password');
    // A token has no password of its own.
    const { token } = (await call(app, { method: 'POST', url: '/api/auth/tokens', cookie: mine, body: { name: 'x', scope: 'admin' } })).json() as { token: string };
    expect((await call(app, { method: 'POST', url: '/api/auth/password', token, body: { current_password: 'second-password', new_password: 'third-password' } })).statusCode).toBe(401);
    // An admin (or admin token) sets a stored user's password; unknown users are 404.
    expect((await call(app, { method: 'POST', url: '/api/auth/password', token, body: { username: 'root', new_password: 'third-password' } })).json()).toEqual({ ok: true });
    expect((await call(app, { method: 'POST', url: '/api/auth/password', token, body: { username: 'nobody', new_password: 'third-password' } })).statusCode).toBe(404);
  });

  it('answers 409 for config-file users and 403 when a non-admin sets another user\'s password', async () => {
    const { app } = await server({ web: { auth: { users: configUsersInput() } } });
    const vera = await login(app, 'vera', PASSWORDS.viewer);
    const own = await call(app, { method: 'POST', url: '/api/auth/password', cookie: vera, body: { current_password: PASSWORDS.viewer, new_password: 'new-password-1' } });
    expect(own.statusCode).toBe(409);
    expect(String(own.json().error)).toContain('config file');
    expect((await call(app, { method: 'POST', url: '/api/auth/password', cookie: vera, body: { username: 'ada', new_password: 'new-password-1' } })).statusCode).toBe(403);
    const ada = await login(app, 'ada', PASSWORDS.admin);
    expect((await call(app, { method: 'POST', url: '/api/auth/password', cookie: ada, body: { username: 'vera', new_password: 'new-password-1' } })).statusCode).toBe(409);
  });
});

describe('authentication off (loopback, no users): CSRF and Host checks still apply (SPEC §16.2)', () => {
  const body = { name: 'plug', url: 'http://10.0.0.5/' };
  it.each([
    ['no browser headers (curl, scripts)', {}, 201],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }, 201],
    ['Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }, 201],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 403],
    ['Sec-Fetch-Site: same-site (another port or subdomain)', { 'sec-fetch-site': 'same-site' }, 403],
    ['Origin of this host', { origin: 'http://localhost:80' }, 201],
    ['Origin of another site', { origin: 'http://evil.example' }, 403],
    ['Origin of another port on this host', { origin: 'http://localhost:3000' }, 403],
    ['Origin null (sandboxed frame)', { origin: 'null' }, 403],
  ] as const)('a POST with %s → %s', async (_what, headers, status) => {
    const { app } = await server({});
    const r = await call(app, { method: 'POST', url: '/api/switches', body, headers: { ...headers } });
    expect(r.statusCode).toBe(status);
    if (status === 403) expect(r.json()).toMatchObject({ code: 'P2M_ERR_FORBIDDEN', error: expect.stringContaining('CSRF') });
  });

  it('lets reads through from anywhere and asks no credentials, but refuses tokens until users exist', async () => {
    const { app } = await server({});
    expect((await call(app, { url: '/api/switches', headers: { 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(200);
    expect((await call(app, { url: '/api/auth/status' })).json()).toEqual({ auth_enabled: false, setup_required: false, authenticated: false });
    expect((await call(app, { method: 'POST', url: '/api/auth/tokens', body: { name: 'x', scope: 'admin' } })).statusCode).toBe(409);
    // A bearer token is always checked: a wrong one is 401 even here.
    expect((await call(app, { url: '/api/switches', token: 'p2m_wrong' })).statusCode).toBe(401);
  });

  it('refuses unknown Host names with 421 but /api/health; IP literals, localhost and allowed_hosts pass', async () => {
    const { app } = await server({ web: { allowed_hosts: ['pdu.lan'], public_url: 'https://power.example.net/' } });
    const host = (h: string, url = '/api/switches') => call(app, { url, headers: { host: h } });
    const refused = await host('evil.example');
    expect(refused.statusCode).toBe(421);
    expect(refused.json()).toMatchObject({ code: 'P2M_ERR_UNKNOWN_HOST', field: 'host' });
    expect((await host('evil.example:8080')).statusCode).toBe(421);
    expect((await host('evil.example', '/api/health')).statusCode).toBe(200);
    for (const ok of ['127.0.0.1:8080', '192.168.1.5', '[::1]:8080', 'localhost:8080', 'LOCALHOST', 'pdu.lan', 'power.example.net']) {
      expect((await host(ok)).statusCode, ok).toBe(200);
    }
  });
});

describe('CORS only for web.cors_origins (SPEC §16.3)', () => {
  it('sends no CORS headers by default', async () => {
    const { app } = await server({});
    const r = await call(app, { url: '/api/switches', headers: { origin: 'https://dash.example.net' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers the listed origin (preflight included) and nobody else', async () => {
    const { app } = await server({ web: { cors_origins: ['https://dash.example.net'], auth: { users: configUsersInput() } } });
    const pre = await call(app, {
      method: 'OPTIONS', url: '/api/outlets/1/command',
      headers: { origin: 'https://dash.example.net', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://dash.example.net');
    expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');
    const other = await call(app, { method: 'OPTIONS', url: '/api/switches', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('secrets stay out of the logs (SPEC §16.1, §16.3)', () => {
  it('never writes passwords, session ids, tokens or the Authorization header, even at debug', async () => {
    const ports = fakeHttpContext({ web: { auth: { users: configUsersInput() } } });
    const log = capturedLogger('debug');
    ports.ctx.logger = log.logger;
    ports.ctx.auth = db.store;
    const app = await buildHttpServer(ports.ctx);
    apps.push(app);
    const r = await call(app, { method: 'POST', url: '/api/auth/login', body: { username: 'ada', password: PASSWORDS.admin } });
    const cookie = sessionCookie(r.headers['set-cookie']) as string;
    const { token } = (await call(app, { method: 'POST', url: '/api/auth/tokens', cookie, body: { name: 'x', scope: 'read' } })).json() as { token: string };
    await call(app, { method: 'POST', url: '/api/auth/login', body: { username: 'ada', password: 'not-the-password' } });
    await call(app, { url: '/api/switches', token });
    await call(app, { url: `/ws?token=${token}` });
    const text = log.text();
    expect(text).toContain('signed in');
    expect(text).toContain('/ws?token=***');
    for (const secret of [PASSWORDS.admin, 'not-the-password', cookie.slice('p2m_session='.length), token]) expect(text).not.toContain(secret);
  });
});
