// Building blocks shared by every schema section. Each field carries its documentation as zod
// metadata so config.example.yaml, docs/CONFIG.md and the error messages all come from here.
import { z } from 'zod';

/** Documentation attached to a schema node with `.meta()` (read back by introspect.ts). */
export interface FieldMeta {
  /** The comment shown in config.example.yaml and docs/CONFIG.md. */
  description: string;
  /** How to fix a value that fails its type or range check (shown after the error). */
  hint?: string;
  /** Unit used in range messages, e.g. "seconds". */
  unit?: string;
  /**
   * Secret handling for check-config, logs and the API: `value` masks the whole value,
   * `url` keeps only scheme and host (webhook URLs often carry a token in the path),
   * `url-password` masks only the password of `scheme://user:password@host`.
   */
  secret?: 'value' | 'url' | 'url-password';
  /** Placeholder shown in list templates for keys that have no default (e.g. a name). */
  example?: unknown;
}

/** Attach documentation to a schema node; `.meta()` returns a copy, so always use the result. */
export function doc<T extends z.ZodType>(schema: T, description: string, extra: Omit<FieldMeta, 'description'> = {}): T {
  return schema.meta({ description, ...extra });
}

/** A config section: unknown keys are errors, and an absent section gets every default. */
export function section<T extends z.ZodObject>(obj: T, description = ''): z.ZodPrefault<T> {
  // prefault (not default) so that an absent section is parsed and its fields' defaults apply.
  const withDefaults = obj.prefault({} as z.input<T>);
  return description ? withDefaults.meta({ description }) : withDefaults;
}

/** A list of items, empty by default. */
export function list<T extends z.ZodType>(item: T, description: string, extra: Omit<FieldMeta, 'description'> = {}) {
  return doc(z.array(item).default([]), description, extra);
}

export const int = (): z.ZodNumber => z.number().int();

/** TCP/UDP port; 0 lets the OS pick a free port (used by tests). */
export const portNumber = (): z.ZodNumber => int().min(0).max(65535);

/** Report a problem found by a cross-field check; `hint` says how to fix it. */
export function fail(ctx: z.RefinementCtx, path: PropertyKey[], message: string, hint?: string): void {
  ctx.addIssue({ code: 'custom', message, path, ...(hint === undefined ? {} : { params: { hint } }) });
}

/** §5: device ids and watchdog names appear in MQTT topics, HA discovery and URL paths. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Why `id` is not a valid §5 identifier, or null when it is. */
export function idProblem(id: string): { message: string; hint: string } | null {
  const hint = 'use 1-64 characters from A-Z a-z 0-9 _ - (no dots, spaces or slashes)';
  if (id.length === 0) return { message: 'must not be empty', hint };
  if (id.length > 64) return { message: `is ${id.length} characters long; at most 64 are allowed`, hint };
  if (!ID_PATTERN.test(id)) {
    const bad = [...new Set([...id].filter((c) => !/[A-Za-z0-9_-]/.test(c)))].map((c) => JSON.stringify(c));
    return { message: `contains ${bad.join(', ')}, which is not allowed in topics and HA ids`, hint };
  }
  if (id === 'bridge') return { message: '"bridge" is reserved for the pdu/bridge/... topics', hint: 'pick another name, e.g. "pdu-bridge"' };
  return null;
}

/** Reports every name that occurs twice in `items[].<key>` (used for ids, names, usernames). */
export function checkUnique(
  ctx: z.RefinementCtx,
  items: unknown,
  key: string,
  basePath: PropertyKey[],
  what: string,
): void {
  if (!Array.isArray(items)) return;
  const seen = new Map<string, number>();
  items.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) return;
    const value = (item as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '') return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else fail(ctx, [...basePath, i, key], `duplicate ${what} "${value}" (also used by item ${first})`, `give each ${what} a unique value`);
  });
}

/** "HH:MM", 00:00-23:59: schedules and quiet hours. */
export const clockTime = (): z.ZodString =>
  z.string().superRefine((v, ctx) => {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) {
      fail(ctx, [], `must be a time of day "HH:MM", 00:00-23:59 (got ${JSON.stringify(v)})`, 'write e.g. "22:00" or "07:30"');
    }
  });

/** `http(s)://host[...]` or why not. */
export function httpUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must start with http:// or https:// (got ${url.protocol}//)`;
  if (!url.hostname) return 'has no host';
  return null;
}

/** A string that is "" or an http(s) URL. */
export const optionalHttpUrl = (): z.ZodString =>
  z.string().superRefine((v, ctx) => {
    if (v === '') return;
    const problem = httpUrlProblem(v);
    if (problem) fail(ctx, [], problem, 'write a full URL such as https://host.example/path, or "" for none');
  });

/** `pdu-01`, `pdu-02`, …: the first free number not taken by an explicit id (§5). */
export function assignDeviceIds(ids: readonly string[]): string[] {
  const taken = new Set(ids.filter((id) => id !== ''));
  let n = 1;
  return ids.map((id) => {
    if (id !== '') return id;
    let candidate: string;
    do candidate = `pdu-${String(n++).padStart(2, '0')}`;
    while (taken.has(candidate));
    taken.add(candidate);
    return candidate;
  });
}
