import { CPS_MIB_PROFILE } from '../profiles/cps-mib.js';
import { SIM_SCALARS as X, SIM_SYS_OBJECT_ID } from '../profiles/simulator-extra.js';
import { BANK_COUNT, OUTLET_COUNT, type PduModel, type SourceId } from './model.js';
import { displayString, enumCode, intIn, intOneOf, num, oidOf, raw, str, type ScalarSpec } from './mib-spec.js';

// Scalars of the simulated PDU44001, with the cps-mib meaning of every OID (SPEC §7.1, §8).

const P = CPS_MIB_PROFILE;
const coldstartCode = enumCode('coldstart.state');

function outletMeteringProbe(): string {
  const probe = P.layout.capabilityProbes.outlet_metering;
  const oid = probe.kind === 'positive' ? probe.oids[0] : undefined;
  if (!oid) throw new Error('cps-mib outlet_metering probe has no OID');
  return oid;
}

function required(oid: string | null, what: string): string {
  if (!oid) throw new Error(`cps-mib profile has no ${what}`);
  return oid;
}

/** ePDUPowerSupplyAlarm: 1 all ok, 2 supply one failed, 3 supply two failed, 4 both. */
function powerSupplyAlarm(m: PduModel): number {
  const a = m.sourceLive('A');
  const b = m.sourceLive('B');
  return a && b ? 1 : !a && b ? 2 : a && !b ? 3 : 4;
}

const supplyStatus = (s: SourceId) => (m: PduModel): number => (m.sourceLive(s) ? 1 : 2);

export function systemScalars(): ScalarSpec[] {
  return [
    {
      name: 'sysDescr', oid: oidOf('identity.sys_descr'), type: 'OctetString', fixed: true,
      get: (m) => `CyberPower Systems, Inc. ${m.identity.model} Switched ATS PDU, firmware ${m.identity.firmware} (simulated)`,
    },
    { name: 'sysObjectID', oid: oidOf('identity.sys_object_id'), type: 'OID', fixed: true, get: () => SIM_SYS_OBJECT_ID },
    // TimeTicks is 32-bit: it wraps after ~497 days (SPEC §7.8).
    { name: 'sysUpTime', oid: P.sysUpTime, type: 'TimeTicks', get: (m) => m.sysUpTimeCs(m.time) % 2 ** 32 },
    {
      name: 'sysContact', oid: oidOf('identity.sys_contact'), type: 'OctetString', get: (m) => m.identity.sysContact,
      write: { validate: displayString(255), apply: (m, v) => void (m.identity.sysContact = str(v)) },
    },
    {
      name: 'sysName', oid: oidOf('identity.sys_name'), type: 'OctetString', get: (m) => m.identity.sysName,
      write: { validate: displayString(255), apply: (m, v) => void (m.identity.sysName = str(v)) },
    },
    {
      name: 'sysLocation', oid: oidOf('identity.sys_location'), type: 'OctetString', get: (m) => m.identity.sysLocation,
      write: { validate: displayString(255), apply: (m, v) => void (m.identity.sysLocation = str(v)) },
    },
  ];
}

