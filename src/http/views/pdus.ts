import { isIP, isIPv4 } from 'node:net';
import { z } from 'zod';
import { parseCidr } from '../../core/cidr.js';
import { idProblem } from '../../config/schema/common.js';
import { deviceSchema } from '../../config/schema/devices.js';
import { redactWith } from '../../config/redact.js';
import type { PduDescription } from '../../core/pdu-tools.js';
import type { DeviceInfo } from '../../core/ports.js';
import type { PduSnapshot } from '../../core/types.js';

// Schemas and the pure mapping of the PDU device endpoints (SPEC §14.2 `/api/pdus…`, §7.9).
// Times are epoch seconds; communities and SNMPv3 keys are masked "***" in every answer.

/** An IPv4/IPv6 literal or a DNS host name (no port, no path). */
export function hostProblem(v: string): string | null {
  if (isIP(v) !== 0) return null;
  if (/^[\d.]+$/.test(v) && !isIPv4(v)) return 'is not a valid IPv4 address';
  const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  return v.length <= 253 && new RegExp(`^${label}(?:\\.${label})*\\.?$`).test(v) ? null : 'is not an IP address or host name (no port or path: use the port field)';
}

const host = z
  .string()
  .trim()
  .min(1, 'is required (IP address or host name)')
  .superRefine((v, ctx) => {
    const p = hostProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });
const port = z.number().int().min(1).max(65535);
const secret = z.string().max(255);
const RUNTIME_FIELDS = 'kind, host, port, community, write_community, snmp_version, password, role, poll_interval_s, label, utility_source';

/** An object of `shape` whose other keys are refused one by one, naming the key (zod's strict mode names none). */
function onlyFields<T extends z.ZodRawShape>(shape: T) {
  const known = new Set(Object.keys(shape));
  return z.looseObject(shape).superRefine((b, ctx) => {
    for (const k of Object.keys(b)) {
      if (!known.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: `is not set at runtime (runtime devices take ${RUNTIME_FIELDS}; other options go in the config file)` });
    }
  });
}

const deviceFields = {
  kind: z
    .enum(['cyberpower', 'kasa', 'shelly', 'tasmota'], { error: 'must be cyberpower (SNMP PDU), kasa, shelly or tasmota (metered plugs)' })
    .optional()
    .describe('default cyberpower; kasa | shelly | tasmota = a metered smart plug (SNMP fields are then refused)'),
  host,
  port: port.optional().describe('default 161 cyberpower, 9999 kasa, 80 shelly/tasmota'),
  community: secret.optional().describe('PDUs: read community, default "public"'),
  write_community: secret.optional().describe('PDUs: default "private"; "" = read-only'),
  snmp_version: z.enum(['1', '2c'], { error: 'must be "1" or "2c" (SNMPv3 devices go in the config file)' }).optional(),
  password: secret.optional().describe('Shelly (digest) / Tasmota web password; never returned, left out of backups'),
  role: z.enum(['', 'sensor'], { error: 'must be "sensor" or ""' }).optional().describe('plugs: sensor = its answers count in the outage quorum (SPEC §11.3)'),
  poll_interval_s: z.number().int().min(1).max(300).optional().describe('1..300, default 1 (PDUs) or 2 (plugs)'),
  label: z.string().max(100).optional(),
  utility_source: z.enum(['A', 'B']).nullable().optional().describe('ATS input fed by the utility (SPEC §11.4)'),
};

const deviceId = z.string().superRefine((v, ctx) => {
  const p = idProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: `${p.message}; ${p.hint}` });
});

export const pduCreateBody = onlyFields({ id: deviceId.optional().describe('absent or "" = pdu-01, pdu-02, …'), ...deviceFields })
  .describe('a runtime device (SPEC §9.3 device/add fields)');

export const pduUpdateBody = onlyFields({
  ...deviceFields,
  host: host.optional(),
  id: z.never({ error: 'cannot be changed: renaming a device is a remove + add (SPEC §5)' }).optional(),
})
  .describe('fields to change; the others keep their values');

export const pduIdParams = z.object({ id: z.string().min(1).max(64) });

const v3Body = z.object({
  username: z.string().min(1),
  security_level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']).default('authPriv'),
  auth_protocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'),
  auth_key: z.string().default(''),
  priv_protocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).default('aes'),
  priv_key: z.string().default(''),
  context: z.string().default(''),
});

export const testConnectionBody = z
  .object({
    host,
    port: port.default(161),
    community: secret.default('public'),
    snmp_version: z.enum(['1', '2c', '3']).default('2c'),
    v3: v3Body.optional(),
    timeout_ms: z.number().int().min(200).max(10_000).default(2000).describe('per request; the test takes at most 4 of them'),
  })
  .superRefine((b, ctx) => {
    if (b.snmp_version === '3' && !b.v3) ctx.addIssue({ code: 'custom', path: ['v3'], message: 'is required with snmp_version "3"' });
  });

/** Widest subnet one discovery may scan (SPEC §7.9), and how many subnets one request may name. */
export const DISCOVER_MIN_PREFIX = 24;
export const DISCOVER_MAX_SUBNETS = 4;

/** What a discovery without a body (or without these keys) uses: SPEC §7.9's 1 s timeout, 0 retries. */
export const DISCOVER_DEFAULTS = { community: 'public', port: 161, timeout_ms: 1000 } as const;

