import type { BankReading, Capability, Identity, LoadState, OutletReading, PduSnapshot, SourceName, SourceReading, VoltageStatus } from '../src/core/types.js';
import { decodeValue, type DecodeOptions } from '../src/devices/pdu/decode-value.js';
import { CPS_MIB_PROFILE } from '../src/devices/pdu/profiles/cps-mib.js';
import type { MetricRow, SnapshotField } from '../src/devices/pdu/profiles/types.js';
import { buildSimulatorMib } from '../src/devices/pdu/simulator/mib-tables.js';
import { BANK_COUNT, OUTLET_COUNT, PduModel } from '../src/devices/pdu/simulator/model.js';
import type { SnmpValue } from '../src/devices/pdu/simulator/net-snmp-types.js';
import { SnmpType } from '../src/devices/pdu/transport.js';

// 1 Hz snapshots of one simulated PDU44001 without a network or a clock, for the history
// benchmarks and tests. The values go the same way as in production: the simulator's own MIB
// getters produce the raw integers the agent would serve (tenths, whole watts, whole source
// volts, floored energy counters), and the poller's decodeValue turns them into snapshot values
// (metering floor, scales, enum labels). So the history store sees exactly the resolution and
// noise a real poll of the demo simulator would give it, just without sockets.

export interface SimulatedSamplesOptions {
  /** Epoch seconds of the first sample (whole seconds: the store keys history by second). */
  startS: number;
  /** Number of 1 Hz samples. */
  seconds: number;
  /** Noise seed of the model (default 1). */
  seed?: number;
  /** Outlet switching and one ATS transfer during the run (default true), so states change. */
  events?: boolean;
}

/** Capabilities the poller detects on the simulator (test/integration/pdu/poller-simulator.test.ts). */
export const SIM_CAPABILITIES: readonly Capability[] = ['ats', 'sources', 'outlet_metering', 'bank_energy', 'coldstart', 'total_row'];

/** The simulator serves source voltages in whole volts, so discovery picks scale 1 (SPEC §7.5). */
const DECODE: DecodeOptions = { meteringFloor: true, sourceVoltageScale: 1 };

type Getter = (m: PduModel, row: number) => SnmpValue;
type Read = (m: PduModel, row: number) => number | string | null;

/** Field → read of the decoded value, joined through the OID the profile row and the simulator MIB share. */
function compileReaders(): (field: SnapshotField) => Read {
  const mib = buildSimulatorMib({ environment: false });
  const byOid = new Map<string, Getter>();
  for (const s of mib.scalars) byOid.set(s.oid, (m) => s.get(m));
  for (const t of mib.tables) for (const c of t.columns) byOid.set(c.oid, c.get);
  const cache = new Map<string, Read>();
  return (field) => {
    const hit = cache.get(field);
    if (hit) return hit;
    const row: MetricRow | undefined = CPS_MIB_PROFILE.rows.find((r) => r.field === field);
    if (!row) throw new Error(`history-sim: cps-mib has no row ${field}`);
    // Source rows name a row-1 instance (…column.1); the simulator registers the column.
    const get = byOid.get(row.oid) ?? byOid.get(row.oid.replace(/\.1$/, ''));
    if (!get) throw new Error(`history-sim: the simulator serves no ${row.oid} (${field})`);
    const read: Read = (m, n) => decodeValue(row, { oid: row.oid, type: SnmpType.Integer, value: get(m, n) }, DECODE).value;
    cache.set(field, read);
    return read;
  };
}

interface Event {
  at: number;
  apply: (m: PduModel, nowMs: number) => void;
}

/**
 * A day of a small rack, squeezed into the run: one outlet switched off and back on, one
 * reboot (off 5 s), and source A failing for a while so the ATS moves to B and back. Fractions of
 * the run, so a 1-hour and a 24-hour run both see every event.
 */
function schedule(seconds: number): Event[] {
  const at = (f: number): number => Math.floor(seconds * f);
  const outage = Math.max(30, Math.min(600, Math.floor(seconds * 0.1)));
  const events: Event[] = [
    { at: at(0.15), apply: (m, t) => void m.command(3, 'off', t) },
    { at: at(0.35), apply: (m, t) => void m.command(3, 'on', t) },
    { at: at(0.5), apply: (m, t) => void m.command(8, 'reboot', t) },
    { at: at(0.65), apply: (m, t) => m.failSource('A', t) },
    { at: at(0.65) + outage, apply: (m, t) => m.restoreSource('A', t) },
  ];
  return events.sort((a, b) => a.at - b.at);
}

