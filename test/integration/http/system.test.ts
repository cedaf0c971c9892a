// /api/config and /api/system/* (SPEC §14.2, §3.1, §19) on the real demo app: runtime settings saved
// in the SQLite file and read back by the config loader, the in-memory log, backup → restore into a
// second app, restart hand-off, and the MQTT connection test against the app's own embedded broker.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger, LogRing } from '../../../src/core/logger.js';
import { readSavedSettings } from '../../../src/history/settings-store.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api } from './rules-api.js';

let t: TestApp;
let other: TestApp;
const ring = new LogRing(500);
const logger = createLogger('info', { write: () => undefined }, ring);
let restarts = 0;

beforeAll(async () => {
  t = await startTestApp(
    { notify: { webhooks: [{ name: 'ops', url: 'https://hooks.example/T000/secret-path', secret: 'sign-me' }] } },
    { logger, logRing: ring, onRestart: () => (restarts++, { ok: true }) },
  );
  other = await startTestApp();
  // Outlet names and outlet-range checks need each demo PDU's first sample.
  await vi.waitFor(() => expect([t.app.registry.snapshot('demo-pdu'), other.app.registry.snapshot('demo-pdu')]).not.toContain(null), { timeout: 10_000, interval: 50 });
}, 30_000);

afterAll(async () => {
  await t?.stop();
  await other?.stop();
});

describe('GET/PUT /api/config', () => {
  it('shows the effective config with secrets masked, and the runtime settings', async () => {
    const r = await api(t, 'GET', '/api/config');
    expect(r.status).toBe(200);
    expect(r.body.web.port).toBe(0);
    expect(r.body.notify.webhooks[0]).toMatchObject({ name: 'ops', url: 'https://hooks.example/***', secret: '***' });
    expect(JSON.stringify(r.body)).not.toMatch(/secret-path|sign-me/);
    expect(r.body.restart_required).toEqual([]);
    expect(r.body.runtime_settings.map((s: { key: string }) => s.key)).toContain('log.level');
  });

  it('applies log.level at once, keeps restart keys pending, and stores both in the database', async () => {
    const r = await api(t, 'PUT', '/api/config', { 'log.level': 'debug', 'snmp.timeout_ms': 1200 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ updated: { 'log.level': 'debug', 'snmp.timeout_ms': 1200 }, ok: true, overridden_by_env: [], restart_required: ['snmp.timeout_ms'] });
    const view = await api(t, 'GET', '/api/config');
    expect(view.body.log.level).toBe('debug');
    expect(view.body.snmp.timeout_ms).toBe(800); // what runs until the restart
    expect(view.body.restart_required).toEqual(['snmp.timeout_ms']);
    expect((await api(t, 'GET', '/api/system/info')).body.restart_required).toEqual(['snmp.timeout_ms']);
    // The next start reads them from the file: a runtime layer above the config file.
    const saved = readSavedSettings(t.config.history.path);
    expect(saved).toEqual({ 'log.level': 'debug', 'snmp.timeout_ms': 1200 });
    const next = loadConfig({ cwd: t.dir, env: {}, settings: saved });
    expect(next.ok && [next.config.snmp.timeout_ms, next.origins.get('snmp.timeout_ms')]).toEqual([1200, 'runtime']);
  });

  it('refuses other keys and bad values naming the key', async () => {
    const r = await api(t, 'PUT', '/api/config', { 'web.bind': '0.0.0.0', 'history.retention_days': -1 });
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('web.bind');
    expect(r.body.error).toMatch(/web\.bind: cannot be changed at runtime: edit the config file.*history\.retention_days:/);
    expect(r.body.details).toHaveLength(2);
    expect((await api(t, 'PUT', '/api/config', [])).status).toBe(400);
    expect(readSavedSettings(t.config.history.path)).not.toHaveProperty('history.retention_days');
  });
});

describe('GET /api/system/logs', () => {
  it('returns recent lines newest first, filtered by level and text', async () => {
    await api(t, 'PUT', '/api/config', { 'log.level': 'info' });
    const r = await api(t, 'GET', '/api/system/logs?level=info&search=runtime%20settings&limit=5');
    expect(r.status).toBe(200);
    expect(r.body.count).toBeGreaterThanOrEqual(2);
    expect(r.body.logs[0]).toMatchObject({ level: 'info', msg: 'runtime settings changed', settings: { 'log.level': 'info' } });
    expect(r.body.logs.every((l: { msg: string }) => l.msg === 'runtime settings changed')).toBe(true);
    expect((await api(t, 'GET', '/api/system/logs?level=loud')).body.field).toBe('level');
    expect((await api(t, 'GET', '/api/system/logs?limit=0')).body.field).toBe('limit');
  });
});

