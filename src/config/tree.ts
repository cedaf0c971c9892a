// Plain-object helpers for the raw (pre-validation) config tree.
import type { z } from 'zod';
import { inspect, type Path } from './introspect.js';

export type Tree = Record<string, unknown>;

const isContainer = (v: unknown): v is Record<string | number, unknown> => typeof v === 'object' && v !== null;

export const dotted = (path: Path): string => path.join('.');

/** Sets `path` in `root`, creating objects (string step) and arrays (number step) as needed. */
export function setAtPath(root: Tree, path: Path, value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  path.forEach((seg, i) => {
    if (i === path.length - 1) {
      cur[seg] = value;
      return;
    }
    const wantArray = typeof path[i + 1] === 'number';
    const next = cur[seg];
    if (!isContainer(next) || Array.isArray(next) !== wantArray) cur[seg] = wantArray ? [] : {};
    cur = cur[seg] as Record<string | number, unknown>;
  });
}

export function getAtPath(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (!isContainer(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/**
 * Every leaf below `value` with its path. Empty objects/arrays are leaves; with
 * `scalarListsAsLeaves`, a list of scalars (cors_origins, events) is one leaf.
 */
export function leaves(value: unknown, base: Path = [], scalarListsAsLeaves = false): Array<{ path: Path; value: unknown }> {
  if (Array.isArray(value)) {
    if (value.length === 0 || (scalarListsAsLeaves && value.every((v) => !isContainer(v)))) return [{ path: base, value }];
    return value.flatMap((v, i) => leaves(v, [...base, i], scalarListsAsLeaves));
  }
  if (isContainer(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [{ path: base, value }];
    return entries.flatMap(([k, v]) => leaves(v, [...base, k], scalarListsAsLeaves));
  }
  return [{ path: base, value }];
}

/**
 * YAML turns a section whose keys are all commented out (`mqtt:`) into null. Treat that as an
 * absent section (defaults) instead of an error, wherever the schema expects a section or list.
 */
export function dropNullSections(value: unknown, schema: z.ZodType): void {
  const info = inspect(schema);
  if (info.kind === 'object' && isContainer(value) && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(info.shape)) {
      if (!(key in value)) continue;
      const childInfo = inspect(child);
      if (value[key] === null && childInfo.kind !== 'scalar' && !childInfo.nullable) delete value[key];
      else dropNullSections(value[key], child);
    }
  } else if (info.kind === 'array' && info.element && Array.isArray(value)) {
    for (const item of value) dropNullSections(item, info.element);
  }
}
