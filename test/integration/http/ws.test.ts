// WebSocket /ws (SPEC §15) on the whole real app in demo mode: hello, 1 Hz status of demo-pdu in
// the §14.3 shape, the device filter, command results, outages, rules, ping/pong and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pduStatusSchema } from '../../../src/http/schemas.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { WsTestClient, type WsMsg } from '../../support/ws-client.js';

let t: TestApp;
let wsUrl: string;
let all: WsTestClient;
const clients: WsTestClient[] = [];

async function open(query = ''): Promise<WsTestClient> {
  const c = await WsTestClient.open(`${wsUrl}${query}`);
  clients.push(c);
  return c;
}
const isStatus = (pred: (d: any) => boolean) => (m: WsMsg) => m.type === 'status' && m.device_id === 'demo-pdu' && pred(m.data);

beforeAll(async () => {
  t = await startTestApp({ switches: { interval_s: 1, timeout_ms: 300 } });
  wsUrl = `${t.webUrl!.replace(/^http/, 'ws')}/ws`;
  all = await open();
}, 30_000);

afterAll(async () => {
  // The hub stops with the app: every client is closed with 1001 "going away".
  await t?.stop();
  expect(await all.closedWithin(5000)).toBe(1001);
  expect(all.closeReason).toBe('server shutting down');
  await Promise.all(clients.map((c) => c.close()));
});

