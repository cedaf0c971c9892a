// The watchdogs over REST (SPEC §14.2 `/api/watchdogs…`) and the demo's simulated modem with its
// scenario `hang_target` (SPEC §8), on the whole app in demo mode.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

type Json = Record<string, unknown>;

let t: TestApp;
let listener: net.Server;
let openPort: number;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${t.webUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Json };
}

beforeAll(async () => {
  // A TCP service that accepts connections (a host:port target that answers).
  listener = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  openPort = (listener.address() as AddressInfo).port;
  t = await startTestApp({ watchdogs: [{ name: 'cfg-wd', outlet: 9, target: `127.0.0.1:${openPort}` }] });
  // The demo PDU has reported its outlet count (outlet checks need it).
  await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')).not.toBeNull(), { timeout: 15_000 });
}, 40_000);

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe('/api/watchdogs', () => {
  it('lists the config watchdog and the demo one', async () => {
    const r = await api('GET', '/api/watchdogs');
    expect(r.status).toBe(200);
    const list = r.body as unknown as Json[];
    expect(list.map((w) => w.name)).toEqual(['cfg-wd', 'demo-modem']);
    expect(list[1]).toMatchObject({ source: 'config', device: 'demo-pdu', outlet: 2, action: 'reboot', fail_after_s: 30 });
  });

  it('creates, reads, replaces, tests, resets and deletes a runtime watchdog', async () => {
    const created = await api('POST', '/api/watchdogs', { name: 'nas', outlet: 4, target: `127.0.0.1:${openPort}`, fail_after_s: 120 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'nas', source: 'runtime', outlet: 4, fail_after_s: 120, interval_s: 10, state: { state: 'ok' } });
    expect((await api('GET', '/api/watchdogs/nas')).body).toMatchObject({ name: 'nas' });
    const replaced = await api('PUT', '/api/watchdogs/nas', { outlet: 5, target: `127.0.0.1:${openPort}`, depends_on: 'cfg-wd' });
    expect(replaced).toMatchObject({ status: 200, body: { name: 'nas', outlet: 5, depends_on: 'cfg-wd', fail_after_s: 180 } });
    expect(await api('POST', '/api/watchdogs/nas/test')).toMatchObject({ status: 200, body: { name: 'nas', result: 'up', error: null } });
    expect(await api('POST', '/api/watchdogs/nas/reset')).toMatchObject({ status: 200, body: { name: 'nas', state: 'ok' } });
    expect(await api('DELETE', '/api/watchdogs/nas')).toMatchObject({ status: 200, body: { deleted: 'nas' } });
    expect((await api('GET', '/api/watchdogs/nas')).status).toBe(404);
  });

  it.each<[string, Json, string, RegExp]>([
    ['an invalid URL', { name: 'x1', outlet: 3, target: 'http://bad host/' }, 'target', /URL|host/],
    ['a refused scheme', { name: 'x2', outlet: 3, target: 'ftp://nas/' }, 'target', /not an http\(s\) URL/],
    ['an outlet beyond the 10 of demo-pdu', { name: 'x3', outlet: 11, target: 'x:1' }, 'outlet', /beyond the 10 outlets of demo-pdu/],
    ['max_cycles 0', { name: 'x4', outlet: 3, target: 'x:1', max_cycles: 0 }, 'max_cycles', /./],
    ['an unknown depends_on', { name: 'x5', outlet: 3, target: 'x:1', depends_on: 'ghost' }, 'depends_on', /names no watchdog "ghost"/],
    ['an unknown switch name', { name: 'x6', outlet: 3, target: 'no-such-switch' }, 'target', /names no switch/],
    ['an unknown device', { name: 'x7', device: 'nope', outlet: 3, target: 'x:1' }, 'device', /not configured/],
  ])('400 for %s, naming the field', async (_what, body, field, message) => {
    const r = await api('POST', '/api/watchdogs', body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.field).toBe(field);
    expect(String(r.body.error)).toMatch(message);
    expect((r.body.details as Json[])[0]).toMatchObject({ watchdog: body.name, field });
  });

  it('409 for a duplicate name and for config-file watchdogs; 404 for unknown ones', async () => {
    expect((await api('POST', '/api/watchdogs', { name: 'demo-modem', outlet: 3, target: 'x:1' })).status).toBe(409);
    expect(await api('PUT', '/api/watchdogs/cfg-wd', { outlet: 3, target: 'x:1' })).toMatchObject({ status: 409, body: { error: expect.stringContaining('config file') } });
    expect((await api('DELETE', '/api/watchdogs/demo-modem')).status).toBe(409);
    expect((await api('POST', '/api/watchdogs/ghost/reset')).status).toBe(404);
    expect((await api('POST', '/api/watchdogs/ghost/test')).status).toBe(404);
  });
});

describe('a switch a watchdog targets', () => {
  it('is not removed or renamed while the watchdog names it (409 naming the watchdog); afterwards it is', async () => {
    const sw = await api('POST', '/api/switches', { name: 'gw2', url: `http://127.0.0.1:${openPort}/` });
    expect(sw.status, JSON.stringify(sw.body)).toBe(201);
    expect((await api('POST', '/api/watchdogs', { name: 'router', outlet: 6, target: 'gw2' })).status).toBe(201);
    const del = await api('DELETE', '/api/switches/gw2');
    expect(del).toMatchObject({ status: 409, body: { error: 'switch "gw2" is the target of watchdog router: point it at another target or remove it first' } });
    const rename = await api('PATCH', '/api/switches/gw2', { name: 'gw3' });
    expect(rename).toMatchObject({ status: 409, body: { field: 'name', error: expect.stringContaining('is the target of watchdog router') } });
    // Other changes are fine (deactivating a target does not leave the watchdog without one).
    expect((await api('PATCH', '/api/switches/gw2', { active: false })).status).toBe(200);
    expect((await api('DELETE', '/api/watchdogs/router')).status).toBe(200);
    expect((await api('DELETE', '/api/switches/gw2')).status).toBe(200);
  });
});

describe('demo scenario hang_target (SPEC §8)', () => {
  it('hangs the simulated modem until outlet 2 is switched off; {hung:false} un-wedges it', async () => {
    expect((await api('POST', '/api/watchdogs/demo-modem/test')).body).toMatchObject({ result: 'up' });
    expect(await api('POST', '/api/demo/scenario', { name: 'hang_target' })).toMatchObject({ status: 200, body: { ok: true } });
    expect((await api('POST', '/api/watchdogs/demo-modem/test')).body).toMatchObject({ result: 'down', error: expect.stringContaining('no response') });
    // A power cycle by hand clears the hang (what the watchdog would do after 30 s).
    expect((await api('POST', '/api/outlets/2/command', { action: 'off' })).status).toBe(200);
    await vi.waitFor(() => expect(t.app.demoModem?.hung).toBe(false), { timeout: 5000, interval: 50 });
    expect((await api('POST', '/api/outlets/2/command', { action: 'on' })).status).toBe(200);
    expect((await api('POST', '/api/watchdogs/demo-modem/test')).body).toMatchObject({ result: 'up' });
    await api('POST', '/api/demo/scenario', { name: 'hang_target' });
    expect(t.app.demoModem?.hung).toBe(true);
    expect(await api('POST', '/api/demo/scenario', { name: 'hang_target', hung: false })).toMatchObject({ status: 200 });
    expect(t.app.demoModem?.hung).toBe(false);
    expect((await api('POST', '/api/demo/scenario', { name: 'hang_target', hung: 'maybe' })).body).toMatchObject({ field: 'hung' });
  }, 30_000);
});
