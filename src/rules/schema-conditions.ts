import { closest, showValue } from '../config/text.js';
import { CONDITION_NAMES, type ConditionLeaf, type ConditionName, type ConditionNode, type Rule, type Threshold } from '../core/rules.js';
import { clockMinutes, CONDITIONS, DEFAULT_HYSTERESIS, LOAD_STATES } from './conditions.js';

// Validation of a rule's condition (SPEC §12.3): the condition name, then `input`, `threshold`
// and `hysteresis` read with the meaning the condition gives them (CONDITIONS in conditions.ts).
// Hand-written rather than a zod union because each message must name the exact leaf
// (`condition.all[1].threshold`) and say what that condition expects; zod's union errors cannot.

export type Path = Array<string | number>;
/** Records one problem at `path` (relative to the rule object); the message says how to fix it. */
export type Report = (path: Path, message: string) => void;

/** Deepest all/any nesting (the rule's own all/any counts as 1) and longest list. */
export const MAX_DEPTH = 4;
export const MAX_ITEMS = 16;

const got = (v: unknown): string => `(got ${showValue(v)})`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const LEAF_KEYS = ['condition', 'input', 'threshold', 'hysteresis'];

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const near = closest(key, allowed);
  return near
    ? `unknown key "${key}": did you mean "${near}"? Fix the spelling or remove it`
    : `unknown key "${key}": remove it (allowed keys: ${allowed.join(', ')})`;
}

function conditionName(v: unknown, path: Path, report: Report): ConditionName | null {
  if (typeof v === 'string' && (CONDITION_NAMES as readonly string[]).includes(v)) return v as ConditionName;
  if (v === undefined) {
    report(path, 'is required: add e.g. "condition": "voltage_below"');
    return null;
  }
  const near = typeof v === 'string' ? closest(v, CONDITION_NAMES) : undefined;
  const fix = near ? `did you mean "${near}"?` : `use one of ${CONDITION_NAMES.join(', ')}`;
  report(path, `unknown condition ${got(v)}: ${fix}`);
  return null;
}

/** What `input` means for `name`; returns the value to store (0 when absent). */
function checkInput(name: ConditionName, v: unknown, path: Path, report: Report): number {
  const meaning = CONDITIONS[name].input;
  if (v === undefined && meaning === 'outlet') {
    report(path, `is required for ${name}: set "input" to the outlet number, e.g. "input": 3`);
    return 0;
  }
  const n = v === undefined ? 0 : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    report(path, `must be a whole number ${got(v)}: write it without quotes, e.g. "input": 1`);
    return 0;
  }
  if (meaning === 'voltage' && (n < 0 || n > 2)) {
    report(path, `selects the voltage of ${name} ${got(v)}: use 0 (PDU input), 1 (source A) or 2 (source B)`);
  } else if (meaning === 'bank' && n < 0) {
    report(path, `is the bank number of ${name} ${got(v)}: use 1, 2, … for a bank or 0 for ${name === 'bank_load_is' ? 'any bank' : 'the totals'}`);
  } else if (meaning === 'outlet' && n < 1) {
    report(path, `is the outlet whose power ${name} compares ${got(v)}: use the outlet number (1 or more)`);
  }
  return n;
}

const UNIT_WORD = { V: 'volts', A: 'amperes', W: 'watts' } as const;

/** `threshold` read as `name` defines it, normalised (sources "A"/"B", canonical load states). */
function checkThreshold(name: ConditionName, v: unknown, path: Path, report: Report): Threshold {
  const def = CONDITIONS[name];
  const bad = (what: string, example: string): null => {
    report(path, v === undefined ? `is required for ${name}: add e.g. "threshold": ${example}` : `${what} ${got(v)}: write e.g. "threshold": ${example}`);
    return null;
  };
  switch (def.threshold) {
    case 'number': {
      const word = def.unit ? UNIT_WORD[def.unit] : 'a number';
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
      return bad(`must be a number of ${word}, 0 or more, without quotes`, def.unit === 'V' ? '108' : def.unit === 'A' ? '8' : '500');
    }
    case 'source': {
      const s = String(v).toUpperCase();
      if (typeof v === 'number' || typeof v === 'string') {
        if (s === '1' || s === 'A') return 'A';
        if (s === '2' || s === 'B') return 'B';
      }
      return bad('must name the ATS source: 1 or "A", 2 or "B"', '"B"');
    }
    case 'clock':
      if (typeof v === 'string' && clockMinutes(v) !== null) return v;
      return bad('must be a time of day "HH:MM" from 00:00 to 23:59', '"22:00"');
    case 'window': {
      const text = typeof v === 'string' ? v.replace(/\s+/g, '') : '';
      const [a, b, extra] = text.split('-');
      const start = clockMinutes(a ?? '');
      const end = clockMinutes(b ?? '');
      if (start === null || end === null || extra !== undefined) return bad('must be a window "HH:MM-HH:MM" (times 00:00-23:59)', '"22:00-06:00"');
      if (start === end) return bad('starts and ends at the same time, so it would never hold', '"22:00-06:00"');
      return text;
    }
    case 'load':
      return checkLoad(v, path, report);
    case 'health': {
      const s = typeof v === 'string' ? v.toLowerCase() : '';
      if (s === 'lost' || s === 'recovered') return s;
      return bad('must be "lost" or "recovered"', '"lost"');
    }
    default:
      // Ignored by the condition (SPEC §12.3): kept as written so a rewrite changes nothing.
      if (typeof v === 'number' || typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) return v;
      return null;
  }
}

