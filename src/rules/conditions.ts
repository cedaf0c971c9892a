import { localParts } from '../core/calendar.js';
import type { ConditionLeaf, ConditionName, ConditionNode, Rule } from '../core/rules.js';
import type { LoadState, PduSnapshot, TransportState } from '../core/types.js';

// Conditions of SPEC §12.3: one declarative table (what each condition reads, its unit and
// whether it is a level, an edge or a time of day) and a pure evaluation. Time is passed in
// (ctx.now) so dry runs and tests see exactly what the engine sees.

export type ConditionKind = 'level' | 'edge' | 'time';
export type ConditionUnit = 'V' | 'A' | 'W';
/** What `input` selects: a voltage (0 input, 1 A, 2 B), a bank (0 = any/totals), an outlet, or nothing. */
export type InputMeaning = 'voltage' | 'bank' | 'outlet' | 'none';
/** How `threshold` is read (schema-conditions.ts validates it accordingly). */
export type ThresholdKind = 'number' | 'source' | 'clock' | 'window' | 'load' | 'health' | 'ignored';

export interface ConditionDef {
  kind: ConditionKind;
  unit: ConditionUnit | null;
  input: InputMeaning;
  threshold: ThresholdKind;
  /** Numeric conditions: which side of the threshold is true. */
  compare?: 'below' | 'above';
}

export const CONDITIONS: Readonly<Record<ConditionName, ConditionDef>> = {
  voltage_below: { kind: 'level', unit: 'V', input: 'voltage', threshold: 'number', compare: 'below' },
  voltage_above: { kind: 'level', unit: 'V', input: 'voltage', threshold: 'number', compare: 'above' },
  ats_source_is: { kind: 'level', unit: null, input: 'none', threshold: 'source' },
  ats_preferred_lost: { kind: 'level', unit: null, input: 'none', threshold: 'ignored' },
  redundancy_lost: { kind: 'level', unit: null, input: 'none', threshold: 'ignored' },
  time_after: { kind: 'time', unit: null, input: 'none', threshold: 'clock' },
  time_before: { kind: 'time', unit: null, input: 'none', threshold: 'clock' },
  time_between: { kind: 'time', unit: null, input: 'none', threshold: 'window' },
  outage_active: { kind: 'level', unit: null, input: 'none', threshold: 'ignored' },
  outage_start: { kind: 'edge', unit: null, input: 'none', threshold: 'ignored' },
  outage_end: { kind: 'edge', unit: null, input: 'none', threshold: 'ignored' },
  bank_load_is: { kind: 'level', unit: null, input: 'bank', threshold: 'load' },
  bank_current_above: { kind: 'level', unit: 'A', input: 'bank', threshold: 'number', compare: 'above' },
  bank_power_above: { kind: 'level', unit: 'W', input: 'bank', threshold: 'number', compare: 'above' },
  outlet_power_above: { kind: 'level', unit: 'W', input: 'outlet', threshold: 'number', compare: 'above' },
  outlet_power_below: { kind: 'level', unit: 'W', input: 'outlet', threshold: 'number', compare: 'below' },
  // `lost` is a level, `recovered` an edge: see leafKind().
  device_health_is: { kind: 'level', unit: null, input: 'none', threshold: 'health' },
};

/** SPEC §12.1 default hysteresis per unit; conditions without a unit have none. */
export const DEFAULT_HYSTERESIS: Readonly<Record<ConditionUnit, number>> = { V: 2, A: 0.5, W: 25 };

export const LOAD_STATES: readonly LoadState[] = ['normal', 'low', 'nearOverload', 'overload'];

export type RuleEdge = 'outage_start' | 'outage_end' | 'health_recovered';

export interface EvalContext {
  snapshot: PduSnapshot | null;
  health: TransportState | null;
  /** Epoch seconds. */
  now: number;
  tz: string;
  outageActive: boolean;
  /** One-shot events of this evaluation. */
  edges: ReadonlySet<RuleEdge>;
  /**
   * Build the human reasons (dry runs, event details). The engine's per-sample evaluation sets it
   * false: formatting every leaf of every rule each second is most of its garbage.
   */
  explain?: boolean;
}

