// File discovery (§3.1), YAML errors, unknown keys and warnings.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { expectConfig, expectIssues, expectOk, issueAt, loadYaml, tempDir, writeFile } from './helpers.js';

describe('config discovery (§3.1)', () => {
  it('uses an explicit configPath, relative to cwd, over env and ./config.yaml', () => {
    const dir = tempDir();
    writeFile(dir, 'config.yaml', { log: { level: 'warn' } });
    writeFile(dir, 'env.yaml', { log: { level: 'error' } });
    const file = writeFile(dir, 'cli.yaml', { log: { level: 'debug' } });
    const result = expectOk(loadConfig({ cwd: dir, configPath: 'cli.yaml', env: { POWER2MQTT_CONFIG: 'env.yaml' } }));
    expect(result.file).toBe(file);
    expect(result.config.log.level).toBe('debug');
  });

  it('uses POWER2MQTT_CONFIG over ./config.yaml', () => {
    const dir = tempDir();
    writeFile(dir, 'config.yaml', { log: { level: 'warn' } });
    const file = writeFile(dir, 'other.yaml', { log: { level: 'error' } });
    const result = expectOk(loadConfig({ cwd: dir, env: { POWER2MQTT_CONFIG: file } }));
    expect(result.file).toBe(file);
    expect(result.config.log.level).toBe('error');
  });

  it('finds ./config.yaml in cwd', () => {
    const dir = tempDir();
    const file = writeFile(dir, 'config.yaml', { log: { level: 'warn' } });
    expect(expectOk(loadConfig({ cwd: dir, env: {} })).file).toBe(file);
  });

  it('runs the demo when there is no file and none is named', () => {
    const result = expectOk(loadConfig({ cwd: tempDir(), env: {} }));
    expect(result.file).toBeNull();
    expect(result.config.demo.enabled).toBe(true);
    expect(result.config.devices).toEqual([]);
  });

  it.each([
    ['--config', { configPath: 'missing.yaml' }, {}],
    ['POWER2MQTT_CONFIG', {}, { POWER2MQTT_CONFIG: 'missing.yaml' }],
  ])('a missing file named by %s is an error, never a silent demo', (source, opts, env) => {
    const dir = tempDir();
    const result = loadConfig({ cwd: dir, env, ...opts });
    const issue = issueAt(result, source);
    expect(issue.message).toBe(`config file not found: ${path.join(dir, 'missing.yaml')}`);
    expect(issue.hint).toContain('check the path');
  });

  it('a directory named as the config file is an error', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'conf'));
    expect(issueAt(loadConfig({ cwd: dir, configPath: 'conf', env: {} }), '--config').message).toContain('is a directory');
  });
});

describe('YAML parsing', () => {
  it.each([
    ['bad indentation', 'mqtt:\n  url: ""\n   bad: 1\n', 3],
    ['tab indentation', 'log:\n\tlevel: info\n', 2],
    ['duplicate key', 'log:\n  level: info\n  level: warn\n', 3],
    ['unclosed quote', 'log:\n  level: info\nmqtt:\n  url: "abc\n', 5],
  ])('%s → issue with the file, line and column', (_name, text, line) => {
    const dir = tempDir();
    const file = writeFile(dir, 'config.yaml', text);
    const issues = expectIssues(loadConfig({ cwd: dir, env: {} }));
    expect(issues[0]?.path).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+$`));
    expect(issues[0]?.message).toMatch(/^YAML syntax error: /);
    expect(issues[0]?.hint).toBeTruthy();
  });

  it('an empty file means all defaults (but not the demo)', () => {
    const config = expectConfig(loadYaml('# nothing yet\n'));
    expect(config.web.port).toBe(8080);
    expect(config.demo.enabled).toBe(false);
  });

  it('a section whose keys are all commented out means its defaults', () => {
    expect(expectConfig(loadYaml('mqtt:\n  # url: mqtt://x\ndevices:\n')).mqtt.base_topic).toBe('pdu');
  });

  it('an alias bomb is an issue, not a crash', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'];
    expect(expectIssues(loadYaml(`${bomb.join('\n')}\n`))[0]?.message).toContain('cannot read the YAML');
  });

  it.each([
    ['mqtt:\n  password: !secret mqtt_password\n', 'mqtt.password', '!secret'],
    ['devices:\n  - host: 10.0.0.5\n    community: !env PDU_COMMUNITY\n', 'devices[0].community', '!env'],
    ['web: !include web.yaml\n', 'web', '!include'],
    ['!foo\nmqtt: {}\n', '(top level)', '!foo'],
  ])('an unknown YAML tag is an issue naming the key, not a silently loaded text (%#)', (text, path, tag) => {
    const issues = expectIssues(loadYaml(text));
    expect(issues).toEqual([{ path, message: `unknown YAML tag ${tag}: power2mqtt reads plain YAML values`, hint: expect.stringMatching(/POWER2MQTT_MQTT__PASSWORD/) }]);
  });

  it('YAML\'s own tags load as usual', () => {
    expect(expectConfig(loadYaml('mqtt:\n  base_topic: !!str pdu2\nweb:\n  port: !!int "8081"\n')).web.port).toBe(8081);
  });

  it('a file that is not a mapping is an issue', () => {
    expect(expectIssues(loadYaml('- a\n- b\n'))[0]?.message).toContain('must be a mapping of sections');
  });
});

describe('unknown keys (typos) are errors', () => {
  it.each([
    ['top level', { mqttt: { url: '' } }, 'mqttt', 'did you mean mqtt?'],
    ['in a section', { mqtt: { urll: '' } }, 'mqtt.urll', 'did you mean url?'],
    ['in a list item', { devices: [{ host: 'a', comunity: 'x' }] }, 'devices[0].comunity', 'did you mean community?'],
    ['nested', { web: { auth: { session_timeout: 60 } } }, 'web.auth.session_timeout', 'did you mean session_timeout_s?'],
    ['nothing close', { log: { colour: true } }, 'log.colour', 'valid keys under log: level, buffer'],
  ])('%s', (_name, config, path, hint) => {
    const issue = issueAt(loadYaml(config), path);
    expect(issue.message).toBe('is not a known key');
    expect(issue.hint).toBe(hint);
  });
});

describe('warnings', () => {
  it('warns about factory-default communities of real PDUs', () => {
    const result = expectOk(loadYaml({ devices: [{ id: 'rack', host: 'a' }, { host: 'b', community: 'c0mm', write_community: '' }] }));
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toContain('devices[0].community (rack) is the factory default read community "public"');
    expect(result.warnings[1]).toContain('devices[0].write_community (rack)');
  });

  it.each([
    ['a disabled device', { enabled: false }],
    ['a plug', { kind: 'shelly' }],
    ['SNMPv3', { snmp_version: '3', v3: { username: 'u', auth_key: 'authkey123', priv_key: 'privkey123' } }],
  ])('does not warn for %s', (_name, extra) => {
    expect(expectOk(loadYaml({ devices: [{ host: 'a', ...extra }] })).warnings).toEqual([]);
  });
});
