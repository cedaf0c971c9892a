// X-Forwarded-* headers against the login rate limit and the Host guard (SPEC §16.2, §16.3), with
// web.trust_proxy off and on. The web server is the production one (buildHttpServer) on a real
// socket with a real SQLite auth store; only the device/switch ports are in-memory fakes, as
// nothing here reads a device.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../../src/http/index.js';
import { PASSWORDS, configUsersInput, tempAuthDb, type TempAuthDb } from '../../support/auth.js';
import { fakeHttpContext } from '../../support/http-ports.js';
import { rawRequest } from '../../support/security-http.js';

const MAX = 3;
let running: { app: FastifyInstance; db: TempAuthDb } | null = null;
afterEach(async () => {
  await running?.app.close();
  running?.db.cleanup();
  running = null;
});

async function serve(trustProxy: boolean): Promise<string> {
  const db = tempAuthDb();
  const p = fakeHttpContext({ web: { trust_proxy: trustProxy, auth: { users: configUsersInput(), login_max_attempts: MAX, login_window_s: 600 } } });
  p.ctx.auth = db.store;
  const app = await buildHttpServer(p.ctx);
  running = { app, db };
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

const login = (base: string, password: string, headers: Record<string, string>) =>
  rawRequest(base, { method: 'POST', path: '/api/auth/login', headers, body: { username: 'vera', password } });

/** Wrong passwords, each from a "new" address; returns the statuses. */
async function rotate(base: string, xff: (i: number) => string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await login(base, `wrong-${i}`, { 'x-forwarded-for': xff(i) })).status);
  return out;
}

describe('X-Forwarded-For rotation cannot dodge the login rate limit', () => {
  it('trust_proxy off: the header is ignored, the socket address is the client', async () => {
    const base = await serve(false);
    const statuses = await rotate(base, (i) => `198.51.100.${i + 1}`, MAX + 3);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // Locked out from this socket address, even with the right password and yet another XFF.
    expect((await login(base, PASSWORDS.viewer, { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
  });

  it('trust_proxy on, behind a proxy that appends the peer address: a forged left part changes nothing', async () => {
    const base = await serve(true);
    // What nginx ($proxy_add_x_forwarded_for), Caddy or Traefik send: the client's own header, then the real peer.
    const statuses = await rotate(base, (i) => `10.${i}.0.1, 198.51.100.${i}, 203.0.113.5`, MAX + 3);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // Another real client behind the same proxy is not affected (SPEC §16.3: per client IP).
    expect((await login(base, PASSWORDS.viewer, { 'x-forwarded-for': '10.0.0.1, 203.0.113.6' })).status).toBe(200);
  });
});

describe('X-Forwarded-Host cannot smuggle a foreign Host past the DNS-rebinding guard', () => {
  // A rebinding page is same-origin with the name it rebinds, so it may add any header without a preflight.
  it.each([false, true])('trust_proxy %s: Host evil.example with X-Forwarded-Host 127.0.0.1 → 421', async (trust) => {
    const base = await serve(trust);
    const r = await rawRequest(base, { method: 'GET', path: '/api/auth/status', headers: { host: 'evil.example', 'x-forwarded-host': '127.0.0.1' } });
    expect(r.status).toBe(421);
    // The control: a proxy that forwards an allowed name with an IP-literal Host still works.
    const ok = await rawRequest(base, { method: 'GET', path: '/api/auth/status', headers: { host: '127.0.0.1:8080', 'x-forwarded-host': 'localhost' } });
    expect(ok.status).toBe(200);
  });
});
