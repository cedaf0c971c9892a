import type { PlugMapRow } from '../mapping.js';

// Shelly local APIs as data. Gen2+ (Plus Plug S, Plus 1PM, Plug PM Gen3, Pro …): JSON-RPC
// `Shelly.GetStatus` returns one object per component; every `switch:N`, `pm1:N` and `em1:N`
// becomes an outlet. `aenergy.total` is Wh. Gen1 (Plug S, 1PM): `/status` with `relays[]` and
// `meters[]`, where `meters[].total` is in watt-minutes. Field names as in Shelly's API docs
// (shelly-api-docs.shelly.cloud, Switch / PM1 / EM1 components; Gen1 /status).

/** Gen2+ component types read as outlets, in outlet order. */
export const SHELLY_COMPONENTS = ['switch', 'pm1', 'em1'] as const;
export type ShellyComponent = (typeof SHELLY_COMPONENTS)[number];

const METER_ROWS = (power: string): PlugMapRow[] => [
  { path: power, metric: 'power', kind: 'number', unit: 'W', range: [-50_000, 50_000], ha: 'outlet_{n}_power', source: `${power} (W)` },
  { path: 'voltage', metric: 'voltage', kind: 'number', unit: 'V', range: [0, 500], ha: 'input_voltage', source: 'voltage (V)' },
  { path: 'current', metric: 'current', kind: 'number', unit: 'A', range: [0, 200], ha: 'outlet_{n}_current', source: 'current (A)' },
  { path: 'freq', metric: 'frequency', kind: 'number', unit: 'Hz', range: [0, 100], ha: 'input_frequency', source: 'freq (Hz)' },
  { path: 'aenergy.total', metric: 'energy', kind: 'number', scale: 1000, unit: 'kWh', range: [0, 10_000_000], ha: 'outlet_{n}_energy', source: 'aenergy.total (Wh)' },
];

export const SHELLY_GEN2_ROWS: Readonly<Record<ShellyComponent, readonly PlugMapRow[]>> = {
  switch: [{ path: 'output', metric: 'state', kind: 'onoff', ha: 'outlet_{n}', source: 'Switch.GetStatus output' }, ...METER_ROWS('apower')],
  pm1: METER_ROWS('apower'),
  // em1 energy lives in the sibling `em1data:N` component (total_act_energy, Wh); merged in by the driver.
  em1: [
    ...METER_ROWS('act_power').filter((r) => r.metric !== 'energy'),
    { path: 'total_act_energy', metric: 'energy', kind: 'number', scale: 1000, unit: 'kWh', range: [0, 10_000_000], ha: 'outlet_{n}_energy', source: 'em1data total_act_energy (Wh)' },
  ],
};

/** Gen1 `/status`: outlet n = relays[n-1] + meters[n-1]. */
export const SHELLY_GEN1_RELAY_ROWS: readonly PlugMapRow[] = [
  { path: 'ison', metric: 'state', kind: 'onoff', ha: 'outlet_{n}', source: 'relays[].ison' },
];
export const SHELLY_GEN1_METER_ROWS: readonly PlugMapRow[] = [
  { path: 'power', metric: 'power', kind: 'number', unit: 'W', range: [0, 50_000], ha: 'outlet_{n}_power', source: 'meters[].power (W)' },
  { path: 'total', metric: 'energy', kind: 'number', scale: 60_000, unit: 'kWh', range: [0, 10_000_000], ha: 'outlet_{n}_energy', source: 'meters[].total (watt-minutes)' },
];

/** Request paths. Gen2+ RPC over HTTP GET (`/rpc/<Method>?params`), Gen1 REST. */
export const SHELLY_PATHS = {
  info: '/shelly',
  gen2Status: '/rpc/Shelly.GetStatus',
  gen2DeviceInfo: '/rpc/Shelly.GetDeviceInfo',
  gen2SwitchSet: (id: number, on: boolean) => `/rpc/Switch.Set?id=${id}&on=${on ? 'true' : 'false'}`,
  gen1Status: '/status',
  gen1Relay: (index: number, on: boolean) => `/relay/${index}?turn=${on ? 'on' : 'off'}`,
} as const;