export function pduScalars(): ScalarSpec[] {
  const fixedInt = (name: string, oid: string, value: number): ScalarSpec => ({ name, oid, type: 'Integer', fixed: true, get: () => value });
  const fixedStr = (name: string, oid: string, get: (m: PduModel) => string): ScalarSpec => ({ name, oid, type: 'OctetString', fixed: true, get });
  return [
    {
      name: 'ePDUIdentName', oid: oidOf('identity.name'), type: 'OctetString', get: (m) => m.identity.name,
      write: { validate: displayString(63), apply: (m, v) => void (m.identity.name = str(v)) },
    },
    fixedStr('ePDUIdentHardwareRev', oidOf('identity.hardware_rev'), (m) => m.identity.hardwareRev),
    fixedStr('ePDUIdentFirmwareRev', oidOf('identity.firmware_main'), (m) => m.identity.firmware),
    fixedStr('ePDUIdentDateOfManufacture', oidOf('identity.manufacture_date'), (m) => m.identity.manufactureDate),
    fixedStr('ePDUIdentModelNumber', oidOf('identity.model'), (m) => m.identity.model),
    fixedStr('ePDUIdentSerialNumber', oidOf('identity.serial'), (m) => m.identity.serial),
    { name: 'ePDUIdentDeviceRating', oid: oidOf('identity.max_current'), type: 'Integer', fixed: true, get: (m) => m.identity.ratingA },
    fixedInt('ePDUIdentDeviceNumOutlets', oidOf('identity.outlet_count'), OUTLET_COUNT),
    fixedInt('ePDUIdentDeviceNumPhases', oidOf('identity.phase_count'), 1),
    // 120 V single phase; the original profile reads this as "max current /10" and shows 12.0 A.
    fixedInt('ePDUIdentDeviceLinetoLineVoltage', X.identLineToLineVoltage, 120),
    fixedInt('ePDULoadDevNumPhases', X.loadDevNumPhases, 1),
    { name: 'ePDULoadDevMaxBankLoad', oid: X.loadDevMaxBankLoad, type: 'Integer', fixed: true, get: (m) => m.identity.ratingA },
    fixedInt('ePDULoadDevNumBanks', required(P.layout.bankCountCheck, 'bank count check'), BANK_COUNT),
    fixedInt('ePDULoadDevBankTableSize', X.loadDevBankTableSize, BANK_COUNT),
    {
      name: 'ePDUOutletDevColdstartDelay', oid: oidOf('coldstart.delay_s'), type: 'Integer', get: (m) => m.coldstart.delayS,
      write: { validate: intIn(0, 7200), apply: (m, v) => void (m.coldstart.delayS = num(v)) },
    },
    fixedInt('ePDUOutletDevNumCntrlOutlets', X.outletDevNumCntrlOutlets, OUTLET_COUNT),
    fixedInt('ePDUOutletDevNumTotalOutlets', required(P.layout.outletCountCheck, 'outlet count check'), OUTLET_COUNT),
    fixedInt('ePDUOutletDevMonitoredOutlets', outletMeteringProbe(), OUTLET_COUNT),
    {
      name: 'ePDUOutletDevColdstartState', oid: oidOf('coldstart.state'), type: 'Integer', get: (m) => coldstartCode(m.coldstart.state),
      write: {
        validate: intOneOf([coldstartCode('allon'), coldstartCode('prevstate')]),
        apply: (m, v) => void (m.coldstart.state = num(v) === coldstartCode('allon') ? 'allon' : 'prevstate'),
      },
    },
    { name: 'ePDUPowerSupply1Status', oid: X.powerSupply1Status, type: 'Integer', get: supplyStatus('A') },
    { name: 'ePDUPowerSupply2Status', oid: X.powerSupply2Status, type: 'Integer', get: supplyStatus('B') },
    { name: 'ePDUPowerSupplyAlarm', oid: X.powerSupplyAlarm, type: 'Integer', get: powerSupplyAlarm },
    { name: 'ePDUStatusInputVoltage', oid: oidOf('input.voltage'), type: 'Integer', get: (m) => raw('input.voltage', m.inputVoltage) },
    { name: 'ePDUStatusInputFrequency', oid: oidOf('input.frequency'), type: 'Integer', get: (m) => raw('input.frequency', m.inputFrequency) },
  ];
}

/** envirIdent / envirTemp / envirHumid scalars, served only with `environment: true`. */
export function environmentScalars(): ScalarSpec[] {
  const env = (m: PduModel): { temperatureC: number; humidity: number } => m.environment ?? { temperatureC: 0, humidity: 0 };
  return [
    { name: 'envirIdentName', oid: X.envIdentName, type: 'OctetString', fixed: true, get: () => 'EnvSensor' },
    { name: 'envirIdentLocation', oid: X.envIdentLocation, type: 'OctetString', fixed: true, get: (m) => m.identity.sysLocation },
    { name: 'envirTemperature', oid: X.envTemperatureF, type: 'Integer', get: (m) => Math.round((env(m).temperatureC * 9) / 5 + 32) },
    {
      name: 'envirTemperatureCelsius', oid: oidOf('environment.temperature'), type: 'Integer',
      get: (m) => raw('environment.temperature', env(m).temperatureC),
    },
    { name: 'envirHumidity', oid: oidOf('environment.humidity'), type: 'Integer', get: (m) => raw('environment.humidity', env(m).humidity) },
    { name: 'envirContactTableSize', oid: X.envContactTableSize, type: 'Integer', fixed: true, get: (m) => m.environment?.contacts.length ?? 0 },
  ];
}