describe('connect (SPEC §15 hello)', () => {
  it('says hello first: version, the demo device, auth off, demo on', async () => {
    const hello = await all.waitFor((m) => m.type === 'hello');
    expect(all.messages[0]).toBe(hello);
    expect(hello.data).toEqual({ version: expect.any(String), devices: ['demo-pdu'], auth_enabled: false, demo: true });
    expect(typeof hello.ts).toBe('number');
    expect(hello.device_id).toBeUndefined();
  });

  it('answers an invalid filter with 400 before the upgrade', async () => {
    await expect(WsTestClient.open(`${wsUrl}?device_id=,,`)).rejects.toThrow(/Unexpected server response: 400/);
  });

  it('is not in /api/openapi.json (a WebSocket route is no REST operation)', async () => {
    const doc = (await (await fetch(`${t.webUrl!}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    expect(Object.keys(doc.paths)).not.toContain('/ws');
  });
});

describe('status (SPEC §14.3 part A, after every poll)', () => {
  it('arrives for demo-pdu after each poll, in the /api/status shape', async () => {
    const from = all.messages.length;
    await all.waitFor(isStatus(() => true), 10_000, from);
    const first = all.of('status', 'demo-pdu').at(-1)!;
    await all.waitFor((m) => m.type === 'status' && m.ts! > first.ts!, 5000, from);
    const statuses = all.of('status', 'demo-pdu');
    const last = statuses.at(-1)!;
    expect(last.ts!).toBeGreaterThan(first.ts!);
    const parsed = pduStatusSchema.safeParse(last.data);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(last.data.device.id).toBe('demo-pdu');
    expect(Object.keys(last.data.outlets).length).toBe(last.data.device.outlet_count);
    expect(last.data).toHaveProperty('summary.total_outlets');
    // the same keys /api/status returns for the device
    const rest = (await (await fetch(`${t.webUrl!}/api/status?device_id=demo-pdu`)).json()) as Record<string, unknown>;
    for (const k of Object.keys(last.data)) expect(rest, k).toHaveProperty(k);
  }, 20_000);

  it('?device_id=nope gets hello with no devices and no status, while the others do', async () => {
    const nope = await open('?device_id=nope');
    const hello = await nope.waitFor((m) => m.type === 'hello');
    expect(hello.data.devices).toEqual([]);
    const from = all.messages.length;
    await all.waitFor(isStatus(() => true), 5000, from);
    await all.waitFor(isStatus(() => true), 5000, all.messages.length);
    expect(nope.of('status')).toEqual([]);
    expect(nope.messages.filter((m) => m.device_id !== undefined)).toEqual([]);
  }, 20_000);

  it('?device_id=demo-pdu,other gets demo-pdu', async () => {
    const c = await open('?device_id=demo-pdu,other');
    expect((await c.waitFor((m) => m.type === 'hello')).data.devices).toEqual(['demo-pdu']);
    await c.waitFor(isStatus(() => true), 5000);
  });
});

describe('command_result (SPEC §15)', () => {
  it('an outlet command yields command_result, then a status with the outlet off', async () => {
    await all.waitFor(isStatus((d) => d.outlets['3'].state === 'on'), 10_000);
    const from = all.messages.length;
    const r = await t.app.registry.command('demo-pdu', 3, 'off', { origin: 'test' });
    expect(r.success).toBe(true);
    const res = await all.waitFor((m) => m.type === 'command_result', 5000, from);
    expect(res).toMatchObject({ device_id: 'demo-pdu', data: { outlet: 3, command: 'off', success: true, error: null } });
    await all.waitFor(isStatus((d) => d.outlets['3'].state === 'off'), 10_000, from);
    expect((await t.app.registry.command('demo-pdu', 3, 'on', { origin: 'test' })).success).toBe(true);
    await all.waitFor(isStatus((d) => d.outlets['3'].state === 'on'), 10_000, from);
  }, 30_000);
});

describe('rules (SPEC §15)', () => {
  it('a rule toggled off and on yields `rules` for demo-pdu with its new state', async () => {
    const name = t.app.rules!.list('demo-pdu')[0]!.name;
    let from = all.messages.length;
    expect(t.app.rules!.toggle(name, false).ok).toBe(true);
    let m = await all.waitFor((x) => x.type === 'rules' && x.device_id === 'demo-pdu' && x.data.some((r: any) => r.name === name && r.enabled === false), 5000, from);
    expect(m.data[0]).toHaveProperty('state.phase');
    from = all.messages.length;
    expect(t.app.rules!.toggle(name, true).ok).toBe(true);
    m = await all.waitFor((x) => x.type === 'rules' && x.device_id === 'demo-pdu' && x.data.some((r: any) => r.name === name && r.enabled === true), 5000, from);
    expect(m.data.map((r: any) => r.name)).toEqual(t.app.rules!.list('demo-pdu').map((r) => r.name));
  });
});

describe('probe_cycle and outage (SPEC §15)', () => {
  it('reports probe cycles of the demo switches', async () => {
    const m = await all.waitFor((x) => x.type === 'probe_cycle' && x.data.switches.length > 0, 10_000, all.messages.length);
    expect(m.data).toMatchObject({ up: expect.any(Number), down: expect.any(Number), unknown: expect.any(Number) });
    expect(m.data.up + m.data.down + m.data.unknown).toBe(m.data.switches.length);
    expect(m.data.switches[0]).toEqual({ id: expect.any(Number), name: expect.any(String), result: expect.any(String), response_time: expect.anything() });
  }, 15_000);

  it('all_down yields an outage message (the pdu/bridge/outage payload); all_up ends it', async () => {
    const from = all.messages.length;
    expect(await t.app.demo!.run('all_down', {})).toMatchObject({ ok: true });
    const m = await all.waitFor((x) => x.type === 'outage' && x.data.state === 'outage', 20_000, from);
    expect(m.data).toMatchObject({ state: 'outage', outage: { kind: 'power', is_ongoing: true }, ts: expect.any(Number) });
    expect(Object.keys(m.data).sort()).toEqual(['last', 'outage', 'state', 'ts']);
    expect(await t.app.demo!.run('all_up', {})).toMatchObject({ ok: true });
    await all.waitFor((x) => x.type === 'outage' && x.data.state === 'normal', 30_000, from);
  }, 60_000);
});

describe('client messages (SPEC §15)', () => {
  it('{"type":"ping"} → {"type":"pong"}', async () => {
    const c = await open('?device_id=nope');
    c.send('{"type":"ping"}');
    const pong = await c.waitFor((m) => m.type === 'pong');
    expect(pong).toEqual({ type: 'pong' });
  });

  it('invalid JSON → an error message naming the problem; the socket stays open', async () => {
    const c = await open('?device_id=nope');
    c.send('{"type": pin');
    const err = await c.waitFor((m) => m.type === 'error');
    expect(err.data.error).toMatch(/^message is not valid JSON/);
    c.send('{"type":"reboot-everything"}');
    const err2 = await c.waitFor((m) => m.type === 'error' && m !== err);
    expect(err2.data.error).toContain('unknown message type "reboot-everything"');
    c.send('{"type":"ping"}');
    await c.waitFor((m) => m.type === 'pong');
    expect(c.closeCode).toBeNull();
  });
});
