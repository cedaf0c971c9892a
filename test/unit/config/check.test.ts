// check-config output: redaction, origins, issues and exit codes (SPEC §4.1, §16.3, §17).
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatCheckConfig } from '../../../src/config/check.js';
import { loadConfig } from '../../../src/config/load.js';
import { redactConfig } from '../../../src/config/redact.js';
import { leaves } from '../../../src/config/tree.js';
import { HASH, expectOk, loadYaml, tempDir, writeFile } from './helpers.js';

const hash = (tag: string): string => HASH.replace('c2FsdHNhbHRzYWx0c2FsdA==', `${tag}c2FsdA==`);

const SECRETS = {
  mqttPassword: 'mqttPW-8f3a',
  mqttUrlPassword: 'urlPW-77d1',
  trapCommunity: 'trapC-19ab',
  community: 'readC-5c2e',
  writeCommunity: 'writeC-0d4f',
  authKey: 'authK-6e6e6e',
  privKey: 'privK-7f7f7f',
  plugPassword: 'shellyPW-3b3b',
  webhookSecret: 'whS-9a9a',
  webhookToken: 'TOKEN-10xyz',
  brokerHash: hash('YnJva2Vy'),
  adminHash: hash('YWRtaW4x'),
  userHash: hash('dXNlcjEx'),
};

function secretConfig(): object {
  return {
    mqtt: {
      url: `mqtt://bridge:${SECRETS.mqttUrlPassword}@broker.lan:1883`,
      password: SECRETS.mqttPassword,
      cert: '/etc/ssl/client.pem',
      key: '/etc/ssl/client.key',
      embedded: { enabled: true, users: [{ username: 'ha', password_hash: SECRETS.brokerHash }] },
    },
    snmp: { traps: { community: SECRETS.trapCommunity } },
    devices: [
      { id: 'rack', host: '10.0.0.2', community: SECRETS.community, write_community: SECRETS.writeCommunity },
      { id: 'v3pdu', host: '10.0.0.3', snmp_version: '3', v3: { username: 'ops', auth_key: SECRETS.authKey, priv_key: SECRETS.privKey } },
      { id: 'plug', kind: 'shelly', host: '10.0.0.4', password: SECRETS.plugPassword },
    ],
    notify: { webhooks: [{ name: 'phone', url: `https://hooks.example.net/services/${SECRETS.webhookToken}`, secret: SECRETS.webhookSecret }] },
    web: { auth: { password_hash: SECRETS.adminHash, users: [{ username: 'bob', password_hash: SECRETS.userHash, role: 'operator' }] } },
  };
}

describe('redaction', () => {
  const result = expectOk(loadYaml(secretConfig()));

  it.each(Object.entries(SECRETS))('check-config never prints %s', (_name, secret) => {
    const { text, exitCode } = formatCheckConfig(result);
    expect(exitCode).toBe(0);
    expect(text).not.toContain(secret);
    expect(JSON.stringify(redactConfig(result.config))).not.toContain(secret);
  });

  it('masks with "***" and keeps what is not secret', () => {
    const r = redactConfig(result.config);
    expect(r.mqtt.password).toBe('***');
    expect(r.mqtt.url).toBe('mqtt://bridge:***@broker.lan:1883');
    expect(r.mqtt.key).toBe('/etc/ssl/client.key');
    expect(r.devices[0]?.community).toBe('***');
    expect(r.devices[1]?.v3.auth_key).toBe('***');
    expect(r.devices[1]?.v3.username).toBe('ops');
    expect(r.notify.webhooks[0]?.url).toBe('https://hooks.example.net/***');
    expect(r.web.auth.users[0]).toEqual({ username: 'bob', password_hash: '***', role: 'operator' });
    expect(r.devices[2]?.host).toBe('10.0.0.4');
  });

  it('does not modify the config it redacts', () => {
    redactConfig(result.config);
    expect(result.config.mqtt.password).toBe(SECRETS.mqttPassword);
  });

  it('leaves unset secrets empty (nothing to hide)', () => {
    expect(redactConfig(expectOk(loadYaml(null)).config).mqtt.password).toBe('');
  });
});

