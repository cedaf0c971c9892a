import type { Config, DeviceConfig } from '../../config/schema.js';
import { outletsOf, parseOutletSpec } from '../../core/outlet-spec.js';
import type { PlugKind } from './types.js';

/** Everything one polled plug needs, resolved from `devices[]` (SPEC §4.2) or built by the demo. */
export interface PlugDeviceSettings {
  id: string;
  kind: PlugKind;
  label: string;
  host: string;
  port: number;
  /** Shelly digest / Tasmota web password ("" = none). */
  password: string;
  pollIntervalMs: number;
  /** Upper bound of one poll (clamped below 90 % of the interval by the scheduler). */
  timeoutMs: number;
  /** `sensor`: its answers count in the outage quorum (SPEC §11.3). */
  role: '' | 'sensor';
  protectedOutlets: ReadonlySet<number>;
  homeassistant?: boolean;
  fromConfig?: boolean;
  utilitySource?: null;
}

export function isPlugKind(kind: string): kind is PlugKind {
  return kind === 'kasa' || kind === 'shelly' || kind === 'tasmota';
}

export function plugSettingsFrom(_config: Config, d: DeviceConfig & { kind: PlugKind }): PlugDeviceSettings {
  const parsed = parseOutletSpec(d.protected_outlets);
  return {
    id: d.id, kind: d.kind, label: d.label, host: d.host, port: d.port, password: d.password,
    pollIntervalMs: d.poll_interval_s * 1000,
    // A plug answers slower than a PDU agent (Wi-Fi, one request per strip child): the poll may use most of the interval.
    timeoutMs: Math.max(d.timeout_ms * (d.retries + 1), Math.floor(d.poll_interval_s * 900)),
    role: d.role, protectedOutlets: new Set(parsed.ok ? outletsOf(parsed.spec, 64) : []), homeassistant: d.homeassistant, fromConfig: true,
    utilitySource: null,
  };
}
