import { CPS_MIB_PROFILE } from '../profiles/cps-mib.js';
import { SIM_TABLES as X } from '../profiles/simulator-extra.js';
import { BANK_COUNT, OUTLET_COUNT, type LoadRow, type PduModel, type SimOutlet, type SourceId } from './model.js';
import type { OutletCommand } from './model-types.js';
import {
  columnNumber, columnOfInstance, displayString, enumCode, intIn, intOneOf, num, oidOf, raw, rawCounter, str,
  type ColumnSpec, type TableSpec,
} from './mib-spec.js';
import { environmentScalars, pduScalars, systemScalars } from './mib-scalars.js';
import type { SimulatorMib } from './mib-spec.js';

// Tables of the simulated PDU44001. Rows: outlets 1–10 (bank = ceil(n/5)); load table row 1 = the
// phase/total row (bank no. 0), rows 2–3 = banks 1–2, so the poller's layout walk is exercised (SPEC §7.2).

const P = CPS_MIB_PROFILE;
const outletStateCode = enumCode('outlet.state');
const pendingCode = enumCode('outlet.pending');
const loadStateCode = enumCode('bank.load_state');
const sourceCode = enumCode('ats.current_source');
const voltageStatusCode = enumCode('sources.a.status');
const redundancyCode = enumCode('ats.redundancy');
const contactStatusCode = enumCode('contact.status');
const contactNormalCode = enumCode('contact.normal_state');

/** ePDUOutletControlOutletCommand values: the profile's commands plus the MIB's outletIdentify (8). */
const COMMANDS: ReadonlyMap<number, OutletCommand> = new Map<number, OutletCommand>([
  ...Object.entries(P.writes.outletCommandValues).map(([name, code]) => [code, name as OutletCommand] as const),
  [8, 'identify'],
]);

const outlet = (m: PduModel, row: number): SimOutlet => {
  const o = m.outlets[row - 1];
  if (!o) throw new Error(`no outlet ${row}`);
  return o;
};
const loadRow = (m: PduModel, row: number): LoadRow => {
  const r = m.loadRows[row - 1];
  if (!r) throw new Error(`no load row ${row}`);
  return r;
};

const index = (name: string, oid: string): ColumnSpec => ({ name, oid, type: 'Integer', fixed: true, get: (_m, row) => row });
const fixedInt = (name: string, oid: string, get: (row: number) => number): ColumnSpec => ({ name, oid, type: 'Integer', fixed: true, get: (_m, row) => get(row) });

function table(name: string, entry: string, rowCount: number, columns: ColumnSpec[]): TableSpec {
  const sorted = [...columns].sort((a, b) => columnNumber(entry, a.oid) - columnNumber(entry, b.oid));
  return { name, entry, rowCount, columns: sorted };
}

const bankOf = (row: number): number => Math.ceil(row / (OUTLET_COUNT / BANK_COUNT));
const outletName = (name: string, oid: string): ColumnSpec => ({ name, oid, type: 'OctetString', get: (m, row) => outlet(m, row).name });
const delay = (name: string, oid: string, field: 'onDelayS' | 'offDelayS' | 'rebootS'): ColumnSpec => ({
  name, oid, type: 'Integer', get: (m, row) => outlet(m, row)[field],
  write: { validate: intIn(0, 7200), apply: (m, v, _now, row) => void (outlet(m, row)[field] = num(v)) },
});

