import { z } from 'zod';
import { AUTOMATION_EVENT_TYPES, CONDITION_NAMES, RULE_ACTIONS, type RuleView } from '../../core/rules.js';
import type { StoredEvent } from '../context.js';
import { errorResponse } from '../schemas.js';

// Schemas and JSON of the rules engine routes (SPEC §12, §14.2 `/api/rules…`, `/api/events`).
// Rule bodies are validated by the rules service (RulesPort), which names the rule field and
// explains the fix; the request schema below only documents the fields for /api/openapi.json.
// Times are epoch seconds, as on every original-bridge endpoint (SPEC §14.1).

const epochTime = z.number().describe('epoch seconds');

/** Error body of the rule routes: `details` lists every validation issue of the rule or file. */
export const ruleErrorResponse = errorResponse.extend({
  details: z
    .array(z.object({ rule: z.string().nullable(), index: z.number().int().nullable(), field: z.string(), message: z.string() }))
    .optional()
    .describe('every issue: {rule, index, field, message}'),
});

const field = (doc: string) => z.unknown().optional().describe(doc);

/** A rules.json entry (SPEC §12.1); checked by the rules service, not here. */
export const ruleBody = z
  .looseObject({
    name: field('string, required, unique (at most 64 characters, no "/")'),
    device: field('device id or "all"; default: the only device, else the only cyberpower device'),
    condition: field(`one of ${CONDITION_NAMES.join(', ')}; or {"all": [...]} / {"any": [...]} of {condition, input?, threshold?, hysteresis?}`),
    input: field('int, default 0: source/bank/outlet selector, meaning per condition'),
    threshold: field('number / string / list, per condition'),
    outlet: field('int, int[], "1,3,5-8" or "all"'),
    outlets: field('alias of outlet'),
    action: field(`one of ${RULE_ACTIONS.join(', ')}`),
    restore: field('bool, default true'),
    delay: field('seconds, default 5'),
    restore_delay: field('seconds, default 0'),
    cooldown_s: field('seconds, default 0'),
    hysteresis: field('number in the condition unit; default 2 V / 0.5 A / 25 W'),
    stagger_s: field('seconds, default 0'),
    notify: field('webhook name, "mqtt" or null'),
    days_of_week: field('int[] 0=Mon…6=Sun; [] or null = every day'),
    schedule_type: field('continuous | oneshot'),
    one_shot: field('alias: true = schedule_type oneshot'),
    enabled: field('bool, default true'),
    description: field('free text'),
  })
  .describe('a rule object (SPEC §12.1), validated by the rules engine');

export const ruleNameParams = z.object({ name: z.string().min(1).max(128).describe('rule name') });

export const rulesListQuery = z.object({
  device_id: z.string().min(1).max(64).optional().describe('only the rules acting on this device'),
});

export const toggleBody = z
  .object({ enabled: z.boolean().optional().describe('absent: flip') })
  // fastify hands a request without a body over as null.
  .nullish()
  .describe('optional {enabled}; absent = flip');

const thresholdView = z.union([z.number(), z.string(), z.array(z.union([z.string(), z.number()])), z.null()]);

export const ruleStateView = z.object({
  device_id: z.string().describe('"" when the rule has no device yet'),
  phase: z.enum(['idle', 'pending', 'fired', 'restoring']),
  triggered: z.boolean(),
  condition_since: epochTime.nullable(),
  fired_at: epochTime.nullable(),
  execution_count: z.number().int(),
  last_execution: epochTime.nullable(),
  last_error: z.string().nullable(),
  inactive: z.string().nullable().describe('why the rule does not run (disabled, outlets beyond the device, …); null = active'),
});

