import type { DeviceInfo, HealthDetails } from '../../core/ports.js';
import type { PduSnapshot, SourceName, SourceReading } from '../../core/types.js';
import type { PduStatusView } from '../schemas.js';

// Part A of `GET /api/status` (SPEC §14.3): the original bridge's PDU status object, derived from
// the snapshot by one pure mapping (ARCHITECTURE.md "Samples are values"). Times stay epoch
// seconds, as in the original; sources are numbered 1 = A, 2 = B with their letter as label.

export const NO_DATA_YET = 'no data yet';

const SOURCE_NUMBER: Record<SourceName, number> = { A: 1, B: 2 };

function sourceView(s: SourceReading | null | undefined): { voltage: number | null; frequency: number | null; voltage_status: string | null } | null {
  return s ? { voltage: s.voltage, frequency: s.frequency, voltage_status: s.status } : null;
}

function atsView(snap: PduSnapshot): PduStatusView['ats'] {
  const { ats, sources, coldstart } = snap;
  if (!ats && !sources && !coldstart) return null;
  const preferred = ats?.preferred_source ?? null;
  const current = ats?.current_source ?? null;
  return {
    preferred_source: preferred === null ? null : SOURCE_NUMBER[preferred],
    preferred_label: preferred,
    current_source: current === null ? null : SOURCE_NUMBER[current],
    current_label: current,
    auto_transfer: ats?.auto_transfer ?? null,
    // Running on the other input than the preferred one = the ATS transferred.
    transferred: preferred === null || current === null ? null : preferred !== current,
    redundancy_ok: ats?.redundancy == null ? null : ats.redundancy === 'ok',
    source_a: sourceView(sources?.a),
    source_b: sourceView(sources?.b),
    coldstart_delay: coldstart?.delay_s ?? null,
    coldstart_state: coldstart?.state ?? null,
  };
}

/** Outlet name as every output shows it: the local override when set (SPEC §7.4). */
function outletName(name: string, override: string | null): string {
  return override !== null && override !== '' ? override : name;
}

/**
 * The PDU status object of one device. `nowS` (epoch seconds) only feeds `data_age_seconds`.
 * Without a snapshot the data keys are absent and `pdu_error` says why (§14.3).
 */
export function pduStatusView(snap: PduSnapshot | null, info: DeviceInfo, nowS: number, mqtt: HealthDetails['subsystems']['mqtt'] = null): PduStatusView {
  if (!snap) return { pdu_error: NO_DATA_YET };
  const id = snap.identity;
  const inputs: NonNullable<PduStatusView['inputs']> = {};
  for (const [key, b] of Object.entries(snap.banks)) {
    inputs[key] = {
      number: Number(key), voltage: b.voltage, current: b.current, power: b.power, apparent_power: b.apparent_power,
      power_factor: b.power_factor, load_state: b.load_state, energy: b.energy, last_update: snap.ts,
    };
  }
  const outlets: NonNullable<PduStatusView['outlets']> = {};
  let active = 0;
  for (const [key, o] of Object.entries(snap.outlets)) {
    if (o.state === 'on') active++;
    outlets[key] = {
      number: Number(key), name: outletName(o.name, o.name_override), state: o.state, current: o.current, power: o.power,
      energy: o.energy, bank_assignment: o.bank, max_load: o.max_load, pending: o.pending,
    };
  }
  const view: PduStatusView = {
    device: { name: info.label || id.name, id: snap.device_id, outlet_count: id.outlet_count, phase_count: id.phase_count },
    ats: atsView(snap),
    inputs,
    outlets,
    summary: {
      total_power: snap.totals.power,
      total_load: snap.totals.load,
      total_energy: snap.totals.energy,
      input_voltage: snap.input.voltage,
      input_frequency: snap.input.frequency,
      active_outlets: active,
      total_outlets: Object.keys(outlets).length,
    },
    identity: { ...id },
    // The bridge's MQTT connection, as in /api/health (null: MQTT is not running).
    mqtt,
    data_age_seconds: Math.max(0, Math.round((nowS - snap.ts) * 10) / 10),
    ts: snap.ts,
  };
  if (snap.environment) {
    const contacts: Record<string, 'open' | 'closed'> = {};
    for (const [n, c] of Object.entries(snap.environment.contacts)) contacts[n] = c;
    view.environment = { temperature: snap.environment.temperature, humidity: snap.environment.humidity, contacts };
  }
  return view;
}
