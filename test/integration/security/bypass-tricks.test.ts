// Auth bypass tricks against the real app (SPEC §14.1, §16.2, §16.3): path spellings the router
// or the static fallback might read differently, method overrides and preflights, forged,
// tampered, expired and misplaced credentials. Every attempt is refused or lands on the public
// dashboard shell, and the demo PDU's outlet (read from the simulator) never changes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { secretHash } from '../../../src/core/auth.js';
import { DbHandle } from '../../../src/history/handle.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PASSWORDS, configUsersInput, sessionCookie } from '../../support/auth.js';
import { rawRequest, type RawReply } from '../../support/security-http.js';

let t: TestApp;
const cookie = { admin: '', viewer: '' };
let adminToken = '';
let readToken = '';

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawReply> =>
  rawRequest(t.webUrl!, { method, path, headers, ...(body === undefined ? {} : { body }) });

/** Refused, or (a GET that fell through to the dashboard's catch-all) the public HTML shell, never API data. */
const tally: Record<string, number> = {};
function expectNoData(r: RawReply, what: string): void {
  tally[r.status] = (tally[r.status] ?? 0) + 1;
  if (r.status === 200) {
    expect(String(r.headers['content-type']), what).toMatch(/^text\/html/);
    expect(r.text, what).not.toMatch(/"(outlets|tokens|scope|password_hash)"/);
  } else {
    expect([400, 401, 403, 404, 405, 421], `${what} → ${r.status}`).toContain(r.status);
  }
}

beforeAll(async () => {
  t = await startTestApp({ web: { auth: { users: configUsersInput(), login_max_attempts: 50 } } });
  await vi.waitFor(() => expect(t.app.simulator?.outletState(1)).toBe('on'), { timeout: 15_000 });
  for (const [role, user, pw] of [['admin', 'ada', PASSWORDS.admin], ['viewer', 'vera', PASSWORDS.viewer]] as const) {
    const r = await call('POST', '/api/auth/login', {}, { username: user, password: pw });
    cookie[role] = sessionCookie(r.headers['set-cookie']) as string;
  }
  const mk = async (scope: string) => (await call('POST', '/api/auth/tokens', { cookie: cookie.admin }, { name: `k-${scope}`, scope })).json.token as string;
  adminToken = await mk('admin');
  readToken = await mk('read');
}, 30_000);
afterAll(async () => {
  console.log(`[bypass-tricks] GET outcomes by status: ${JSON.stringify(tally)}`);
  await t?.stop();
});

const VIEWER = (): Record<string, string> => ({ cookie: cookie.viewer, 'sec-fetch-site': 'same-origin' });

