// Environment overrides (SPEC §4.1).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { expectConfig, expectIssues, issueAt, loadYaml, tempDir, writeFile } from './helpers.js';

describe('env overlay', () => {
  it.each([
    ['POWER2MQTT_MQTT__URL', 'mqtt://broker:1883', (c: Cfg) => c.mqtt.url, 'mqtt://broker:1883'],
    ['POWER2MQTT_WEB__PORT', '9090', (c: Cfg) => c.web.port, 9090],
    ['POWER2MQTT_LOG__LEVEL', 'debug', (c: Cfg) => c.log.level, 'debug'],
    ['power2mqtt_log__level', 'warn', (c: Cfg) => c.log.level, 'warn'],
    ['POWER2MQTT_Log__Level', 'error', (c: Cfg) => c.log.level, 'error'],
    ['POWER2MQTT_WEB__TRUST_PROXY', 'true', (c: Cfg) => c.web.trust_proxy, true],
    ['POWER2MQTT_OUTAGE__THRESHOLD', '0.75', (c: Cfg) => c.outage.threshold, 0.75],
    ['POWER2MQTT_WEB__CORS_ORIGINS', '[https://a.example, https://b.example]', (c: Cfg) => c.web.cors_origins, ['https://a.example', 'https://b.example']],
    ['POWER2MQTT_DEMO__ENABLED', 'false', (c: Cfg) => c.demo.enabled, false],
  ])('%s=%s', (variable, value, get, expected) => {
    expect(get(expectConfig(loadYaml(null, { [variable]: value })))).toEqual(expected);
  });

  it('beats the file (defaults < file < env)', () => {
    const config = expectConfig(loadYaml({ web: { port: 1000, bind: '0.0.0.0' } }, { POWER2MQTT_WEB__PORT: '2000' }));
    expect(config.web.port).toBe(2000);
    expect(config.web.bind).toBe('0.0.0.0');
  });

  it('creates a list item when the file has none', () => {
    const config = expectConfig(loadYaml(null, { POWER2MQTT_DEVICES__0__HOST: '10.0.0.7', POWER2MQTT_DEVICES__0__KIND: 'kasa' }));
    expect(config.devices).toHaveLength(1);
    expect(config.devices[0]).toMatchObject({ id: 'pdu-01', host: '10.0.0.7', kind: 'kasa', port: 9999 });
  });

  it('changes one key of a file item and appends the next item', () => {
    const config = expectConfig(
      loadYaml({ devices: [{ id: 'rack', host: 'a', community: 'c1' }] }, { POWER2MQTT_DEVICES__0__COMMUNITY: 'c2', POWER2MQTT_DEVICES__1__HOST: 'b' }),
    );
    expect(config.devices.map((d) => [d.id, d.host, d.community])).toEqual([
      ['rack', 'a', 'c2'],
      ['pdu-01', 'b', 'public'],
    ]);
  });

  it('indexes a list of scalars', () => {
    expect(expectConfig(loadYaml({ web: { allowed_hosts: ['a.lan'] } }, { POWER2MQTT_WEB__ALLOWED_HOSTS__1: 'b.lan' })).web.allowed_hosts).toEqual(['a.lan', 'b.lan']);
  });

  it('sets a whole list of items from one YAML value', () => {
    const config = expectConfig(loadYaml(null, { POWER2MQTT_NOTIFY__WEBHOOKS: '[{name: phone, url: "https://h.example/x", repeat_s: 60}]' }));
    expect(config.notify.webhooks[0]).toMatchObject({ name: 'phone', repeat_s: 60 });
  });

  it.each([
    ['a number-looking community', 'POWER2MQTT_DEVICES__0__COMMUNITY', '0123', (c: Cfg) => c.devices[0]?.community, '0123'],
    ['a boolean-looking password', 'POWER2MQTT_MQTT__PASSWORD', 'true', (c: Cfg) => c.mqtt.password, 'true'],
    ['a password with " #"', 'POWER2MQTT_MQTT__PASSWORD', 'pa ss #1', (c: Cfg) => c.mqtt.password, 'pa ss #1'],
    ['an empty password', 'POWER2MQTT_MQTT__PASSWORD', '', (c: Cfg) => c.mqtt.password, ''],
    ['a quoted value', 'POWER2MQTT_MQTT__USERNAME', '"bridge user"', (c: Cfg) => c.mqtt.username, 'bridge user'],
    ['snmp_version 1', 'POWER2MQTT_DEVICES__0__SNMP_VERSION', '1', (c: Cfg) => c.devices[0]?.snmp_version, '1'],
  ])('keeps %s as text', (_name, variable, value, get, expected) => {
    expect(get(expectConfig(loadYaml({ devices: [{ host: 'a' }] }, { [variable]: value })))).toBe(expected);
  });

  it('ignores POWER2MQTT_CONFIG as an override and other variables', () => {
    const dir = tempDir();
    const file = writeFile(dir, 'c.yaml', {});
    expectConfig(loadConfig({ cwd: dir, env: { POWER2MQTT_CONFIG: file, HOME: '/root', PATH: '/bin' } }));
  });
});

