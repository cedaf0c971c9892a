import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CPS_MIB_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { kasaChildOutlet, kasaIdentity, kasaSingleOutlet } from '../../../src/devices/plug/kasa/driver.js';
import { KASA_CHILD_ROWS, KASA_EMETER_ROWS, KASA_SINGLE_ROWS } from '../../../src/devices/plug/kasa/mapping.js';
import { decodeRows, toNumber, toOnOff, type PlugMapRow } from '../../../src/devices/plug/mapping.js';
import { shellyGen1Outlets, shellyGen2Outlets } from '../../../src/devices/plug/shelly/driver.js';
import { SHELLY_GEN1_METER_ROWS, SHELLY_GEN1_RELAY_ROWS, SHELLY_GEN2_ROWS } from '../../../src/devices/plug/shelly/mapping.js';
import { tasmotaOutlets, tasmotaRelays } from '../../../src/devices/plug/tasmota/driver.js';
import { TASMOTA_ENERGY_ROWS } from '../../../src/devices/plug/tasmota/mapping.js';

type Fixture = { _source: string; response: Record<string, unknown>; expected: Record<string, unknown> };
const fixture = (p: string): Fixture => JSON.parse(readFileSync(new URL(`../../fixtures/plugs/${p}`, import.meta.url), 'utf8')) as Fixture;
const close = (a: number | null | undefined, b: unknown): void => expect(a).toBeCloseTo(b as number, 6);

const TABLES: Array<[string, readonly PlugMapRow[]]> = [
  ['kasa single', KASA_SINGLE_ROWS], ['kasa child', KASA_CHILD_ROWS], ['kasa emeter', KASA_EMETER_ROWS],
  ['shelly switch', SHELLY_GEN2_ROWS.switch], ['shelly pm1', SHELLY_GEN2_ROWS.pm1], ['shelly em1', SHELLY_GEN2_ROWS.em1],
  ['shelly gen1 relay', SHELLY_GEN1_RELAY_ROWS], ['shelly gen1 meter', SHELLY_GEN1_METER_ROWS], ['tasmota energy', TASMOTA_ENERGY_ROWS],
];
const HA_SUFFIXES = new Set(CPS_MIB_PROFILE.rows.flatMap((r) => (r.ha ? [r.ha.suffix] : [])));
const UNIT_OF_SUFFIX = new Map(CPS_MIB_PROFILE.rows.flatMap((r) => (r.ha ? [[r.ha.suffix, r.unit]] : [])));

describe('plug mapping tables', () => {
  it.each(TABLES)('%s: every row is documented, HA-linked to an existing entity with the same unit', (_n, rows) => {
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.source).not.toBe('');
      if (r.ha) {
        expect(HA_SUFFIXES.has(r.ha)).toBe(true);
        if (r.unit) expect(UNIT_OF_SUFFIX.get(r.ha)).toBe(r.unit);
      }
      if (r.kind === 'number') expect(r.unit).toBeDefined();
    }
  });

  it.each([
    [45, 45], ['45', 45], [' 0.244 ', 0.244], ['1e3', 1000], ['', null], ['4 5', null], ['ON', null], [null, null], [Number.NaN, null], [true, null],
  ])('toNumber(%j) = %j', (v, n) => {
    expect(toNumber(v)).toBe(n);
  });

  it.each([[true, 'on'], [0, 'off'], ['ON', 'on'], ['off', 'off'], [2, null], ['toggle', null]])('toOnOff(%j) = %j', (v, s) => {
    expect(toOnOff(v)).toBe(s);
  });

  it('a value out of range or of the wrong type is an error and stays absent', () => {
    const errors: Array<{ field: string; problem: string }> = [];
    const d = decodeRows(KASA_EMETER_ROWS, { emeter: { get_realtime: { power_mw: 99_999_999_999, voltage_mv: 'x', current_ma: 5 } } }, errors);
    expect(d.power).toBeUndefined();
    expect(d.voltage).toBeUndefined();
    expect(d.current).toBeCloseTo(0.005);
    expect(errors.map((e) => e.field).sort()).toEqual(['emeter.get_realtime.power_mw', 'emeter.get_realtime.voltage_mv']);
  });
});

