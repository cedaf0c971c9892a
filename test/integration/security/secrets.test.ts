// No secret in any output (SPEC §16.1, §16.3): the real app at log level debug with EVERY key the
// config schema marks secret set to a unique value (the list comes from the schema; a newly marked
// key fails the coverage check until it is set here), plus runtime secrets (web passwords, API
// tokens, session ids, the bridge's broker password, runtime devices' communities). It is
// exercised (SNMP polls and a SET with the secret communities, plug polls with passwords, a failed
// MQTT login, MQTT requests, failed sign-ins, tokens in headers and URLs, a bad settings change, a
// restart refused for a bad config file, test-connection, test-mqtt, `check-config`, `notify test`)
// and every output is searched: log lines, /api/config, /api/system/logs, /api/system/backup,
// /metrics, /api/pdus, /api/health, error bodies, every MQTT payload and the CLI output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { checkConfigCommand } from '../../../src/cli/check-config.js';
import { formatIssues } from '../../../src/config/index.js';
import { loadFromProcess } from '../../../src/cli/config-args.js';
import { notifyCommand } from '../../../src/cli/notify.js';
import { RealClock } from '../../../src/core/clock.js';
import { startShellySimulator, startTasmotaSimulator, type ShellySimulator, type TasmotaSimulator } from '../../../src/devices/plug/simulator/index.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { fastHash, sessionCookie } from '../../support/auth.js';
import { closedPort } from '../../support/switch-servers.js';
import { rawRequest, wsStatus } from '../../support/security-http.js';
import { captureLogs, leaks, marker, secretPaths, type LogCapture } from '../../support/security-secrets.js';

const S: Record<string, string> = {};
const put = (name: string, value = marker(name.replace(/[^a-z]/gi, ''))): string => (S[name] = value);
const hashOf = (name: string, password: string): string => {
  const h = fastHash(password);
  S[`${name} (hash)`] = h;
  S[`${name} (hash key)`] = h.split('$')[5] as string;
  return h;
};

let t: TestApp;
let logs: LogCapture;
let sim: SimulatedPdu;
let shelly: ShellySimulator;
let tasmota: TasmotaSimulator;
let hook: Server;
const hookHits: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'p2m-secrets-'));
/** Every response body, MQTT payload and CLI text produced by the exercise, by surface. */
const surfaces: Record<string, string[]> = {};
const keep = (surface: string, text: string): void => void (surfaces[surface] ??= []).push(text);

function fileConfig(): Record<string, unknown> {
  const hookPort = (hook.address() as { port: number }).port;
  return {
    log: { level: 'debug' },
    history: { path: join(dir, 'cli.db') },
    mqtt: {
      url: `mqtt://p2m:${put('mqtt.url (password)')}@127.0.0.1:1`, username: 'p2m', password: put('mqtt.password'),
      embedded: { enabled: true, users: [{ username: 'homeassistant', password_hash: hashOf('mqtt.embedded.users[].password_hash', put('broker user password')) }] },
    },
    snmp: { traps: { enabled: true, port: 0, community: put('snmp.traps.community') } },
    devices: [
      { id: 'sec-pdu', host: '127.0.0.1', port: sim.port, community: put('devices[].community'), write_community: put('devices[].write_community'), poll_interval_s: 1 },
      {
        id: 'sec-v3', host: '127.0.0.1', port: sim.port, snmp_version: '3', timeout_ms: 300,
        v3: { username: 'p2m', security_level: 'authPriv', auth_key: put('devices[].v3.auth_key'), priv_key: put('devices[].v3.priv_key') },
      },
      { id: 'sec-shelly', kind: 'shelly', host: '127.0.0.1', port: shelly.http.port, password: S['devices[].password'] },
      { id: 'sec-tasmota', kind: 'tasmota', host: '127.0.0.1', port: tasmota.http.port, password: S['devices[].password (tasmota)'] },
    ],
    notify: { webhooks: [{ name: 'hook', url: `http://127.0.0.1:${hookPort}/hook/${put('notify.webhooks[].url')}?key=${put('notify.webhooks[].url (key)')}`, secret: put('notify.webhooks[].secret') }] },
    web: {
      auth: {
        username: 'root', password_hash: hashOf('web.auth.password_hash', put('web shorthand password')),
        users: [{ username: 'ada', password_hash: hashOf('web.auth.users[].password_hash', put('web user password')), role: 'admin' }],
      },
    },
  };
}

