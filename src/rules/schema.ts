import { z } from 'zod';
import { idProblem } from '../config/schema/common.js';
import { closest, showValue } from '../config/text.js';
import { outletsOf, parseOutletSpec, type OutletSpec } from '../core/outlet-spec.js';
import { RULE_ACTIONS, type Rule, type RuleIssue } from '../core/rules.js';
import { isEdgeCondition } from './conditions.js';
import { checkCondition, unknownKeyMessage, type Path, type Report } from './schema-conditions.js';

// One rules.json entry (SPEC §12.1) → a Rule with every default filled in. zod checks the plain
// fields; the condition (schema-conditions.ts) and the outlet spec are checked by hand in a
// refinement that runs even when a plain field failed, so one pass reports every problem of
// the rule. Messages say what is wrong and how to fix it, since RuleIssue has no hint field.

/** A parsed rule; `description` is an optional free text kept for the file's readers. */
export type ParsedRule = Rule & { description?: string };

/** The longest delay, cooldown or stagger: a week. Longer values are almost certainly typos (ms?). */
export const MAX_SECONDS = 7 * 86_400;

const got = (v: unknown): string => `(got ${showValue(v)})`;
type Iss = { input?: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Seconds field: whole seconds unless `fraction`, 0 … MAX_SECONDS. */
function seconds(key: string, def: number, fraction = false) {
  const example = `"${key}": ${def || 10}`;
  let n = z.number({ error: (iss: Iss) => `must be a number of seconds without quotes ${got(iss.input)}: write e.g. ${example}` });
  if (!fraction) n = n.int({ error: (iss: Iss) => `must be whole seconds ${got(iss.input)}: use ${Math.round(Number(iss.input))}` });
  return n
    .min(0, { error: (iss: Iss) => `must not be negative ${got(iss.input)}: use 0 or more seconds` })
    .max(MAX_SECONDS, { error: (iss: Iss) => `is longer than 7 days (${MAX_SECONDS} s) ${got(iss.input)}: give it in seconds, at most ${MAX_SECONDS}` })
    .default(def);
}

const bool = (key: string, def: boolean) =>
  z.boolean({ error: (iss: Iss) => `must be true or false ${got(iss.input)}: write "${key}": ${def} without quotes` }).default(def);

const dayError = (iss: Iss): string => `is not a weekday number ${got(iss.input)}: use 0 (Monday) to 6 (Sunday)`;
const weekday = z.number({ error: dayError }).int({ error: dayError }).min(0, { error: dayError }).max(6, { error: dayError });

const actionError = (iss: Iss): string => {
  if (iss.input === undefined) return `is required: add e.g. "action": "off" (one of ${RULE_ACTIONS.join(', ')})`;
  const text = typeof iss.input === 'string' ? iss.input.toLowerCase() : undefined;
  // A prefix first: "of" means "off" more often than "on".
  const near = text ? (RULE_ACTIONS.find((a) => a.startsWith(text)) ?? closest(text, RULE_ACTIONS)) : undefined;
  return `is not an outlet action ${got(iss.input)}: ${near ? `did you mean "${near}"?` : `use one of ${RULE_ACTIONS.join(', ')}`}`;
};

/** Fields with no cross-field meaning; condition/input/threshold/hysteresis/outlet are checked in the refinement. */
const ruleObject = z.strictObject({
  name: z
    .string({ error: (iss: Iss) => (iss.input === undefined ? 'is required: add e.g. "name": "brownout-shed"' : `must be text ${got(iss.input)}: write e.g. "name": "brownout-shed"`) })
    .min(1, { error: 'must not be empty: give the rule a name, e.g. "brownout-shed"' })
    .max(64, { error: (iss: Iss) => `is ${String(iss.input).length} characters long: shorten it to at most 64` })
    .refine((s) => !s.includes('/'), { error: 'contains "/", which cannot appear in the API path /api/rules/{name}: use "-" instead' }),
  description: z.string({ error: (iss: Iss) => `must be text ${got(iss.input)}: put it in quotes` }).optional(),
  device: z
    .string({ error: (iss: Iss) => `must be a device id or "all" ${got(iss.input)}: write e.g. "device": "pdu-01", or remove it for the only device` })
    .nullable()
    .default(null)
    .superRefine((v, ctx) => {
      const p = v === null || v === 'all' ? null : idProblem(v);
      if (p) ctx.addIssue({ code: 'custom', message: `${p.message}: ${p.hint}, or "all"` });
    }),
  condition: z.unknown().optional(),
  input: z.unknown().optional(),
  threshold: z.unknown().optional(),
  hysteresis: z.unknown().optional(),
  outlet: z.unknown().optional(),
  outlets: z.unknown().optional(),
  action: z.enum(RULE_ACTIONS, { error: actionError }),
  restore: bool('restore', true),
  delay: seconds('delay', 5),
  restore_delay: seconds('restore_delay', 0),
  cooldown_s: seconds('cooldown_s', 0),
  stagger_s: seconds('stagger_s', 0, true),
  notify: z
    .string({ error: (iss: Iss) => `must be a webhook name, "mqtt" or null ${got(iss.input)}: write e.g. "notify": "mqtt"` })
    .nullable()
    .default(null)
    .transform((v) => (v === '' ? null : v)),
  days_of_week: z
    .array(weekday, { error: (iss: Iss) => `must be a list of weekday numbers or null ${got(iss.input)}: write e.g. [0,1,2,3,4] for Monday-Friday` })
    .nullable()
    .default(null)
    .superRefine((v, ctx) => {
      const dup = v?.find((d, i) => v.indexOf(d) !== i);
      if (dup !== undefined) ctx.addIssue({ code: 'custom', message: `lists day ${dup} twice: list each day once` });
    })
    // [] = every day, like null (SPEC §12.1); sorted so equal sets compare equal.
    .transform((v) => (v === null || v.length === 0 ? null : [...v].sort((a, b) => a - b))),
  schedule_type: z
    .enum(['continuous', 'oneshot'], { error: (iss: Iss) => `must be "continuous" or "oneshot" ${got(iss.input)}: write e.g. "schedule_type": "oneshot"` })
    .optional(),
  one_shot: z.boolean({ error: (iss: Iss) => `must be true or false ${got(iss.input)}: write "one_shot": true, or use "schedule_type": "oneshot"` }).optional(),
  enabled: bool('enabled', true),
});

const RULE_KEYS = Object.keys(ruleObject.shape);

/** The rule's outlet spec as parseOutletSpec text. */
function specText(v: Rule['outlet']): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** `outlet` as written (number, list or spec text) when it parses; overlaps are errors (SPEC §12.2). */
function checkOutlet(v: unknown, path: Path, notify: boolean, report: Report): Rule['outlet'] | null {
  const fix = 'write outlet numbers and ranges, e.g. "outlet": "1,3,5-8", [9, 10], 2 or "all"';
  const isOutlet = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (v === undefined) {
    report(path, `is required: ${fix}`);
    return null;
  }
  if (Array.isArray(v)) {
    const bad = v.findIndex((n) => !isOutlet(n));
    if (bad >= 0) {
      report([...path, bad], `is not an outlet number ${got(v[bad])}: outlets are numbered from 1; ${fix}`);
      return null;
    }
  } else if (typeof v === 'number' ? !isOutlet(v) : typeof v !== 'string') {
    report(path, `is not an outlet spec ${got(v)}: ${fix}`);
    return null;
  }
  const value = v as Rule['outlet'];
  const p = parseOutletSpec(specText(value));
  if (!p.ok) {
    report(path, `${p.message}: ${p.hint}`);
    return null;
  }
  // A notify-only rule may switch nothing; any other rule without outlets is a mistake.
  if (!p.spec.all && p.spec.ranges.length === 0 && !notify) {
    report(path, 'names no outlet, so the rule would do nothing: list the outlets to switch, e.g. "1,3", or set "notify"');
    return null;
  }
  return value;
}

/** Checks of the fields that depend on each other; returns the derived values when all is well. */
function crossCheck(raw: unknown, report: Report) {
  if (!isObject(raw)) return null;
  const cond = checkCondition(raw, report);
  if (raw.outlet !== undefined && raw.outlets !== undefined) {
    report(['outlets'], '"outlet" and its alias "outlets" are both set: keep only one of them');
  }
  const outletKey = raw.outlet === undefined && raw.outlets !== undefined ? 'outlets' : 'outlet';
  const notify = typeof raw.notify === 'string' && raw.notify !== '';
  const outlet = checkOutlet(raw[outletKey], [outletKey], notify, report);
  if (raw.one_shot !== undefined && raw.schedule_type !== undefined && (raw.one_shot === true) !== (raw.schedule_type === 'oneshot')) {
    report(['one_shot'], `contradicts "schedule_type": "${String(raw.schedule_type)}": keep only "schedule_type"`);
  }
  return cond && outlet !== null ? { ...cond, outlet } : null;
}

/** The zod schema of one rules.json entry; output = Rule with every default filled in. */
export const ruleSchema = ruleObject
  .superRefine((v, ctx) => void crossCheck(v, (path, message) => ctx.addIssue({ code: 'custom', path, message })), { when: () => true })
  .transform((v): ParsedRule => {
    const derived = crossCheck(v, () => undefined);
    if (derived === null) throw new Error('unreachable: the refinement reported the problem');
    return {
      name: v.name,
      ...(v.description === undefined ? {} : { description: v.description }),
      device: v.device,
      condition: derived.condition,
      input: derived.input,
      threshold: derived.threshold,
      outlet: derived.outlet,
      action: v.action,
      restore: v.restore,
      delay: v.delay,
      restore_delay: v.restore_delay,
      cooldown_s: v.cooldown_s,
      hysteresis: derived.hysteresis,
      stagger_s: v.stagger_s,
      notify: v.notify,
      days_of_week: v.days_of_week,
      schedule_type: v.schedule_type ?? (v.one_shot === true ? 'oneshot' : 'continuous'),
      enabled: v.enabled,
    };
  });

/** `condition.all[1].threshold` */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out || '(rule)';
}

