import { z } from 'zod';
import { httpUrlProblem } from '../config/schema/common.js';
import { TRAP_DROP_REASONS } from '../core/ports.js';

// zod schemas shared by the routes: the single source for request validation, response
// serialisation and the OpenAPI document (/api/openapi.json). PowerMon-compatible shapes follow
// SPEC §14.4 (ISO-8601 `*_at`), original-bridge shapes §14.2/§14.3 (epoch seconds).

// ---- query and path parameters ----

/** A window in hours (1 h … 1 year). */
export const hoursQuery = (defaultHours: number) =>
  z.coerce.number().int().min(1).max(8760).default(defaultHours).describe('window in hours (1-8760)');

/** `true`/`false`/`1`/`0` (z.coerce.boolean would read "false" as true). */
export const booleanQuery = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .describe('true | false');

export const deviceIdQuery = z.string().min(1).max(64).describe('device id (SPEC §14.1 device resolution)');

/** A switch by numeric id or by name. */
export const switchIdParams = z.object({ id: z.string().min(1).max(128).describe('numeric id or name') });

export const switchesListQuery = z.object({ active: booleanQuery.optional() });

export const powerChecksQuery = z.object({
  hours: hoursQuery(24),
  switch_id: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
});

export const outagesQuery = z.object({
  hours: hoursQuery(168),
  kind: z.enum(['power', 'network', 'all']).default('power'),
});

export const statisticsQuery = z.object({ hours: hoursQuery(720) });

export const statusQuery = z.object({ device_id: deviceIdQuery.optional() });

// ---- switch bodies (SPEC §11.1: `ip_address`/`is_active` are aliases of `ip`/`active`) ----

const hostName = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine((v) => httpUrlProblem(`http://${v}/`) === null, 'is not a host name or IP address (use url for a port or path)');

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = httpUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const switchFields = {
  name: z.string().trim().min(1).max(100),
  ip_address: hostName.optional(),
  ip: hostName.optional().describe('alias of ip_address'),
  url: httpUrl.optional(),
  role: z.enum(['sensor', 'control']).optional(),
  is_active: z.boolean().optional(),
  active: z.boolean().optional().describe('alias of is_active'),
  group: z.string().trim().max(64).optional(),
};

export const switchCreateBody = z.object(switchFields).superRefine((b, ctx) => {
  if (b.url === undefined && b.ip_address === undefined && b.ip === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ip_address'], message: 'ip_address or url is required' });
  }
});

export const switchPatchBody = z.object(switchFields).partial();

export type SwitchCreateBody = z.output<typeof switchCreateBody>;
export type SwitchPatchBody = z.output<typeof switchPatchBody>;

// ---- responses ----

export const errorResponse = z.object({
  error: z.string(),
  code: z.string().optional(),
  field: z.string().optional(),
  details: z.array(z.unknown()).optional().describe('every problem, when there are several'),
});

const isoTime = z.string().describe('ISO-8601 UTC');

export const lastCheckView = z.object({
  result: z.enum(['up', 'down']),
  is_online: z.boolean(),
  http_status: z.number().int().nullable(),
  response_time: z.number().nullable().describe('ms'),
  error_message: z.string().nullable(),
  checked_at: isoTime,
});

export const checkView = z.object({ id: z.number().int(), switch_id: z.number().int(), ...lastCheckView.shape });

export const switchView = z.object({
  id: z.number().int(),
  name: z.string(),
  ip_address: z.string(),
  url: z.string(),
  role: z.enum(['sensor', 'control']),
  is_active: z.boolean(),
  group: z.string(),
  stale: z.boolean(),
  source: z.enum(['config', 'runtime']),
  created_at: isoTime,
  updated_at: isoTime,
  last_check: lastCheckView.nullable(),
});

export const outageView = z.object({
  id: z.number().int(),
  kind: z.enum(['power', 'network']),
  started_at: isoTime,
  ended_at: isoTime.nullable(),
  duration_seconds: z.number().nullable(),
  switches_affected: z.array(z.union([z.string(), z.number()])),
  outlets_shed: z.record(z.string(), z.array(z.number())),
  is_ongoing: z.boolean(),
  cause: z.string().nullable(),
  scope: z.enum(['site', 'partial', 'source_a', 'source_b']).nullable(),
  confidence: z.enum(['high', 'medium', 'low']).nullable(),
  evidence: z.record(z.string(), z.unknown()),
});

export const statisticsView = z.object({
  window_hours: z.number(),
  total_switches: z.number().int(),
  active_switches: z.number().int(),
  uptime_percentage: z.number(),
  total_outages: z.number().int(),
  total_outage_seconds: z.number(),
  average_outage_seconds: z.number(),
  longest_outage_seconds: z.number(),
  ongoing_outage: outageView.nullable(),
  switches: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      uptime_percentage: z.number().nullable(),
      checks: z.number().int(),
      avg_response_time_ms: z.number().nullable(),
      last_check_at: isoTime.nullable(),
    }),
  ),
});

