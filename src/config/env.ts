// Environment overrides (§4.1): POWER2MQTT_<SECTION>__<KEY>[__<INDEX>…]=<YAML scalar>, keys
// case-insensitive; …_FILE=<path> takes the value from a file (Docker/Kubernetes secrets).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import YAML from 'yaml';
import { unknownTagIssues } from './yaml-tags.js';
import type { z } from 'zod';
import { inspect, isStringOnly, type Path } from './introspect.js';
import type { ConfigIssue } from './issues.js';
import { closest } from './text.js';

export const ENV_PREFIX = 'POWER2MQTT_';
/** Names the config file (§3.1); not an override. */
export const ENV_CONFIG = 'POWER2MQTT_CONFIG';

export interface EnvOverride {
  variable: string;
  path: Path;
  value: unknown;
}

export interface EnvOptions {
  cwd: string;
  /** Injectable for tests; reads a `_FILE` secret. */
  readFile?: (path: string) => string;
}

/** The variable name that addresses `path`, e.g. POWER2MQTT_DEVICES__0__COMMUNITY. */
export function envName(path: Path): string {
  return ENV_PREFIX + path.map((s) => String(s).toUpperCase()).join('__');
}

/** Maps `segments` onto schema keys (case-insensitively) or explains why they do not fit. */
export function schemaPath(root: z.ZodType, segments: string[]): { path: Path; node: z.ZodType } | { problem: string; hint: string } {
  const path: Array<string | number> = [];
  let node = root;
  for (const seg of segments) {
    const info = inspect(node);
    const here = path.length ? path.join('.') : 'the top level';
    if (info.kind === 'object') {
      const keys = Object.keys(info.shape);
      const key = keys.find((k) => k.toLowerCase() === seg.toLowerCase());
      if (key === undefined) {
        const near = closest(seg, keys);
        return {
          problem: `"${seg.toLowerCase()}" is not a key of ${here}`,
          hint: near ? `did you mean ${envName([...path, near])}?` : `keys of ${here}: ${keys.join(', ')}`,
        };
      }
      path.push(key);
      node = info.shape[key]!;
    } else if (info.kind === 'array' && info.element) {
      if (!/^\d{1,4}$/.test(seg)) return { problem: `${here} is a list, so "${seg}" must be an index`, hint: `use ${envName([...path, 0])}` };
      path.push(Number(seg));
      node = info.element;
    } else {
      return { problem: `${here} is a single value, not a section`, hint: `set it with ${envName(path)}` };
    }
  }
  return { path, node };
}

/** Env text → value: YAML-typed (`true`, `5`, `[a, b]`), except for text-only keys (passwords). */
export function parseEnvValue(raw: string, node: z.ZodType): { value: unknown } | { error: string } {
  const quoted = /^(".*"|'.*')$/s.test(raw);
  if (isStringOnly(node) && !quoted) return { value: raw };
  try {
    const doc = YAML.parseDocument(raw, { logLevel: 'error' });
    const problem = doc.errors[0]?.message ?? unknownTagIssues(doc)[0]?.message;
    if (problem !== undefined) return { error: problem.split('\n')[0] ?? 'invalid YAML' };
    return { value: doc.toJS() as unknown };
  } catch (err) {
    return { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'invalid YAML' };
  }
}

/** Reads every POWER2MQTT_ override from `env`. Pure apart from `_FILE` reads. */
export function readEnvOverrides(
  env: Record<string, string | undefined>,
  root: z.ZodType,
  opts: EnvOptions,
): { overrides: EnvOverride[]; issues: ConfigIssue[] } {
  const readFile = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const overrides: EnvOverride[] = [];
  const issues: ConfigIssue[] = [];
  const names = Object.keys(env).filter((n) => n.toUpperCase().startsWith(ENV_PREFIX) && n !== ENV_CONFIG);

  for (const variable of names.sort()) {
    const raw = env[variable];
    if (raw === undefined) continue;
    let rest = variable.slice(ENV_PREFIX.length);
    const fromFile = /_FILE$/i.test(rest);
    if (fromFile) rest = rest.slice(0, -'_FILE'.length);
    const segments = rest.split('__');
    if (segments.some((s) => s === '')) {
      const hint = 'separate keys with exactly two underscores, e.g. POWER2MQTT_MQTT__URL';
      issues.push({ path: variable, message: 'has an empty key segment', hint });
      continue;
    }
    const target = schemaPath(root, segments);
    if ('problem' in target) {
      const hint = rest.toUpperCase() === 'CONFIG' ? `to name the config file, spell it ${ENV_CONFIG}` : target.hint;
      issues.push({ path: variable, message: `unknown config key: ${target.problem}`, hint });
      continue;
    }
    let text = raw;
    if (fromFile) {
      const file = isAbsolute(raw) ? raw : resolvePath(opts.cwd, raw);
      try {
        text = readFile(file).replace(/(\r?\n)+$/, '');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : 'error');
        issues.push({ path: variable, message: `cannot read ${file} (${code})`, hint: 'check the path and that power2mqtt may read the file' });
        continue;
      }
    }
    const parsed = parseEnvValue(text, target.node);
    if ('error' in parsed) {
      issues.push({ path: variable, message: `cannot parse the value as YAML: ${parsed.error}`, hint: 'quote text values, e.g. "a: b"' });
      continue;
    }
    const clash = overrides.find((o) => o.path.join('.') === target.path.join('.'));
    if (clash) {
      issues.push({ path: variable, message: `sets the same key as ${clash.variable}`, hint: 'set only one of them' });
      continue;
    }
    overrides.push({ variable, path: target.path, value: parsed.value });
  }
  // Parents first, so POWER2MQTT_MQTT={...} followed by POWER2MQTT_MQTT__URL refines it.
  overrides.sort((a, b) => a.path.length - b.path.length);
  return { overrides, issues };
}