describe('Kasa identity', () => {
  it.each([
    [{ mac: 'AA:BB:CC:00:11:22', deviceId: 'DEV1' }, 'AA:BB:CC:00:11:22', 'DEV1'],
    [{ mic_mac: 'AABBCC001122', deviceId: 'DEV2' }, 'AABBCC001122', 'DEV2'],
    [{ mac: 'AA:BB:CC:00:11:22' }, 'AA:BB:CC:00:11:22', 'AA:BB:CC:00:11:22'], // no deviceId: the serial stands in
    [{ deviceId: 'DEV3' }, 'DEV3', 'DEV3'],
  ])('%j → serial %s, hardware id %s', (sys, serial, hardwareId) => {
    expect(kasaIdentity(sys)).toMatchObject({ serial, hardwareId });
  });
});

describe('Kasa fixtures (both unit schemes)', () => {
  it.each(['kasa/HS110-EU-1.0-1.2.5.json', 'kasa/KP115-US-1.0-1.0.21.json'])('%s decodes to one outlet in SI units', (file) => {
    const f = fixture(file);
    const e = f.expected;
    const sys = (f.response.system as { get_sysinfo: Record<string, unknown> }).get_sysinfo;
    // The captures mask deviceId as 40 zeros: it is still the plug's hardware id (SPEC §10.1), the MAC its serial.
    expect(kasaIdentity(sys)).toMatchObject({ manufacturer: 'TP-Link', model: e.model, serial: e.serial, firmware: e.firmware, hardwareId: sys.deviceId });
    expect(sys.deviceId).toMatch(/^[0-9A-F]{40}$/);
    const errors: Array<{ field: string; problem: string }> = [];
    const o = kasaSingleOutlet(f.response, errors);
    expect(errors).toEqual([]);
    expect(o.state).toBe(e.state);
    close(o.power, e.power);
    close(o.current, e.current);
    close(o.voltage, e.voltage);
    close(o.energy, e.energy);
  });

  it('HS300: six children, each metered through its own answer (mV/mA/mW/Wh)', () => {
    const f = fixture('kasa/HS300-US-2.0-1.0.12.json');
    const sys = (f.response.system as { get_sysinfo: { children: unknown[] } }).get_sysinfo;
    expect(sys.children).toHaveLength(f.expected.outlets as number);
    const errors: Array<{ field: string; problem: string }> = [];
    const o = kasaChildOutlet(sys.children[0], { emeter: f.response.emeter }, 1, errors);
    expect(errors).toEqual([]);
    expect(o).toMatchObject({ state: 'on', name: '#MASKED_NAME#' });
    close(o.power, f.expected.child_power);
    close(o.current, f.expected.child_current);
    close(o.voltage, f.expected.child_voltage);
    close(o.energy, f.expected.child_energy);
    const unmetered = kasaChildOutlet(sys.children[1], { emeter: { get_realtime: { err_code: -1, err_msg: 'module not support' } } }, 2, errors);
    expect(unmetered.power).toBeNull();
  });
});