export function subnetProblem(v: string): string | null {
  const c = parseCidr(v);
  if (!c) return `"${v}" is not an IPv4 CIDR such as 192.168.1.0/24`;
  return c.bits < DISCOVER_MIN_PREFIX ? `"${v}" is wider than /${DISCOVER_MIN_PREFIX}: scan it as several /24 subnets` : null;
}

export const discoverBody = z
  .object({
    subnets: z
      .array(z.string())
      .min(1)
      .max(DISCOVER_MAX_SUBNETS, `at most ${DISCOVER_MAX_SUBNETS} subnets per scan`)
      .superRefine((list, ctx) => {
        const p = list.map(subnetProblem).find((x) => x !== null);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .optional()
      .describe('IPv4 CIDRs of /24 or narrower; default: the /24 of every non-internal IPv4 interface'),
    community: secret.default(DISCOVER_DEFAULTS.community),
    port: port.default(DISCOVER_DEFAULTS.port),
    timeout_ms: z.number().int().min(200).max(5000).default(DISCOVER_DEFAULTS.timeout_ms).describe('per address'),
  })
  // A request without a body scans the defaults.
  .nullish();

// ---- responses ----

export const okView = z.object({ device_id: z.string(), ok: z.literal(true) });
export const pduDeletedView = z.object({ device_id: z.string(), deleted: z.literal(true) });

const transportView = z.object({
  state: z.string(), consecutive_failures: z.number().int(), last_success_ts: z.number().nullable(), last_error: z.string().nullable(), poll_ms: z.number().nullable(),
});

export const pduItemView = z.object({
  device_id: z.string(),
  label: z.string(),
  host: z.string().describe('the address polled now (differs from config.host after an address change, SPEC §7.7)'),
  config: z.record(z.string(), z.unknown()).nullable().describe('devices[] entry, communities and keys "***"'),
  source: z.enum(['config', 'runtime']),
  identity: z.record(z.string(), z.unknown()).nullable(),
  capabilities: z.array(z.string()),
  status: z.enum(['healthy', 'degraded', 'recovering', 'lost', 'error', 'no_data']),
  status_detail: z.string(),
  data_age_seconds: z.number().nullable(),
  has_data: z.boolean(),
  transport: transportView,
  consecutive_failures: z.number().int(),
  poll_count: z.number().int(),
});
export type PduItem = z.output<typeof pduItemView>;
export const pduListView = z.object({ pdus: z.array(pduItemView), count: z.number().int() });

export const testConnectionView = z.union([
  z.object({ success: z.literal(true), device_name: z.string(), model: z.string(), serial: z.string(), outlet_count: z.number().int() }),
  z.object({ success: z.literal(false), error: z.string() }),
]);

export const discoverView = z.object({
  interfaces: z.array(z.object({ interface: z.string(), subnet: z.string(), ip: z.string(), pdu_count: z.number().int() })),
  discovered: z.array(
    z.object({
      host: z.string(), port: z.number().int(), device_name: z.string(), serial: z.string(), model: z.string(),
      outlet_count: z.number().int().nullable(), already_configured: z.boolean(),
    }),
  ),
  subnets: z.array(z.string()).describe('what was scanned'),
  hosts_scanned: z.number().int(),
  complete: z.boolean().describe('false: the time bound stopped the scan early'),
});

export const systemInfoView = z.object({
  version: z.string(), node_version: z.string(), uptime_seconds: z.number(), pdu_count: z.number().int(), switch_count: z.number().int(),
  demo: z.boolean(), restart_required: z.array(z.string()),
});

/** A device config with every secret masked as the config file's schema marks them. */
export function redactDeviceConfig(config: Record<string, unknown>): Record<string, unknown> {
  return redactWith(config, deviceSchema) as Record<string, unknown>;
}

function statusOf(info: DeviceInfo, snap: PduSnapshot | null): PduItem['status'] {
  return info.state === 'healthy' && !snap ? 'no_data' : info.state;
}

/** One `GET /api/pdus` entry. `nowS` (epoch seconds) only feeds data_age_seconds. Pure. */
export function pduItem(info: DeviceInfo, snap: PduSnapshot | null, desc: PduDescription | null, nowS: number): PduItem {
  const status = statusOf(info, snap);
  const lastError = desc?.last_error ?? snap?.transport.last_error ?? null;
  const failures = desc?.consecutive_failures ?? snap?.transport.consecutive_failures ?? 0;
  return {
    device_id: info.id,
    label: info.label,
    host: info.host,
    config: desc ? redactDeviceConfig(desc.config) : null,
    source: desc?.source ?? (info.fromConfig ? 'config' : 'runtime'),
    identity: snap ? { ...snap.identity } : null,
    capabilities: snap ? [...snap.capabilities] : [],
    status,
    status_detail: status === 'no_data' ? 'no data yet' : status === 'healthy' ? 'polling' : (lastError ?? status),
    data_age_seconds: snap ? Math.max(0, Math.round((nowS - snap.ts) * 10) / 10) : null,
    has_data: snap !== null,
    transport: {
      state: info.state, consecutive_failures: failures, last_success_ts: desc?.last_success_ts ?? snap?.transport.last_success_ts ?? null,
      last_error: lastError, poll_ms: snap?.transport.poll_ms ?? null,
    },
    consecutive_failures: failures,
    poll_count: desc?.poll_count ?? 0,
  };
}