describe('path tricks (router vs. static fallback)', () => {
  const spellings = (p: string): string[] => {
    const rest = p.slice('/api/'.length);
    return [
      `/${p}`, `//${p.slice(1)}`, `${p}/`, `${p}//`, p.replace('/api/', '/API/'), p.replace('/api/', '/Api/'),
      p.replace('/api/', '/%61pi/'), p.replace('/api/', '/api%2F'), p.replace(/\/([a-z])/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`),
      `/api/../api/${rest}`, `/api/./${rest}`, `/x/../${p.slice(1)}`, `/api/%2e%2e/api/${rest}`, `${p};jsessionid=1`, `${p};x=1/`,
      `${p}%00`, `${p}%20`, `${p}?token=${adminToken}`, `/\\${p.slice(1)}`, `${p}/.`, `${p}.json`,
    ];
  };

  it('GET of an admin route in 21 spellings: never its data, anonymous or as a viewer', async () => {
    let n = 0;
    for (const path of spellings('/api/auth/tokens')) {
      for (const headers of [{}, VIEWER()]) {
        expectNoData(await call('GET', path, headers), `GET ${path}`);
        n++;
      }
    }
    expect(n).toBe(42);
  });

  it('POST of the outlet command in 21 spellings: refused, the outlet stays on', async () => {
    for (const path of spellings('/api/outlets/1/command')) {
      for (const headers of [{}, VIEWER()]) {
        const r = await call('POST', `${path}${path.includes('?') ? '&' : '?'}device_id=demo-pdu`, headers, { action: 'off' });
        expect([401, 403, 404], `POST ${path} → ${r.status}`).toContain(r.status);
      }
    }
    expect(t.app.simulator!.outletState(1)).toBe('on');
  });

  it('static files cannot be used to read outside the dashboard folder', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fpackage.json', '/..%5c..%5cpackage.json']) {
      const r = await call('GET', path);
      expectNoData(r, path);
      expect(r.text, path).not.toMatch(/root:x:0:0|"devDependencies"/);
    }
  });
});

describe('method tricks', () => {
  it('method-override headers do not turn a GET into the POST command', async () => {
    for (const h of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
      for (const identity of [{}, VIEWER(), { authorization: `Bearer ${readToken}` }] as Array<Record<string, string>>) {
        expectNoData(await call('GET', '/api/outlets/1/command?device_id=demo-pdu&action=off', { ...identity, [h]: 'POST' }), h);
        // …nor a POST by a viewer into something else: the scope check looks at the real method and route.
        const r = await call('POST', '/api/outlets/1/command?device_id=demo-pdu', { ...identity, [h]: 'GET' }, { action: 'off' });
        expect([401, 403], `${h} POST → ${r.status}`).toContain(r.status);
      }
    }
    expect(t.app.simulator!.outletState(1)).toBe('on');
  });

  it('an OPTIONS preflight from a foreign origin gets no CORS grant (no web.cors_origins)', async () => {
    for (const headers of [{}, { cookie: cookie.admin }] as Array<Record<string, string>>) {
      const r = await call('OPTIONS', '/api/outlets/1/command', {
        ...headers, origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type',
      });
      expect([401, 404]).toContain(r.status);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
      expect(r.headers['access-control-allow-credentials']).toBeUndefined();
    }
    // A real cross-site POST riding on the admin cookie is refused by the CSRF guard (SPEC §16.2).
    const r = await call('POST', '/api/outlets/1/command?device_id=demo-pdu', { cookie: cookie.admin, origin: 'http://evil.example' }, { action: 'off' });
    expect([r.status, r.json?.error]).toEqual([403, expect.stringMatching(/CSRF/)]);
    expect(t.app.simulator!.outletState(1)).toBe('on');
  });
});

describe('credential tricks', () => {
  const cmd = (headers: Record<string, string>) => call('POST', '/api/outlets/1/command?device_id=demo-pdu', { 'sec-fetch-site': 'same-origin', ...headers }, { action: 'off' });
  const sid = (c: string) => c.slice('p2m_session='.length);
  const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');

  it('forged, tampered, truncated, padded and cross-used credentials are 401', async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ['forged cookie', { cookie: `p2m_session=${'A'.repeat(43)}` }],
      ['tampered admin cookie', { cookie: `p2m_session=${flip(sid(cookie.admin))}` }],
      ['truncated admin cookie', { cookie: `p2m_session=${sid(cookie.admin).slice(0, 20)}` }],
      ['padded admin cookie', { cookie: `p2m_session=${sid(cookie.admin)}=` }],
      ['empty cookie', { cookie: 'p2m_session=' }],
      ['token as cookie', { cookie: `p2m_session=${adminToken}` }],
      ['session id as bearer', { authorization: `Bearer ${sid(cookie.admin)}` }],
      ['tampered token', { authorization: `Bearer ${flip(adminToken)}` }],
      ['token without prefix', { authorization: `Bearer ${adminToken.slice(4)}` }],
      ['Basic with the admin password', { authorization: `Basic ${Buffer.from(`ada:${PASSWORDS.admin}`).toString('base64')}` }],
      ['Basic with the admin token', { authorization: `Basic ${Buffer.from(`ada:${adminToken}`).toString('base64')}` }],
      ['token in X-API-Key', { 'x-api-key': adminToken }],
      ['token in the query', {}],
    ];
    for (const [what, headers] of attempts) {
      const r = what === 'token in the query'
        ? await call('POST', `/api/outlets/1/command?device_id=demo-pdu&token=${adminToken}`, { 'sec-fetch-site': 'same-origin' }, { action: 'off' })
        : await cmd(headers);
      expect([r.status, r.json?.code], what).toEqual([401, 'P2M_ERR_AUTH_REQUIRED']);
    }
    // A bad bearer is not ignored in favour of a good cookie next to it (no mixing).
    expect((await cmd({ authorization: 'Bearer p2m_nope', cookie: cookie.admin })).status).toBe(401);
    expect(t.app.simulator!.outletState(1)).toBe('on');
  });

  it('an expired session and an expired token are 401 (expiry set in SQLite: no clock to wait on)', async () => {
    const login = await call('POST', '/api/auth/login', {}, { username: 'ada', password: PASSWORDS.admin });
    const victim = sessionCookie(login.headers['set-cookie']) as string;
    const made = await call('POST', '/api/auth/tokens', { authorization: `Bearer ${adminToken}` }, { name: 'to-expire', scope: 'admin' });
    expect((await call('GET', '/api/status', { cookie: victim })).status).toBe(200);
    expect((await call('GET', '/api/status', { authorization: `Bearer ${made.json.token}` })).status).toBe(200);
    // Time is the one thing faked: a second connection ages both rows, as the passing of time would.
    const db = new DbHandle(t.config.history.path, 5000);
    try {
      const s = db.db.prepare('UPDATE sessions SET expires_at = 1 WHERE id_hash = ?').run(secretHash(sid(victim)));
      const k = db.db.prepare('UPDATE api_tokens SET expires_at = 1 WHERE id = ?').run(made.json.id);
      expect([s.changes, k.changes]).toEqual([1, 1]);
    } finally {
      db.close();
    }
    expect((await cmd({ cookie: victim })).status).toBe(401);
    expect((await cmd({ authorization: `Bearer ${made.json.token}` })).status).toBe(401);
    expect(t.app.simulator!.outletState(1)).toBe('on');
  });

  it('a logged-out session stays dead, also on /ws', async () => {
    const login = await call('POST', '/api/auth/login', {}, { username: 'ada', password: PASSWORDS.admin });
    const c = sessionCookie(login.headers['set-cookie']) as string;
    expect((await call('POST', '/api/auth/logout', { cookie: c, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await cmd({ cookie: c })).status).toBe(401);
  });
});