describe('Shelly fixtures', () => {
  it('Gen2 switch:N → outlets 1..4 (aenergy Wh → kWh; no current on this model)', () => {
    const f = fixture('shelly/pro-4pm-gen2-status.json');
    const errors: Array<{ field: string; problem: string }> = [];
    const { outlets, refs } = shellyGen2Outlets(f.response, errors);
    expect(errors).toEqual([]);
    expect(refs.map((r) => `${r.component}:${r.id}`)).toEqual(['switch:0', 'switch:1', 'switch:2', 'switch:3']);
    expect(outlets.map((o) => o.state)).toEqual(f.expected.states);
    close(outlets[0]?.power, f.expected.power);
    close(outlets[0]?.voltage, f.expected.voltage);
    expect(outlets[0]?.current).toBeNull();
    (f.expected.energy as number[]).forEach((e, i) => close(outlets[i]?.energy, e));
    expect(outlets[0]?.name).toBe('Switch 0');
    expect(outlets.every((o) => o.switchable === undefined), 'switch:N has a relay').toBe(true);
  });

  it('Gen2 em1:N with em1data totals → meter outlets without a relay', () => {
    const f = fixture('shelly/pro-em-gen2-em1.json');
    const errors: Array<{ field: string; problem: string }> = [];
    const { outlets, refs } = shellyGen2Outlets(f.response, errors);
    expect(errors).toEqual([]);
    expect(refs.map((r) => `${r.component}:${r.id}`)).toEqual(['em1:0', 'em1:1']);
    expect(outlets.map((o) => o.state)).toEqual(['unknown', 'unknown']);
    (f.expected.power as number[]).forEach((p, i) => close(outlets[i]?.power, p));
    (f.expected.energy as number[]).forEach((p, i) => close(outlets[i]?.energy, p));
    expect(outlets[1]?.frequency).toBe(f.expected.frequency);
    expect(outlets.map((o) => o.switchable)).toEqual([false, false]);
  });

  it('Gen2 outlet order: switch, then pm1, then em1, each by numeric id; other keys ignored', () => {
    const c = { apower: 1 };
    const status = {
      'em1:1': c, 'em1data:1': { total_act_energy: 1 }, 'switch:10': { output: true }, 'pm1:0': c, 'switch:2': { output: false },
      'switch:x': c, 'xswitch:1': c, 'switch:3a': c, 'em1:0': c, sys: {}, 'input:0': { state: false },
    };
    const { refs } = shellyGen2Outlets(status, []);
    expect(refs.map((r) => `${r.component}:${r.id}`)).toEqual(['switch:2', 'switch:10', 'pm1:0', 'em1:0', 'em1:1']);
  });

  it('Gen2 component with a null or non-object body: an outlet with nothing decoded, never a throw', () => {
    const { outlets } = shellyGen2Outlets({ 'switch:0': null, 'pm1:0': 5, 'em1:0': 'x' }, []);
    expect(outlets.map((o) => [o.name, o.state, o.power])).toEqual([['Switch 0', 'unknown', null], ['Meter 0', 'unknown', null], ['Meter 0', 'unknown', null]]);
  });

  it('Gen2 pm1:N (a meter, e.g. Shelly PM Mini) → an outlet that cannot be switched; switch:N next to it can', () => {
    const errors: Array<{ field: string; problem: string }> = [];
    const status = {
      'switch:0': { id: 0, output: true, apower: 5, voltage: 231, freq: 50, aenergy: { total: 10 } },
      'pm1:0': { id: 0, apower: 12.5, voltage: 231.2, current: 0.06, freq: 50, aenergy: { total: 1500 } },
    };
    const { outlets, refs } = shellyGen2Outlets(status, errors);
    expect(errors).toEqual([]);
    expect(refs.map((r) => `${r.component}:${r.id}`)).toEqual(['switch:0', 'pm1:0']);
    expect(outlets.map((o) => [o.state, o.switchable])).toEqual([['on', undefined], ['unknown', false]]);
    close(outlets[1]?.energy, 1.5);
  });

  it('Gen1 /status: relays + meters (watt-minutes → kWh)', () => {
    const f = fixture('shelly/plug-s-gen1-status.json');
    const errors: Array<{ field: string; problem: string }> = [];
    const outlets = shellyGen1Outlets(f.response, errors);
    expect(errors).toEqual([]);
    expect(outlets).toHaveLength(1);
    expect(outlets[0]?.state).toBe('off');
    expect(outlets[0]?.switchable).toBeUndefined();
    close(outlets[0]?.energy, f.expected.energy);
  });
});

describe('Tasmota fixtures: numbers or strings', () => {
  it.each(['tasmota/status10-numbers.json', 'tasmota/status10-strings.json'])('%s', (file) => {
    const f = fixture(file);
    const errors: Array<{ field: string; problem: string }> = [];
    const energy = (f.response.StatusSNS as { ENERGY: Record<string, unknown> }).ENERGY;
    const [o] = tasmotaOutlets(['on'], energy, errors);
    expect(errors).toEqual([]);
    expect(o?.state).toBe('on');
    close(o?.power, f.expected.power);
    close(o?.voltage, f.expected.voltage);
    close(o?.current, f.expected.current);
    close(o?.energy, f.expected.energy);
  });

  it('multi-channel arrays become one outlet per channel', () => {
    const outlets = tasmotaOutlets(['on', 'off'], { Power: [10, '0'], Voltage: 231, Total: ['1.5', 2] }, []);
    expect(outlets.map((o) => [o.state, o.power, o.energy])).toEqual([['on', 10, 1.5], ['off', 0, 2]]);
    expect(outlets[0]?.voltage).toBe(231);
  });

  it.each([
    [{ POWER: 'ON' }, ['on']],
    [{ POWER1: 'OFF', POWER2: 'ON' }, ['off', 'on']],
    [{ POWER: 'weird' }, ['unknown']],
    [{}, []],
  ])('relays of %j', (sts, states) => {
    expect(tasmotaRelays(sts)).toEqual(states);
  });
});