export const healthView = z.object({
  status: z.enum(['healthy', 'degraded']),
  issues: z.array(z.string()),
  pdu_count: z.number().int().describe('devices polled (PDUs and plugs)'),
  subsystems: z
    .object({
      mqtt: z.object({ connected: z.boolean(), reconnect_count: z.number().int(), broker: z.string(), publish_errors: z.number().int(), total_publishes: z.number().int() }).nullable(),
      history: z.object({ db_path: z.string(), total_writes: z.number().int(), write_errors: z.number().int(), healthy: z.boolean() }).nullable(),
      probes: z.object({ total: z.number().int(), up: z.number().int(), down: z.number().int(), unknown: z.number().int(), stale: z.number().int() }).nullable(),
      traps: z
        .object({
          port: z.number().int(), received: z.number().int(), accepted: z.number().int().describe('from a configured PDU, authenticated: each triggered a poll'),
          dropped: z.record(z.enum(TRAP_DROP_REASONS), z.number().int()),
        })
        .nullable()
        .optional()
        .describe('SNMP trap listener (snmp.traps.enabled); null when off'),
    })
    .optional(),
  uptime_seconds: z.number().int().optional(),
  pollers: z
    .array(z.object({
      device_id: z.string(), state: z.string(), poll_count: z.number().int(), poll_errors: z.number().int(), last_poll_duration_ms: z.number().nullable(),
      seconds_since_last_poll: z.number().nullable().describe('since the last successful poll'), consecutive_failures: z.number().int(),
    }))
    .optional(),
  restart_required: z.array(z.string()).optional().describe('saved runtime settings waiting for a restart'),
});

export const deletedView = z.object({ id: z.number().int(), deleted: z.literal(true) });

export const demoScenarioBody = z
  .looseObject({
    name: z.string().min(1).max(64).optional(),
    action: z.string().min(1).max(64).optional().describe('alias of name (SPEC §14.2)'),
  })
  .superRefine((b, ctx) => {
    if (b.name === undefined && b.action === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required' });
  })
  .describe('{name, ...parameters} (SPEC §8), e.g. {"name":"fail_source","source":"A"}; {"name":"hang_target","hung":false} (or unhang_target) un-wedges the simulated modem');

export const demoResultView = z.object({ ok: z.literal(true), scenario: z.string(), detail: z.string() });
export const demoScenariosView = z.object({ scenarios: z.array(z.string()) });

// ---- /api/status (SPEC §14.3): Part A (original PDU status, epoch seconds) + Part B (power status) ----

const num = z.number().nullable();

const sourceView = z.object({ voltage: num, frequency: num, voltage_status: z.string().nullable() });

export const pduStatusSchema = z.object({
  device: z.object({ name: z.string(), id: z.string(), outlet_count: z.number().int(), phase_count: z.number().int() }).optional(),
  ats: z
    .object({
      preferred_source: z.number().int().nullable().describe('1 = A, 2 = B'),
      preferred_label: z.string().nullable(),
      current_source: z.number().int().nullable().describe('1 = A, 2 = B'),
      current_label: z.string().nullable(),
      auto_transfer: z.boolean().nullable(),
      transferred: z.boolean().nullable(),
      redundancy_ok: z.boolean().nullable(),
      source_a: sourceView.nullable(),
      source_b: sourceView.nullable(),
      coldstart_delay: num,
      coldstart_state: z.string().nullable(),
    })
    .nullable()
    .optional(),
  inputs: z
    .record(
      z.string(),
      z.object({
        number: z.number().int(), voltage: num, current: num, power: num, apparent_power: num, power_factor: num,
        load_state: z.string(), energy: num, last_update: z.number(),
      }),
    )
    .optional()
    .describe('banks, keyed by number'),
  outlets: z
    .record(
      z.string(),
      z.object({
        number: z.number().int(), name: z.string(), state: z.string(), current: num, power: num, energy: num,
        bank_assignment: z.number().int().nullable(), max_load: num, pending: z.boolean(),
      }),
    )
    .optional(),
  summary: z
    .object({
      total_power: num, total_load: num, total_energy: num, input_voltage: num, input_frequency: num,
      active_outlets: z.number().int(), total_outlets: z.number().int(),
    })
    .optional(),
  environment: z
    .object({ temperature: num, humidity: num, contacts: z.record(z.string(), z.enum(['open', 'closed'])) })
    .optional(),
  identity: z.record(z.string(), z.unknown()).optional(),
  mqtt: z.record(z.string(), z.unknown()).nullable().optional().describe('MQTT connection (null: not reported)'),
  data_age_seconds: z.number().optional(),
  ts: z.number().optional().describe('epoch seconds of the poll'),
  pdu_error: z.string().optional().describe('"no data yet" before the first poll'),
});
export type PduStatusView = z.output<typeof pduStatusSchema>;

export const powerStatusSchema = z.object({
  power_status: z.enum(['normal', 'outage', 'network_fault', 'device_down']).nullable().describe('null: outage engine off'),
  current_outage: outageView.nullable(),
  switches_total: z.number().int(),
  switches_online: z.number().int(),
  switches_offline: z.number().int(),
  switches: z.array(switchView),
  last_check_at: isoTime.nullable(),
  pdus: z.array(z.string()),
});

export const statusView = powerStatusSchema.extend(pduStatusSchema.shape);