function outletTables(): TableSpec[] {
  return [
    table('ePDULoadDevMaxOutletTable', X.loadDevMaxOutlet.entry, OUTLET_COUNT, [
      index('ePDULoadDevOutletIndex', X.loadDevMaxOutlet.index),
      fixedInt('ePDULoadDevOutletNumber', X.loadDevMaxOutlet.outletNumber, (row) => row),
      { name: 'ePDULoadDevMaxOutletLoad', oid: oidOf('outlet.max_load'), type: 'Integer', fixed: true, get: (m) => raw('outlet.max_load', m.identity.ratingA) },
    ]),
    table('ePDUOutletControlTable', X.outletControl.entry, OUTLET_COUNT, [
      index('ePDUOutletControlIndex', X.outletControl.index),
      outletName('ePDUOutletControlOutletName', oidOf('outlet.name')),
      fixedInt('ePDUOutletControlOutletPhase', X.outletControl.phase, () => 1),
      {
        // Read: immediateOn (1) / immediateOff (2) for the outlet's state, as a real PDU44005 answers.
        name: 'ePDUOutletControlOutletCommand', oid: P.writes.outletCommand, type: 'Integer',
        get: (m, row) => (outlet(m, row).on ? 1 : 2),
        write: {
          validate: intOneOf([...COMMANDS.keys()]),
          apply: (m, v, now, row) => void m.command(row, COMMANDS.get(num(v)) ?? 'identify', now),
        },
      },
      fixedInt('ePDUOutletControlOutletBank', X.outletControl.bank, bankOf),
    ]),
    table('ePDUOutletConfigTable', X.outletConfig.entry, OUTLET_COUNT, [
      index('ePDUOutletConfigIndex', X.outletConfig.index),
      {
        ...outletName('ePDUOutletConfigOutletName', X.outletConfig.name),
        write: { validate: displayString(31), apply: (m, v, _now, row) => void (outlet(m, row).name = str(v)) },
      },
      fixedInt('ePDUOutletConfigOutletPhase', X.outletConfig.phase, () => 1),
      delay('ePDUOutletConfigPowerOnTime', X.outletConfig.onDelay, 'onDelayS'),
      delay('ePDUOutletConfigPowerOffTime', X.outletConfig.offDelay, 'offDelayS'),
      delay('ePDUOutletConfigRebootDuration', X.outletConfig.rebootDuration, 'rebootS'),
      fixedInt('ePDUOutletConfigOutletBank', X.outletConfig.bank, bankOf),
    ]),
    table('ePDUOutletStatusTable', X.outletStatus.entry, OUTLET_COUNT, [
      index('ePDUOutletStatusIndex', X.outletStatus.index),
      outletName('ePDUOutletStatusOutletName', X.outletStatus.name),
      fixedInt('ePDUOutletStatusOutletPhase', X.outletStatus.phase, () => 1),
      { name: 'ePDUOutletStatusOutletState', oid: oidOf('outlet.state'), type: 'Integer', get: (m, r) => outletStateCode(outlet(m, r).on ? 'on' : 'off') },
      {
        name: 'ePDUOutletStatusCommandPending', oid: oidOf('outlet.pending'), type: 'Integer',
        get: (m, r) => pendingCode(outlet(m, r).pending ? 'pending' : 'none'),
      },
      fixedInt('ePDUOutletStatusOutletBank', oidOf('outlet.bank'), bankOf),
      { name: 'ePDUOutletStatusLoad', oid: oidOf('outlet.current'), type: 'Gauge', get: (m, r) => raw('outlet.current', outlet(m, r).currentA) },
      { name: 'ePDUOutletStatusActivePower', oid: oidOf('outlet.power'), type: 'Gauge', get: (m, r) => raw('outlet.power', outlet(m, r).powerW) },
      // Integer, not the MIB's Gauge32: what a real PDU44005 (fw 1.3.2) returns.
      { name: 'ePDUOutletStatusEnergy', oid: oidOf('outlet.energy'), type: 'Integer', get: (m, r) => rawCounter('outlet.energy', outlet(m, r).energyKWh) },
      { name: 'ePDUOutletStatusEnergyStartTime', oid: X.outletStatus.energyStart, type: 'OctetString', fixed: true, get: (m) => m.energyStart },
    ]),
  ];
}

function loadRowBankColumn(): string {
  if (!P.layout.loadRowBank) throw new Error('cps-mib profile has no load-row bank column');
  return P.layout.loadRowBank;
}

function loadTable(): TableSpec {
  return table('ePDULoadStatusTable', X.loadStatus.entry, BANK_COUNT + 1, [
    index('ePDULoadStatusIndex', X.loadStatus.index),
    { name: 'ePDULoadStatusLoad', oid: oidOf('bank.current'), type: 'Gauge', get: (m, r) => raw('bank.current', loadRow(m, r).currentA) },
    { name: 'ePDULoadStatusLoadState', oid: oidOf('bank.load_state'), type: 'Integer', get: (m, r) => loadStateCode(loadRow(m, r).loadState) },
    fixedInt('ePDULoadStatusPhaseNumber', P.layout.loadRowPhase, () => 1),
    { name: 'ePDULoadStatusBankNumber', oid: loadRowBankColumn(), type: 'Integer', fixed: true, get: (m, r) => loadRow(m, r).bank },
    { name: 'ePDULoadStatusVoltage', oid: oidOf('bank.voltage'), type: 'Integer', get: (m, r) => raw('bank.voltage', loadRow(m, r).voltage) },
    { name: 'ePDULoadStatusActivePower', oid: oidOf('bank.power'), type: 'Integer', get: (m, r) => raw('bank.power', loadRow(m, r).powerW) },
    { name: 'ePDULoadStatusApparentPower', oid: oidOf('bank.apparent_power'), type: 'Integer', get: (m, r) => raw('bank.apparent_power', loadRow(m, r).apparentVA) },
    { name: 'ePDULoadStatusPowerFactor', oid: oidOf('bank.power_factor'), type: 'Integer', get: (m, r) => raw('bank.power_factor', loadRow(m, r).powerFactor) },
    { name: 'ePDULoadStatusEnergy', oid: oidOf('bank.energy'), type: 'Integer', get: (m, r) => rawCounter('bank.energy', loadRow(m, r).energyKWh) },
    { name: 'ePDULoadStatusEnergyStartTime', oid: oidOf('bank.energy_start'), type: 'OctetString', fixed: true, get: (m) => m.energyStart },
  ]);
}

