import { DEFAULT_POLL_S, DEFAULT_PORT } from '../../config/resolve.js';
import type { Config, DeviceConfig } from '../../config/schema.js';
import { outletsOf, parseOutletSpec } from '../../core/outlet-spec.js';
import type { RuntimeDeviceSpec } from '../../core/ports.js';
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

/** A plug answers slower than a PDU agent (Wi-Fi, one request per strip child): the poll may use most of the interval. */
function plugTimeoutMs(timeoutMs: number, retries: number, pollS: number): number {
  return Math.max(timeoutMs * (retries + 1), Math.floor(pollS * 900));
}

export function plugSettingsFrom(_config: Config, d: DeviceConfig & { kind: PlugKind }): PlugDeviceSettings {
  const parsed = parseOutletSpec(d.protected_outlets);
  return {
    id: d.id, kind: d.kind, label: d.label, host: d.host, port: d.port, password: d.password,
    pollIntervalMs: d.poll_interval_s * 1000,
    timeoutMs: plugTimeoutMs(d.timeout_ms, d.retries, d.poll_interval_s),
    role: d.role, protectedOutlets: new Set(parsed.ok ? outletsOf(parsed.spec, 64) : []), homeassistant: d.homeassistant, fromConfig: true,
    utilitySource: null,
  };
}

/** A plug's settings in the shape of a config-file `devices[]` entry (SPEC §4.2); the password is NOT masked. Pure. */
export function plugConfigShape(s: PlugDeviceSettings, host: string): Record<string, unknown> {
  return {
    id: s.id, kind: s.kind, label: s.label, host, port: s.port, password: s.password, poll_interval_s: s.pollIntervalMs / 1000, enabled: true,
    homeassistant: s.homeassistant ?? true, timeout_ms: s.timeoutMs, role: s.role,
    protected_outlets: [...s.protectedOutlets].sort((a, b) => a - b).join(','),
  };
}

/** Settings of a plug added at runtime (`device/add`, `POST /api/pdus`), with the config file's defaults (SPEC §4.2, §9.3). */
export function runtimePlugSettings(config: Config, spec: RuntimeDeviceSpec & { id: string; kind: PlugKind }): PlugDeviceSettings {
  const pollS = spec.poll_interval_s ?? DEFAULT_POLL_S[spec.kind];
  return {
    id: spec.id, kind: spec.kind, label: spec.label ?? '', host: spec.host, port: spec.port ?? DEFAULT_PORT[spec.kind], password: spec.password ?? '',
    pollIntervalMs: pollS * 1000, timeoutMs: plugTimeoutMs(config.snmp.timeout_ms, config.snmp.retries, pollS),
    role: spec.role ?? '', protectedOutlets: new Set(), homeassistant: true, fromConfig: false, utilitySource: null,
  };
}
