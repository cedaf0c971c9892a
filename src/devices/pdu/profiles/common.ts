import type { MetricRow } from './types.js';

// OID prefixes of SPEC §7.2. OID literals live only under profiles/ (SPEC §7.1).
export const B = '1.3.6.1.4.1.3808.1.1.3'; // CPS-MIB ePDU
export const E2 = '1.3.6.1.4.1.3808.1.1.6'; // CPS-MIB ePDU2
export const EN = '1.3.6.1.4.1.3808.1.1.4'; // CPS-MIB environment sensor
export const M2 = '1.3.6.1.2.1.1'; // MIB-II system group

export const OUTLET_STATE = { 1: 'on', 2: 'off' } as const;
export const LOAD_STATE = { 1: 'normal', 2: 'low', 3: 'nearOverload', 4: 'overload' } as const;
export const SOURCE = { 1: 'A', 2: 'B' } as const;
export const VOLTAGE_STATUS = { 1: 'normal', 2: 'overVoltage', 3: 'underVoltage' } as const;

/** Outlet command values of ePDUOutletControlOutletCommand (both profiles). */
export const OUTLET_COMMAND_VALUES = {
  on: 1,
  off: 2,
  reboot: 3,
  delayon: 4,
  delayoff: 5,
  delayreboot: 6,
  cancel: 7,
} as const;