export const ruleView = z.object({
  name: z.string(),
  device: z.string().nullable().describe('null = the default device'),
  condition: z.union([z.string(), z.record(z.string(), z.unknown())]),
  input: z.number(),
  threshold: thresholdView,
  outlet: z.union([z.string(), z.number(), z.array(z.number())]),
  action: z.enum(RULE_ACTIONS),
  restore: z.boolean(),
  delay: z.number(),
  restore_delay: z.number(),
  cooldown_s: z.number(),
  hysteresis: z.number().nullable(),
  stagger_s: z.number(),
  notify: z.string().nullable(),
  days_of_week: z.array(z.number().int()).nullable(),
  schedule_type: z.enum(['continuous', 'oneshot']),
  enabled: z.boolean(),
  description: z.string().optional(),
  state: ruleStateView,
});

export const ruleDeletedView = z.object({ deleted: z.string() });
export const ruleToggledView = z.object({ name: z.string(), enabled: z.boolean() });
export const rulesReloadedView = z.object({ rules: z.number().int().describe('rules loaded') });
export const dryRunView = z.object({
  would_fire: z.boolean(),
  phase: z.enum(['idle', 'pending', 'fired', 'restoring']),
  reasons: z.array(z.string()),
});

export type RuleJson = z.output<typeof ruleView>;


export function ruleJson(r: RuleView): RuleJson {
  const s = r.state;
  return {
    name: r.name, device: r.device, condition: r.condition as RuleJson['condition'], input: r.input, threshold: r.threshold, outlet: r.outlet,
    action: r.action, restore: r.restore, delay: r.delay, restore_delay: r.restore_delay, cooldown_s: r.cooldown_s, hysteresis: r.hysteresis,
    stagger_s: r.stagger_s, notify: r.notify, days_of_week: r.days_of_week, schedule_type: r.schedule_type, enabled: r.enabled,
    ...(r.description !== undefined ? { description: r.description } : {}),
    state: {
      device_id: s.device_id, phase: s.phase, triggered: s.triggered, condition_since: s.condition_since, fired_at: s.fired_at,
      execution_count: s.execution_count, last_execution: s.last_execution, last_error: s.last_error, inactive: s.inactive,
    },
  };
}

// ---- /api/events ----

export const EVENT_KIND_NAMES = ['system', 'automation', 'outage', 'probe'] as const;

/** Epoch seconds (`1767225600`, fractions allowed) or an ISO-8601 time (`2026-01-01T00:00:00Z`). */
const sinceQuery = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((v, ctx) => {
    const sec = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v) / 1000;
    if (!Number.isFinite(sec) || sec < 0) {
      ctx.addIssue({ code: 'custom', message: `is neither epoch seconds nor an ISO-8601 time (got "${v}"): write e.g. 1767225600 or 2026-01-01T00:00:00Z` });
      return z.NEVER;
    }
    return sec;
  })
  .describe('epoch seconds or ISO-8601 time, inclusive');

export const eventsQuery = z.object({
  device_id: z.string().min(1).max(64).optional().describe('one device only (bridge-wide events are then left out)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('1-1000'),
  kind: z.enum(EVENT_KIND_NAMES).optional(),
  type: z.string().min(1).max(64).optional().describe(`e.g. ${AUTOMATION_EVENT_TYPES.slice(0, 6).join(', ')}`),
  since: sinceQuery.optional(),
});

export const eventView = z.object({
  id: z.number().int(),
  rule: z.string().nullable().describe('rule name of automation events (source rule:<name>), else null'),
  source: z.string().nullable(),
  kind: z.string(),
  type: z.string(),
  details: z.string().nullable(),
  ts: epochTime,
  device_id: z.string().nullable(),
  system: z.boolean().describe('kind is system'),
  data: z.unknown(),
});

export type EventJson = z.output<typeof eventView>;

export function eventJson(e: StoredEvent): EventJson {
  const rule = e.source !== null && e.source.startsWith('rule:') ? e.source.slice('rule:'.length) : null;
  return {
    id: e.id, rule, source: e.source, kind: e.kind, type: e.type, details: e.details, ts: e.ts, device_id: e.device_id,
    system: e.kind === 'system', data: e.data,
  };
}