beforeAll(async () => {
  logs = captureLogs();
  const clock = new RealClock();
  put('devices[].password');
  put('devices[].password (tasmota)');
  sim = await createSimulatedPdu({ port: 0, clock, readCommunity: put('sim read'), writeCommunity: put('sim write') });
  shelly = await startShellySimulator({ gen: 2, password: S['devices[].password'] as string, clock });
  tasmota = await startTasmotaSimulator({ password: S['devices[].password (tasmota)'] as string, clock });
  hook = createServer((req, res) => {
    hookHits.push(req.url ?? '');
    res.writeHead(500).end('no');
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const cfg = fileConfig();
  // The device's communities are the simulator's (a poll and a SET must work with them).
  S['devices[].community'] = S['sim read'] as string;
  S['devices[].write_community'] = S['sim write'] as string;
  (cfg.devices as Array<Record<string, unknown>>)[0]!.community = S['sim read'];
  (cfg.devices as Array<Record<string, unknown>>)[0]!.write_community = S['sim write'];
  writeFileSync(join(dir, 'good.yaml'), YAML.stringify(cfg));
  // A restart that re-reads a broken file: one type error on a secret key, one bad hash, one unknown key.
  const bad = structuredClone(cfg) as any;
  bad.mqtt.password = 12345678901234;
  bad.web.auth.users[0].password_hash = `scrypt$x$${S['web user password']}`;
  bad.devices[0].comunity = S['sim read'];
  writeFileSync(join(dir, 'bad.yaml'), YAML.stringify(bad));
  S['bad.yaml number'] = '12345678901234';

  const { history: _h, ...appInput } = cfg;
  t = await startTestApp(appInput as never, {
    logger: logs.logger, logRing: logs.ring,
    onRestart: () => {
      const next = loadFromProcess(join(dir, 'bad.yaml'));
      return next.ok ? { ok: false, error: 'expected the bad file to be refused' } : { ok: false, error: formatIssues(next).trim() };
    },
  });
  S['bridge broker password'] = t.app.broker!.bridgeCredentials.password;
  await vi.waitFor(() => {
    for (const id of ['sec-pdu', 'sec-shelly', 'sec-tasmota']) expect(t.app.registry.snapshot(id), id).not.toBeNull();
  }, { timeout: 20_000, interval: 100 });
}, 40_000);

afterAll(async () => {
  await t?.stop();
  await Promise.all([sim?.close(), shelly?.close(), tasmota?.close(), new Promise((r) => hook?.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

/** A request; its response is searched too, except the two that hand a secret to its owner (login, token creation). */
const http = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown, owner = false) => {
  const r = await rawRequest(t.webUrl!, { method, path, headers: { 'sec-fetch-site': 'same-origin', ...headers }, ...(body === undefined ? {} : { body }) });
  if (!owner) keep('HTTP responses', `${r.status} ${JSON.stringify(r.headers)} ${r.text}`);
  return r;
};

describe('secrets never leave the process (SPEC §16.1, §16.3)', () => {
  it('the test sets every key the schema marks secret, and the search finds them where they are', () => {
    const set = new Set(Object.keys(S).map((k) => k.replace(/ \(.*\)$/, '')));
    for (const path of secretPaths()) expect(set.has(path), `${path} is marked secret in the schema but not set by this test`).toBe(true);
    expect(secretPaths().length).toBeGreaterThanOrEqual(13);
    // The control: every config secret is found in the raw config (the search itself works).
    const raw = JSON.stringify(t.config);
    const configSecrets = Object.fromEntries(Object.entries(S).filter(([k]) => secretPaths().includes(k.replace(/ \(.*\)$/, ''))));
    expect(leaks(raw, configSecrets).sort()).toEqual(Object.keys(configSecrets).sort());
  });

  it('exercises the app: sign-ins, tokens, MQTT login and requests, SET, runtime devices, bad settings, bad restart', async () => {
    put('wrong web password');
    expect((await http('POST', '/api/auth/login', {}, { username: 'ada', password: S['wrong web password'] })).status).toBe(401);
    // (The user name of a failed sign-in IS logged, for the admin to see who is guessing: not a secret.)
    expect((await http('POST', '/api/auth/login', {}, { username: 'nobody', password: S['wrong web password'] })).status).toBe(401);
    const login = await http('POST', '/api/auth/login', {}, { username: 'ada', password: S['web user password'] }, true);
    const cookie = sessionCookie(login.headers['set-cookie']) as string;
    S['session id'] = cookie.slice('p2m_session='.length);
    const made = await http('POST', '/api/auth/tokens', { cookie }, { name: 'sec', scope: 'admin' }, true);
    const token = (S['api token'] = made.json.token as string);
    const auth = { authorization: `Bearer ${token}` };
    expect((await http('GET', `/api/status?token=${token}`)).status).toBe(401);
    expect((await http('GET', '/api/status?device_id=sec-pdu', auth)).status).toBe(200);

    // MQTT: a failed login, then a real client that watches everything and sends requests.
    put('wrong broker password');
    await expect(connectAsync(t.mqttUrl, { username: 'homeassistant', password: S['wrong broker password'], reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow();
    const mq = await connectAsync(t.mqttUrl, { username: 'homeassistant', password: S['broker user password'], reconnectPeriod: 0, connectTimeout: 3000 });
    // Everything the broker carries, but the requests this client itself sent.
    mq.on('message', (topic, payload) => topic.startsWith('pdu/bridge/request/') || keep('MQTT payloads', `${topic} ${payload.toString()}`));
    await mq.subscribeAsync('#');
    await mq.publishAsync('pdu/sec-pdu/outlet/1/command', 'off', { qos: 1 });
    await vi.waitFor(() => expect(sim.outletState(1)).toBe('off'), { timeout: 10_000 });
    put('mqtt runtime community');
    await mq.publishAsync('pdu/bridge/request/device/add', JSON.stringify({ id: 'mq-pdu', host: '127.0.0.1', port: await closedPort(), community: S['mqtt runtime community'], write_community: put('mqtt runtime write') }));
    await mq.publishAsync('pdu/bridge/request/device/add', JSON.stringify({ id: 'mq-bad', host: '127.0.0.1', snmp_version: 'x', community: put('mqtt bad community') }));
    await mq.publishAsync('pdu/bridge/request/devices', '{}');
    await vi.waitFor(() => expect(surfaces['MQTT payloads']?.filter((m) => m.startsWith('pdu/bridge/response/')).length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });

    // REST: runtime device, connection tests with secrets, a bad settings change, the refused restart.
    expect((await http('POST', '/api/pdus', auth, { id: 'rt-pdu', host: '127.0.0.1', port: sim.port, community: S['sim read'], write_community: put('rest runtime write') })).status).toBe(201);
    const tc = await http('POST', '/api/pdus/test-connection', auth, { host: '127.0.0.1', port: sim.port, community: put('wrong community'), timeout_ms: 300 });
    expect(tc.json.success).toBe(false);
    expect((await http('POST', '/api/config/test-mqtt', auth, { url: t.mqttUrl, username: 'homeassistant', password: put('test-mqtt password') })).json.success).toBe(false);
    expect((await http('POST', '/api/config/test-mqtt', auth, {})).json.success).toBe(true); // the bridge's own (secret) credentials
    expect((await http('PUT', '/api/config', auth, { 'mqtt.password': put('settings password') })).status).toBe(400);
    expect((await http('PUT', '/api/config', auth, { 'log.level': S['settings password'] })).status).toBe(400);
    const restart = await http('POST', '/api/system/restart', auth);
    expect(restart.text).toMatch(/mqtt\.password/); // the refusal names the key…
    expect(await wsStatus(t.webUrl!, `?token=${token}`)).toBe(101);
    expect(await wsStatus(t.webUrl!, `?token=${token}x`)).toBe(401);
    await mq.endAsync();

    // Read every surface an operator (or an attacker with a read token) can see.
    for (const path of ['/api/config', '/api/system/logs?level=debug&limit=5000', '/api/system/backup', '/metrics', '/api/pdus', '/api/health', '/api/system/info', '/api/auth/tokens', '/api/events?limit=1000']) {
      const r = await http('GET', path, auth);
      // /api/health answers 503 while a device has no data (sec-v3 does not answer): a verdict, not a failure.
      if (path === '/api/health') expect([200, 503], path).toContain(r.status);
      else expect(r.status, path).toBeLessThan(500);
      keep(path.split('?')[0] as string, r.text);
    }
    expect(JSON.parse(surfaces['/api/system/logs']![0]!).count).toBeGreaterThan(40);
  }, 60_000);

  it('the CLI: check-config (good and bad file) and notify test print no secret', async () => {
    const io = { out: (s: string) => keep('CLI output', s), err: (s: string) => keep('CLI output', s) };
    expect(checkConfigCommand(['--config', join(dir, 'good.yaml')], io)).toBe(0);
    expect(checkConfigCommand(['--config', join(dir, 'bad.yaml')], io)).toBe(2);
    expect(await notifyCommand(['test', 'hook', '--config', join(dir, 'good.yaml')], io)).toBe(1);
    expect(hookHits.some((u) => u.includes(S['notify.webhooks[].url'] as string))).toBe(true); // it really went out
    expect(surfaces['CLI output']!.join('')).toMatch(/\*\*\*/);
  });

  it('no secret in any of them', () => {
    const report: Record<string, string[]> = {};
    surfaces['log lines'] = [logs.text()];
    if (process.env.SEC_DUMP) writeFileSync(process.env.SEC_DUMP, logs.text());
    for (const [surface, texts] of Object.entries(surfaces)) {
      const found = leaks(texts.join('\n'), S);
      if (found.length > 0) report[surface] = found;
    }
    const sizes = Object.fromEntries(Object.entries(surfaces).map(([k, v]) => [k, v.length]));
    const fromSchema = Object.keys(S).filter((k) => secretPaths().includes(k.replace(/ \(.*\)$/, ''))).length;
    console.log(`[secrets] ${Object.keys(S).length} secrets (${fromSchema} for the schema's keys) × ${Object.keys(surfaces).length} surfaces; log lines ${logs.lines()}; items ${JSON.stringify(sizes)}`);
    expect(report).toEqual({});
    expect(logs.lines()).toBeGreaterThan(40);
  });
});
