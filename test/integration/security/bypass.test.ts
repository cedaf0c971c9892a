// Auth bypass attempts on every route of the real app (SPEC §14.1, §16): the route list comes from
// fastify's own route tree and is checked against the live OpenAPI document, not written by hand.
// Every identity that lacks the route's access is refused with 401/403 by the auth hook (its error
// code says so) and, with request bodies that WOULD succeed, nothing changes: the demo PDU's
// outlets (read from the simulator itself), names, rules, switches, watchdogs, tokens, devices and
// settings are compared before and after. Path/method/credential tricks: bypass-tricks.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildHttpServer } from '../../../src/http/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PASSWORDS, configUsersInput, sessionCookie } from '../../support/auth.js';
import { fakeHttpContext } from '../../support/http-ports.js';
import { openApiAccess, rawRequest, routeTable, wsStatus, type Access, type RawReply, type RouteEntry } from '../../support/security-http.js';

let t: TestApp;
const cookie: Record<'admin' | 'operator' | 'viewer', string> = { admin: '', operator: '', viewer: '' };
const token: Record<'read' | 'control' | 'admin', string> = { read: '', control: '', admin: '' };
let routes: Array<RouteEntry & { access: Access }> = [];
const params: Record<string, string> = {};

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawReply> =>
  rawRequest(t.webUrl!, { method, path, headers, ...(body === undefined ? {} : { body }) });
const asAdmin = async (path: string): Promise<any> => (await call('GET', path, { authorization: `Bearer ${token.admin}` })).json;

/** What must not change, from the admin's view and from the simulated PDU itself. */
async function fingerprint(): Promise<unknown> {
  const status = await asAdmin('/api/status?device_id=demo-pdu');
  const sim = t.app.simulator!;
  return {
    simulator: Array.from({ length: 10 }, (_, i) => sim.outletState(i + 1)),
    outlets: Object.values(status.outlets as Record<string, { name: string; state: string }>).map((o) => [o.name, o.state]),
    device: status.identity && [status.identity.name, status.identity.location, status.identity.contact],
    preferred: status.ats?.preferred_source,
    rules: (await asAdmin('/api/rules')).map((r: { name: string; enabled: boolean }) => [r.name, r.enabled]),
    switches: (await asAdmin('/api/switches')).map((s: { id: number; name: string; is_active: boolean }) => [s.id, s.name, s.is_active]),
    watchdogs: (await asAdmin('/api/watchdogs')).map((w: { name: string; state: { state: string } }) => w.name),
    tokens: (await asAdmin('/api/auth/tokens')).map((x: { id: number }) => x.id),
    pdus: (await asAdmin('/api/pdus')).pdus.map((p: { device_id: string }) => p.device_id),
    logLevel: (await asAdmin('/api/config')).log.level,
  };
}

/** Bodies that would succeed if a refused request reached its handler. */
function bodyFor(method: string, url: string): unknown {
  const b: Record<string, unknown> = {
    'POST /api/outlets/:n/command': { action: 'off' },
    'PUT /api/outlets/:n/name': { name: 'pwned' },
    'PUT /api/device/name': { name: 'pwned' },
    'PUT /api/device/location': { location: 'pwned' },
    'PUT /api/device/contact': { contact: 'pwned' },
    'PUT /api/pdu/ats/preferred-source': { source: 'B' },
    'PUT /api/pdu/ats/auto-transfer': { enabled: false },
    'POST /api/rules': { name: 'pwned', condition: 'voltage_below', input: 1, threshold: 300, outlet: '1', action: 'off' },
    'PUT /api/rules/:name/toggle': { enabled: false },
    'POST /api/switches': { name: 'pwned', ip_address: '10.9.9.9' },
    'PUT /api/switches/:id': { name: 'pwned' },
    'PATCH /api/switches/:id': { is_active: false },
    'PUT /api/config': { 'log.level': 'trace' },
    'POST /api/demo/scenario': { action: 'fail_source', source: 'A' },
    'POST /api/auth/tokens': { name: 'pwned', scope: 'admin' },
    'POST /api/auth/password': { username: 'ada', new_password: 'pwned-password-1' },
    'POST /api/pdus': { host: '127.0.0.1', device_id: 'pwned' },
  };
  return b[`${method} ${url}`] ?? (method === 'GET' || method === 'HEAD' ? undefined : {});
}

const fill = (url: string): string =>
  url.replace(/:([a-z_]+)/g, (_m, p: string) => params[`${url}:${p}`] ?? params[p] ?? 'x') + (/^\/api\/(outlets|device\/|pdu\/ats)/.test(url) ? '?device_id=demo-pdu' : '');