describe('backup and restore', () => {
  it('carries runtime switches, rules, outlet names and settings into another instance', async () => {
    expect((await api(t, 'POST', '/api/switches', { name: 'garage', ip_address: '127.0.0.1:9', role: 'sensor' })).status).toBe(201);
    expect((await api(t, 'PUT', '/api/outlets/3/name', { name: 'NAS' })).status).toBe(200);
    const rule = { name: 'night-off', condition: 'time_between', threshold: '23:00-05:00', outlet: '4', action: 'off' };
    expect((await api(t, 'POST', '/api/rules', rule)).status).toBe(201);
    const dog = await api(t, 'POST', '/api/watchdogs', { name: 'nas-dog', outlet: 5, target: 'http://127.0.0.1:9/' });
    expect(dog.status, JSON.stringify(dog.body)).toBe(201);

    const res = await fetch(`${t.webUrl!}/api/system/backup`);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="power2mqtt-backup-\d{8}-\d{6}\.json"$/);
    const backup = (await res.json()) as { format: string; sections: Record<string, unknown[] | Record<string, unknown>> };
    expect(backup.format).toBe('power2mqtt-backup');
    expect(backup.sections.switches).toEqual([{ name: 'garage', url: 'http://127.0.0.1:9/', role: 'sensor', active: true, group: '' }]);
    expect(backup.sections.outlet_names).toEqual([{ device_id: 'demo-pdu', outlet: 3, name: 'NAS' }]);
    expect(backup.sections.settings).toEqual({ 'log.level': 'info', 'snmp.timeout_ms': 1200 });
    expect((backup.sections.rules as Array<{ name: string }>).map((r) => r.name)).toContain('night-off');
    // Runtime watchdogs only: the demo's config watchdog comes back with the config.
    expect((backup.sections.watchdogs as Array<{ name: string }>).map((w) => w.name)).toEqual(['nas-dog']);

    const r = await api(other, 'POST', '/api/system/restore', backup);
    expect(r.status).toBe(200);
    expect(r.body.restored).toEqual(['devices', 'switches', 'rules', 'watchdogs', 'outlet_names', 'settings']);
    expect((await api(other, 'GET', '/api/watchdogs')).body.find((w: { name: string }) => w.name === 'nas-dog')).toMatchObject({ outlet: 5, source: 'runtime' });
    expect(other.app.switches!.get('garage')?.target).toMatchObject({ url: 'http://127.0.0.1:9/', role: 'sensor', source: 'runtime' });
    expect((await api(other, 'GET', '/api/rules')).body.map((x: { name: string }) => x.name)).toContain('night-off');
    // A local name shows from the next sample on.
    await vi.waitFor(async () => expect((await api(other, 'GET', '/api/outlet-names')).body['3']).toBe('NAS'), { timeout: 5000, interval: 100 });
    expect(readSavedSettings(other.config.history.path)).toEqual({ 'log.level': 'info', 'snmp.timeout_ms': 1200 });
    // Restoring again updates in place: nothing duplicated.
    expect((await api(other, 'POST', '/api/system/restore', backup)).status).toBe(200);
    expect(other.app.switches!.list().filter((s) => s.target.name === 'garage')).toHaveLength(1);
  });

  it('refuses what is not a backup, unknown sections and invalid items, naming them', async () => {
    expect((await api(other, 'POST', '/api/system/restore', { sections: {} })).body.field).toBe('format');
    const unknown = await api(other, 'POST', '/api/system/restore', { format: 'power2mqtt-backup', version: 1, sections: { users: [] } });
    expect(unknown.body).toMatchObject({ field: 'sections.users', error: expect.stringMatching(/not a section of this build/) });
    const bad = await api(other, 'POST', '/api/system/restore', { format: 'power2mqtt-backup', version: 1, sections: { rules: [{ name: 'half' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('sections.rules[0]');
    expect(bad.body.error).toMatch(/action: is required/);
    const newer = await api(other, 'POST', '/api/system/restore', { format: 'power2mqtt-backup', version: 2, sections: {} });
    expect(newer.body.field).toBe('version');
  });
});

describe('GET /api/system/mqtt-credentials (SPEC §16.3)', () => {
  it('gives the embedded broker\'s generated user, which the broker accepts; 404 with a reason when there is none', async () => {
    const none = await api(t, 'GET', '/api/system/mqtt-credentials');
    expect(none.status).toBe(404);
    expect(none.body.error).toMatch(/no generated user: it is off, bound to loopback/);
    const exposed = await startTestApp({ mqtt: { embedded: { bind: '0.0.0.0' } } });
    try {
      const res = await fetch(`${exposed.webUrl!}/api/system/mqtt-credentials`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const r = { body: (await res.json()) as { username: string; password: string } };
      const stored = readFileSync(join(exposed.dir, 'mqtt-credentials.yaml'), 'utf8');
      expect(r.body).toMatchObject({ username: 'power2mqtt', bind: '0.0.0.0', port: exposed.app.broker!.port, file: join(exposed.dir, 'mqtt-credentials.yaml') });
      expect(r.body.password).toHaveLength(24);
      expect(stored).toContain(r.body.password);
      const url = `mqtt://127.0.0.1:${exposed.app.broker!.port}`;
      const client = await connectAsync(url, { username: r.body.username, password: r.body.password, reconnectPeriod: 0 });
      await client.endAsync();
      await expect(connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/Not authorized/i);
    } finally {
      await exposed.stop();
    }
  }, 30_000);
});

describe('POST /api/system/restart', () => {
  it('hands the restart to the runner; without one it is 503', async () => {
    expect(await api(t, 'POST', '/api/system/restart')).toEqual({ status: 200, body: { ok: true } });
    expect(restarts).toBe(1);
    const r = await api(other, 'POST', '/api/system/restart');
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(/power2mqtt run/);
  });
});

describe('POST /api/config/test-mqtt', () => {
  it('connects to the running broker with the bridge credentials when no url is given', async () => {
    const r = await api(t, 'POST', '/api/config/test-mqtt');
    expect(r.body).toMatchObject({ success: true, message: expect.stringMatching(/^connected to mqtt:\/\/127\.0\.0\.1:\d+ in \d+ ms$/) });
  });

  it('reports a refused connection and a silent server within the limit', async () => {
    const refused = await api(t, 'POST', '/api/config/test-mqtt', { url: 'mqtt://127.0.0.1:9' });
    expect(refused.body).toEqual({ success: false, error: 'cannot connect to mqtt://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9' });
    // A TCP server that never answers CONNECT: the 5 s limit ends it.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await api(t, 'POST', '/api/config/test-mqtt', { url: `mqtt://127.0.0.1:${port}` });
      expect(r.body.success).toBe(false);
      expect(r.body.error).toMatch(/no answer|timeout|closed/i);
    } finally {
      silent.close();
    }
  }, 15_000);

  it('refuses a url that is not MQTT, naming the field', async () => {
    const r = await api(t, 'POST', '/api/config/test-mqtt', { url: 'http://example.com' });
    expect(r).toMatchObject({ status: 400, body: { field: 'url' } });
  });
});

describe('GET /api/health details (SPEC §14.2)', () => {
  it('lists the subsystems and every poller of the running app', async () => {
    await vi.waitFor(async () => expect((await api(t, 'GET', '/api/health')).status).toBe(200), { timeout: 10_000, interval: 200 });
    const r = await api(t, 'GET', '/api/health');
    expect(r.body).toMatchObject({
      status: 'healthy', issues: [], pdu_count: 1, uptime_seconds: expect.any(Number), restart_required: ['snmp.timeout_ms'],
      subsystems: {
        mqtt: { connected: true, reconnect_count: 0, broker: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/), total_publishes: expect.any(Number) },
        history: { db_path: t.config.history.path, write_errors: 0, healthy: true },
        probes: { total: expect.any(Number), down: 0 },
      },
    });
    expect(r.body.subsystems.history.total_writes).toBeGreaterThan(0);
    expect(r.body.pollers).toEqual([
      expect.objectContaining({ device_id: 'demo-pdu', state: 'healthy', poll_errors: 0, consecutive_failures: 0, seconds_since_last_poll: expect.any(Number) }),
    ]);
    expect(r.body.pollers[0].poll_count).toBeGreaterThan(0);
    expect(r.body.pollers[0].seconds_since_last_poll).toBeLessThan(5);
    // No credentials in an open endpoint.
    expect(JSON.stringify(r.body)).not.toMatch(/password|bridge-/i);
  });
});
