// Runtime settings (SPEC §14.2 PUT /api/config, precedence §3.1): parsing, the config layer and the service.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { parseSettingsUpdate, RUNTIME_SETTING_KEYS, settingPaths } from '../../../src/config/runtime-settings.js';
import { createSettingsService, type SettingsStorePort } from '../../../src/config/settings-service.js';
import type { SettingOrigin } from '../../../src/core/system.js';
import { expectOk, tempDir, writeFile } from './helpers.js';

describe('parseSettingsUpdate', () => {
  it.each([
    [{ 'log.level': 'debug' }, { 'log.level': 'debug' }],
    [{ 'history.retention_days': 30, 'snmp.retries': 2 }, { 'history.retention_days': 30, 'snmp.retries': 2 }],
    [{ 'devices[].poll_interval_s': 5, 'homeassistant.enabled': false }, { 'devices[].poll_interval_s': 5, 'homeassistant.enabled': false }],
  ])('accepts %j', (body, values) => {
    expect(parseSettingsUpdate(body)).toEqual({ ok: true, values });
  });

  it.each([
    [{ 'web.port': 9090 }, 'web.port', /cannot be changed at runtime: edit the config file/],
    [{ 'log.level': 'loud' }, 'log.level', /trace|debug/],
    [{ 'snmp.retries': 9 }, 'snmp.retries', /5/],
    [{ 'devices[].poll_interval_s': 0 }, 'devices[].poll_interval_s', /1/],
    [{ 'devices[].poll_interval_s': null }, 'devices[].poll_interval_s', /null/],
    [{ 'reports.enabled': 'yes' }, 'reports.enabled', /boolean/],
    [{}, '(body)', /no settings given/],
    [[1], '(body)', /expected an object/],
    ['log.level=debug', '(body)', /expected an object/],
  ])('refuses %j naming %s', (body, field, message) => {
    const r = parseSettingsUpdate(body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.field).toBe(field);
    expect(r.issues[0]?.message).toMatch(message);
  });

  it('reports every bad key, not only the first', () => {
    const r = parseSettingsUpdate({ 'web.port': 1, 'log.level': 'x', 'snmp.retries': 1 });
    expect(r.ok ? [] : r.issues.map((i) => i.field)).toEqual(['web.port', 'log.level']);
  });

  it('every key has a schema and a place in the config', () => {
    expect(RUNTIME_SETTING_KEYS).toHaveLength(8);
    expect(settingPaths('log.level', {})).toEqual([['log', 'level']]);
    expect(settingPaths('devices[].poll_interval_s', { devices: [{}, {}] })).toEqual([
      ['devices', 0, 'poll_interval_s'],
      ['devices', 1, 'poll_interval_s'],
    ]);
    expect(settingPaths('devices[].poll_interval_s', {})).toEqual([]);
  });
});

