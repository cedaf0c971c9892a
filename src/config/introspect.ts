// Reads the config schema back (structure, defaults, metadata, bounds) so that docs, the example
// file, env-variable mapping, redaction and error messages are all derived from the one schema.
// zod 4 exposes `.def` publicly; only the handful of node types the config schema uses are handled.
import YAML from 'yaml';
import { z } from 'zod';
import type { FieldMeta } from './schema/common.js';

interface LooseCheck {
  _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string; minimum?: number; maximum?: number } };
}
interface LooseDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  entries?: Record<string, string | number>;
  values?: readonly unknown[];
  defaultValue?: unknown;
  checks?: readonly LooseCheck[];
}

const defOf = (s: z.ZodType): LooseDef => (s as unknown as { def: LooseDef }).def;

export type Path = ReadonlyArray<string | number>;

export interface NodeInfo {
  /** object = a section or list item, array = a list, scalar = anything else (incl. unions). */
  kind: 'object' | 'array' | 'scalar';
  /** The node with default/nullable wrappers removed. */
  core: z.ZodType;
  meta: FieldMeta | undefined;
  hasDefault: boolean;
  defaultValue: unknown;
  nullable: boolean;
  shape: Record<string, z.ZodType>;
  element: z.ZodType | undefined;
}

const WRAPPERS = new Set(['default', 'prefault', 'nullable', 'optional', 'readonly']);

// Schemas are immutable, so each node is inspected once (a section default costs a parse).
const cache = new WeakMap<z.ZodType, NodeInfo>();

export function inspect(node: z.ZodType): NodeInfo {
  let info = cache.get(node);
  if (!info) cache.set(node, (info = inspectUncached(node)));
  return info;
}

function inspectUncached(node: z.ZodType): NodeInfo {
  let meta: Partial<FieldMeta> = {};
  let hasDefault = false;
  let defaultValue: unknown;
  let nullable = false;
  let cur = node;
  for (;;) {
    const m = z.globalRegistry.get(cur) as Partial<FieldMeta> | undefined;
    if (m) meta = { ...m, ...meta }; // the outermost metadata wins
    const def = defOf(cur);
    if (!WRAPPERS.has(def.type) || !def.innerType) break;
    if (def.type === 'nullable') nullable = true;
    if (!hasDefault && (def.type === 'default' || def.type === 'prefault')) {
      hasDefault = true;
      // A prefault is parsed through its schema, so a section's default is every field's default.
      defaultValue = def.type === 'prefault' ? cur.parse(undefined) : structuredClone(def.defaultValue);
    }
    cur = def.innerType;
  }
  const def = defOf(cur);
  const kind = def.type === 'object' ? 'object' : def.type === 'array' ? 'array' : 'scalar';
  return {
    kind,
    core: cur,
    meta: meta.description === undefined ? undefined : (meta as FieldMeta),
    hasDefault,
    defaultValue,
    nullable,
    shape: def.shape ?? {},
    element: def.element,
  };
}

/** The schema of `path` below `root` (array indices step into the element), if any. */
export function schemaAt(root: z.ZodType, path: Path): z.ZodType | undefined {
  let cur: z.ZodType | undefined = root;
  for (const seg of path) {
    if (!cur) return undefined;
    const info = inspect(cur);
    if (info.kind === 'object' && typeof seg === 'string') cur = info.shape[seg];
    else if (info.kind === 'array' && typeof seg === 'number') cur = info.element;
    else return undefined;
  }
  return cur;
}

export interface NumberBounds {
  min?: number;
  minInclusive: boolean;
  max?: number;
  maxInclusive: boolean;
  integer: boolean;
}

export function numberBounds(node: z.ZodType): NumberBounds | undefined {
  const core = inspect(node).core;
  if (defOf(core).type !== 'number') return undefined;
  const b: NumberBounds = { minInclusive: true, maxInclusive: true, integer: false };
  for (const c of defOf(core).checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'greater_than' && d.value !== undefined) Object.assign(b, { min: d.value, minInclusive: d.inclusive ?? true });
    else if (d.check === 'less_than' && d.value !== undefined) Object.assign(b, { max: d.value, maxInclusive: d.inclusive ?? true });
    else if (d.check === 'number_format') b.integer = d.format === 'safeint' || d.format === 'int32';
  }
  return b;
}

/** "between 1 and 300 seconds", "greater than 0 and at most 1", "at least 60 seconds". */
export function rangePhrase(b: NumberBounds, unit?: string): string {
  const u = unit ? ` ${unit}` : '';
  const lo = b.min === undefined ? '' : `${b.minInclusive ? 'at least' : 'greater than'} ${b.min}`;
  if (b.min !== undefined && b.max !== undefined) {
    if (b.minInclusive && b.maxInclusive) return `between ${b.min} and ${b.max}${u}`;
    return `${lo} and ${b.maxInclusive ? 'at most' : 'less than'} ${b.max}${u}`;
  }
  if (b.max !== undefined) return `${b.maxInclusive ? 'at most' : 'less than'} ${b.max}${u}`;
  return lo ? `${lo}${u}` : '';
}

/** Option lists as YAML would need them written: quoted when any would not read back as text ("3"). */
function showOptions(values: readonly unknown[]): string[] {
  const needsQuotes = values.some((v) => typeof v === 'string' && (v === '' || YAML.parse(v) !== v));
  return values.map((v) => (typeof v === 'string' && needsQuotes ? JSON.stringify(v) : String(v)));
}

/** Human list of what a node accepts, e.g. ["auto", "true", "false"] or ["a whole number between 1 and 300", "null"]. */
export function alternatives(node: z.ZodType): string[] {
  const info = inspect(node);
  const def = defOf(info.core);
  let out: string[];
  switch (def.type) {
    case 'boolean':
      out = ['true', 'false'];
      break;
    case 'literal':
      out = showOptions(def.values ?? []);
      break;
    case 'enum':
      out = showOptions(Object.values(def.entries ?? {}));
      break;
    case 'union':
      out = (def.options ?? []).flatMap((o) => alternatives(o));
      break;
    case 'number': {
      const b = numberBounds(info.core);
      const range = b ? rangePhrase(b, info.meta?.unit) : '';
      out = [`${b?.integer ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}`];
      break;
    }
    case 'string':
      out = ['a string'];
      break;
    case 'array':
      out = ['a list'];
      break;
    case 'object':
      out = ['a mapping of keys'];
      break;
    default:
      out = [def.type];
  }
  return info.nullable ? [...out, 'null'] : out;
}

/** Whether the node takes text only, so an env value must not be YAML-typed (a password "0123"). */
export function isStringOnly(node: z.ZodType): boolean {
  const info = inspect(node);
  if (info.nullable) return false;
  const def = defOf(info.core);
  if (def.type === 'string') return true;
  if (def.type === 'enum') return Object.values(def.entries ?? {}).every((v) => typeof v === 'string');
  if (def.type === 'literal') return (def.values ?? []).every((v) => typeof v === 'string');
  if (def.type === 'union') return (def.options ?? []).every(isStringOnly);
  return false;
}
