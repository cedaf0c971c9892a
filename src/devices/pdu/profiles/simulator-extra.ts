import { B, E2, EN } from './common.js';

// OIDs the demo simulator (SPEC §8) serves beyond the ones the profiles read: index columns,
// cross-check scalars and the config columns that drive simulated behaviour. Kept here because
// OID literals live only under profiles/ (SPEC §7.1). Object names and numbers follow CyberPower's
// published CPS-MIB; a real PDU44005 walk (test/fixtures/snmprec) shows the same layout.

/** Table entries (provider OIDs of net-snmp: the table OID + `.1`) and their extra columns. */
export const SIM_TABLES = {
  /** ePDULoadDevMaxOutletEntry (B.2.1.8.1): index .1, ePDULoadDevOutletNumber .2, max load .3 (profile). */
  loadDevMaxOutlet: {
    entry: `${B}.2.1.8.1`,
    index: `${B}.2.1.8.1.1`, // ePDULoadDevOutletIndex
    outletNumber: `${B}.2.1.8.1.2`, // ePDULoadDevOutletNumber (the original reads it as "outlet bank")
  },
  /** ePDULoadStatusEntry (B.2.3.1.1); data columns come from the profile rows. */
  loadStatus: {
    entry: `${B}.2.3.1.1`,
    index: `${B}.2.3.1.1.1`, // ePDULoadStatusIndex
  },
  /** ePDUOutletControlEntry (B.3.3.1.1): name .2 and command .4 come from the profile. */
  outletControl: {
    entry: `${B}.3.3.1.1`,
    index: `${B}.3.3.1.1.1`, // ePDUOutletControlIndex
    phase: `${B}.3.3.1.1.3`, // ePDUOutletControlOutletPhase
    bank: `${B}.3.3.1.1.5`, // ePDUOutletControlOutletBank
  },
  /** ePDUOutletConfigEntry (B.3.4.1.1): the per-outlet delays the PDU applies to delayed commands. */
  outletConfig: {
    entry: `${B}.3.4.1.1`,
    index: `${B}.3.4.1.1.1`, // ePDUOutletConfigIndex
    name: `${B}.3.4.1.1.2`, // ePDUOutletConfigOutletName (read-write, unlike the control/status name)
    phase: `${B}.3.4.1.1.3`, // ePDUOutletConfigOutletPhase
    onDelay: `${B}.3.4.1.1.4`, // ePDUOutletConfigPowerOnTime (s)
    offDelay: `${B}.3.4.1.1.5`, // ePDUOutletConfigPowerOffTime (s)
    rebootDuration: `${B}.3.4.1.1.6`, // ePDUOutletConfigRebootDuration (s)
    bank: `${B}.3.4.1.1.7`, // ePDUOutletConfigOutletBank
  },
  /** ePDUOutletStatusEntry (B.3.5.1.1): state/pending/bank/load/power/energy come from the profile. */
  outletStatus: {
    entry: `${B}.3.5.1.1`,
    index: `${B}.3.5.1.1.1`, // ePDUOutletStatusIndex
    name: `${B}.3.5.1.1.2`, // ePDUOutletStatusOutletName
    phase: `${B}.3.5.1.1.3`, // ePDUOutletStatusOutletPhase
    energyStart: `${B}.3.5.1.1.14`, // ePDUOutletStatusEnergyStartTime
  },
  /** ePDU2SourceConfigEntry (E2.9.2.1): preferred source .3 comes from the profile. */
  sourceConfig: {
    entry: `${E2}.9.2.1`,
    index: `${E2}.9.2.1.1`, // ePDU2SourceConfigIndex
  },
  /** ePDU2SourceStatusEntry (E2.9.4.1): active source, voltages, frequencies, status, redundancy from the profile. */
  sourceStatus: {
    entry: `${E2}.9.4.1`,
    index: `${E2}.9.4.1.1`, // ePDU2SourceStatusIndex
  },
  /** envirContactEntry (EN.4.2.1): status .3 and normal state .4 come from the profile. */
  envContact: {
    entry: `${EN}.4.2.1`,
    index: `${EN}.4.2.1.1`, // envirContactIndex
    name: `${EN}.4.2.1.2`, // envirContactName
  },
} as const;

/** Scalars (instance OIDs, ending `.0`). */
export const SIM_SCALARS = {
  identLineToLineVoltage: `${B}.1.15.0`, // ePDUIdentDeviceLinetoLineVoltage (the original reads it as max current /10)
  loadDevNumPhases: `${B}.2.1.2.0`, // ePDULoadDevNumPhases (the original's bank-row count)
  loadDevMaxBankLoad: `${B}.2.1.3.0`, // ePDULoadDevMaxBankLoad (A)
  loadDevBankTableSize: `${B}.2.1.5.0`, // ePDULoadDevBankTableSize
  outletDevNumCntrlOutlets: `${B}.3.1.3.0`, // ePDUOutletDevNumCntrlOutlets
  powerSupply1Status: `${B}.4.1.1.0`, // ePDUPowerSupply1Status: 1 ok, 2 failed
  powerSupply2Status: `${B}.4.1.2.0`, // ePDUPowerSupply2Status: 1 ok, 2 failed, 3 not present
  powerSupplyAlarm: `${B}.4.1.3.0`, // ePDUPowerSupplyAlarm: 1 all ok, 2 one failed, 3 two failed, 4 both
  envIdentName: `${EN}.1.1.0`, // envirIdentName
  envIdentLocation: `${EN}.1.2.0`, // envirIdentLocation
  envTemperatureF: `${EN}.2.1.0`, // envirTemperature (°F)
  envContactTableSize: `${EN}.4.1.0`, // envirContactTableSize
} as const;

/** Value of sysObjectID: a real PDU44005 (fw 1.3.2) reports the ePDU2 subtree. */
export const SIM_SYS_OBJECT_ID = E2;
