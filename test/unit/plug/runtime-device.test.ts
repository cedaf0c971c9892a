// Runtime devices (`device/add`, `POST /api/pdus`, SPEC §9.3): a PDU or a metered plug, checked
// by one pure function; a setting the kind does not use is refused, naming it.
import { describe, expect, it } from 'vitest';
import { configSchema, resolveConfig } from '../../../src/config/index.js';
import type { RuntimeDeviceSpec } from '../../../src/core/ports.js';
import { runtimePlugSettings } from '../../../src/devices/plug/settings.js';
import { validateRuntimeDevice } from '../../../src/devices/runtime-device.js';

const spec = (o: Partial<RuntimeDeviceSpec> & Record<string, unknown>): RuntimeDeviceSpec => ({ host: '192.168.1.20', ...o }) as RuntimeDeviceSpec;

describe('validateRuntimeDevice: kinds', () => {
  it.each<[string, RuntimeDeviceSpec]>([
    ['a PDU without kind', spec({ community: 'public', utility_source: 'A' })],
    ['a PDU with kind cyberpower', spec({ kind: 'cyberpower', snmp_version: '1' })],
    ['a Kasa plug', spec({ kind: 'kasa', poll_interval_s: 1 })],
    ['a Shelly plug with a password and role sensor', spec({ kind: 'shelly', password: 'secret', role: 'sensor', port: 8080 })],
    ['a Tasmota plug with a password', spec({ kind: 'tasmota', password: 'x', role: '' })],
    ['a plug with utility_source null (absent)', spec({ kind: 'kasa', utility_source: null })],
    ['a PDU with an empty password', spec({ password: '' })],
  ])('accepts %s', (_n, s) => {
    const r = validateRuntimeDevice(s, []);
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (r.ok) expect(r.spec).toMatchObject({ ...s, id: 'pdu-01' });
  });

  it.each<[string, RuntimeDeviceSpec, string, RegExp]>([
    ['an unknown kind', spec({ kind: 'tapo' as never }), 'kind', /one of cyberpower, kasa, shelly, tasmota/],
    ['a community on a plug', spec({ kind: 'kasa', community: 'public' }), 'community', /SNMP setting: a kasa plug/],
    ['an SNMP version on a plug', spec({ kind: 'shelly', snmp_version: '2c' }), 'snmp_version', /SNMP setting/],
    ['a utility source on a plug', spec({ kind: 'tasmota', utility_source: 'A' }), 'utility_source', /SNMP setting/],
    ['a password on a Kasa plug', spec({ kind: 'kasa', password: 'x' }), 'password', /only Shelly and Tasmota/],
    ['a password on a PDU', spec({ password: 'x' }), 'password', /only Shelly and Tasmota/],
    ['a password that is not text', spec({ kind: 'shelly', password: 5 as never }), 'password', /must be a string/],
    ['an unknown role', spec({ kind: 'shelly', role: 'control' as never }), 'role', /"sensor" or ""/],
    ['role sensor on a PDU', spec({ role: 'sensor' }), 'role', /only plugs count as outage sensors/],
    ['a plug without host', spec({ kind: 'shelly', host: ' ' }), 'host', /is required/],
    ['a poll interval of 0.5 s', spec({ kind: 'kasa', poll_interval_s: 0.5 }), 'poll_interval_s', /1\.\.300/],
  ])('refuses %s, naming the field', (_n, s, field, error) => {
    const r = validateRuntimeDevice(s, []);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.error.startsWith(`${field}: `)).toBe(true);
      expect(r.error).toMatch(error);
    }
  });
});

describe('runtimePlugSettings: the config file defaults per kind', () => {
  const config = resolveConfig(configSchema.parse({}), { fileLoaded: true });
  it.each([
    ['kasa', {}, { port: 9999, pollIntervalMs: 2000, password: '', role: '' }],
    ['shelly', { password: 'pw', role: 'sensor' as const }, { port: 80, pollIntervalMs: 2000, password: 'pw', role: 'sensor' }],
    ['tasmota', { port: 8081, poll_interval_s: 5 }, { port: 8081, pollIntervalMs: 5000 }],
  ] as const)('%s', (kind, extra, want) => {
    const s = runtimePlugSettings(config, { id: 'p', host: '10.0.0.9', kind, ...extra });
    expect(s).toMatchObject({ id: 'p', kind, host: '10.0.0.9', label: '', fromConfig: false, homeassistant: true, utilitySource: null, ...want });
    expect(s.timeoutMs).toBeGreaterThanOrEqual(s.pollIntervalMs * 0.9);
    expect(s.protectedOutlets.size).toBe(0);
  });
});
