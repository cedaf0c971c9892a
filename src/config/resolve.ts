// Resolution: turns the schema's output (with `auto` and per-device nulls) into the concrete
// Config every service uses, so no consumer has to know the fallback rules. Pure.
import { parseOutletSpec } from '../core/outlet-spec.js';
import type { Config, DeviceConfig, DeviceKind, ParsedConfig } from './schema.js';
import { assignDeviceIds } from './schema/common.js';

export { assignDeviceIds };

export interface ResolveContext {
  /** Whether a config file was loaded (decides `demo.enabled: auto`, §3.1). */
  fileLoaded: boolean;
}

export const DEFAULT_PORT: Record<DeviceKind, number> = { cyberpower: 161, kasa: 9999, shelly: 80, tasmota: 80 };

/** 1 Hz is the product's promise for PDUs (§7.6); plugs' local APIs are slower. */
export const DEFAULT_POLL_S: Record<DeviceKind, number> = { cyberpower: 1, kasa: 2, shelly: 2, tasmota: 2 };

export function resolveConfig(parsed: ParsedConfig, ctx: ResolveContext): Config {
  const ids = assignDeviceIds(parsed.devices.map((d) => d.id));
  const devices: DeviceConfig[] = parsed.devices.map((d, i) => {
    const outlets = parseOutletSpec(d.protected_outlets);
    return {
      ...d,
      id: ids[i] ?? d.id,
      port: d.port ?? DEFAULT_PORT[d.kind],
      poll_interval_s: d.poll_interval_s ?? DEFAULT_POLL_S[d.kind],
      profile: d.profile ?? parsed.snmp.profile,
      timeout_ms: d.timeout_ms ?? parsed.snmp.timeout_ms,
      retries: d.retries ?? parsed.snmp.retries,
      // Validated by the schema; the fallback only keeps this total for hand-built input.
      protected_outlets: outlets.ok ? outlets.normalized : String(d.protected_outlets),
    };
  });
  const { embedded } = parsed.mqtt;
  return {
    ...parsed,
    demo: { ...parsed.demo, enabled: parsed.demo.enabled === 'auto' ? !ctx.fileLoaded : parsed.demo.enabled },
    mqtt: {
      ...parsed.mqtt,
      embedded: { ...embedded, enabled: embedded.enabled === 'auto' ? parsed.mqtt.url === '' : embedded.enabled },
    },
    devices,
  };
}

/**
 * Which schema key a resolved value came from when it differs from its own key (for origins):
 * a device's null timeout_ms takes its value, and therefore its origin, from snmp.timeout_ms.
 */
export function inheritedFrom(parsed: ParsedConfig, dottedPath: string): string | undefined {
  const m = /^devices\.(\d+)\.(profile|timeout_ms|retries)$/.exec(dottedPath);
  if (!m) return undefined;
  const device = parsed.devices[Number(m[1])];
  const key = m[2] as 'profile' | 'timeout_ms' | 'retries';
  return device && device[key] === null ? `snmp.${key}` : undefined;
}