function nameOf(input: unknown): string | null {
  return isObject(input) && typeof input.name === 'string' && input.name !== '' ? input.name : null;
}

export function parseRule(input: unknown, index: number | null): { ok: true; rule: ParsedRule } | { ok: false; issues: RuleIssue[] } {
  const r = ruleSchema.safeParse(input);
  if (r.success) return { ok: true, rule: r.data };
  const rule = nameOf(input);
  const issues: RuleIssue[] = [];
  const add = (path: Path | readonly PropertyKey[], message: string): void => {
    const field = fieldOf(path);
    if (!issues.some((i) => i.field === field && i.message === message)) issues.push({ rule, index, field, message });
  };
  for (const iss of r.error.issues) {
    if (iss.code === 'unrecognized_keys') for (const key of iss.keys) add([...iss.path, key], unknownKeyMessage(key, RULE_KEYS));
    else if (iss.code === 'invalid_type' && iss.path.length === 0) add([], `must be a rule object ${got(input)}: write {"name": …, "condition": …, "outlet": …, "action": …}`);
    else add(iss.path, iss.message);
  }
  return { ok: false, issues };
}

/** A whole rules.json: good entries are returned even when others are bad; names are unique ignoring case. */
export function parseRules(json: unknown): { rules: ParsedRule[]; issues: RuleIssue[] } {
  if (!Array.isArray(json)) {
    return { rules: [], issues: [{ rule: null, index: null, field: '(file)', message: `must be a JSON array of rule objects ${got(json)}: wrap the rules in [ … ]` }] };
  }
  const rules: ParsedRule[] = [];
  const issues: RuleIssue[] = [];
  const seen = new Map<string, { index: number; name: string }>();
  json.forEach((entry: unknown, index) => {
    const name = nameOf(entry);
    const first = name === null ? undefined : seen.get(name.toLowerCase());
    if (name !== null && first !== undefined) {
      const message = `duplicate rule name "${name}" (rule #${first.index} is "${first.name}"; names ignore case): rename one of them`;
      issues.push({ rule: name, index, field: 'name', message });
      return;
    }
    if (name !== null) seen.set(name.toLowerCase(), { index, name });
    const p = parseRule(entry, index);
    if (p.ok) rules.push(p.rule);
    else issues.push(...p.issues);
  });
  return { rules, issues };
}