/** MIB-II system group rows, identical in both profiles. */
export const SYSTEM_ROWS: readonly MetricRow[] = [
  { field: 'identity.sys_descr', mib: 'sysDescr', oid: `${M2}.1.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.sys_object_id', mib: 'sysObjectID', oid: `${M2}.2.0`, scope: 'scalar', group: 'identity', kind: 'oid' },
  { field: 'identity.sys_contact', mib: 'sysContact', oid: `${M2}.4.0`, scope: 'scalar', group: 'identity', kind: 'string', writable: true },
  { field: 'identity.sys_name', mib: 'sysName', oid: `${M2}.5.0`, scope: 'scalar', group: 'identity', kind: 'string', writable: true },
  { field: 'identity.sys_location', mib: 'sysLocation', oid: `${M2}.6.0`, scope: 'scalar', group: 'identity', kind: 'string', writable: true },
];

/** Input, bank and total rows, identical in both profiles (validated by the original on hardware). */
export const INPUT_AND_LOAD_ROWS: readonly MetricRow[] = [
  {
    field: 'input.voltage', mib: 'ePDUStatusInputVoltage', oid: `${B}.5.7.0`, scope: 'scalar', group: 'fast', kind: 'number',
    scale: 10, unit: 'V', range: [0, 500], topic: 'input/voltage', decimals: 1, history: 'input_voltage',
    ha: { component: 'sensor', suffix: 'input_voltage', name: 'Input Voltage', device_class: 'voltage', state_class: 'measurement', unit: 'V', precision: 1 },
  },
  {
    field: 'input.frequency', mib: 'ePDUStatusInputFrequency', oid: `${B}.5.8.0`, scope: 'scalar', group: 'fast', kind: 'number',
    scale: 10, unit: 'Hz', range: [0, 100], capability: 'input_frequency', topic: 'input/frequency', decimals: 1, history: 'input_frequency',
    ha: { component: 'sensor', suffix: 'input_frequency', name: 'Input Frequency', device_class: 'frequency', state_class: 'measurement', unit: 'Hz', precision: 1 },
  },
  {
    field: 'bank.current', mib: 'ePDULoadStatusLoad', oid: `${B}.2.3.1.1.2`, scope: 'loadRow', group: 'fast', kind: 'number',
    scale: 10, unit: 'A', range: [0, 500], totalField: 'load', topic: 'bank/{n}/current', decimals: 1, history: 'bank_current',
    ha: { component: 'sensor', suffix: 'bank_{n}_current', name: 'Bank {n} Current', device_class: 'current', state_class: 'measurement', unit: 'A', precision: 1 },
  },
  {
    field: 'bank.load_state', mib: 'ePDULoadStatusLoadState', oid: `${B}.2.3.1.1.3`, scope: 'loadRow', group: 'fast', kind: 'enum',
    enumMap: LOAD_STATE, topic: 'bank/{n}/load_state', history: 'bank_load_state',
    ha: { component: 'sensor', suffix: 'bank_{n}_load_state', name: 'Bank {n} Load State', device_class: 'enum', options: ['normal', 'low', 'nearOverload', 'overload'] },
  },
  {
    field: 'bank.voltage', mib: 'ePDULoadStatusVoltage', oid: `${B}.2.3.1.1.6`, scope: 'loadRow', group: 'fast', kind: 'number',
    scale: 10, unit: 'V', range: [0, 500], topic: 'bank/{n}/voltage', decimals: 1, history: 'bank_voltage',
    ha: { component: 'sensor', suffix: 'bank_{n}_voltage', name: 'Bank {n} Voltage', device_class: 'voltage', state_class: 'measurement', unit: 'V', precision: 1 },
  },
  {
    field: 'bank.power', mib: 'ePDULoadStatusActivePower', oid: `${B}.2.3.1.1.7`, scope: 'loadRow', group: 'fast', kind: 'number',
    unit: 'W', range: [0, 100_000], totalField: 'power', topic: 'bank/{n}/power', decimals: 1, history: 'bank_power',
    ha: { component: 'sensor', suffix: 'bank_{n}_power', name: 'Bank {n} Power', device_class: 'power', state_class: 'measurement', unit: 'W', precision: 1 },
  },
  {
    field: 'bank.apparent_power', mib: 'ePDULoadStatusApparentPower', oid: `${B}.2.3.1.1.8`, scope: 'loadRow', group: 'fast', kind: 'number',
    unit: 'VA', range: [0, 100_000], topic: 'bank/{n}/apparent_power', decimals: 1, history: 'bank_apparent_power',
    ha: { component: 'sensor', suffix: 'bank_{n}_apparent_power', name: 'Bank {n} Apparent Power', device_class: 'apparent_power', state_class: 'measurement', unit: 'VA', precision: 1 },
  },
  {
    field: 'bank.power_factor', mib: 'ePDULoadStatusPowerFactor', oid: `${B}.2.3.1.1.9`, scope: 'loadRow', group: 'fast', kind: 'number',
    scale: 100, range: [0, 1], topic: 'bank/{n}/power_factor', decimals: 2, history: 'bank_power_factor',
    ha: { component: 'sensor', suffix: 'bank_{n}_power_factor', name: 'Bank {n} Power Factor', device_class: 'power_factor', state_class: 'measurement', precision: 2 },
  },
  {
    field: 'bank.energy', mib: 'ePDULoadStatusEnergy', oid: `${B}.2.3.1.1.10`, scope: 'loadRow', group: 'fast', kind: 'number',
    scale: 10, unit: 'kWh', range: [0, 100_000_000], capability: 'bank_energy', totalField: 'energy', topic: 'bank/{n}/energy', decimals: 1,
    history: 'bank_energy',
    ha: { component: 'sensor', suffix: 'bank_{n}_energy', name: 'Bank {n} Energy', device_class: 'energy', state_class: 'total_increasing', unit: 'kWh', precision: 3 },
  },
  {
    field: 'bank.energy_start', mib: 'ePDULoadStatusEnergyStartTime', oid: `${B}.2.3.1.1.11`, scope: 'loadRow', group: 'fast', kind: 'string',
    capability: 'bank_energy', topic: 'bank/{n}/last_update',
  },
];

/** Source (ATS input) rows of the ePDU2 source table, identical in both profiles. */
function sourceRows(s: 'a' | 'b', volt: number, freq: number, status: number): MetricRow[] {
  const S = s.toUpperCase();
  return [
    {
      field: `sources.${s}.voltage`, mib: `ePDU2SourceStatusVoltage${S}`, oid: `${E2}.9.4.1.${volt}.1`, scope: 'scalar', group: 'fast',
      kind: 'number', scaleFrom: 'source_voltage_scale', unit: 'V', range: [0, 500], capability: 'sources', topic: `source/${s}/voltage`,
      decimals: 1, history: `source_${s}_voltage`,
      ha: { component: 'sensor', suffix: `source_${s}_voltage`, name: `Source ${S} Voltage`, device_class: 'voltage', state_class: 'measurement', unit: 'V', precision: 1 },
    },
    {
      field: `sources.${s}.frequency`, mib: `ePDU2SourceStatusFrequency${S}`, oid: `${E2}.9.4.1.${freq}.1`, scope: 'scalar', group: 'fast',
      kind: 'number', scale: 10, unit: 'Hz', range: [0, 100], capability: 'sources', topic: `source/${s}/frequency`, decimals: 1,
      history: `source_${s}_frequency`,
      ha: { component: 'sensor', suffix: `source_${s}_frequency`, name: `Source ${S} Frequency`, device_class: 'frequency', state_class: 'measurement', unit: 'Hz', precision: 1 },
    },
    {
      field: `sources.${s}.status`, mib: `ePDU2SourceStatusVoltageStatus${S}`, oid: `${E2}.9.4.1.${status}.1`, scope: 'scalar', group: 'fast',
      kind: 'enum', enumMap: VOLTAGE_STATUS, absentOutsideEnum: true, capability: 'sources', topic: `source/${s}/voltage_status`,
      history: `source_${s}_status`,
      ha: { component: 'sensor', suffix: `source_${s}_voltage_status`, name: `Source ${S} Status`, device_class: 'enum', options: ['normal', 'overVoltage', 'underVoltage'] },
    },
  ];
}

export const SOURCE_ROWS: readonly MetricRow[] = [
  ...sourceRows('a', 5, 7, 9),
  ...sourceRows('b', 6, 8, 10),
  {
    field: 'ats.redundancy', mib: 'ePDU2SourceStatusRedundancy', oid: `${E2}.9.4.1.16.1`, scope: 'scalar', group: 'fast', kind: 'enum',
    enumMap: { 1: 'lost', 2: 'ok' }, absentOutsideEnum: true, capability: 'ats', topic: 'ats/redundancy',
    ha: { component: 'binary_sensor', suffix: 'ats_redundancy', name: 'ATS Redundancy Lost', device_class: 'problem' },
  },
];

/** Outlet rows whose OIDs are the same in both profiles. */
export const COMMON_OUTLET_ROWS: readonly MetricRow[] = [
  {
    field: 'outlet.name', mib: 'ePDUOutletControlOutletName', oid: `${B}.3.3.1.1.2`, scope: 'outlet', group: 'slow', kind: 'string',
    topic: 'outlet/{n}/name',
  },
  {
    field: 'outlet.state', mib: 'ePDUOutletStatusOutletState', oid: `${B}.3.5.1.1.4`, scope: 'outlet', group: 'fast', kind: 'enum',
    enumMap: OUTLET_STATE, topic: 'outlet/{n}/state', history: 'outlet_state',
    ha: { component: 'switch', suffix: 'outlet_{n}', name: 'Outlet {n}', device_class: 'outlet' },
  },
  {
    field: 'outlet.max_load', mib: 'ePDULoadBankConfigOutletMaxLoad', oid: `${B}.2.1.8.1.3`, scope: 'outlet', group: 'slow', kind: 'number',
    scale: 10, unit: 'A', range: [0, 500],
  },
];

/** An OID and the MIB object it names (per profile). */
export interface OidRef {
  oid: string;
  mib: string;
}

/** Outlet current / power / energy: same meaning and metadata in both profiles, different OIDs (SPEC §7.1). */
export function outletMeteringRows(current: OidRef, power: OidRef, energy: OidRef): MetricRow[] {
  const common = { scope: 'outlet', group: 'fast', kind: 'number', capability: 'outlet_metering' } as const;
  return [
    {
      ...common, ...current, field: 'outlet.current', scale: 10, unit: 'A', floor: 2, range: [0, 100], topic: 'outlet/{n}/current', decimals: 1,
      history: 'outlet_current',
      ha: { component: 'sensor', suffix: 'outlet_{n}_current', name: 'Outlet {n} Current', device_class: 'current', state_class: 'measurement', unit: 'A', precision: 1 },
    },
    {
      ...common, ...power, field: 'outlet.power', unit: 'W', floor: 1, range: [0, 50_000], topic: 'outlet/{n}/power', decimals: 1, history: 'outlet_power',
      ha: { component: 'sensor', suffix: 'outlet_{n}_power', name: 'Outlet {n} Power', device_class: 'power', state_class: 'measurement', unit: 'W', precision: 1 },
    },
    {
      ...common, ...energy, field: 'outlet.energy', scale: 10, unit: 'kWh', range: [0, 100_000_000], topic: 'outlet/{n}/energy', decimals: 1,
      history: 'outlet_energy',
      ha: { component: 'sensor', suffix: 'outlet_{n}_energy', name: 'Outlet {n} Energy', device_class: 'energy', state_class: 'total_increasing', unit: 'kWh', precision: 3 },
    },
  ];
}

/** ATS current and preferred source (rw): same meaning in both profiles, different OIDs. */
export function atsSourceRows(current: OidRef, preferred: OidRef): MetricRow[] {
  const common = { scope: 'scalar', group: 'fast', kind: 'enum', enumMap: SOURCE, absentOutsideEnum: true, capability: 'ats' } as const;
  return [
    {
      ...common, ...current, field: 'ats.current_source', topic: 'ats/current_source', history: 'active_source',
      ha: { component: 'sensor', suffix: 'ats_current_source', name: 'ATS Current Source', device_class: 'enum', options: ['A', 'B'] },
    },
    {
      ...common, ...preferred, field: 'ats.preferred_source', topic: 'ats/preferred_source', writable: true,
      ha: { component: 'select', suffix: 'ats_preferred_source', name: 'ATS Preferred Source', options: ['A', 'B'] },
    },
  ];
}

/** Environment sensor temperature (°C after scaling) and humidity (%). */
export function environmentRows(temperature: OidRef & { scale?: number }, humidity: OidRef): MetricRow[] {
  const common = { scope: 'scalar', group: 'fast', kind: 'number', capability: 'environment' } as const;
  return [
    {
      ...common, ...temperature, field: 'environment.temperature', unit: '°C', range: [-60, 300], topic: 'environment/temperature', decimals: 1,
      history: 'env_temperature',
      ha: { component: 'sensor', suffix: 'env_temperature', name: 'Temperature', device_class: 'temperature', state_class: 'measurement', unit: '°C', precision: 1 },
    },
    {
      ...common, ...humidity, field: 'environment.humidity', unit: '%', range: [0, 100], topic: 'environment/humidity', decimals: 0, history: 'env_humidity',
      ha: { component: 'sensor', suffix: 'env_humidity', name: 'Humidity', device_class: 'humidity', state_class: 'measurement', unit: '%', precision: 0 },
    },
  ];
}