describe('env errors name the variable', () => {
  it.each([
    ['POWER2MQTT_MQTT__URLL', 'x', 'unknown config key: "urll" is not a key of mqtt', 'did you mean POWER2MQTT_MQTT__URL?'],
    ['POWER2MQTT_MQTTT__URL', 'x', 'unknown config key: "mqttt" is not a key of the top level', 'did you mean POWER2MQTT_MQTT?'],
    ['POWER2MQTT_DEVICES__FIRST__HOST', 'x', 'devices is a list, so "FIRST" must be an index', 'POWER2MQTT_DEVICES__0'],
    ['POWER2MQTT_WEB__PORT__X', '1', 'web.port is a single value, not a section', 'POWER2MQTT_WEB__PORT'],
    ['POWER2MQTT_WEB____PORT', '1', 'empty key segment', 'two underscores'],
    ['POWER2MQTT_DEVICES__2__HOST', 'x', 'sets devices[2] but devices[0] does not exist', 'consecutively from 0'],
    ['POWER2MQTT_WEB__CORS_ORIGINS', '[a, b', 'cannot parse the value as YAML', 'quote'],
    ['POWER2MQTT_WEB__PORT', '!port 8081', 'unknown YAML tag !port', 'quote'],
    ['power2mqtt_config', 'x.yaml', '"config" is not a key of the top level', 'spell it POWER2MQTT_CONFIG'],
  ])('%s=%s', (variable, value, message, hint) => {
    const issue = issueAt(loadYaml(null, { [variable]: value }), variable);
    expect(issue.message).toContain(message);
    expect(issue.hint).toContain(hint);
  });

  it('a value that fails validation names the key and the variable', () => {
    const issue = issueAt(loadYaml(null, { POWER2MQTT_WEB__PORT: 'http' }), 'web.port');
    expect(issue.message).toBe('must be a whole number between 0 and 65535 (got "http") (set by POWER2MQTT_WEB__PORT)');
  });

  it('an unknown key inside a YAML value names the variable that set it', () => {
    const issue = issueAt(loadYaml(null, { POWER2MQTT_NOTIFY__WEBHOOKS: '[{name: a, url: "https://h.example/", repat_s: 5}]' }), 'notify.webhooks[0].repat_s');
    expect(issue.message).toContain('(set by POWER2MQTT_NOTIFY__WEBHOOKS)');
    expect(issue.hint).toBe('did you mean repeat_s?');
  });
});

describe('_FILE secrets', () => {
  it('reads the value from the file, trailing newline trimmed, path relative to cwd', () => {
    const dir = tempDir();
    writeFile(dir, 'mqtt_password', 's3cr3t with spaces\n');
    const abs = writeFile(dir, 'community', '0042\r\n');
    const config = expectConfig(
      loadConfig({ cwd: dir, env: { POWER2MQTT_MQTT__PASSWORD_FILE: 'mqtt_password', POWER2MQTT_DEVICES__0__COMMUNITY_FILE: abs, POWER2MQTT_DEVICES__0__HOST: 'a' } }),
    );
    expect(config.mqtt.password).toBe('s3cr3t with spaces');
    expect(config.devices[0]?.community).toBe('0042');
  });

  it('types a non-text key read from a file', () => {
    const dir = tempDir();
    writeFile(dir, 'port', '9443\n');
    expect(expectConfig(loadConfig({ cwd: dir, env: { POWER2MQTT_WEB__PORT_FILE: path.join(dir, 'port') } })).web.port).toBe(9443);
  });

  it('an unreadable file is an issue naming the variable', () => {
    const dir = tempDir();
    const issue = issueAt(loadConfig({ cwd: dir, env: { POWER2MQTT_MQTT__PASSWORD_FILE: '/nonexistent/secret' } }), 'POWER2MQTT_MQTT__PASSWORD_FILE');
    expect(issue.message).toBe('cannot read /nonexistent/secret (ENOENT)');
  });

  it('setting a key and its _FILE twin is an issue', () => {
    const dir = tempDir();
    writeFile(dir, 'pw', 'x');
    const issues = expectIssues(loadConfig({ cwd: dir, env: { POWER2MQTT_MQTT__PASSWORD: 'y', POWER2MQTT_MQTT__PASSWORD_FILE: 'pw' } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain('sets the same key as POWER2MQTT_MQTT__PASSWORD');
  });

  it('an unknown key with _FILE is named like any other', () => {
    const issue = issueAt(loadYaml(null, { POWER2MQTT_MQTT__PASWORD_FILE: '/x' }), 'POWER2MQTT_MQTT__PASWORD_FILE');
    expect(issue.hint).toBe('did you mean POWER2MQTT_MQTT__PASSWORD?');
  });
});

type Cfg = ReturnType<typeof expectConfig>;

describe('command-line overrides (top of §3.1 precedence)', () => {
  it('beat env and are named in errors', () => {
    const dir = tempDir();
    expect(expectConfig(loadConfig({ cwd: dir, env: { POWER2MQTT_WEB__PORT: '2000' }, cli: { 'web.port': '3000' } })).web.port).toBe(3000);
    const issue = issueAt(loadConfig({ cwd: dir, env: { POWER2MQTT_WEB__PORT: '2000' }, cli: { 'web.port': 'x' } }), 'web.port');
    expect(issue.message).toContain('(set by command line (web.port))');
  });

  it('an unknown flag key is an issue', () => {
    expect(issueAt(loadConfig({ cwd: tempDir(), env: {}, cli: { 'web.prot': 1 } }), 'command line (web.prot)').message).toContain('"prot" is not a key of web');
  });
});