/** The canonical rules.json form (what the API writes back): every field, in a stable order. */
export function ruleToJson(rule: ParsedRule): Record<string, unknown> {
  // A copy, so the caller can serialise or change it without touching the live rule.
  return structuredClone({
    name: rule.name,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    device: rule.device,
    condition: rule.condition,
    input: rule.input,
    threshold: rule.threshold,
    hysteresis: rule.hysteresis,
    outlet: rule.outlet,
    action: rule.action,
    restore: rule.restore,
    delay: rule.delay,
    restore_delay: rule.restore_delay,
    cooldown_s: rule.cooldown_s,
    stagger_s: rule.stagger_s,
    notify: rule.notify,
    days_of_week: rule.days_of_week,
    schedule_type: rule.schedule_type,
    enabled: rule.enabled,
  });
}

function specOf(rule: Rule): OutletSpec | null {
  const p = parseOutletSpec(specText(rule.outlet));
  return p.ok ? p.spec : null;
}

/** The outlets `rule` switches on a device with `outletCount` outlets, ascending. */
export function ruleOutlets(rule: Rule, outletCount: number): number[] {
  const spec = specOf(rule);
  return spec ? outletsOf(spec, outletCount) : [];
}

/** Whether the rule can switch an outlet off: its action, or the `off` restore of an `on` rule. */
function switchesOff(rule: Rule): string | null {
  if (rule.action === 'off' || rule.action === 'delayoff' || rule.action === 'reboot') return `its action "${rule.action}"`;
  // Edge rules never restore (SPEC §12.3: `restore` ignored), so their `on` cannot turn into an `off`.
  if (rule.restore && !isEdgeCondition(rule) && (rule.action === 'on' || rule.action === 'delayon')) return `its restore (the opposite of "${rule.action}")`;
  return null;
}

