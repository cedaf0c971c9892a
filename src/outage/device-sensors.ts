// Devices with `role: sensor` (metered plugs, SPEC §11.3) as outage evidence. Pure.
//
// A sensor device counts like a sensor switch in the probe cycle's quorum: its latest poll
// answered = `up`, no answer = `down`. "Latest poll" is read from the time of its last sample:
// none within 2 poll intervals (+1 s) of the probe cycle = its polls are failing. A device that
// answers with a voltage below `outage.source_lost_voltage` is browned out and counts `down` too.
// Never sampled since start, or in health `error` (wrong credentials, wrong device): no evidence.
//
// A sensor plug's energy counter going back (it lost power between two polls, then answered)
// is evidence too, but not a verdict: §11.3 counts an answering device `up`, and the reset is
// learnt after the power came back. It travels with the next probe cycle as a signal, which the
// engine attaches to an open or adjacent outage (like the PDU signals of §11.4) and which never
// opens an outage by itself.
import type { ProbeCycleEvidence } from './evidence.js';

export interface SensorDevice {
  device_id: string;
  poll_interval_s: number;
  state: string;
  /** Epoch seconds of its latest sample; null = none since start. */
  last_sample_ts: number | null;
  /** Input voltage of that sample. */
  voltage: number | null;
}

export const SENSOR_ID_PREFIX = 'device:';

export function deviceSensorEvidence(
  devices: readonly SensorDevice[],
  cycleTs: number,
  cfg: { source_lost_voltage: number },
): ProbeCycleEvidence['sensors'] {
  const out: ProbeCycleEvidence['sensors'] = [];
  for (const d of devices) {
    if (d.state === 'error' || d.last_sample_ts === null) continue;
    const fresh = cycleTs - d.last_sample_ts <= 2 * d.poll_interval_s + 1;
    const brownout = d.voltage !== null && d.voltage < cfg.source_lost_voltage;
    out.push({ id: `${SENSOR_ID_PREFIX}${d.device_id}`, result: fresh && !brownout ? 'up' : 'down' });
  }
  return out;
}

/** One `counter_reset` device event (devices/plug: an outlet's total went down). */
export interface CounterReset {
  device_id: string;
  /** Epoch seconds of the poll that saw it. */
  ts: number;
  outlet: number | null;
}

/** Pending resets kept between two cycles at most (a strip resets all its outlets at once). */
export const MAX_PENDING_RESETS = 256;

/**
 * The counter resets of sensor devices since the previous cycle, one signal per device (the
 * outlets of a strip reset together), at the time of its first reset. Resets of devices that are
 * not sensors are dropped. Pure.
 */
export function counterResetSignals(devices: readonly SensorDevice[], resets: readonly CounterReset[]): NonNullable<ProbeCycleEvidence['signals']> {
  const sensors = new Set(devices.map((d) => d.device_id));
  const byDevice = new Map<string, { ts: number; outlets: number[] }>();
  for (const r of resets) {
    if (!sensors.has(r.device_id)) continue;
    const e = byDevice.get(r.device_id) ?? { ts: r.ts, outlets: [] };
    e.ts = Math.min(e.ts, r.ts);
    if (r.outlet !== null && !e.outlets.includes(r.outlet)) e.outlets.push(r.outlet);
    byDevice.set(r.device_id, e);
  }
  return [...byDevice].map(([device_id, e]) => ({
    type: 'counter_reset' as const, device_id, ts: e.ts,
    data: { sensor: `${SENSOR_ID_PREFIX}${device_id}`, outlets: e.outlets.sort((a, b) => a - b) },
  }));
}