beforeAll(async () => {
  t = await startTestApp({ web: { auth: { users: configUsersInput(), login_max_attempts: 50 } } });
  await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')).not.toBeNull(), { timeout: 15_000 });
  for (const [role, user] of [['admin', 'ada'], ['operator', 'otto'], ['viewer', 'vera']] as const) {
    const r = await call('POST', '/api/auth/login', {}, { username: user, password: PASSWORDS[role] });
    expect(r.status).toBe(200);
    cookie[role] = sessionCookie(r.headers['set-cookie']) as string;
  }
  for (const scope of ['read', 'control', 'admin'] as const) {
    const r = await call('POST', '/api/auth/tokens', { cookie: cookie.admin }, { name: `b-${scope}`, scope });
    expect(r.status).toBe(201);
    token[scope] = r.json.token;
  }
  // Real targets for the path parameters, so an accepted request would act on something.
  const rules = await asAdmin('/api/rules');
  const switches = await asAdmin('/api/switches');
  const tokens = await asAdmin('/api/auth/tokens');
  Object.assign(params, {
    n: '1', device_id: 'demo-pdu', filename: 'demo-pdu_weekly_2026-W01.pdf', id: String(switches[0]?.id ?? 1),
    name: String(rules[0]?.name ?? 'x'), '/api/pdus/:id:id': 'demo-pdu', '/api/pdus/:id/status:id': 'demo-pdu',
    '/api/auth/tokens/:id:id': String(tokens[0].id),
  });
  for (const w of ['/api/watchdogs/:name', '/api/watchdogs/:name/reset', '/api/watchdogs/:name/test']) params[`${w}:name`] = 'demo-modem';

  // The route table of the same server code, cross-checked with the running app's OpenAPI document.
  const built = await buildHttpServer(fakeHttpContext({}, { demo: true }).ctx);
  await built.ready();
  const table = routeTable(built);
  await built.close();
  const documented = openApiAccess(await asAdmin('/api/openapi.json'));
  const hidden = new Map<string, Access>([['GET /metrics', 'read'], ['GET /ws', 'read'], ['GET /', 'public'], ['GET /*', 'public']]);
  routes = table.filter((r) => r.method !== 'HEAD').map((r) => {
    const key = `${r.method} ${r.url}`;
    const access = documented.get(key) ?? hidden.get(key);
    if (!access) throw new Error(`route ${key} is neither in the OpenAPI document nor a known hidden route`);
    return { ...r, access };
  });
  // Every documented route is in the table (the table is not a stale subset).
  for (const key of documented.keys()) expect(routes.some((r) => `${r.method} ${r.url}` === key), key).toBe(true);
}, 40_000);
afterAll(() => t?.stop());

describe('every route × every identity that lacks its access (SPEC §14.1, §16.1)', () => {
  it('the route table is complete: > 70 method-routes, all four access levels present', () => {
    expect(routes.length).toBeGreaterThan(70);
    expect(new Set(routes.map((r) => r.access))).toEqual(new Set(['public', 'read', 'control', 'admin']));
  });

  it('refuses anonymous, viewer/read, operator/control below the route\'s access, and changes nothing', async () => {
    const before = await fingerprint();
    // CSRF is satisfied (same-origin) so the refusal below is the scope check, not the CSRF guard.
    const same = { 'sec-fetch-site': 'same-origin' };
    const identities: Array<[string, Record<string, string>, number]> = [
      ['anonymous', {}, 0],
      ['viewer session', { cookie: cookie.viewer, ...same }, 1],
      ['read token', { authorization: `Bearer ${token.read}` }, 1],
      ['operator session', { cookie: cookie.operator, ...same }, 2],
      ['control token', { authorization: `Bearer ${token.control}` }, 2],
    ];
    const rank: Record<Access, number> = { public: -1, read: 0, control: 1, admin: 2 };
    let refused = 0;
    for (const r of routes) {
      if (r.url === '/ws' || r.access === 'public') continue;
      for (const [who, headers, level] of identities) {
        if (level > rank[r.access]) continue; // this identity has the access: not an attempt
        const res = await call(r.method, fill(r.url), headers, bodyFor(r.method, r.url));
        const expected = who === 'anonymous' ? [401, 'P2M_ERR_AUTH_REQUIRED'] : [403, 'P2M_ERR_FORBIDDEN'];
        expect([res.status, res.json?.code], `${who} ${r.method} ${r.url}`).toEqual(expected);
        refused++;
      }
    }
    console.log(`[bypass] ${routes.length} method-routes, ${refused} refused attempts`);
    expect(refused).toBeGreaterThan(200);
    expect(await fingerprint()).toEqual(before);
    // ada's password was not changed by a viewer's or operator's POST /api/auth/password.
    expect((await call('POST', '/api/auth/login', {}, { username: 'ada', password: PASSWORDS.admin })).status).toBe(200);
    // The control: the same request with enough access does reach the handler, and the fingerprint sees it.
    const ok = await call('POST', fill('/api/outlets/:n/command'), { authorization: `Bearer ${token.control}` }, { action: 'off' });
    expect([ok.status, t.app.simulator!.outletState(1)]).toEqual([200, 'off']);
    expect(await fingerprint()).not.toEqual(before);
    await call('POST', fill('/api/outlets/:n/command'), { authorization: `Bearer ${token.control}` }, { action: 'on' });
  }, 60_000);

  it('HEAD on every protected GET route is 401 without credentials', async () => {
    let n = 0;
    for (const r of routes.filter((x) => x.method === 'GET' && x.access !== 'public' && x.url !== '/ws')) {
      expect((await call('HEAD', fill(r.url))).status, r.url).toBe(401);
      n++;
    }
    console.log(`[bypass] ${n} anonymous HEADs refused`);
    expect(n).toBeGreaterThan(30);
  });

  it('/ws: anonymous, forged cookie, Basic and a token in a header other than Authorization are 401', async () => {
    const base = t.webUrl!;
    expect(await wsStatus(base)).toBe(401);
    expect(await wsStatus(base, '', { cookie: 'p2m_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).toBe(401);
    expect(await wsStatus(base, '', { authorization: `Basic ${Buffer.from(`ada:${PASSWORDS.admin}`).toString('base64')}` })).toBe(401);
    expect(await wsStatus(base, '', { 'x-api-key': token.admin, 'sec-websocket-protocol': token.admin })).toBe(401);
    expect(await wsStatus(base, `?access_token=${token.admin}`)).toBe(401);
    // A session id is not a token, and a token is not a session.
    expect(await wsStatus(base, `?token=${cookie.viewer.slice('p2m_session='.length)}`)).toBe(401);
    expect(await wsStatus(base, '', { cookie: `p2m_session=${token.read}` })).toBe(401);
    expect(await wsStatus(base, `?token=${token.read}`)).toBe(101); // the control: a real credential opens it
  });
});
