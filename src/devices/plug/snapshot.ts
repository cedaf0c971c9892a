import { CAPABILITIES, type Capability, type Identity, type OutletReading, type PduSnapshot, type TransportInfo } from '../../core/types.js';
import type { PlugReading } from './types.js';

// A plug reading → the normalised device model (SPEC §6): a device with outlets and an input
// voltage, no banks, no ATS, no sources. Capabilities decide the entities downstream, so a plug
// needs no branch anywhere after this function. Pure.

export interface PlugSnapshotInput {
  deviceId: string;
  /** Epoch seconds. */
  ts: number;
  reading: PlugReading;
  /** Monotonic energy per outlet (energy.ts), index 0 = outlet 1. */
  energy: Array<number | null>;
  nameOverrides: ReadonlyMap<number, string>;
  transport: TransportInfo;
  /**
   * Capabilities an earlier reading of the same device showed: kept, so one poll that misses a
   * value (a per-field error) does not make Home Assistant entities disappear and come back.
   */
  knownCapabilities?: readonly Capability[];
}

const firstOf = (vs: Array<number | null>): number | null => vs.find((v) => v !== null) ?? null;
const sumOf = (vs: Array<number | null>): number | null => {
  const present = vs.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.round(present.reduce((a, b) => a + b, 0) * 1e6) / 1e6;
};

export function plugIdentity(r: PlugReading): Identity {
  const id = r.identity;
  return {
    manufacturer: id.manufacturer, name: id.name, model: id.model, serial: id.serial, hardware_id: id.hardwareId, serial_numeric: '', manufacture_date: '',
    firmware_main: id.firmware, firmware_secondary: '', hardware_rev: id.hardware, max_current: null,
    outlet_count: r.outlets.length, phase_count: 1, sys_descr: '', sys_object_id: '', sys_name: '', sys_location: '', sys_contact: '',
    sys_uptime_cs: null,
  };
}

/**
 * What a reading shows the plug can report (SPEC §10.2: entities only for supported capabilities),
 * plus the ones known from earlier readings, in CAPABILITIES order. Pure.
 */
export function plugCapabilities(reading: PlugReading, known: readonly Capability[]): Capability[] {
  const has = new Set<Capability>(known);
  for (const o of reading.outlets) {
    if (o.power !== null || o.current !== null) has.add('outlet_metering');
    if (o.frequency !== null) has.add('input_frequency');
  }
  return has.size === 0 ? [] : CAPABILITIES.filter((c) => has.has(c));
}

export function plugSnapshot(input: PlugSnapshotInput): PduSnapshot {
  const { reading } = input;
  const outlets: Record<number, OutletReading> = {};
  reading.outlets.forEach((o, i) => {
    const n = i + 1;
    const out: OutletReading = {
      name: o.name, name_override: input.nameOverrides.get(n) ?? null, state: o.state, pending: false, bank: null, max_load: null,
      current: o.current, power: o.power, energy: input.energy[i] ?? null,
    };
    if (o.switchable === false) out.switchable = false;
    outlets[n] = out;
  });
  const capabilities = plugCapabilities(reading, input.knownCapabilities ?? []);
  return {
    device_id: input.deviceId,
    ts: input.ts,
    identity: plugIdentity(reading),
    capabilities,
    input: { voltage: firstOf(reading.outlets.map((o) => o.voltage)), frequency: firstOf(reading.outlets.map((o) => o.frequency)) },
    banks: {},
    totals: {
      load: sumOf(reading.outlets.map((o) => o.current)),
      power: sumOf(reading.outlets.map((o) => o.power)),
      energy: sumOf(input.energy),
    },
    outlets,
    ats: null,
    sources: null,
    coldstart: null,
    environment: null,
    transport: input.transport,
    source_voltage_scale: null,
    errors: reading.errors.map((e) => ({ oid: e.field, field: e.field, problem: e.problem })),
  };
}