function identityOf(m: PduModel): Identity {
  const id = m.identity;
  return {
    name: id.name, model: id.model, serial: id.serial, serial_numeric: id.serial.replace(/\D/g, ''), manufacture_date: id.manufactureDate,
    firmware_main: id.firmware, firmware_secondary: '', hardware_rev: id.hardwareRev, max_current: id.ratingA, outlet_count: OUTLET_COUNT,
    phase_count: 1, sys_descr: `CyberPower Systems, Inc. ${id.model} (simulated)`, sys_object_id: '', sys_name: id.sysName,
    sys_location: id.sysLocation, sys_contact: id.sysContact, sys_uptime_cs: null,
  };
}

/** 1 Hz snapshots of one simulated PDU44001, model time driven by the sample timestamps only. */
export function* simulatedSamples(opts: SimulatedSamplesOptions): Generator<PduSnapshot> {
  const read = compileReaders();
  const num = (field: SnapshotField, m: PduModel, row = 1): number | null => {
    const v = read(field)(m, row);
    return typeof v === 'number' ? v : null;
  };
  const label = <T extends string>(field: SnapshotField, m: PduModel, row = 1): T | null => {
    const v = read(field)(m, row);
    return typeof v === 'string' ? (v as T) : null;
  };
  const m = new PduModel({ nowMs: opts.startS * 1000, seed: opts.seed ?? 1, name: 'Demo PDU' });
  const events = opts.events === false ? [] : schedule(opts.seconds);
  const identity = identityOf(m);

  // Load table: row 1 is the total row (bank number 0), rows 2.. the banks (mib-tables.ts).
  const bank = (r: number): BankReading => ({
    current: num('bank.current', m, r), voltage: num('bank.voltage', m, r), power: num('bank.power', m, r),
    apparent_power: num('bank.apparent_power', m, r), power_factor: num('bank.power_factor', m, r), energy: num('bank.energy', m, r),
    load_state: label<LoadState>('bank.load_state', m, r) ?? 'unknown', energy_start: m.energyStart,
  });
  const outlet = (n: number): OutletReading => ({
    name: m.outlets[n - 1]?.name ?? `Outlet${n}`, name_override: null,
    state: label<'on' | 'off'>('outlet.state', m, n) ?? 'unknown', pending: label('outlet.pending', m, n) === 'pending',
    bank: Math.ceil(n / (OUTLET_COUNT / BANK_COUNT)), max_load: m.identity.ratingA,
    current: num('outlet.current', m, n), power: num('outlet.power', m, n), energy: num('outlet.energy', m, n),
  });
  const source = (s: 'a' | 'b'): SourceReading => ({
    voltage: num(`sources.${s}.voltage`, m), frequency: num(`sources.${s}.frequency`, m), status: label<VoltageStatus>(`sources.${s}.status`, m),
  });

  let next = 0;
  for (let i = 0; i < opts.seconds; i++) {
    const ts = opts.startS + i;
    const nowMs = ts * 1000;
    // Commands land just before the poll of that second, as a user's click between two polls.
    while (next < events.length && (events[next] as Event).at <= i) (events[next++] as Event).apply(m, nowMs - 500);
    m.step(nowMs);
    const banks: Record<number, BankReading> = {};
    for (let b = 1; b <= BANK_COUNT; b++) banks[b] = bank(b + 1);
    const outlets: Record<number, OutletReading> = {};
    for (let n = 1; n <= OUTLET_COUNT; n++) outlets[n] = outlet(n);
    yield {
      device_id: 'sim-pdu44001',
      ts,
      identity: { ...identity, sys_uptime_cs: m.sysUpTimeCs(nowMs) },
      capabilities: [...SIM_CAPABILITIES],
      input: { voltage: num('input.voltage', m), frequency: num('input.frequency', m) },
      banks,
      totals: { load: num('bank.current', m, 1), power: num('bank.power', m, 1), energy: num('bank.energy', m, 1) },
      outlets,
      ats: {
        current_source: label<SourceName>('ats.current_source', m), preferred_source: label<SourceName>('ats.preferred_source', m),
        auto_transfer: null, redundancy: label<'ok' | 'lost'>('ats.redundancy', m),
      },
      sources: { a: source('a'), b: source('b') },
      coldstart: { delay_s: m.coldstart.delayS, state: m.coldstart.state },
      environment: null,
      transport: { state: 'healthy', consecutive_failures: 0, last_success_ts: ts, last_error: null, poll_ms: 5 },
      source_voltage_scale: 1,
      errors: [],
    };
  }
}
