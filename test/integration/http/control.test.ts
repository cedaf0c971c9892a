// Outlet and device control over REST (SPEC §14.2) on the real app: the demo's simulated PDU
// (real SNMP agent) plus a second configured device on the same agent with protected outlets,
// so device resolution, protection and the SETs all go through the real poller and queue.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

type Json = Record<string, unknown>;
let t: TestApp;

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function call(method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${t.webUrl}${path}`, {
    method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Json };
}

beforeAll(async () => {
  const port = await freeUdpPort();
  t = await startTestApp({
    demo: { snmp_port: port },
    devices: [
      { id: 'rack', host: '127.0.0.1', port, community: 'public', write_community: 'private', protected_outlets: '1,2' },
      // The original bridge's OID table: the only profile with an ATS auto-transfer OID (SPEC §14.2).
      { id: 'legacy', host: '127.0.0.1', port, community: 'public', write_community: 'private', profile: 'original' },
    ],
  });
  await vi.waitFor(() => expect(['demo-pdu', 'rack', 'legacy'].every((id) => t.app.registry.snapshot(id) !== null)).toBe(true), { timeout: 15_000 });
}, 30_000);
afterAll(() => t?.stop());

describe('REST outlet and device control', () => {
  it('needs device_id when several devices run, and names the choices', async () => {
    const r = await call('POST', '/api/outlets/3/command', { action: 'off' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ field: 'device_id', code: 'P2M_ERR_VALIDATION' });
    expect(String(r.body.error)).toContain('demo-pdu');
    // SPEC §14.1: `{error, available_devices:[…]}`, as the history routes answer.
    expect(r.body.available_devices).toEqual(expect.arrayContaining(['demo-pdu', 'rack']));
    const names = await call('GET', '/api/outlet-names');
    expect(names.status).toBe(400);
    expect(names.body.available_devices).toEqual(expect.arrayContaining(['demo-pdu', 'rack']));
    expect((await call('POST', '/api/outlets/3/command?device_id=nope', { action: 'off' })).status).toBe(404);
  });

  it('/api/status Part A carries the bridge\'s MQTT connection (SPEC §14.3), as /api/health does', async () => {
    const r = await call('GET', '/api/status?device_id=demo-pdu');
    expect(r.status).toBe(200);
    const health = await call('GET', '/api/health');
    const mqtt = (health.body.subsystems as Json).mqtt as Json;
    expect(r.body.mqtt).toMatchObject({ connected: true, broker: mqtt.broker, reconnect_count: 0 });
  });

  it('switches an outlet on the PDU and answers after the SET with the read-back state', async () => {
    const r = await call('POST', '/api/outlets/3/command?device_id=demo-pdu', { action: 'off' });
    expect(r).toEqual({ status: 200, body: { outlet: 3, action: 'off', device_id: 'demo-pdu', ok: true, state: 'off' } });
    expect(t.app.simulator?.outletState(3)).toBe('off');
    expect((await call('POST', '/api/outlets/3/command?device_id=demo-pdu', { action: 'on' })).body.ok).toBe(true);
    expect(t.app.simulator?.outletState(3)).toBe('on');
  });

  it('refuses a protected outlet without force (409), switches it with force', async () => {
    const refused = await call('POST', '/api/outlets/1/command?device_id=rack', { action: 'off' });
    expect(refused).toMatchObject({ status: 409, body: { ok: false, error: 'protected outlet', code: 'P2M_ERR_PROTECTED_OUTLET' } });
    expect(t.app.simulator?.outletState(1)).toBe('on');
    const forced = await call('POST', '/api/outlets/1/command?device_id=rack', { action: 'off', force: true });
    expect(forced.body).toMatchObject({ ok: true, state: 'off' });
    expect((await call('POST', '/api/outlets/1/command?device_id=rack', { action: 'on' })).body.ok).toBe(true);
  });

  it.each([
    ['an unknown action', '/api/outlets/3/command?device_id=demo-pdu', { action: 'explode' }, 400, 'action'],
    ['an unknown body key', '/api/outlets/3/command?device_id=demo-pdu', { action: 'on', forse: true }, 400, null],
    ['an outlet the PDU lacks', '/api/outlets/12/command?device_id=demo-pdu', { action: 'on' }, 404, null],
    ['outlet 0', '/api/outlets/0/command?device_id=demo-pdu', { action: 'on' }, 400, null],
  ] as const)('answers %s with a 4xx naming the problem', async (_what, path, body, status, field) => {
    const r = await call('POST', path, body);
    expect(r.status).toBe(status);
    expect(typeof r.body.error).toBe('string');
    if (field) expect(JSON.stringify(r.body)).toContain(field);
  });

  it('sets and clears a local outlet name, shown by /api/outlet-names', async () => {
    const set = await call('PUT', '/api/outlets/4/name?device_id=demo-pdu', { name: 'NAS' });
    expect(set).toEqual({ status: 200, body: { outlet: 4, name: 'NAS', ok: true } });
    await vi.waitFor(async () => expect((await call('GET', '/api/outlet-names?device_id=demo-pdu')).body['4']).toBe('NAS'), { timeout: 5000 });
    expect((await call('PUT', '/api/outlets/4/name?device_id=demo-pdu', { name: '' })).body.ok).toBe(true);
    await vi.waitFor(async () => expect((await call('GET', '/api/outlet-names?device_id=demo-pdu')).body['4']).not.toBe('NAS'), { timeout: 5000 });
    const names = (await call('GET', '/api/outlet-names?device_id=demo-pdu')).body;
    expect(Object.keys(names)).toHaveLength(10);
  });

  it('sets the PDU location over SNMP and the next poll shows it', async () => {
    const r = await call('PUT', '/api/device/location?device_id=demo-pdu', { location: 'Rack 7' });
    expect(r).toEqual({ status: 200, body: { device_id: 'demo-pdu', location: 'Rack 7', ok: true } });
    await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')?.identity.sys_location).toBe('Rack 7'), { timeout: 5000 });
    expect((await call('PUT', '/api/device/location?device_id=demo-pdu', { name: 'x' })).status).toBe(400);
  });

  it('sets the preferred ATS source', async () => {
    const r = await call('PUT', '/api/pdu/ats/preferred-source?device_id=demo-pdu', { source: 'b' });
    expect(r.body).toMatchObject({ ok: true, transport: 'snmp', source: 'B' });
    await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')?.ats?.preferred_source).toBe('B'), { timeout: 5000 });
    expect((await call('PUT', '/api/pdu/ats/preferred-source?device_id=demo-pdu', { source: 'C' })).status).toBe(400);
    await call('PUT', '/api/pdu/ats/preferred-source?device_id=demo-pdu', { source: 'A' });
  });

  it('ATS auto transfer: 501 on the published MIB; with profile original the SET goes to the PDU (a PDU44001 refuses it: 502)', async () => {
    const mib = await call('PUT', '/api/pdu/ats/auto-transfer?device_id=demo-pdu', { enabled: false });
    expect(mib.status).toBe(501);
    expect(mib.body).toMatchObject({ ok: false, code: 'P2M_ERR_NOT_SUPPORTED', error: expect.stringContaining('profile original') });
    // The original profile reads ePDUPowerSupply2Status as "auto transfer"; a real PDU44001 (and
    // our simulator of it) has that object read-only, so the SET is refused by the agent.
    expect(t.app.registry.snapshot('legacy')?.ats?.auto_transfer).not.toBeNull();
    const legacy = await call('PUT', '/api/pdu/ats/auto-transfer?device_id=legacy', { enabled: false });
    expect(legacy.status).toBe(502);
    expect(legacy.body).toMatchObject({ ok: false, code: 'P2M_ERR_SNMP' });
    expect((await call('PUT', '/api/pdu/ats/auto-transfer?device_id=legacy', { enabled: 'no' } as never)).status).toBe(400);
  });
});