export interface EvalResult {
  value: boolean;
  /** Previous truth of each numeric leaf in depth-first order; pass it back next time. */
  latch: boolean[];
  /** Short human explanations, one per leaf (dry run, event details). */
  reasons: string[];
}

/** A rule's condition as a tree: a plain condition name takes the rule's own input/threshold/hysteresis. */
export function conditionTree(rule: Pick<Rule, 'condition' | 'input' | 'threshold' | 'hysteresis'>): ConditionNode {
  if (typeof rule.condition !== 'string') return rule.condition;
  return { condition: rule.condition, input: rule.input, threshold: rule.threshold, hysteresis: rule.hysteresis };
}

export function isLeaf(node: ConditionNode): node is ConditionLeaf {
  return 'condition' in node;
}

/** Every leaf, depth first. */
export function leavesOf(node: ConditionNode): ConditionLeaf[] {
  if (isLeaf(node)) return [node];
  return ('all' in node ? node.all : node.any).flatMap(leavesOf);
}

export function leafKind(leaf: Pick<ConditionLeaf, 'condition' | 'threshold'>): ConditionKind {
  if (leaf.condition === 'device_health_is' && leaf.threshold === 'recovered') return 'edge';
  return CONDITIONS[leaf.condition].kind;
}

/** Edge-triggered rule: its condition, or any leaf of it, is an edge (SPEC §12.4). */
export function isEdgeCondition(rule: Pick<Rule, 'condition' | 'input' | 'threshold' | 'hysteresis'>): boolean {
  return leavesOf(conditionTree(rule)).some((l) => leafKind(l) === 'edge');
}

/** The engine re-evaluates these every 30 s, since time passes without new data. */
export function hasTimeCondition(rule: Pick<Rule, 'condition' | 'input' | 'threshold' | 'hysteresis'>): boolean {
  return leavesOf(conditionTree(rule)).some((l) => leafKind(l) === 'time');
}

export function evaluateRule(rule: Pick<Rule, 'condition' | 'input' | 'threshold' | 'hysteresis'>, ctx: EvalContext, latch: readonly boolean[]): EvalResult {
  return evaluate(conditionTree(rule), ctx, latch);
}

/**
 * Evaluates a condition tree. Every child is evaluated (no short circuit) so each numeric
 * leaf's latch stays current and every leaf contributes its reason.
 */
export function evaluate(node: ConditionNode, ctx: EvalContext, latch: readonly boolean[]): EvalResult {
  const out: EvalResult = { value: false, latch: [], reasons: [] };
  out.value = walk(node, ctx, latch, out);
  return out;
}

function walk(node: ConditionNode, ctx: EvalContext, prev: readonly boolean[], out: EvalResult): boolean {
  if (isLeaf(node)) {
    const def = CONDITIONS[node.condition];
    if (def.compare !== undefined) {
      const r = numericLeaf(node, def, ctx, prev[out.latch.length] ?? false);
      out.latch.push(r.value);
      if (ctx.explain !== false) out.reasons.push(r.reason);
      return r.value;
    }
    const r = otherLeaf(node, ctx);
    if (ctx.explain !== false) out.reasons.push(r.reason);
    return r.value;
  }
  const values = ('all' in node ? node.all : node.any).map((c) => walk(c, ctx, prev, out));
  return 'all' in node ? values.every(Boolean) : values.some(Boolean);
}

interface LeafResult {
  value: boolean;
  reason: string;
}

const fmt = (n: number): string => String(Math.round(n * 100) / 100);
const TRUE_SILENT: LeafResult = { value: true, reason: '' };
const FALSE_SILENT: LeafResult = { value: false, reason: '' };

