import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, RealClock } from '../../../src/core/clock.js';
import { probeUrl, tcpConnect, type ProbeOptions } from '../../../src/devices/switch/probe.js';
import { requires } from '../../support/requires.js';
import { closedPort, startHttpServer, startHttpsServer, startRawServer, waitUntil, type TestServer } from '../../support/switch-servers.js';
import { makeTestPki, opensslAvailable, type TestPki } from '../../support/tls.js';

// SPEC §11.2 against real servers on 127.0.0.1: every row of the probe table, the status-line-only
// rule (no redirects, no body), the deadline, abort, and no socket left open afterwards.

const clock = new RealClock();
const TIMEOUT_MS = 400;
const opts = (extra: Partial<ProbeOptions> = {}): ProbeOptions => ({ timeoutMs: TIMEOUT_MS, tlsErrors: 'up', clock, ...extra });

let servers: TestServer[] = [];
async function serve(s: Promise<TestServer>): Promise<TestServer> {
  const server = await s;
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** The prober destroyed its socket: the server saw every connection close. */
async function expectAllClosed(s: TestServer): Promise<void> {
  expect(await waitUntil(async () => s.accepted > 0 && s.closed === s.accepted && (await s.open()) === 0, 1500)).toBe(true);
}

describe('probeUrl: HTTP answers are up (any status, redirects not followed)', () => {
  it.each([200, 404, 500, 503])('status %i -> up/http', async (status) => {
    const s = await serve(startHttpServer((_q, r) => r.writeHead(status).end('x')));
    const out = await probeUrl(s.url, opts());
    expect(out).toMatchObject({ result: 'up', reason: 'http', http_status: status, error_message: null });
    expect(out.response_time).toBeGreaterThanOrEqual(0);
    await expectAllClosed(s);
  });

  it('a 301 redirect loop is one answer, not followed', async () => {
    const s = await serve(startHttpServer((_q, r) => r.writeHead(301, { Location: '/' }).end()));
    const out = await probeUrl(s.url, opts());
    expect(out).toMatchObject({ result: 'up', reason: 'http', http_status: 301 });
    expect(s.accepted).toBe(1);
    await expectAllClosed(s);
  });

  it('sends one minimal GET for the path of the URL', async () => {
    const seen: Array<{ method?: string; url?: string; ua?: string; conn?: string }> = [];
    const s = await serve(startHttpServer((q, r) => {
      seen.push({ method: q.method, url: q.url, ua: q.headers['user-agent'], conn: q.headers.connection });
      r.end('ok');
    }));
    await probeUrl(`${s.url}status?x=1`, opts());
    expect(seen).toEqual([{ method: 'GET', url: '/status?x=1', ua: 'power2mqtt', conn: 'close' }]);
  });

  it('1xx status line counts (Node emits no response event for it)', async () => {
    const s = await serve(startRawServer((sock) => sock.once('data', () => sock.write('HTTP/1.1 100 Continue\r\n\r\n'))));
    expect(await probeUrl(s.url, opts())).toMatchObject({ result: 'up', reason: 'http', http_status: 100 });
    await expectAllClosed(s);
  });

  it('returns at the status line of a huge endless body and closes the socket', async () => {
    let written = 0;
    const s = await serve(startHttpServer((_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = (): void => {
        // Bounded: at most 64 MiB even if the prober kept reading.
        while (!r.destroyed && written < 64 * 1024 * 1024 && r.write(chunk)) written += chunk.length;
        if (!r.destroyed && written < 64 * 1024 * 1024) r.once('drain', pump);
      };
      pump();
    }));
    const out = await probeUrl(s.url, opts());
    expect(out).toMatchObject({ result: 'up', reason: 'http', http_status: 200 });
    await expectAllClosed(s);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('headers dribbled one byte at a time: the status line alone is enough', async () => {
    const s = await serve(startRawServer((sock) => {
      sock.once('data', () => {
        sock.write('HTTP/1.1 204 No Content\r\n');
        const t = clock.setTimeout(() => sock.destroy(), 5000); // never sends the rest in time
        sock.once('close', () => clock.clearTimeout(t));
      });
    }));
    expect(await probeUrl(s.url, opts())).toMatchObject({ result: 'up', reason: 'http', http_status: 204 });
    await expectAllClosed(s);
  });
});

describe('probeUrl: the host stack answered -> up', () => {
  it('closed port -> up/refused with a response time', async () => {
    const port = await closedPort();
    const out = await probeUrl(`http://127.0.0.1:${port}/`, opts());
    expect(out).toMatchObject({ result: 'up', reason: 'refused', http_status: null });
    expect(out.error_message).toContain('ECONNREFUSED');
    expect(out.response_time).not.toBeNull();
  });

  it('connection reset -> up/reset', async () => {
    const s = await serve(startRawServer((sock) => sock.resetAndDestroy()));
    const out = await probeUrl(s.url, opts());
    expect(out).toMatchObject({ result: 'up', reason: 'reset' });
    expect(out.error_message).toContain('ECONNRESET');
  });

  it('closed after the request without a reply ("socket hang up") -> up/reset', async () => {
    const s = await serve(startRawServer((sock) => sock.once('data', () => sock.end())));
    expect(await probeUrl(s.url, opts())).toMatchObject({ result: 'up', reason: 'reset' });
  });

  it('an SSH banner instead of HTTP -> up/malformed', async () => {
    const s = await serve(startRawServer((sock) => sock.write('SSH-2.0-OpenSSH_9.2\r\n')));
    const out = await probeUrl(s.url, opts());
    expect(out).toMatchObject({ result: 'up', reason: 'malformed', http_status: null });
    expect(out.error_message).toMatch(/SSH-2\.0|HPE_INVALID_CONSTANT/);
    await expectAllClosed(s);
  });

  it('slow-loris status line (one byte per 150 ms) ends by the deadline as up (bytes arrived)', async () => {
    const s = await serve(startRawServer((sock) => {
      const line = 'HTTP/1.1 200 OK\r\n';
      let i = 0;
      const drip = (): void => {
        if (sock.destroyed || i >= line.length) return;
        sock.write(line[i++] as string);
        const t = clock.setTimeout(drip, 150);
        sock.once('close', () => clock.clearTimeout(t));
      };
      sock.once('data', drip);
    }));
    const t0 = clock.monotonic();
    const out = await probeUrl(s.url, opts());
    expect(clock.monotonic() - t0).toBeLessThan(TIMEOUT_MS + 1000);
    expect(out).toMatchObject({ result: 'up', reason: 'malformed', http_status: null });
    expect(out.error_message).toContain('incomplete');
    await expectAllClosed(s);
  });
});

describe('probeUrl: silence and no route -> down', () => {
  it('accepted but never answered -> down/timeout by the deadline, socket closed', async () => {
    const s = await serve(startRawServer(() => {}));
    const t0 = clock.monotonic();
    const out = await probeUrl(s.url, opts());
    expect(clock.monotonic() - t0).toBeLessThan(TIMEOUT_MS + 1000);
    expect(out).toEqual({ result: 'down', reason: 'timeout', http_status: null, response_time: null, error_message: `no response within ${TIMEOUT_MS} ms` });
    await expectAllClosed(s);
  });

  it('DNS failure (.invalid never resolves) -> down/dns', async () => {
    const out = await probeUrl('http://does-not-exist.invalid/', opts({ timeoutMs: 1500 }));
    expect(out.result).toBe('down');
    // A resolver that does not answer in time ends as timeout; one that answers says ENOTFOUND.
    expect(['dns', 'timeout']).toContain(out.reason);
    if (out.reason === 'dns') expect(out.error_message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(out.response_time).toBeNull();
  });

  it('abort via signal ends the probe at once as down, socket closed', async () => {
    const s = await serve(startRawServer(() => {}));
    const ac = new AbortController();
    const p = probeUrl(s.url, opts({ timeoutMs: 1900, signal: ac.signal }));
    expect(await waitUntil(() => s.accepted === 1, 1000)).toBe(true);
    const t0 = clock.monotonic();
    ac.abort();
    const out = await p;
    expect(clock.monotonic() - t0).toBeLessThan(500);
    expect(out).toMatchObject({ result: 'down', reason: 'timeout', error_message: 'probe aborted' });
    await expectAllClosed(s);
  });

  it('an already aborted signal never connects', async () => {
    const s = await serve(startRawServer(() => {}));
    const ac = new AbortController();
    ac.abort();
    expect(await probeUrl(s.url, opts({ signal: ac.signal }))).toMatchObject({ result: 'down', error_message: 'probe aborted' });
    expect(s.accepted).toBe(0);
  });

  it('an invalid URL is not probed and does not throw', async () => {
    expect(await probeUrl('ftp://127.0.0.1/', opts())).toMatchObject({ result: 'down', reason: 'unreachable' });
    expect(await probeUrl('not a url', opts())).toMatchObject({ result: 'down', reason: 'unreachable' });
  });
});

describe('probeUrl: timers', () => {
  it('leaves no timer behind after an answer', async () => {
    const fake = new FakeClock();
    const s = await serve(startHttpServer((_q, r) => r.end('ok')));
    expect(await probeUrl(s.url, { timeoutMs: 5000, tlsErrors: 'up', clock: fake })).toMatchObject({ result: 'up', http_status: 200 });
    expect(fake.pendingTimers()).toBe(0);
  });

  it('the deadline runs on the injected clock', async () => {
    const fake = new FakeClock();
    const s = await serve(startRawServer(() => {}));
    let settled = false;
    const p = probeUrl(s.url, { timeoutMs: 5000, tlsErrors: 'up', clock: fake }).finally(() => {
      settled = true;
    });
    expect(await waitUntil(() => s.accepted === 1, 1000)).toBe(true);
    await fake.advance(4999);
    expect(settled).toBe(false);
    await fake.advance(1);
    expect(await p).toMatchObject({ result: 'down', reason: 'timeout', error_message: 'no response within 5000 ms' });
    expect(fake.pendingTimers()).toBe(0);
    await expectAllClosed(s);
  });
});

describe('tcpConnect (watchdog host:port targets)', () => {
  it('accepted -> up (reason http, no status); closed port -> up/refused', async () => {
    const s = await serve(startRawServer(() => {}));
    expect(await tcpConnect('127.0.0.1', s.port, { timeoutMs: TIMEOUT_MS, clock })).toMatchObject({ result: 'up', reason: 'http', http_status: null, error_message: null });
    await expectAllClosed(s);
    const port = await closedPort();
    expect(await tcpConnect('127.0.0.1', port, { timeoutMs: TIMEOUT_MS, clock })).toMatchObject({ result: 'up', reason: 'refused' });
  });
});

const hasOpenssl = requires('openssl', opensslAvailable());
describe.runIf(hasOpenssl)('probeUrl over TLS', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await makeTestPki();
  }, 20_000);
  afterAll(async () => {
    const { rmSync } = await import('node:fs');
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('a certificate the client cannot verify is never checked -> up/http', async () => {
    const s = await serve(startHttpsServer(pki, (_q, r) => r.writeHead(401).end()));
    expect(await probeUrl(s.url, opts({ timeoutMs: 1500 }))).toMatchObject({ result: 'up', reason: 'http', http_status: 401 });
    await expectAllClosed(s);
  });

  it('closed after the TLS handshake without a reply -> up/reset (also with tls_errors: down)', async () => {
    const s = await serve(startHttpsServer(pki, () => {}, (tlsSocket) => tlsSocket.end()));
    expect(await probeUrl(s.url, opts({ timeoutMs: 1500, tlsErrors: 'down' }))).toMatchObject({ result: 'up', reason: 'reset' });
  });

  it('https:// against a plain HTTP port: TLS error -> up by default, down with tls_errors: down', async () => {
    const s = await serve(startHttpServer((_q, r) => r.end('plain')));
    const url = s.url.replace('http:', 'https:');
    const up = await probeUrl(url, opts({ timeoutMs: 1500 }));
    expect(up).toMatchObject({ result: 'up', reason: 'tls' });
    expect(up.error_message).toMatch(/EPROTO|SSL|TLS/);
    expect(await probeUrl(url, opts({ timeoutMs: 1500, tlsErrors: 'down' }))).toMatchObject({ result: 'down', reason: 'tls' });
    await expectAllClosed(s);
  });
});
