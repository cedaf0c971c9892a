// Snapshot fixtures (HA discovery, history): a full PDU44001 (10 outlets, 2 banks, ATS,
// metering, environment with 2 contacts) and reduced variants, built as plain values.
import type { BankReading, Capability, OutletReading, PduSnapshot } from '../../src/core/types.js';

export const ALL_CAPABILITIES: readonly Capability[] = [
  'ats', 'sources', 'outlet_metering', 'bank_energy', 'coldstart', 'environment', 'total_row', 'input_frequency',
];

export interface FixtureOptions {
  deviceId?: string;
  serial?: string;
  name?: string;
  outlets?: number;
  banks?: number;
  contacts?: number;
  capabilities?: readonly Capability[];
}

function bank(metered: boolean): BankReading {
  return {
    current: 1.2, voltage: 120.4, power: 140, apparent_power: 145, power_factor: 0.97,
    energy: metered ? 12.3 : null, load_state: 'normal', energy_start: metered ? '2024-01-01' : null,
  };
}

function outlet(n: number, bankNo: number, metered: boolean): OutletReading {
  return {
    name: `Outlet${n}`, name_override: null, state: n % 3 === 0 ? 'off' : 'on', pending: false, bank: bankNo, max_load: 10,
    current: metered ? 0.4 : null, power: metered ? 45 : null, energy: metered ? 1.5 : null,
  };
}

export function pduSnapshot(opts: FixtureOptions = {}): PduSnapshot {
  const caps = new Set(opts.capabilities ?? ALL_CAPABILITIES);
  const outletCount = opts.outlets ?? 10;
  const bankCount = opts.banks ?? 2;
  const banks: Record<number, BankReading> = {};
  for (let b = 1; b <= bankCount; b++) banks[b] = bank(caps.has('bank_energy'));
  const outlets: Record<number, OutletReading> = {};
  for (let n = 1; n <= outletCount; n++) outlets[n] = outlet(n, 1 + Math.floor(((n - 1) * bankCount) / outletCount), caps.has('outlet_metering'));
  const contacts: Record<number, 'open' | 'closed'> = {};
  for (let c = 1; c <= (opts.contacts ?? 2); c++) contacts[c] = c % 2 === 0 ? 'open' : 'closed';
  const source = { voltage: 120.1, frequency: 60, status: 'normal' as const };
  return {
    device_id: opts.deviceId ?? 'pdu-01',
    ts: 1_700_000_000,
    identity: {
      name: opts.name ?? 'Rack PDU', model: 'PDU44001', serial: opts.serial ?? 'NA1234567890', serial_numeric: '1234567890',
      manufacture_date: '01/02/2023', firmware_main: '1.3.2', firmware_secondary: '', hardware_rev: '1.1', max_current: 12,
      outlet_count: outletCount, phase_count: 1, sys_descr: 'CyberPower PDU', sys_object_id: '', sys_name: 'pdu', sys_location: 'rack',
      sys_contact: '', sys_uptime_cs: 1000,
    },
    capabilities: [...caps],
    input: { voltage: 120.4, frequency: 60 },
    banks,
    totals: { load: 2.4, power: 280, energy: caps.has('bank_energy') ? 24.6 : null },
    outlets,
    ats: caps.has('ats') ? { current_source: 'A', preferred_source: 'A', auto_transfer: true, redundancy: 'ok' } : null,
    sources: caps.has('sources') ? { a: source, b: source } : null,
    coldstart: caps.has('coldstart') ? { delay_s: 5, state: 'allon' } : null,
    environment: caps.has('environment') ? { temperature: 24.5, humidity: 40, contacts } : null,
    transport: { state: 'healthy', consecutive_failures: 0, last_success_ts: 1_700_000_000, last_error: null, poll_ms: 40 },
    source_voltage_scale: 10,
    errors: [],
  };
}

/**
 * The reduced device of the brief: no ATS, no metering, 1 bank, 8 outlets. Its agent answers the
 * input frequency (every PDU model so far does), so `capabilities` lists what it has besides that.
 */
export function reducedSnapshot(opts: FixtureOptions = {}): PduSnapshot {
  const { capabilities = [], ...rest } = opts;
  return pduSnapshot({ outlets: 8, banks: 1, ...rest, capabilities: ['input_frequency', ...capabilities] });
}