describe('origins', () => {
  const dir = tempDir();
  writeFile(dir, 'config.yaml', {
    web: { port: 1000, allowed_hosts: ['a.lan'] },
    snmp: { timeout_ms: 1500 },
    devices: [{ host: '10.0.0.2' }, { host: '10.0.0.3', timeout_ms: 900 }],
  });
  const result = expectOk(
    loadConfig({
      cwd: dir,
      env: { POWER2MQTT_LOG__LEVEL: 'debug', POWER2MQTT_DEVICES__0__COMMUNITY: 'c0mm', POWER2MQTT_WEB__ALLOWED_HOSTS__1: 'b.lan' },
      cli: { 'web.bind': '0.0.0.0', 'log.level': 'warn' },
    }),
  );

  it.each([
    ['web.port', 'file'],
    ['web.enabled', 'default'],
    ['web.allowed_hosts', 'env'],
    ['web.bind', 'cli'],
    ['log.level', 'cli'],
    ['devices.0.host', 'file'],
    ['devices.0.community', 'env'],
    ['devices.0.write_community', 'default'],
    ['devices.0.id', 'default'],
    ['devices.0.timeout_ms', 'file'], // null → inherits snmp.timeout_ms, set in the file
    ['devices.1.timeout_ms', 'file'],
    ['devices.0.retries', 'default'],
    ['demo.enabled', 'default'],
  ])('%s comes from %s', (key, origin) => {
    expect(result.origins.get(key)).toBe(origin);
  });

  it('has an origin for every leaf of the config', () => {
    const expected = leaves(result.config, [], true).map((l) => l.path.join('.'));
    expect([...result.origins.keys()].sort()).toEqual(expected.sort());
    expect(expected).toContain('devices.1.recovery.subnet');
  });

  it('check-config marks each value with its origin', () => {
    const { text } = formatCheckConfig(result);
    expect(text).toMatch(/^ {2}port: 1000 +# file$/m);
    expect(text).toMatch(/^ {2}bind: 0\.0\.0\.0 +# cli$/m);
    expect(text).toMatch(/^ {4}community: "\*\*\*" +# env$/m);
    expect(text).toMatch(/^ {2}allowed_hosts: \[a\.lan, b\.lan\] +# env$/m);
    expect(text).toContain(`# config file: ${result.file}`);
  });

  it('check-config output is YAML that reads back as the redacted config', () => {
    expect(YAML.parse(formatCheckConfig(result).text)).toEqual(redactConfig(result.config));
  });
});

describe('formatCheckConfig', () => {
  it('lists warnings in the header', () => {
    const { text } = formatCheckConfig(expectOk(loadYaml({ devices: [{ host: 'a' }] })));
    expect(text).toMatch(/^# warning: devices\[0\]\.community \(pdu-01\) is the factory default/m);
  });

  it('says when no file was loaded', () => {
    expect(formatCheckConfig(expectOk(loadConfig({ cwd: tempDir(), env: {} }))).text).toContain('# config file: none (demo mode');
  });

  it('prints every issue as "path: message; hint" and exits 2, without a stack trace', () => {
    const result = loadYaml({ devices: [{ poll_interval_s: 0 }], log: { levle: 'x' } }, { POWER2MQTT_WEB__PORTT: '1' });
    const { text, exitCode } = formatCheckConfig(result);
    expect(exitCode).toBe(2);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^power2mqtt: the configuration is invalid \(\/.*config\.yaml\): 4 problems$/);
    expect(lines).toContain('  - devices[0].poll_interval_s: must be between 1 and 300 seconds (got 0); use 1 for once per second, or null for the default');
    expect(lines).toContain("  - devices[0].host: is required for an enabled device; set the device's IP address or hostname, or set enabled: false");
    expect(lines).toContain('  - log.levle: is not a known key; did you mean level?');
    expect(lines).toContain('  - POWER2MQTT_WEB__PORTT: unknown config key: "portt" is not a key of web; did you mean POWER2MQTT_WEB__PORT?');
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('a missing named file exits 2', () => {
    const { text, exitCode } = formatCheckConfig(loadConfig({ cwd: tempDir(), configPath: 'nope.yaml', env: {} }));
    expect(exitCode).toBe(2);
    expect(text).toContain('--config: config file not found:');
  });
});
