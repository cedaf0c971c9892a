// Devices with `role: sensor` (metered plugs, SPEC §11.3) as outage evidence. Pure.
//
// A sensor device counts like a sensor switch in the probe cycle's quorum: its latest poll
// answered = `up`, no answer = `down`. "Latest poll" is read from the time of its last sample:
// none within 2 poll intervals (+1 s) of the probe cycle = its polls are failing. A device that
// answers with a voltage below `outage.source_lost_voltage` is browned out and counts `down` too.
// Never sampled since start, or in health `error` (wrong credentials, wrong device): no evidence.
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
