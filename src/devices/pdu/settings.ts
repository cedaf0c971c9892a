import { parseOutletSpec, outletsOf } from '../../core/outlet-spec.js';
import type { Config, DeviceConfig } from '../../config/schema.js';
import type { RuntimeDeviceSpec } from '../../core/ports.js';
import type { PduDeviceSettings } from './types.js';
import { getProfile } from './profiles/index.js';

/** Map one resolved config device onto what a PduDevice needs (SPEC §4.2 devices[]). */
export function pduSettingsFrom(config: Config, d: DeviceConfig): PduDeviceSettings {
  const parsed = parseOutletSpec(d.protected_outlets); // validated by the schema
  return {
    id: d.id,
    label: d.label,
    host: d.host,
    port: d.port,
    version: d.snmp_version,
    community: d.community,
    writeCommunity: d.write_community,
    ...(d.snmp_version === '3' ? { v3: d.v3 } : {}),
    profile: getProfile(d.profile),
    timeoutMs: d.timeout_ms,
    retries: d.retries,
    pollIntervalMs: d.poll_interval_s * 1000,
    maxOidsPerRequest: config.snmp.max_oids_per_request,
    meteringFloor: config.snmp.metering_floor,
    expectedSerial: d.expected_serial,
    capabilityRecheckMs: config.snmp.capability_recheck_s * 1000,
    // Outlets beyond 256 do not exist on any CyberPower PDU; "all" protects every outlet there is.
    protectedOutlets: new Set(parsed.ok ? outletsOf(parsed.spec, 256) : []),
    recovery: { subnetScan: d.recovery.subnet_scan, subnet: d.recovery.subnet },
    homeassistant: d.homeassistant,
    fromConfig: true,
    utilitySource: d.utility_source,
  };
}

/** Settings of a device added at runtime (`device/add`), with the config's defaults (SPEC §9.3). */
export function runtimePduSettings(config: Config, spec: RuntimeDeviceSpec & { id: string }): PduDeviceSettings {
  return {
    id: spec.id,
    label: spec.label ?? '',
    host: spec.host,
    port: spec.port ?? 161,
    version: spec.snmp_version ?? '2c',
    community: spec.community ?? 'public',
    writeCommunity: spec.write_community ?? 'private',
    profile: getProfile(config.snmp.profile),
    timeoutMs: config.snmp.timeout_ms,
    retries: config.snmp.retries,
    pollIntervalMs: (spec.poll_interval_s ?? 1) * 1000,
    maxOidsPerRequest: config.snmp.max_oids_per_request,
    meteringFloor: config.snmp.metering_floor,
    expectedSerial: '',
    capabilityRecheckMs: config.snmp.capability_recheck_s * 1000,
    protectedOutlets: new Set(),
    recovery: { subnetScan: true, subnet: '' },
    homeassistant: true,
    fromConfig: false,
    utilitySource: spec.utility_source ?? null,
  };
}
