import {
  B, E2, M2, COMMON_OUTLET_ROWS, INPUT_AND_LOAD_ROWS, OUTLET_COMMAND_VALUES, SOURCE_ROWS, SYSTEM_ROWS,
  atsSourceRows, environmentRows, outletMeteringRows,
} from './common.js';
import type { MetricRow, PduProfile } from './types.js';

// The OIDs the original Python bridge reads, for users who verified them on their hardware
// (SPEC §7.1). Several are, per the MIB, other objects: outlet "current/power/energy" are the
// status table's command-pending / outlet-bank / outlet-load columns, and the metering floor
// hides the resulting phantom values. Kept exactly, on purpose.

const IDENTITY: readonly MetricRow[] = [
  { field: 'identity.name', mib: 'ePDUIdentName', oid: `${B}.1.1.0`, scope: 'scalar', group: 'identity', kind: 'string', writable: true },
  { field: 'identity.firmware_main', mib: 'ePDUIdentHardwareRev (read as firmware)', oid: `${B}.1.2.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.firmware_secondary', mib: 'ePDUIdentFirmwareRev (read as secondary firmware)', oid: `${B}.1.3.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.serial_numeric', mib: 'ePDUIdentDateOfManufacture (read as numeric serial)', oid: `${B}.1.4.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.model', mib: 'ePDUIdentModelNumber', oid: `${B}.1.5.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.serial', mib: 'ePDUIdentSerialNumber', oid: `${B}.1.6.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.hardware_rev', mib: 'ePDUIdentDeviceRating (read as hardware revision)', oid: `${B}.1.7.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.outlet_count', mib: 'ePDUIdentDeviceNumOutlets', oid: `${B}.1.8.0`, scope: 'scalar', group: 'identity', kind: 'number', range: [0, 256] },
  { field: 'identity.phase_count', mib: 'ePDUIdentDeviceNumPhases', oid: `${B}.1.9.0`, scope: 'scalar', group: 'identity', kind: 'number', range: [0, 3] },
  { field: 'identity.max_current', mib: 'ePDUIdent object 15 (read by the original as max current, tenths of A)', oid: `${B}.1.15.0`, scope: 'scalar', group: 'identity', kind: 'number', scale: 10, unit: 'A', range: [0, 1000] },
  ...SYSTEM_ROWS,
];

const LAYOUT: readonly MetricRow[] = [
  { field: 'outlet.bank', mib: 'ePDULoadBankConfigOutletBank', oid: `${B}.2.1.8.1.2`, scope: 'outlet', group: 'layout', kind: 'number', range: [0, 64] },
];

const OUTLETS: readonly MetricRow[] = [
  ...COMMON_OUTLET_ROWS,
  ...outletMeteringRows(
    { oid: `${B}.3.5.1.1.5`, mib: 'ePDUOutletStatusCommandPending (read as current)' },
    { oid: `${B}.3.5.1.1.6`, mib: 'ePDUOutletStatusOutletBank (read as power)' },
    { oid: `${B}.3.5.1.1.7`, mib: 'ePDUOutletStatusLoad (read as energy)' },
  ),
];

const ATS: readonly MetricRow[] = [
  ...atsSourceRows(
    { oid: `${B}.4.1.2.0`, mib: 'ePDUPowerSupply1Status (read as ATS current source)' },
    { oid: `${B}.4.1.1.0`, mib: 'ePDUPowerSupplyDevice scalar 1 (read as ATS preferred source)' },
  ),
  {
    field: 'ats.auto_transfer', mib: 'ePDUPowerSupply2Status (read as ATS auto transfer)', oid: `${B}.4.1.3.0`, scope: 'scalar',
    group: 'fast', kind: 'enum', enumMap: { 1: 'on', 2: 'off' }, absentOutsideEnum: true, capability: 'ats', topic: 'ats/auto_transfer', writable: true,
  },
  ...SOURCE_ROWS,
];

const ENVIRONMENT: readonly MetricRow[] = [
  ...environmentRows(
    { oid: `${B}.6.1.0`, mib: 'ePDUSensorStatusTemperature (original)', scale: 10 },
    { oid: `${B}.6.3.0`, mib: 'ePDUSensorStatusHumidity (original)' },
  ),
  {
    field: 'environment.temperature_unit', mib: 'ePDUSensorStatusTemperatureUnit (original)', oid: `${B}.6.2.0`, scope: 'scalar', group: 'slow',
    kind: 'enum', enumMap: { 1: 'C', 2: 'F' }, absentOutsideEnum: true, capability: 'environment',
  },
  {
    field: 'contact.state', mib: 'ePDUSensorStatusContact (original)', oid: `${B}.6.4.{n}.0`, scope: 'contact', group: 'fast', kind: 'enum',
    enumMap: { 1: 'open', 2: 'closed' }, absentOutsideEnum: true, capability: 'environment', topic: 'environment/contact/{n}',
    ha: { component: 'binary_sensor', suffix: 'env_contact_{n}', name: 'Contact {n}', device_class: 'opening' },
  },
];

export const ORIGINAL_PROFILE: PduProfile = {
  name: 'original',
  description: 'The OIDs the original Python bridge reads (kept for users who verified them on their hardware)',
  identityProbe: `${B}.1.1.0`,
  sysUpTime: `${M2}.3.0`,
  rows: [...IDENTITY, ...LAYOUT, ...INPUT_AND_LOAD_ROWS, ...OUTLETS, ...ATS, ...ENVIRONMENT],
  layout: {
    loadRowWalk: `${B}.2.3.1.1.2`,
    loadRowPhase: `${B}.2.3.1.1.4`,
    loadRowBank: null,
    bankCountCheck: null,
    outletCount: `${B}.1.8.0`,
    outletCountCheck: null,
    outletStateWalk: `${B}.3.5.1.1.4`,
    capabilityProbes: {
      ats: { kind: 'answers', oid: `${B}.4.1.2.0` },
      sources: { kind: 'answers', oid: `${E2}.9.4.1.5.1` },
      outlet_metering: { kind: 'positive', oids: [`${B}.3.1.5.0`, `${E2}.3.3.1.7.1`] },
      bank_energy: { kind: 'loadRowColumn', column: `${B}.2.3.1.1.10` },
      coldstart: { kind: 'never' },
      environment: { kind: 'answers', oid: `${B}.6.1.0` },
      total_row: { kind: 'never' },
      input_frequency: { kind: 'answers', oid: `${B}.5.8.0` },
    },
  },
  writes: {
    outletCommand: `${B}.3.3.1.1.4`,
    outletCommandValues: OUTLET_COMMAND_VALUES,
    deviceName: `${B}.1.1.0`,
    outletName: `${B}.3.4.1.1.2`, // ePDUOutletConfigOutletName (rw; the control/status name columns are read-only)
    sysContact: `${M2}.4.0`,
    sysName: `${M2}.5.0`,
    sysLocation: `${M2}.6.0`,
    atsPreferredSource: `${B}.4.1.1.0`,
    atsAutoTransfer: `${B}.4.1.3.0`,
  },
};