function checkLoad(v: unknown, path: Path, report: Report): Threshold {
  const fix = `use ${LOAD_STATES.map((s) => `"${s}"`).join(', ')} or a list of them, e.g. ["nearOverload", "overload"]`;
  const list = Array.isArray(v) ? v : [v];
  if (v === undefined) {
    report(path, `is required for bank_load_is: ${fix}`);
    return null;
  }
  if (list.length === 0) {
    report(path, `is an empty list, so it would never match: ${fix}`);
    return null;
  }
  const out: string[] = [];
  list.forEach((item, i) => {
    const hit = typeof item === 'string' ? LOAD_STATES.find((s) => s.toLowerCase() === item.toLowerCase()) : undefined;
    if (hit) out.push(hit);
    else report(Array.isArray(v) ? [...path, i] : path, `is not a bank load state ${got(item)}: ${fix}`);
  });
  return Array.isArray(v) ? out : (out[0] ?? null);
}

function checkHysteresis(name: ConditionName, v: unknown, path: Path, report: Report): number | null {
  if (v === undefined || v === null) return null;
  const unit = CONDITIONS[name].unit;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  // Only numeric conditions use it; elsewhere a stray value is ignored like their threshold.
  if (unit === null) return null;
  report(path, `must be a number of ${UNIT_WORD[unit]}, 0 or more ${got(v)}: write e.g. ${DEFAULT_HYSTERESIS[unit]} (the default), or remove it`);
  return null;
}

function checkLeaf(raw: Record<string, unknown>, path: Path, report: Report): ConditionLeaf | null {
  for (const key of Object.keys(raw)) if (!LEAF_KEYS.includes(key)) report([...path, key], unknownKeyMessage(key, LEAF_KEYS));
  const name = conditionName(raw.condition, [...path, 'condition'], report);
  if (name === null) return null;
  return {
    condition: name,
    input: checkInput(name, raw.input, [...path, 'input'], report),
    threshold: checkThreshold(name, raw.threshold, [...path, 'threshold'], report),
    hysteresis: checkHysteresis(name, raw.hysteresis, [...path, 'hysteresis'], report),
  };
}

function checkNode(raw: unknown, path: Path, depth: number, report: Report): ConditionNode | null {
  if (!isObject(raw)) {
    report(path, `must be an object ${got(raw)}: write {"condition": "voltage_below", "input": 1, "threshold": 108} or {"all": […]} / {"any": […]}`);
    return null;
  }
  if (!('all' in raw) && !('any' in raw)) return checkLeaf(raw, path, report);
  return checkComposite(raw, path, depth, report);
}

function checkComposite(raw: Record<string, unknown>, path: Path, depth: number, report: Report): ConditionNode | null {
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    report(path, `has the keys ${keys.map((k) => `"${k}"`).join(', ')}: an all/any group holds only "all" or only "any"; move the other conditions into its list`);
    return null;
  }
  const op = 'all' in raw ? 'all' : 'any';
  const list = raw[op];
  const at = [...path, op];
  if (depth > MAX_DEPTH) {
    report(at, `nests all/any ${depth} levels deep; at most ${MAX_DEPTH} are allowed: flatten the inner groups`);
    return null;
  }
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_ITEMS) {
    const what = Array.isArray(list) ? `has ${list.length} conditions` : `must be a list ${got(list)}`;
    report(at, `${what}: give it 1 to ${MAX_ITEMS} conditions, e.g. [{"condition": "outage_active"}]`);
    return null;
  }
  const children = list.map((c, i) => checkNode(c, [...at, i], depth + 1, report));
  if (children.some((c) => c === null)) return null;
  const nodes = children as ConditionNode[];
  return op === 'all' ? { all: nodes } : { any: nodes };
}

export type ConditionParts = Pick<Rule, 'condition' | 'input' | 'threshold' | 'hysteresis'>;

/**
 * The rule's `condition` with its own `input`/`threshold`/`hysteresis`. With a composite the
 * rule-level values are unused (SPEC §12.3) and only their type is checked.
 */
export function checkCondition(raw: Record<string, unknown>, report: Report): ConditionParts | null {
  const c = raw.condition;
  if (typeof c === 'string' || c === undefined) {
    const name = conditionName(c, ['condition'], report);
    if (name === null) return null;
    return {
      condition: name,
      input: checkInput(name, raw.input, ['input'], report),
      threshold: checkThreshold(name, raw.threshold, ['threshold'], report),
      hysteresis: checkHysteresis(name, raw.hysteresis, ['hysteresis'], report),
    };
  }
  if (!isObject(c) || !('all' in c || 'any' in c)) {
    report(['condition'], `must be a condition name or {"all": […]} / {"any": […]} ${got(c)}: write e.g. "condition": "voltage_below", or {"all": [{"condition": "outage_active"}, …]}`);
    return null;
  }
  const node = checkComposite(c, ['condition'], 1, report);
  const input = checkInput('outage_active', raw.input, ['input'], report);
  const threshold = checkThreshold('outage_active', raw.threshold, ['threshold'], report);
  const hysteresis = raw.hysteresis === undefined || raw.hysteresis === null ? null : raw.hysteresis;
  if (hysteresis !== null && (typeof hysteresis !== 'number' || !Number.isFinite(hysteresis) || hysteresis < 0)) {
    report(['hysteresis'], `must be a number, 0 or more ${got(hysteresis)}: set it on each condition of the group instead, or remove it`);
    return null;
  }
  if (node === null || 'condition' in node) return null;
  return { condition: node, input, threshold, hysteresis };
}
