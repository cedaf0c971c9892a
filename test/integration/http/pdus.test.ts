// /api/pdus… and /api/system/info (SPEC §14.2, §7.9, §9.3, §10.4) on the whole real app: the demo
// PDU on 127.0.0.1, two more simulated PDUs on 127.0.0.2 and 127.0.0.3 (same port: discovery asks
// one port per address), the embedded broker watched with mqtt.js. The tests run in order on one app.
import { createSocket } from 'node:dgram';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api } from './rules-api.js';

let t: TestApp;
let client: MqttClient;
let simA: SimulatedPdu;
let simB: SimulatedPdu;
const last = new Map<string, string>();

/** A UDP port on 127.0.0.1 where nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  t = await startTestApp();
  const clock = new RealClock();
  simA = await createSimulatedPdu({ port: 0, bind: '127.0.0.2', clock, serial: 'RACK0002' });
  simB = await createSimulatedPdu({ port: simA.port, bind: '127.0.0.3', clock, serial: 'RACK0003' });
  client = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
  client.on('message', (topic, payload) => last.set(topic, payload.toString()));
  await client.subscribeAsync(['pdu/#', 'homeassistant/#']);
  await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')).not.toBeNull(), { timeout: 8000, interval: 50 });
}, 30_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
  await simA?.close();
  await simB?.close();
});

describe('listing', () => {
  it('GET /api/pdus lists the demo PDU with its settings, communities masked', async () => {
    const r = await api(t, 'GET', '/api/pdus');
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(1);
    const [demo] = r.body.pdus;
    expect(demo).toMatchObject({
      device_id: 'demo-pdu', source: 'config', status: 'healthy', has_data: true, host: '127.0.0.1',
      identity: { model: 'PDU44001', serial: 'DEMO0001', outlet_count: 10 },
      config: { id: 'demo-pdu', host: '127.0.0.1', port: t.app.simulator!.port, community: '***', write_community: '***', snmp_version: '2c' },
      transport: { state: 'healthy', consecutive_failures: 0 },
    });
    expect(demo.capabilities).toContain('ats');
    expect(demo.poll_count).toBeGreaterThan(0);
    expect(typeof demo.data_age_seconds).toBe('number');
    expect(JSON.stringify(r.body)).not.toMatch(/"(public|private)"/);
  });

  it('GET /api/pdus/{id}/status is the §14.3 part A object; 404 naming id', async () => {
    const r = await api(t, 'GET', '/api/pdus/demo-pdu/status');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ device: { id: 'demo-pdu', outlet_count: 10 }, summary: { total_outlets: 10 } });
    expect(typeof r.body.ts).toBe('number');
    const missing = await api(t, 'GET', '/api/pdus/nope/status');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ field: 'id' });
  });
});

describe('adding, changing and removing a runtime PDU', () => {
  it('POST adds and polls it at once (201), persisted', async () => {
    const r = await api(t, 'POST', '/api/pdus', { id: 'rack-2', host: '127.0.0.2', port: simA.port, label: 'Rack 2', community: 'public' });
    expect(r).toEqual({ status: 201, body: { device_id: 'rack-2', ok: true } });
    await vi.waitFor(async () => {
      const s = await api(t, 'GET', '/api/pdus/rack-2/status');
      expect(s.body).toMatchObject({ device: { id: 'rack-2', name: 'Rack 2', outlet_count: 10 }, identity: { serial: 'RACK0002' } });
    }, { timeout: 8000, interval: 100 });
    await vi.waitFor(() => expect(last.get('pdu/rack-2/outlet/1/state')).toBe('on'), { timeout: 5000, interval: 50 });
    const list = await api(t, 'GET', '/api/pdus');
    expect(list.body.count).toBe(2);
    const item = list.body.pdus.find((p: { device_id: string }) => p.device_id === 'rack-2');
    expect(item).toMatchObject({ source: 'runtime', label: 'Rack 2', config: { host: '127.0.0.2', community: '***', write_community: '***' } });
    expect(t.app.history!.store.runtimeDevices().map((d) => d.id)).toEqual(['rack-2']);
  });

  it('refuses a duplicate id (409) and bad input (400 naming the field)', async () => {
    for (const id of ['rack-2', 'demo-pdu']) {
      const dup = await api(t, 'POST', '/api/pdus', { id, host: '127.0.0.3', port: simB.port });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ field: 'id', code: 'P2M_ERR_CONFLICT' });
    }
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ host: 'not a host!' }, 'host'],
      [{ host: '300.1.2.3' }, 'host'],
      [{ host: '127.0.0.3:161' }, 'host'],
      [{ port: 161 }, 'host'],
      [{ host: '127.0.0.3', port: 70000 }, 'port'],
      [{ host: '127.0.0.3', poll_interval_s: 0 }, 'poll_interval_s'],
      [{ host: '127.0.0.3', snmp_version: '3' }, 'snmp_version'],
      [{ host: '127.0.0.3', id: 'bad id' }, 'id'],
      [{ host: '127.0.0.3', id: 'bridge' }, 'id'],
      [{ host: '127.0.0.3', expected_serial: 'X' }, 'expected_serial'],
    ];
    for (const [body, field] of cases) {
      const r = await api(t, 'POST', '/api/pdus', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.field, JSON.stringify(body)).toBe(field);
      expect(r.body.error).toMatch(new RegExp(`^${field}: `));
    }
    expect(t.app.registry.list().map((d) => d.id).sort()).toEqual(['demo-pdu', 'rack-2']);
  });

  it('PUT changes label and poll interval and restarts the poller; 400/404/409', async () => {
    const r = await api(t, 'PUT', '/api/pdus/rack-2', { label: 'Rack two', poll_interval_s: 2 });
    expect(r).toEqual({ status: 200, body: { device_id: 'rack-2', ok: true } });
    expect(t.app.registry.info('rack-2')).toMatchObject({ label: 'Rack two', pollIntervalS: 2, host: '127.0.0.2' });
    expect(t.app.history!.store.runtimeDevices()[0]).toMatchObject({ id: 'rack-2', label: 'Rack two', poll_interval_s: 2, port: simA.port });
    // A new poller: it reads the PDU again.
    await vi.waitFor(() => expect(t.app.registry.snapshot('rack-2')?.identity.serial).toBe('RACK0002'), { timeout: 8000, interval: 100 });
    expect((await api(t, 'GET', '/api/pdus')).body.pdus.find((p: { device_id: string }) => p.device_id === 'rack-2').config).toMatchObject({ label: 'Rack two', poll_interval_s: 2 });

    expect((await api(t, 'PUT', '/api/pdus/rack-2', { id: 'rack-3' })).body).toMatchObject({ field: 'id' });
    expect((await api(t, 'PUT', '/api/pdus/rack-2', { poll_interval_s: 301 })).body).toMatchObject({ field: 'poll_interval_s' });
    const missing = await api(t, 'PUT', '/api/pdus/nope', { label: 'x' });
    expect(missing.status).toBe(404);
    for (const [method, body] of [['PUT', { label: 'x' }], ['DELETE', undefined]] as const) {
      const r2 = await api(t, method, '/api/pdus/demo-pdu', body);
      expect(r2.status, method).toBe(409);
      expect(r2.body.error).toMatch(/config file/);
    }
    expect(t.app.registry.info('demo-pdu')).toMatchObject({ label: 'Demo PDU' });
  });

  it('DELETE removes it and clears its retained MQTT topics and HA configs', async () => {
    await vi.waitFor(() => expect(last.get('pdu/rack-2/outlet/1/state')).toBe('on'), { timeout: 5000, interval: 50 });
    const haTopics = () => [...last.entries()].filter(([k, v]) => k.startsWith('homeassistant/') && k.includes('cyberpdu_RACK0002_') && v !== '');
    await vi.waitFor(() => expect(haTopics().length).toBeGreaterThan(5), { timeout: 5000, interval: 50 });
    const r = await api(t, 'DELETE', '/api/pdus/rack-2');
    expect(r).toEqual({ status: 200, body: { device_id: 'rack-2', deleted: true } });
    expect(t.app.registry.info('rack-2')).toBeNull();
    expect(t.app.history!.store.runtimeDevices()).toEqual([]);
    await vi.waitFor(() => expect(haTopics()).toEqual([]), { timeout: 5000, interval: 50 });
    // A new subscriber gets no retained state of the removed PDU.
    const fresh = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
    try {
      const retained: string[] = [];
      fresh.on('message', (topic, payload, packet) => {
        if (packet.retain && payload.length > 0) retained.push(topic);
      });
      await fresh.subscribeAsync(['pdu/rack-2/#', 'pdu/demo-pdu/availability']);
      await vi.waitFor(() => expect(retained).toContain('pdu/demo-pdu/availability'), { timeout: 3000, interval: 20 });
      expect(retained.filter((x) => x.startsWith('pdu/rack-2/'))).toEqual([]);
    } finally {
      await fresh.endAsync();
    }
    expect((await api(t, 'DELETE', '/api/pdus/rack-2')).status).toBe(404);
  });
});

describe('connection test and discovery (SPEC §7.9)', () => {
  it('test-connection reads the identity of a PDU', async () => {
    const r = await api(t, 'POST', '/api/pdus/test-connection', { host: '127.0.0.3', port: simB.port });
    expect(r).toEqual({ status: 200, body: { success: true, device_name: expect.any(String), model: 'PDU44001', serial: 'RACK0003', outlet_count: 10 } });
  });

  it('test-connection to a closed port fails within its bound', async () => {
    const started = Date.now();
    const r = await api(t, 'POST', '/api/pdus/test-connection', { host: '127.0.0.1', port: await closedPort(), timeout_ms: 300 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: false, error: expect.stringMatching(/^127\.0\.0\.1:\d+: /) });
    expect(Date.now() - started).toBeLessThan(300 * 4 + 1500);
    expect((await api(t, 'POST', '/api/pdus/test-connection', { port: 161 })).body).toMatchObject({ field: 'host' });
    expect((await api(t, 'POST', '/api/pdus/test-connection', { host: '127.0.0.1', snmp_version: '3' })).body).toMatchObject({ field: 'v3' });
  });

  it('discover finds the PDUs of 127.0.0.0/29 on one port and marks the configured one', async () => {
    expect((await api(t, 'POST', '/api/pdus', { id: 'rack-2', host: '127.0.0.2', port: simA.port })).status).toBe(201);
    const r = await api(t, 'POST', '/api/pdus/discover', { subnets: ['127.0.0.0/29'], port: simA.port, timeout_ms: 500 });
    expect(r.status).toBe(200);
    expect(r.body.discovered).toEqual([
      { host: '127.0.0.2', port: simA.port, device_name: expect.any(String), serial: 'RACK0002', model: 'PDU44001', outlet_count: 10, already_configured: true },
      { host: '127.0.0.3', port: simA.port, device_name: expect.any(String), serial: 'RACK0003', model: 'PDU44001', outlet_count: 10, already_configured: false },
    ]);
    expect(r.body).toMatchObject({ subnets: ['127.0.0.0/29'], hosts_scanned: 6, complete: true });
    expect(Array.isArray(r.body.interfaces)).toBe(true);
    for (const i of r.body.interfaces) expect(i.ip.startsWith('127.')).toBe(false);
    expect((await api(t, 'DELETE', '/api/pdus/rack-2')).status).toBe(200);
  }, 20_000);

  it('refuses subnets wider than /24, more than 4, or not a CIDR: 400 naming subnets', async () => {
    const bad = [['10.0.0.0/16'], ['127.0.0.0/23'], ['nonsense'], ['127.0.0.0/30', '127.0.0.4/30', '127.0.0.8/30', '127.0.0.12/30', '127.0.0.16/30']];
    for (const subnets of bad) {
      const r = await api(t, 'POST', '/api/pdus/discover', { subnets });
      expect(r.status, subnets.join()).toBe(400);
      expect(r.body).toMatchObject({ field: 'subnets', code: 'P2M_ERR_VALIDATION' });
    }
    expect((await api(t, 'POST', '/api/pdus/discover', { subnets: ['127.0.0.0/30'], timeout_ms: 50 })).body).toMatchObject({ field: 'timeout_ms' });
  });
});

describe('GET /api/system/info', () => {
  it('reports version, runtime and counts', async () => {
    const r = await api(t, 'GET', '/api/system/info');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      version: '0.1.0', node_version: process.version, uptime_seconds: expect.any(Number), pdu_count: 1,
      switch_count: t.app.switches!.list().length, demo: true, restart_required: [],
    });
    expect(r.body.switch_count).toBeGreaterThan(0);
  });
});
