// Defaults and every validation rule of SPEC §4.2, through real files and loadConfig.
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/check.js';
import { configSchema } from '../../../src/config/schema.js';
import { HASH, expectConfig, issueAt, loadYaml } from './helpers.js';

describe('defaults (SPEC §4.2)', () => {
  const defaults = configSchema.parse({});

  it.each([
    ['demo.enabled', defaults.demo.enabled, 'auto'],
    ['demo.snmp_port', defaults.demo.snmp_port, 1161],
    ['mqtt.base_topic', defaults.mqtt.base_topic, 'pdu'],
    ['mqtt.protocol_version', defaults.mqtt.protocol_version, 4],
    ['mqtt.embedded.enabled', defaults.mqtt.embedded.enabled, 'auto'],
    ['mqtt.embedded.port', defaults.mqtt.embedded.port, 1883],
    ['homeassistant.status_topic', defaults.homeassistant.status_topic, 'homeassistant/status'],
    ['snmp.timeout_ms', defaults.snmp.timeout_ms, 800],
    ['snmp.profile', defaults.snmp.profile, 'cps-mib'],
    ['snmp.traps.port', defaults.snmp.traps.port, 1162],
    ['devices', defaults.devices, []],
    ['switches.interval_s', defaults.switches.interval_s, 10],
    ['outage.threshold', defaults.outage.threshold, 0.5],
    ['outage.restart_gap_s', defaults.outage.restart_gap_s, 300],
    ['notify.webhooks', defaults.notify.webhooks, []],
    ['rules.path', defaults.rules.path, './data/rules.json'],
    ['watchdogs', defaults.watchdogs, []],
    ['history.retention_days', defaults.history.retention_days, 730],
    ['history.raw_retention_days', defaults.history.raw_retention_days, 60],
    ['energy.tariff.currency', defaults.energy.tariff.currency, 'USD'],
    ['reports.path', defaults.reports.path, './data/reports'],
    ['web.port', defaults.web.port, 8080],
    ['web.auth.username', defaults.web.auth.username, 'admin'],
    ['web.auth.secure_cookie', defaults.web.auth.secure_cookie, 'auto'],
    ['metrics.require_auth', defaults.metrics.require_auth, true],
    ['log.level', defaults.log.level, 'info'],
    ['timezone', defaults.timezone, ''],
  ])('%s defaults to %j', (_key, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('fills a device entry with every default', () => {
    const d = expectConfig(loadYaml({ devices: [{ host: '10.0.0.9' }] })).devices[0]!;
    expect(d).toMatchObject({
      kind: 'cyberpower',
      snmp_version: '2c',
      community: 'public',
      write_community: 'private',
      enabled: true,
      utility_source: null,
      protected_outlets: '',
      recovery: { subnet_scan: true, subnet: '' },
      v3: { security_level: 'authPriv', auth_protocol: 'sha', priv_protocol: 'aes' },
    });
  });

  it('fills webhook events with every event and quiet_hours with null', () => {
    const w = expectConfig(loadYaml({ notify: { webhooks: [{ name: 'a', url: 'https://h.example/x' }] } })).notify.webhooks[0]!;
    expect(w.events).toContain('watchdog.gave_up');
    expect(w.events).toHaveLength(9);
    expect(w.quiet_hours).toBeNull();
  });
});

const device = (extra: object): object => ({ devices: [{ host: '10.0.0.1', ...extra }] });

// [name, config, issue path, message fragment, hint fragment]
const RANGE_CASES: Array<[string, object, string, string, string]> = [
  ['poll interval 0', device({ poll_interval_s: 0 }), 'devices[0].poll_interval_s', 'must be between 1 and 300 seconds (got 0)', 'use 1 for once per second'],
  ['poll interval 301', device({ poll_interval_s: 301 }), 'devices[0].poll_interval_s', 'between 1 and 300 seconds (got 301)', 'use 1'],
  ['poll interval not an integer', device({ poll_interval_s: 1.5 }), 'devices[0].poll_interval_s', 'whole number (got 1.5)', 'use 2'],
  ['device timeout low', device({ timeout_ms: 100 }), 'devices[0].timeout_ms', 'between 200 and 30000 ms (got 100)', 'use e.g. 800'],
  ['snmp timeout high', { snmp: { timeout_ms: 30001 } }, 'snmp.timeout_ms', 'between 200 and 30000 ms (got 30001)', 'use e.g. 800'],
  ['snmp retries 6', { snmp: { retries: 6 } }, 'snmp.retries', 'between 0 and 5 (got 6)', 'at most 5'],
  ['device retries -1', device({ retries: -1 }), 'devices[0].retries', 'between 0 and 5 (got -1)', 'use 0'],
  ['threshold 0', { outage: { threshold: 0 } }, 'outage.threshold', 'greater than 0 and at most 1 (got 0)', 'fraction'],
  ['threshold 1.5', { outage: { threshold: 1.5 } }, 'outage.threshold', 'greater than 0 and at most 1 (got 1.5)', 'fraction'],
  ['retention 0', { history: { retention_days: 0 } }, 'history.retention_days', 'between 1 and 3650 days (got 0)', '1 to 3650'],
  ['retention 3651', { history: { retention_days: 3651, raw_retention_days: 10 } }, 'history.retention_days', 'between 1 and 3650 days (got 3651)', '3650'],
  ['raw > retention', { history: { retention_days: 30, raw_retention_days: 60 } }, 'history.raw_retention_days', 'must not exceed history.retention_days (30; got 60)', 'lower raw_retention_days to 30'],
  ['web port', { web: { port: 70000 } }, 'web.port', 'between 0 and 65535 (got 70000)', 'use 65535'],
  ['reconnect max < min', { mqtt: { reconnect_min_s: 10, reconnect_max_s: 5 } }, 'mqtt.reconnect_max_s', 'must not be below reconnect_min_s (10)', 'raise reconnect_max_s'],
];

describe('range checks name the key, the limits and the fix', () => {
  it.each(RANGE_CASES)('%s', (_name, config, path, message, hint) => {
    const issue = issueAt(loadYaml(config), path);
    expect(issue.message).toContain(message);
    expect(issue.hint).toContain(hint);
    expect(formatIssue(issue)).toMatch(new RegExp(`^${path.replace(/[[\].]/g, '\\$&')}: `));
  });
});

// [name, config, issue path, message fragment]
const RULE_CASES: Array<[string, object, string, string]> = [
  ['host required when enabled', { devices: [{ kind: 'cyberpower' }] }, 'devices[0].host', 'is required for an enabled device'],
  ['id with a dot', device({ id: 'rack.1' }), 'devices[0].id', 'contains "."'],
  ['id "bridge"', device({ id: 'bridge' }), 'devices[0].id', 'reserved'],
  ['id too long', device({ id: 'x'.repeat(65) }), 'devices[0].id', 'at most 64'],
  ['duplicate ids', { devices: [{ id: 'a', host: 'h1' }, { id: 'a', host: 'h2' }] }, 'devices[1].id', 'duplicate device id "a"'],
  ['outlet spec empty item', device({ protected_outlets: '1,,2' }), 'devices[0].protected_outlets', 'empty item'],
  ['outlet spec backwards', device({ protected_outlets: '5-3' }), 'devices[0].protected_outlets', 'runs backwards'],
  ['outlet spec overlap', device({ protected_outlets: '1-5,3' }), 'devices[0].protected_outlets', 'overlaps'],
  ['outlet spec word', device({ protected_outlets: 'two' }), 'devices[0].protected_outlets', 'not a number or a range'],
  ['snmp v3 without user', device({ snmp_version: '3' }), 'devices[0].v3.username', 'is required with snmp_version "3"'],
  ['snmp_version as number', device({ snmp_version: 3 }), 'devices[0].snmp_version', 'must be "1", "2c" or "3" (got 3)'],
  ['switch target without url or ip', { switches: { targets: [{ name: 'a' }] } }, 'switches.targets[0].url', 'needs url or ip'],
  ['switch target bad url', { switches: { targets: [{ name: 'a', url: 'ftp://x/' }] } }, 'switches.targets[0].url', 'http:// or https://'],
  ['duplicate switch names', { switches: { targets: [{ name: 'a', ip: '1.2.3.4' }, { name: 'a', ip: '1.2.3.5' }] } }, 'switches.targets[1].name', 'duplicate switch name'],
  ['duplicate webhook names', { notify: { webhooks: [{ name: 'p', url: 'https://a.example/' }, { name: 'p', url: 'https://b.example/' }] } }, 'notify.webhooks[1].name', 'duplicate webhook name'],
  ['webhook url missing', { notify: { webhooks: [{ name: 'p' }] } }, 'notify.webhooks[0].url', 'is required'],
  ['webhook named mqtt', { notify: { webhooks: [{ name: 'mqtt', url: 'https://a.example/' }] } }, 'notify.webhooks[0].name', 'reserved'],
  ['quiet hours time', { notify: { webhooks: [{ name: 'p', url: 'https://a.example/', quiet_hours: { start: '25:00', end: '07:00' } }] } }, 'notify.webhooks[0].quiet_hours.start', 'HH:MM'],
  ['watchdog name with space', { watchdogs: [{ name: 'my modem', outlet: 2, target: 'x:80' }] }, 'watchdogs[0].name', 'contains " "'],
  ['duplicate watchdog names', { watchdogs: [{ name: 'w', outlet: 1, target: 'a:1' }, { name: 'w', outlet: 2, target: 'b:1' }] }, 'watchdogs[1].name', 'duplicate watchdog name'],
  ['watchdog cycle', { watchdogs: [{ name: 'a', outlet: 1, target: 'x:1', depends_on: 'b' }, { name: 'b', outlet: 2, target: 'y:1', depends_on: 'a' }] }, 'watchdogs[0].depends_on', 'cycle: a → b → a'],
  ['watchdog target host:port with a bad port', { watchdogs: [{ name: 'a', outlet: 1, target: 'modem:99999' }] }, 'watchdogs[0].target', '"modem:99999": the port must be 1-65535'],
  ['watchdog target neither URL, host:port nor switch name', { watchdogs: [{ name: 'a', outlet: 1, target: 'my modem' }] }, 'watchdogs[0].target', 'is neither a URL, a host:port nor a switch name'],
  ['watchdog on a protected outlet of the only device', { devices: [{ host: 'a', protected_outlets: '1-2' }], watchdogs: [{ name: 'a', outlet: 2, target: 'x:1' }] }, 'watchdogs[0].outlet', 'outlet 2 of pdu-01 is protected (devices[0].protected_outlets: "1-2")'],
  ['watchdog on a protected outlet of a named device', { devices: [{ id: 'rack', host: 'a' }, { id: 'lab', host: 'b', protected_outlets: 'all' }], watchdogs: [{ name: 'a', device: 'lab', outlet: 5, target: 'x:1' }] }, 'watchdogs[0].outlet', 'outlet 5 of lab is protected'],
  ['watchdog max_cycles 0', { watchdogs: [{ name: 'a', outlet: 1, target: 'x:1', max_cycles: 0 }] }, 'watchdogs[0].max_cycles', 'between 1 and 100'],
  ['duplicate web usernames', { web: { auth: { users: [{ username: 'u', password_hash: HASH }, { username: 'u', password_hash: HASH }] } } }, 'web.auth.users[1].username', 'duplicate username "u"'],
  ['shorthand user clashes', { web: { auth: { username: 'u', password_hash: HASH, users: [{ username: 'u', password_hash: HASH }] } } }, 'web.auth.username', 'duplicate username "u"'],
  ['duplicate broker usernames', { mqtt: { embedded: { users: [{ username: 'u', password_hash: HASH }, { username: 'u', password_hash: HASH }] } } }, 'mqtt.embedded.users[1].username', 'duplicate username'],
  ['password_hash not a hash', { web: { auth: { password_hash: 'hunter2' } } }, 'web.auth.password_hash', 'not a password hash'],
  ['plain-text password', { web: { auth: { password: 'hunter2' } } }, 'web.auth.password', 'plain-text passwords are not accepted'],
  ['bad time zone', { timezone: 'Mars/Olympus' }, 'timezone', 'not an IANA time zone'],
  ['broker url scheme', { mqtt: { url: 'http://broker:1883' } }, 'mqtt.url', 'unsupported scheme http://'],
  ['no broker at all', { mqtt: { embedded: { enabled: false } } }, 'mqtt.embedded.enabled', 'no broker to connect to'],
  ['enum typo', { log: { level: 'debg' } }, 'log.level', 'must be trace, debug, info, warn or error (got "debg")'],
  ['yes is not a boolean', { demo: { enabled: 'yes' } }, 'demo.enabled', 'must be auto, true or false (got "yes")'],
];

describe('validation beyond types (SPEC §4.2)', () => {
  it.each(RULE_CASES)('%s', (_name, config, path, message) => {
    const issue = issueAt(loadYaml(config), path);
    expect(issue.message).toContain(message);
    expect(issue.hint ?? '').not.toBe('');
  });

  it.each([
    ['a disabled device without host', { devices: [{ enabled: false }] }],
    ['outlet spec "", number, list, all', { devices: [{ host: 'a', protected_outlets: '' }, { host: 'b', protected_outlets: 3 }, { host: 'c', protected_outlets: '1, 3-5' }, { host: 'd', protected_outlets: 'all' }] }],
    ['poll interval at both limits', { devices: [{ host: 'a', poll_interval_s: 1 }, { host: 'b', poll_interval_s: 300 }] }],
    ['threshold 1 and retention 3650', { outage: { threshold: 1 }, history: { retention_days: 3650, raw_retention_days: 3650 } }],
    ['switch target with ip only', { switches: { targets: [{ name: 'a', ip: '192.168.1.2' }] } }],
    ['valid hashes and users', { web: { auth: { password_hash: HASH, users: [{ username: 'v', password_hash: HASH, role: 'viewer' }] } } }],
    ['a watchdog on an unprotected device next to a protected one', { devices: [{ id: 'rack', host: 'a', protected_outlets: 'all' }, { id: 'lab', host: 'b' }], watchdogs: [{ name: 'w', device: 'lab', outlet: 1, target: 'x:1' }] }],
    ['watchdog chain without a cycle', { watchdogs: [{ name: 'modem', outlet: 2, target: 'http://192.168.100.1/' }, { name: 'router', outlet: 3, target: 'r:80', depends_on: 'modem' }] }],
  ])('accepts %s', (_name, config) => {
    expectConfig(loadYaml(config));
  });

  it('reports every problem at once, not only the first', () => {
    const result = loadYaml({ devices: [{ poll_interval_s: 0 }], outage: { threshold: 2 } });
    expect(issueAt(result, 'devices[0].host')).toBeDefined();
    expect(issueAt(result, 'devices[0].poll_interval_s')).toBeDefined();
    expect(issueAt(result, 'outage.threshold')).toBeDefined();
  });

  it('never echoes a secret in a type error', () => {
    const issue = issueAt(loadYaml(device({ community: 987654 })), 'devices[0].community');
    expect(issue.message).toContain('must be a string (got a number)');
    expect(formatIssue(issue)).not.toContain('987654');
  });
});
