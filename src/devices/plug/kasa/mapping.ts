import type { PlugMapRow } from '../mapping.js';

// Kasa legacy protocol (IOT.SMARTPLUGSWITCH): where each value sits in `system.get_sysinfo` and
// `emeter.get_realtime`. Older hardware (HS110 v1) answers V/A/W/kWh as floats; newer firmware
// (HS110 v2+, KP115, KP125, HS300, EP25 v1) answers mV/mA/mW/Wh as integers. Both are listed:
// the first present row of a metric wins (mapping.ts). Field names as seen in the fixtures
// under test/fixtures/plugs/kasa/.

const SYSINFO = 'system.get_sysinfo';
const REALTIME = 'emeter.get_realtime';

/** A single-outlet plug: its one relay and alias live in sysinfo. */
export const KASA_SINGLE_ROWS: readonly PlugMapRow[] = [
  { path: `${SYSINFO}.alias`, metric: 'name', kind: 'string', source: 'system.get_sysinfo alias' },
  { path: `${SYSINFO}.relay_state`, metric: 'state', kind: 'onoff', ha: 'outlet_{n}', source: 'system.get_sysinfo relay_state (1 = on)' },
];

/** One child of a strip (HS300, KP303, KP400): `system.get_sysinfo.children[i]`. */
export const KASA_CHILD_ROWS: readonly PlugMapRow[] = [
  { path: 'alias', metric: 'name', kind: 'string', source: 'children[].alias' },
  { path: 'state', metric: 'state', kind: 'onoff', ha: 'outlet_{n}', source: 'children[].state (1 = on)' },
];

/** Realtime meter, relative to the response object (the device's, or a child's via context.child_ids). */
export const KASA_EMETER_ROWS: readonly PlugMapRow[] = [
  { path: `${REALTIME}.power`, metric: 'power', kind: 'number', unit: 'W', range: [0, 20_000], ha: 'outlet_{n}_power', source: 'get_realtime power (W, old hw)' },
  { path: `${REALTIME}.power_mw`, metric: 'power', kind: 'number', scale: 1000, unit: 'W', range: [0, 20_000], ha: 'outlet_{n}_power', source: 'get_realtime power_mw (mW)' },
  { path: `${REALTIME}.current`, metric: 'current', kind: 'number', unit: 'A', range: [0, 100], ha: 'outlet_{n}_current', source: 'get_realtime current (A, old hw)' },
  { path: `${REALTIME}.current_ma`, metric: 'current', kind: 'number', scale: 1000, unit: 'A', range: [0, 100], ha: 'outlet_{n}_current', source: 'get_realtime current_ma (mA)' },
  { path: `${REALTIME}.voltage`, metric: 'voltage', kind: 'number', unit: 'V', range: [0, 500], ha: 'input_voltage', source: 'get_realtime voltage (V, old hw)' },
  { path: `${REALTIME}.voltage_mv`, metric: 'voltage', kind: 'number', scale: 1000, unit: 'V', range: [0, 500], ha: 'input_voltage', source: 'get_realtime voltage_mv (mV)' },
  { path: `${REALTIME}.total`, metric: 'energy', kind: 'number', unit: 'kWh', range: [0, 10_000_000], ha: 'outlet_{n}_energy', source: 'get_realtime total (kWh, old hw)' },
  { path: `${REALTIME}.total_wh`, metric: 'energy', kind: 'number', scale: 1000, unit: 'kWh', range: [0, 10_000_000], ha: 'outlet_{n}_energy', source: 'get_realtime total_wh (Wh)' },
];

/** Identity fields of sysinfo (read every poll: it is the same request as the relay state). */
export const KASA_IDENTITY = {
  name: 'alias',
  model: 'model',
  firmware: 'sw_ver',
  hardware: 'hw_ver',
  /** MAC: `mac` on plugs, `mic_mac` on some older firmware; `deviceId` as the last resort. */
  serial: ['mac', 'mic_mac', 'deviceId'],
  /** The stem of the plug's Home Assistant unique_ids (SPEC §10.1). */
  hardwareId: 'deviceId',
} as const;

/** Requests of the legacy protocol (JSON before encryption). */
export const KASA_REQUESTS = {
  sysinfoAndMeter: { system: { get_sysinfo: {} }, emeter: { get_realtime: {} } },
  childMeter: (childId: string) => ({ context: { child_ids: [childId] }, emeter: { get_realtime: {} } }),
  relay: (on: boolean, childId: string | null) => ({
    ...(childId === null ? {} : { context: { child_ids: [childId] } }),
    system: { set_relay_state: { state: on ? 1 : 0 } },
  }),
  discovery: { system: { get_sysinfo: {} } },
} as const;
