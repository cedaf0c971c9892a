// Resolution of `auto`, device ids and per-device nulls (SPEC §3.1, §4.2, §5).
import { describe, expect, it } from 'vitest';
import { assignDeviceIds, resolveConfig } from '../../../src/config/resolve.js';
import { configSchema } from '../../../src/config/schema.js';
import { expectConfig, loadYaml } from './helpers.js';

const parse = (input: object) => configSchema.parse(input);

describe('demo.enabled: auto (§3.1)', () => {
  it.each([
    ['no file → demo', false, 'auto', true],
    ['file loaded → no demo', true, 'auto', false],
    ['forced on with a file', true, true, true],
    ['forced off without a file', false, false, false],
  ] as const)('%s', (_name, fileLoaded, enabled, expected) => {
    expect(resolveConfig(parse({ demo: { enabled } }), { fileLoaded }).demo.enabled).toBe(expected);
  });

  it('is true when loadConfig finds no file, false when it loads one', () => {
    expect(expectConfig(loadYaml(null)).demo.enabled).toBe(true);
    expect(expectConfig(loadYaml('log:\n  level: info\n')).demo.enabled).toBe(false);
  });
});

describe('mqtt.embedded.enabled: auto', () => {
  it.each([
    ['empty url → embedded broker', '', 'auto', true],
    ['external url → no embedded broker', 'mqtt://broker:1883', 'auto', false],
    ['forced on next to an external broker', 'mqtt://broker:1883', true, true],
  ] as const)('%s', (_name, url, enabled, expected) => {
    const config = resolveConfig(parse({ mqtt: { url, embedded: { enabled } } }), { fileLoaded: true });
    expect(config.mqtt.embedded.enabled).toBe(expected);
  });
});

describe('device ids (§5)', () => {
  it.each([
    [['', ''], ['pdu-01', 'pdu-02']],
    [['pdu-01', ''], ['pdu-01', 'pdu-02']],
    [['', 'pdu-01'], ['pdu-02', 'pdu-01']],
    [['', 'pdu-02', ''], ['pdu-01', 'pdu-02', 'pdu-03']],
    [['rack', '', 'pdu-03', ''], ['rack', 'pdu-01', 'pdu-03', 'pdu-02']],
  ])('%j → %j', (ids, expected) => {
    expect(assignDeviceIds(ids)).toEqual(expected);
  });

  it('keeps counting past 99', () => {
    expect(assignDeviceIds(Array.from({ length: 100 }, () => '')).at(-1)).toBe('pdu-100');
  });

  it('assigns ids through loadConfig', () => {
    const config = expectConfig(loadYaml({ devices: [{ host: 'a' }, { id: 'pdu-01', host: 'b' }] }));
    expect(config.devices.map((d) => d.id)).toEqual(['pdu-02', 'pdu-01']);
  });
});

describe('per-device fallbacks', () => {
  it.each([
    ['cyberpower', 161, 1],
    ['kasa', 9999, 2],
    ['shelly', 80, 2],
    ['tasmota', 80, 2],
  ] as const)('%s: port %i, poll every %i s', (kind, port, poll) => {
    const [d] = resolveConfig(parse({ devices: [{ kind, host: 'h' }] }), { fileLoaded: true }).devices;
    expect(d).toMatchObject({ port, poll_interval_s: poll });
  });

  it('takes profile, timeout_ms and retries from snmp when null', () => {
    const config = resolveConfig(
      parse({ snmp: { profile: 'original', timeout_ms: 1500, retries: 2 }, devices: [{ host: 'a' }, { host: 'b', profile: 'cps-mib', timeout_ms: 300, retries: 0 }] }),
      { fileLoaded: true },
    );
    expect(config.devices[0]).toMatchObject({ profile: 'original', timeout_ms: 1500, retries: 2 });
    expect(config.devices[1]).toMatchObject({ profile: 'cps-mib', timeout_ms: 300, retries: 0 });
  });

  it('keeps explicit port and poll interval', () => {
    const [d] = resolveConfig(parse({ devices: [{ host: 'a', port: 1161, poll_interval_s: 5 }] }), { fileLoaded: true }).devices;
    expect(d).toMatchObject({ port: 1161, poll_interval_s: 5 });
  });

  it.each([
    ['', ''],
    [3, '3'],
    [' 1, 3 - 5 ', '1,3-5'],
    ['ALL', 'all'],
  ])('normalises protected_outlets %j to %j', (input, expected) => {
    const [d] = resolveConfig(parse({ devices: [{ host: 'a', protected_outlets: input }] }), { fileLoaded: true }).devices;
    expect(d?.protected_outlets).toBe(expected);
  });
});