/**
 * Checks that need the device (SPEC §12.2): outlets beyond its count and protected outlets the
 * rule would switch off. null = the rule may act on this device.
 */
export function checkRuleForDevice(rule: Rule, device: { id: string; outletCount: number; protectedOutlets: readonly number[] }): RuleIssue | null {
  const issue = (message: string): RuleIssue => ({ rule: rule.name, index: null, field: 'outlet', message });
  const spec = specOf(rule);
  if (spec === null) return issue(`${JSON.stringify(rule.outlet)} is not a valid outlet spec: write e.g. "1,3,5-8"`);
  const beyond = spec.all ? [] : spec.ranges.filter(([, b]) => b > device.outletCount).map(([a, b]) => [Math.max(a, device.outletCount + 1), b] as const);
  if (beyond.length > 0) {
    const one = beyond.length === 1 && beyond[0]?.[0] === beyond[0]?.[1];
    const items = beyond.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
    return issue(`${one ? 'outlet' : 'outlets'} ${items} ${one ? 'is' : 'are'} beyond the ${device.outletCount} outlets of ${device.id}: drop ${one ? 'it' : 'them'} from "outlet" (valid outlets are 1-${device.outletCount})`);
  }
  return protectedOutletIssue(rule, device);
}

/**
 * A rule that would switch a protected outlet of this device off (SPEC §12.2). Needs only the
 * device's protected outlets (config), not its outlet count, so it is checked when rules load.
 */
export function protectedOutletIssue(rule: Rule, device: { id: string; protectedOutlets: readonly number[] }): RuleIssue | null {
  const off = switchesOff(rule);
  if (!off || device.protectedOutlets.length === 0) return null;
  const hit = ruleOutlets(rule, Math.max(...device.protectedOutlets)).filter((n) => device.protectedOutlets.includes(n));
  if (hit.length === 0) return null;
  const [what, is, it] = hit.length === 1 ? [`outlet ${hit[0]}`, 'is', 'it'] : [`outlets ${hit.join(', ')}`, 'are', 'them'];
  return {
    rule: rule.name, index: null, field: 'outlet',
    message: `${what} of ${device.id} ${is} protected, and ${off} would switch ${it} off: drop ${it} from "outlet" or from devices[].protected_outlets`,
  };
}