/** Hysteresis on clearing: a true `_below` stays true until ≥ threshold + h, `_above` until ≤ threshold − h. */
function numericLeaf(leaf: ConditionLeaf, def: ConditionDef, ctx: EvalContext, wasTrue: boolean): LeafResult {
  const { label, value } = reading(leaf, ctx.snapshot);
  const unit = def.unit ?? '';
  if (typeof leaf.threshold !== 'number') return { value: false, reason: `${leaf.condition}: threshold is not a number` };
  if (value === null) return { value: false, reason: `${label} unknown` };
  const t = leaf.threshold;
  const h = leaf.hysteresis ?? (def.unit ? DEFAULT_HYSTERESIS[def.unit] : 0);
  if (ctx.explain === false) {
    const on = def.compare === 'below' ? value < t || (wasTrue && value < t + h) : value > t || (wasTrue && value > Math.max(0, t - h));
    return on ? TRUE_SILENT : FALSE_SILENT;
  }
  const v = `${label} ${fmt(value)} ${unit}`;
  if (def.compare === 'below') {
    if (value < t) return { value: true, reason: `${v} < ${fmt(t)} ${unit}` };
    if (wasTrue && value < t + h) return { value: true, reason: `${v} < ${fmt(t + h)} ${unit} (${fmt(t)} ${unit} + hysteresis ${fmt(h)})` };
    return { value: false, reason: `${v} ≥ ${fmt(wasTrue ? t + h : t)} ${unit}` };
  }
  if (value > t) return { value: true, reason: `${v} > ${fmt(t)} ${unit}` };
  // Readings are never negative, so the clearing level stops at 0 (a 10 W threshold with the
  // default 25 W hysteresis clears when the outlet draws nothing rather than never).
  const clear = Math.max(0, t - h);
  if (wasTrue && value > clear) return { value: true, reason: `${v} > ${fmt(clear)} ${unit} (${fmt(t)} ${unit} - hysteresis ${fmt(h)})` };
  return { value: false, reason: `${v} ≤ ${fmt(wasTrue ? clear : t)} ${unit}` };
}

/** The number a numeric leaf compares, with a label for its reason; null = no reading. */
function reading(leaf: ConditionLeaf, s: PduSnapshot | null): { label: string; value: number | null } {
  const n = leaf.input;
  switch (leaf.condition) {
    case 'voltage_below':
    case 'voltage_above': {
      if (n === 0) return { label: 'input voltage', value: s?.input.voltage ?? null };
      const src = n === 1 ? 'a' : 'b';
      return { label: `source ${src.toUpperCase()} voltage`, value: s?.sources?.[src]?.voltage ?? null };
    }
    case 'bank_current_above': {
      if (n !== 0) return { label: `bank ${n} current`, value: s?.banks[n]?.current ?? null };
      return { label: 'total current', value: s ? (s.totals.load ?? sumBanks(s, 'current')) : null };
    }
    case 'bank_power_above':
      if (n !== 0) return { label: `bank ${n} power`, value: s?.banks[n]?.power ?? null };
      return { label: 'total power', value: s?.totals.power ?? null };
    default:
      return { label: `outlet ${n} power`, value: s?.outlets[n]?.power ?? null };
  }
}

/** Sum over banks; null when there are none or any bank lacks the value (a partial sum would mislead). */
function sumBanks(s: PduSnapshot, key: 'current'): number | null {
  const values = Object.values(s.banks).map((b) => b[key]);
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0);
}

