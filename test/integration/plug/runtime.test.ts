// A metered plug added at runtime over REST (SPEC §9.3, §14.2 `POST /api/pdus` with `kind`): a
// simulated Shelly Gen2 with digest auth on 127.0.0.1 is polled at once, kept in the history
// database (restored by a second app on the same file, password included), left out of the
// backup's secrets, and removed. The tests run in order.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startShellySimulator, type ShellySimulator } from '../../../src/devices/plug/simulator/shelly.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api } from '../http/rules-api.js';

let sim: ShellySimulator;
let first: TestApp;
let second: TestApp | null = null;
const PASSWORD = 'kettle-secret-1';

const appConfig = (db?: string) => ({
  demo: { enabled: false },
  outage: { enabled: false },
  ...(db ? { history: { path: db } } : {}),
});

beforeAll(async () => {
  sim = await startShellySimulator({ password: PASSWORD, loads: [1800] });
  first = await startTestApp(appConfig());
}, 30_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await sim?.close();
});

describe('a runtime Shelly plug', () => {
  it('POST /api/pdus with kind shelly adds it and polls it at once (digest auth with the given password)', async () => {
    const r = await api(first, 'POST', '/api/pdus', {
      id: 'kettle', kind: 'shelly', host: '127.0.0.1', port: sim.port, password: PASSWORD, role: 'sensor', poll_interval_s: 1, label: 'Kettle',
    });
    expect(r).toEqual({ status: 201, body: { device_id: 'kettle', ok: true } });
    await vi.waitFor(() => expect(first.app.registry.snapshot('kettle')?.outlets[1]).toMatchObject({ state: 'on', power: 1800 }), { timeout: 8000, interval: 50 });
    expect(first.app.registry.info('kettle')).toMatchObject({ kind: 'shelly', transport: 'shelly', role: 'sensor', fromConfig: false, pollIntervalS: 1, label: 'Kettle' });
    expect(sim.challenges).toBeGreaterThan(0);
    const list = await api(first, 'GET', '/api/pdus');
    expect(list.body.pdus.find((p: { device_id: string }) => p.device_id === 'kettle')).toMatchObject({
      source: 'runtime', status: 'healthy', has_data: true, identity: { manufacturer: 'Shelly', model: 'SNPL-00112EU' },
      config: { id: 'kettle', kind: 'shelly', host: '127.0.0.1', port: sim.port, password: '***', role: 'sensor', poll_interval_s: 1, label: 'Kettle' },
    });
    expect(JSON.stringify(list.body)).not.toContain(PASSWORD);
  });

  it('refuses SNMP settings on a plug and an unknown kind, naming the field (400)', async () => {
    const snmp = await api(first, 'POST', '/api/pdus', { id: 'p2', kind: 'kasa', host: '127.0.0.1', community: 'public' });
    expect(snmp.status).toBe(400);
    expect(snmp.body).toMatchObject({ code: 'P2M_ERR_VALIDATION', field: 'community' });
    const kind = await api(first, 'POST', '/api/pdus', { id: 'p3', kind: 'tapo', host: '127.0.0.1' });
    expect(kind.status).toBe(400);
    expect(JSON.stringify(kind.body)).toContain('kind');
    expect(first.app.registry.info('p2')).toBeNull();
  });

  it('the backup lists it without its password', async () => {
    const r = await api(first, 'GET', '/api/system/backup');
    expect(r.status).toBe(200);
    const devices = r.body.sections.devices as Array<Record<string, unknown>>;
    expect(devices.find((d) => d.id === 'kettle')).toMatchObject({ kind: 'shelly', host: '127.0.0.1', port: sim.port, role: 'sensor' });
    expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
  });

  it('a second app on the same database restores and polls it', async () => {
    await first.app.stop();
    const db = join(first.dir, 'power2mqtt.db');
    const before = sim.challenges;
    second = await startTestApp(appConfig(db));
    const t = second;
    await vi.waitFor(() => expect(t.app.registry.snapshot('kettle')?.outlets[1]?.power).toBe(1800), { timeout: 8000, interval: 50 });
    expect(t.app.registry.info('kettle')).toMatchObject({ kind: 'shelly', role: 'sensor', fromConfig: false, label: 'Kettle' });
    // Polled with the stored password (a new session answers a fresh challenge).
    expect(sim.challenges).toBeGreaterThan(before);
    expect(t.app.registry.get('kettle')!.healthState().state).toBe('healthy');
  });

  it('DELETE removes it (and from the database)', async () => {
    const t = second!;
    const r = await api(t, 'DELETE', '/api/pdus/kettle');
    expect(r).toEqual({ status: 200, body: { device_id: 'kettle', deleted: true } });
    expect(t.app.registry.info('kettle')).toBeNull();
    expect(t.app.history!.store.runtimeDevices()).toEqual([]);
    // The id is free again (its scheduler target went with it): adding it back works.
    const again = await api(t, 'POST', '/api/pdus', { id: 'kettle', kind: 'shelly', host: '127.0.0.1', port: sim.port, password: PASSWORD });
    expect(again.status).toBe(201);
    expect((await api(t, 'DELETE', '/api/pdus/kettle')).status).toBe(200);
  });
});