function sourceTables(): TableSpec[] {
  const src = (field: Parameters<typeof oidOf>[0]): string => columnOfInstance(oidOf(field));
  const volts = (s: SourceId) => (m: PduModel): number => Math.round(m.sources[s].voltage); // whole volts, as fw 1.3.2 (SPEC §7.5)
  const freq = (s: SourceId) => (m: PduModel): number => raw('sources.a.frequency', m.sources[s].frequency);
  const status = (s: SourceId) => (m: PduModel): number =>
    voltageStatusCode(!m.sourceLive(s) ? 'underVoltage' : m.sourceOk(s) ? 'normal' : m.sources[s].centerV > 120 ? 'overVoltage' : 'underVoltage');
  return [
    table('ePDU2SourceConfigTable', X.sourceConfig.entry, 1, [
      index('ePDU2SourceConfigIndex', X.sourceConfig.index),
      {
        name: 'ePDU2SourceConfigPreferredSource', oid: src('ats.preferred_source'), type: 'Integer', get: (m) => sourceCode(m.preferred),
        write: {
          validate: intOneOf([sourceCode('A'), sourceCode('B')]),
          apply: (m, v, now) => m.setPreferredSource(num(v) === sourceCode('A') ? 'A' : 'B', now),
        },
      },
    ]),
    table('ePDU2SourceStatusTable', X.sourceStatus.entry, 1, [
      index('ePDU2SourceStatusIndex', X.sourceStatus.index),
      { name: 'ePDU2SourceStatusActiveSource', oid: src('ats.current_source'), type: 'Integer', get: (m) => sourceCode(m.active) },
      { name: 'ePDU2SourceStatusVoltageA', oid: src('sources.a.voltage'), type: 'Integer', get: volts('A') },
      { name: 'ePDU2SourceStatusVoltageB', oid: src('sources.b.voltage'), type: 'Integer', get: volts('B') },
      { name: 'ePDU2SourceStatusFrequencyA', oid: src('sources.a.frequency'), type: 'Integer', get: freq('A') },
      { name: 'ePDU2SourceStatusFrequencyB', oid: src('sources.b.frequency'), type: 'Integer', get: freq('B') },
      { name: 'ePDU2SourceStatusVoltageStatusA', oid: src('sources.a.status'), type: 'Integer', get: status('A') },
      { name: 'ePDU2SourceStatusVoltageStatusB', oid: src('sources.b.status'), type: 'Integer', get: status('B') },
      { name: 'ePDU2SourceStatusRedundancy', oid: src('ats.redundancy'), type: 'Integer', get: (m) => redundancyCode(m.redundancyOk ? 'ok' : 'lost') },
    ]),
  ];
}

function contactTable(): TableSpec {
  const contact = (m: PduModel, row: number): { name: string; abnormal: boolean; normallyClosed: boolean } =>
    m.environment?.contacts[row - 1] ?? { name: '', abnormal: false, normallyClosed: false };
  return table('envirContactTable', X.envContact.entry, 4, [
    index('envirContactIndex', X.envContact.index),
    { name: 'envirContactName', oid: X.envContact.name, type: 'OctetString', get: (m, r) => contact(m, r).name },
    { name: 'envirContactStatus', oid: oidOf('contact.status'), type: 'Integer', get: (m, r) => contactStatusCode(contact(m, r).abnormal ? 'abnormal' : 'normal') },
    {
      name: 'envirContactNormalState', oid: oidOf('contact.normal_state'), type: 'Integer',
      get: (m, r) => contactNormalCode(contact(m, r).normallyClosed ? 'normallyClosed' : 'normallyOpen'),
    },
  ]);
}

/** Every object the simulated PDU44001 serves (the environment sensor only when asked for). */
export function buildSimulatorMib(opts: { environment: boolean }): SimulatorMib {
  return {
    scalars: [...systemScalars(), ...pduScalars(), ...(opts.environment ? environmentScalars() : [])],
    tables: [...outletTables(), loadTable(), ...sourceTables(), ...(opts.environment ? [contactTable()] : [])],
  };
}