function otherLeaf(leaf: ConditionLeaf, ctx: EvalContext): LeafResult {
  const ats = ctx.snapshot?.ats ?? null;
  const t = leaf.threshold;
  switch (leaf.condition) {
    case 'ats_source_is': {
      const cur = ats?.current_source ?? null;
      if (cur === null) return { value: false, reason: 'active ATS source unknown' };
      return { value: cur === t, reason: cur === t ? `on source ${cur}` : `on source ${cur}, not ${String(t)}` };
    }
    case 'ats_preferred_lost': {
      const cur = ats?.current_source ?? null;
      const pref = ats?.preferred_source ?? null;
      if (cur === null || pref === null) return { value: false, reason: 'active or preferred ATS source unknown' };
      return { value: cur !== pref, reason: cur !== pref ? `on source ${cur}, preferred ${pref}` : `on preferred source ${pref}` };
    }
    case 'redundancy_lost': {
      const r = ats?.redundancy ?? null;
      return { value: r === 'lost', reason: r === null ? 'ATS redundancy unknown' : `ATS redundancy ${r}` };
    }
    case 'time_after':
    case 'time_before':
    case 'time_between':
      return timeLeaf(leaf, ctx);
    case 'outage_active':
      return { value: ctx.outageActive, reason: ctx.outageActive ? 'power outage open' : 'no power outage' };
    case 'outage_start':
    case 'outage_end': {
      const on = ctx.edges.has(leaf.condition);
      const what = leaf.condition === 'outage_start' ? 'outage started' : 'outage ended';
      return { value: on, reason: on ? what : `no "${what}" event now` };
    }
    case 'bank_load_is':
      return loadLeaf(leaf, ctx.snapshot);
    case 'device_health_is': {
      if (t === 'recovered') {
        const on = ctx.edges.has('health_recovered');
        return { value: on, reason: on ? 'device recovered' : 'no "device recovered" event now' };
      }
      return { value: ctx.health === 'lost', reason: `device ${ctx.health ?? 'state unknown'}` };
    }
    default:
      return { value: false, reason: `${leaf.condition}: not a plain condition` };
  }
}

function loadLeaf(leaf: ConditionLeaf, s: PduSnapshot | null): LeafResult {
  const wanted = new Set(Array.isArray(leaf.threshold) ? leaf.threshold : [String(leaf.threshold)]);
  const list = [...wanted].join('/');
  if (!s) return { value: false, reason: 'bank load unknown' };
  if (leaf.input === 0) {
    const hit = Object.entries(s.banks).find(([, b]) => wanted.has(b.load_state));
    return hit ? { value: true, reason: `bank ${hit[0]} load ${hit[1].load_state}` } : { value: false, reason: `no bank load in ${list}` };
  }
  const state = s.banks[leaf.input]?.load_state;
  if (state === undefined || state === 'unknown') return { value: false, reason: `bank ${leaf.input} load unknown` };
  const hit = wanted.has(state);
  return { value: hit, reason: hit ? `bank ${leaf.input} load ${state}` : `bank ${leaf.input} load ${state}, not ${list}` };
}

/** "HH:MM" → minutes after midnight, or null. */
export function clockMinutes(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * Local hour and minute of an epoch second, memoised per UTC minute and zone: every time leaf of
 * every rule in one evaluation cycle asks for the same minute, and the Intl lookup costs ~4 µs.
 * (Zone offsets are whole minutes, so a UTC minute is one local minute.)
 */
let lastMinute: { key: string; hour: number; minute: number } = { key: '', hour: 0, minute: 0 };
function localMinute(now: number, tz: string): { hour: number; minute: number } {
  const key = `${Math.floor(now / 60)}|${tz}`;
  if (lastMinute.key !== key) {
    const p = localParts(now, tz);
    lastMinute = { key, hour: p.hour, minute: p.minute };
  }
  return lastMinute;
}

function timeLeaf(leaf: ConditionLeaf, ctx: EvalContext): LeafResult {
  const p = localMinute(ctx.now, ctx.tz);
  const now = p.hour * 60 + p.minute;
  const hhmm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  const t = typeof leaf.threshold === 'string' ? leaf.threshold : '';
  if (leaf.condition === 'time_between') {
    const [a, b] = t.split('-');
    const start = clockMinutes(a ?? '');
    const end = clockMinutes(b ?? '');
    if (start === null || end === null) return { value: false, reason: `time_between: bad window ${JSON.stringify(t)}` };
    // start > end wraps midnight: 22:00-06:00 holds from 22:00 until 06:00 the next morning.
    const on = start <= end ? now >= start && now < end : now >= start || now < end;
    return { value: on, reason: `time ${hhmm} ${on ? 'in' : 'not in'} ${t}` };
  }
  const at = clockMinutes(t);
  if (at === null) return { value: false, reason: `${leaf.condition}: bad time ${JSON.stringify(t)}` };
  const after = now >= at;
  const on = leaf.condition === 'time_after' ? after : !after;
  return { value: on, reason: `time ${hhmm} ${after ? 'at or after' : 'before'} ${t}` };
}