describe('the runtime layer of loadConfig (§3.1: file < runtime < env < cli)', () => {
  const file = { devices: [{ host: '10.0.0.5', community: 'c', write_community: 'w' }, { host: '10.0.0.6', community: 'c', write_community: 'w', poll_interval_s: 3 }], log: { level: 'warn' } };

  it('beats the file and the defaults, with origin runtime', () => {
    const dir = tempDir();
    writeFile(dir, 'config.yaml', file);
    const r = expectOk(loadConfig({ cwd: dir, env: {}, settings: { 'log.level': 'debug', 'devices[].poll_interval_s': 7, 'snmp.timeout_ms': 1500 } }));
    expect(r.config.log.level).toBe('debug');
    expect(r.config.devices.map((d) => d.poll_interval_s)).toEqual([7, 7]);
    expect(r.config.snmp.timeout_ms).toBe(1500);
    // A device without its own timeout takes snmp.timeout_ms, and its origin with it.
    expect(r.config.devices[0]?.timeout_ms).toBe(1500);
    expect(r.origins.get('log.level')).toBe('runtime');
    expect(r.origins.get('devices.1.poll_interval_s')).toBe('runtime');
    expect(r.origins.get('devices.0.timeout_ms')).toBe('runtime');
  });

  it('loses to env and CLI', () => {
    const dir = tempDir();
    writeFile(dir, 'config.yaml', file);
    const r = expectOk(loadConfig({
      cwd: dir, env: { POWER2MQTT_LOG__LEVEL: 'error' }, cli: { 'snmp.retries': 3 }, settings: { 'log.level': 'debug', 'snmp.retries': 1 },
    }));
    expect([r.config.log.level, r.config.snmp.retries]).toEqual(['error', 3]);
    expect([r.origins.get('log.level'), r.origins.get('snmp.retries')]).toEqual(['env', 'cli']);
  });

  it('skips a saved value that no longer validates, with a warning, and starts', () => {
    const dir = tempDir();
    const r = expectOk(loadConfig({ cwd: dir, env: {}, settings: { 'snmp.retries': 99, 'web.port': 1, 'log.level': 'debug' } }));
    expect(r.config.snmp.retries).toBe(0);
    expect(r.config.log.level).toBe('debug');
    expect(r.warnings.join('\n')).toMatch(/snmp\.retries = 99 is invalid .*ignored/);
    expect(r.warnings.join('\n')).toMatch(/web\.port is not a runtime setting any more: ignored/);
  });
});

describe('createSettingsService', () => {
  function setup(origins: Record<string, SettingOrigin> = {}) {
    const saved: Record<string, unknown> = {};
    const store: SettingsStorePort = { all: () => ({ ...saved }), save: (v) => Object.assign(saved, v) };
    const running: Record<string, unknown> = { 'log.level': 'info', 'history.retention_days': 730, 'snmp.retries': 0, 'devices[].poll_interval_s': 1 };
    const applied: Array<[string, unknown]> = [];
    const svc = createSettingsService({
      store, origins: new Map(Object.entries(origins)), nowS: () => 1000,
      running: (k) => running[k] ?? null,
      apply: {
        'log.level': (v) => (applied.push(['log.level', v]), (running['log.level'] = v)),
        'history.retention_days': (v) => (applied.push(['history.retention_days', v]), (running['history.retention_days'] = v)),
      },
    });
    return { svc, saved, applied };
  }

  it('applies live keys at once and lists restart keys until the process runs with them', () => {
    const { svc, saved, applied } = setup();
    const r = svc.update({ 'log.level': 'debug', 'snmp.retries': 2 });
    expect(saved).toEqual({ 'log.level': 'debug', 'snmp.retries': 2 });
    expect(applied).toEqual([['log.level', 'debug']]);
    expect(r).toEqual({ updated: { 'log.level': 'debug', 'snmp.retries': 2 }, overridden_by_env: [], restart_required: ['snmp.retries'] });
    const view = Object.fromEntries(svc.list().map((s) => [s.key, s]));
    expect(view['log.level']).toMatchObject({ value: 'debug', running: 'debug', origin: 'runtime', effect: 'live' });
    expect(view['snmp.retries']).toMatchObject({ value: 2, running: 0, origin: 'runtime', effect: 'restart' });
    expect(view['history.retention_days']).toMatchObject({ value: 730, origin: 'default' });
  });

  it('saves but does not apply a key held by env (or a flag), and says so', () => {
    const { svc, applied } = setup({ 'log.level': 'env', 'devices.0.poll_interval_s': 'cli' });
    const r = svc.update({ 'log.level': 'trace', 'devices[].poll_interval_s': 4 });
    expect(applied).toEqual([]);
    expect(r.overridden_by_env).toEqual(['log.level', 'devices[].poll_interval_s']);
    expect(r.restart_required).toEqual([]);
    expect(svc.list().find((s) => s.key === 'log.level')).toMatchObject({ value: 'info', origin: 'env' });
  });

  it('a restart key saved with the value it runs with is not pending', () => {
    const { svc } = setup();
    expect(svc.update({ 'devices[].poll_interval_s': 1 }).restart_required).toEqual([]);
  });
});
