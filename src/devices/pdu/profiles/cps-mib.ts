import {
  B, E2, EN, M2, COMMON_OUTLET_ROWS, INPUT_AND_LOAD_ROWS, OUTLET_COMMAND_VALUES, SOURCE_ROWS, SYSTEM_ROWS,
  atsSourceRows, environmentRows, outletMeteringRows,
} from './common.js';
import type { MetricRow, PduProfile } from './types.js';

// Default profile: every object as CyberPower's published CPS-MIB defines it (SPEC §7.1, §7.2).
// Rows marked "verify" in SPEC must be confirmed against an snmpwalk of a real PDU44001.

const IDENTITY: readonly MetricRow[] = [
  { field: 'identity.name', mib: 'ePDUIdentName', oid: `${B}.1.1.0`, scope: 'scalar', group: 'identity', kind: 'string', writable: true },
  { field: 'identity.hardware_rev', mib: 'ePDUIdentHardwareRev', oid: `${B}.1.2.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.firmware_main', mib: 'ePDUIdentFirmwareRev', oid: `${B}.1.3.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.manufacture_date', mib: 'ePDUIdentDateOfManufacture', oid: `${B}.1.4.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.model', mib: 'ePDUIdentModelNumber', oid: `${B}.1.5.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.serial', mib: 'ePDUIdentSerialNumber', oid: `${B}.1.6.0`, scope: 'scalar', group: 'identity', kind: 'string' },
  { field: 'identity.max_current', mib: 'ePDUIdentDeviceRating', oid: `${B}.1.7.0`, scope: 'scalar', group: 'identity', kind: 'number', unit: 'A', range: [0, 1000] },
  { field: 'identity.outlet_count', mib: 'ePDUIdentDeviceNumOutlets', oid: `${B}.1.8.0`, scope: 'scalar', group: 'identity', kind: 'number', range: [0, 256] },
  { field: 'identity.phase_count', mib: 'ePDUIdentDeviceNumPhases', oid: `${B}.1.9.0`, scope: 'scalar', group: 'identity', kind: 'number', range: [0, 3] },
  ...SYSTEM_ROWS,
];

const LAYOUT: readonly MetricRow[] = [
  { field: 'outlet.bank', mib: 'ePDUOutletStatusOutletBank', oid: `${B}.3.5.1.1.6`, scope: 'outlet', group: 'layout', kind: 'number', range: [0, 64] },
];

const OUTLETS: readonly MetricRow[] = [
  ...COMMON_OUTLET_ROWS,
  {
    field: 'outlet.pending', mib: 'ePDUOutletStatusCommandPending', oid: `${B}.3.5.1.1.5`, scope: 'outlet', group: 'fast', kind: 'enum',
    enumMap: { 1: 'pending', 2: 'none' },
  },
  ...outletMeteringRows(
    { oid: `${B}.3.5.1.1.7`, mib: 'ePDUOutletStatusLoad' },
    { oid: `${B}.3.5.1.1.8`, mib: 'ePDUOutletStatusActivePower' },
    // verify scaling against a real PDU44001 (SPEC §7.2)
    { oid: `${B}.3.5.1.1.13`, mib: 'ePDUOutletStatusEnergy' },
  ),
];

const ATS: readonly MetricRow[] = [
  // both "verify" in SPEC §7.2; confirmed present on a real PDU44005 (test/fixtures/snmprec/README.md)
  ...atsSourceRows(
    { oid: `${E2}.9.4.1.3.1`, mib: 'ePDU2SourceStatusActiveSource' },
    { oid: `${E2}.9.2.1.3.1`, mib: 'ePDU2SourceConfigPreferredSource' },
  ),
  ...SOURCE_ROWS,
];

const COLDSTART_AND_ENV: readonly MetricRow[] = [
  {
    field: 'coldstart.delay_s', mib: 'ePDUOutletDevColdstartDelay', oid: `${B}.3.1.2.0`, scope: 'scalar', group: 'slow', kind: 'number',
    unit: 's', range: [0, 100_000], capability: 'coldstart', topic: 'coldstart/delay',
    ha: { component: 'sensor', suffix: 'coldstart_delay', name: 'Coldstart Delay', device_class: 'duration', unit: 's', entity_category: 'diagnostic' },
  },
  {
    field: 'coldstart.state', mib: 'ePDUOutletDevColdstartState', oid: `${B}.3.1.6.0`, scope: 'scalar', group: 'slow', kind: 'enum',
    enumMap: { 1: 'allon', 2: 'prevstate' }, absentOutsideEnum: true, capability: 'coldstart', topic: 'coldstart/state',
    ha: { component: 'sensor', suffix: 'coldstart_state', name: 'Coldstart State', device_class: 'enum', options: ['allon', 'prevstate'], entity_category: 'diagnostic' },
  },
  // temperature: verify scaling (SPEC §7.2)
  ...environmentRows({ oid: `${EN}.2.6.0`, mib: 'envirTemperatureCelsius' }, { oid: `${EN}.3.1.0`, mib: 'envirHumidity' }),
  {
    field: 'contact.status', mib: 'envirContactStatus', oid: `${EN}.4.2.1.3`, scope: 'contact', group: 'fast', kind: 'enum',
    enumMap: { 1: 'normal', 2: 'abnormal' }, absentOutsideEnum: true, capability: 'environment', topic: 'environment/contact/{n}',
    ha: { component: 'binary_sensor', suffix: 'env_contact_{n}', name: 'Contact {n}', device_class: 'opening' },
  },
  {
    field: 'contact.normal_state', mib: 'envirContactNormalState', oid: `${EN}.4.2.1.4`, scope: 'contact', group: 'slow', kind: 'enum',
    enumMap: { 1: 'normallyOpen', 2: 'normallyClosed' }, absentOutsideEnum: true, capability: 'environment',
  },
];

export const CPS_MIB_PROFILE: PduProfile = {
  name: 'cps-mib',
  description: "CyberPower's published CPS-MIB (ePDU, ePDU2 source table, environment sensor)",
  identityProbe: `${B}.1.1.0`,
  sysUpTime: `${M2}.3.0`,
  rows: [...IDENTITY, ...LAYOUT, ...INPUT_AND_LOAD_ROWS, ...OUTLETS, ...ATS, ...COLDSTART_AND_ENV],
  layout: {
    loadRowWalk: `${B}.2.3.1.1.2`,
    loadRowPhase: `${B}.2.3.1.1.4`,
    loadRowBank: `${B}.2.3.1.1.5`,
    bankCountCheck: `${B}.2.1.4.0`,
    outletCount: `${B}.1.8.0`,
    outletCountCheck: `${B}.3.1.4.0`,
    outletStateWalk: `${B}.3.5.1.1.4`,
    capabilityProbes: {
      ats: { kind: 'answers', oid: `${E2}.9.4.1.3.1` },
      sources: { kind: 'answers', oid: `${E2}.9.4.1.5.1` },
      outlet_metering: { kind: 'positive', oids: [`${B}.3.1.5.0`, `${E2}.3.3.1.7.1`] },
      bank_energy: { kind: 'loadRowColumn', column: `${B}.2.3.1.1.10` },
      coldstart: { kind: 'answers', oid: `${B}.3.1.2.0` },
      environment: { kind: 'answers', oid: `${EN}.2.6.0` },
      total_row: { kind: 'totalRow' },
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
    atsPreferredSource: `${E2}.9.2.1.3.1`,
    atsAutoTransfer: null,
  },
};
