import type { PlugMapRow } from '../mapping.js';

// Tasmota as data: `Status 10` answers `StatusSNS.ENERGY` with Power (W), Voltage (V), Current (A),
// Total (kWh), Factor; `Status 11` answers `StatusSTS.POWER` (one relay) or `POWER1`…`POWERn`.
// Depending on the firmware version the numbers arrive as JSON numbers or as strings, and
// multi-channel meters send arrays (one element per channel); both are parsed (mapping.ts).
// Field names as in Tasmota's documentation (tasmota.github.io/docs/Commands, Status).

export const TASMOTA_ENERGY_ROWS: readonly PlugMapRow[] = [
  { path: 'Power', metric: 'power', kind: 'number', unit: 'W', range: [0, 50_000], ha: 'outlet_{n}_power', source: 'ENERGY.Power (W)' },
  { path: 'Voltage', metric: 'voltage', kind: 'number', unit: 'V', range: [0, 500], ha: 'input_voltage', source: 'ENERGY.Voltage (V)' },
  { path: 'Current', metric: 'current', kind: 'number', unit: 'A', range: [0, 200], ha: 'outlet_{n}_current', source: 'ENERGY.Current (A)' },
  { path: 'Frequency', metric: 'frequency', kind: 'number', unit: 'Hz', range: [0, 100], ha: 'input_frequency', source: 'ENERGY.Frequency (Hz)' },
  { path: 'Total', metric: 'energy', kind: 'number', unit: 'kWh', range: [0, 10_000_000], ha: 'outlet_{n}_energy', source: 'ENERGY.Total (kWh)' },
];

export const TASMOTA_PATHS = {
  energy: 'Status 10',
  power: 'Status 11',
  identity: 'Status 0',
  relay: (n: number, on: boolean) => `Power${n} ${on ? 'On' : 'Off'}`,
} as const;
