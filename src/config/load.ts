// Loading (§3.1, §4.1): discover the file, parse YAML, overlay env (and CLI) values, validate,
// resolve. Never throws for bad input: every problem comes back as a ConfigIssue.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import YAML from 'yaml';
import { unknownTagIssues } from './yaml-tags.js';
import { ENV_CONFIG, envName, readEnvOverrides } from './env.js';
import type { Path } from './introspect.js';
import { formatPath, issuesFromZod, type ConfigIssue } from './issues.js';
import { OriginTracker, type Origin } from './origins.js';
import { inheritedFrom, resolveConfig } from './resolve.js';
import { configSchema, type Config } from './schema.js';
import { dotted, dropNullSections, leaves, setAtPath, type Tree } from './tree.js';
import { cliOverrides } from './cli-overrides.js';
import { isRuntimeSettingKey, settingPaths, validateSetting } from './runtime-settings.js';

export type { ConfigIssue } from './issues.js';
export type { Origin } from './origins.js';

export interface LoadOptions {
  /** `--config <path>` (relative to cwd). */
  configPath?: string | undefined;
  env: Record<string, string | undefined>;
  cwd: string;
  /** CLI flags as dotted key → value (e.g. {"web.port": 9090}); they beat env (§3.1). */
  cli?: Record<string, unknown> | undefined;
  /** Settings saved through `PUT /api/config`: above the file, below env and CLI (§3.1). */
  settings?: Record<string, unknown> | undefined;
}

export type LoadResult =
  | { ok: true; config: Config; file: string | null; origins: Map<string, Origin>; warnings: string[] }
  | { ok: false; issues: ConfigIssue[]; file: string | null };

type FileRead = { file: string | null; data: Tree; warnings: string[] } | { issues: ConfigIssue[]; file: string | null };

function discover(opts: LoadOptions): { file: string | null; namedBy: string | null } {
  if (opts.configPath) return { file: resolvePath(opts.cwd, opts.configPath), namedBy: '--config' };
  const fromEnv = opts.env[ENV_CONFIG];
  if (fromEnv) return { file: resolvePath(opts.cwd, fromEnv), namedBy: ENV_CONFIG };
  const local = resolvePath(opts.cwd, 'config.yaml');
  return { file: existsSync(local) ? local : null, namedBy: null };
}

const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'check the indentation: keys of one section line up, two spaces per level',
  DUPLICATE_KEY: 'remove one of the two entries',
  MISSING_CHAR: 'a quote or bracket is not closed',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation and that each key is followed by ": "',
};

function readConfigFile(file: string | null, namedBy: string | null): FileRead {
  if (file === null) return { file, data: {}, warnings: [] };
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      const message = `${file} is a directory, not a config file`;
      return { file, issues: [{ path: namedBy ?? file, message, hint: 'name the YAML file itself' }] };
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `config file not found: ${file}` : `cannot read ${file} (${code ?? String(err)})`;
    const hint = code === 'ENOENT'
      ? 'check the path; without --config and POWER2MQTT_CONFIG (and no ./config.yaml) power2mqtt runs the demo'
      : 'check the file permissions';
    return { file, issues: [{ path: namedBy ?? file, message, hint }] };
  }
  // logLevel 'error': the library's own warnings (e.g. an unresolved tag) are ours to report, not stderr's.
  const doc = YAML.parseDocument(text, { prettyErrors: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const what = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      const unclosed = /end with an? [\]}]/.test(what) ? 'a bracket is not closed, or the next line is not indented enough' : undefined;
      return {
        path: pos ? `${file}:${pos.line}:${pos.col}` : file,
        message: `YAML syntax error: ${what}`,
        hint: unclosed ?? YAML_HINTS[e.code] ?? `fix the YAML syntax near line ${pos?.line ?? '?'}`,
      };
    });
    return { file, issues };
  }
  const tagIssues = unknownTagIssues(doc);
  if (tagIssues.length > 0) return { file, issues: tagIssues };
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // e.g. an alias bomb ("Excessive alias count"): report it, never a stack trace.
    const message = `cannot read the YAML: ${err instanceof Error ? err.message : String(err)}`;
    return { file, issues: [{ path: file, message, hint: 'remove the anchors/aliases' }] };
  }
  if (data === null || data === undefined) return { file, data: {}, warnings: [] }; // empty file = defaults
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      file,
      issues: [{ path: file, message: 'the file must be a mapping of sections (demo:, mqtt:, devices:, ...)', hint: 'see config.example.yaml' }],
    };
  }
  const warnings = doc.warnings.map((w) => `${file}: ${w.message.split('\n')[0] ?? w.message}`);
  return { file, data: data as Tree, warnings };
}

/**
 * Arrays addressed by index from env/CLI must stay dense: a hole would be a half-defined device.
 * Returns the issues and the dotted paths of the holes (zod's "required" for them is redundant).
 */
function holeIssues(raw: Tree, sets: ReadonlyArray<{ path: Path; source: string }>): { issues: ConfigIssue[]; holes: string[] } {
  const issues: ConfigIssue[] = [];
  const holes: string[] = [];
  const reported = new Set<string>();
  for (const { path, source } of sets) {
    let cur: unknown = raw;
    path.forEach((seg, i) => {
      if (Array.isArray(cur) && typeof seg === 'number') {
        const hole = Array.from({ length: cur.length }, (_, k) => k).find((k) => !(k in (cur as unknown[])));
        const key = dotted(path.slice(0, i));
        if (hole !== undefined && !reported.has(key)) {
          reported.add(key);
          holes.push(dotted([...path.slice(0, i), hole]));
          issues.push({
            path: source,
            message: `sets ${formatPath(path.slice(0, i + 1))} but ${formatPath([...path.slice(0, i), hole])} does not exist`,
            hint: 'number list items consecutively from 0 (counting the items in the file)',
          });
        }
      }
      cur = typeof cur === 'object' && cur !== null ? (cur as Record<string | number, unknown>)[seg] : undefined;
    });
  }
  return { issues, holes };
}

/** Factory-default communities are a warning, not an error (§4.2): a lab PDU may keep them. */
function communityWarnings(config: Config): string[] {
  const out: string[] = [];
  config.devices.forEach((d, i) => {
    if (!d.enabled || d.kind !== 'cyberpower' || d.snmp_version === '3') return;
    const checks = [
      ['community', 'public', 'read'],
      ['write_community', 'private', 'write'],
    ] as const;
    for (const [key, factory, what] of checks) {
      if (d[key] !== factory) continue;
      out.push(
        `devices[${i}].${key} (${d.id}) is the factory default ${what} community "${factory}"; set your own on the PDU ` +
          `and here (e.g. ${envName(['devices', i, key])}_FILE)`,
      );
    }
  });
  return out;
}

export function loadConfig(opts: LoadOptions): LoadResult {
  const { file, namedBy } = discover(opts);
  const read = readConfigFile(file, namedBy);
  if ('issues' in read) return { ok: false, issues: read.issues, file };

  const raw = read.data;
  dropNullSections(raw, configSchema);
  const tracker = new OriginTracker();
  for (const [k, v] of Object.entries(raw)) tracker.record([k], v, 'file');

  const saved = runtimeLayer(opts.settings ?? {}, raw);
  for (const o of saved.overrides) {
    setAtPath(raw, o.path, o.value);
    tracker.record(o.path, o.value, 'runtime');
  }

  const env = readEnvOverrides(opts.env, configSchema, { cwd: opts.cwd });
  const cli = cliOverrides(opts.cli ?? {}, configSchema);
  const sets: Array<{ path: Path; source: string }> = [];
  const layers: Array<[{ path: Path; value: unknown; source: string }[], Origin]> = [
    [env.overrides.map((o) => ({ ...o, source: o.variable })), 'env'],
    [cli.overrides, 'cli'],
  ];
  for (const [overrides, origin] of layers) {
    for (const o of overrides) {
      setAtPath(raw, o.path, o.value);
      tracker.record(o.path, o.value, origin);
      sets.push({ path: o.path, source: o.source });
    }
  }
  dropNullSections(raw, configSchema);

  const holes = holeIssues(raw, sets);
  const issues = [...env.issues, ...cli.issues, ...holes.issues];
  const inHole = (path: readonly PropertyKey[]): boolean => {
    const p = path.map(String).join('.');
    return holes.holes.some((h) => p === h || p.startsWith(`${h}.`));
  };
  // The variable (or flag) that set a failing key or one of its ancestors; the deepest and, on a
  // tie, the latest layer wins, as when the values were applied.
  const sourceOf = (path: Path): string | undefined => {
    const p = dotted(path);
    const hits = [...sets].reverse().filter((s) => p === dotted(s.path) || p.startsWith(`${dotted(s.path)}.`));
    return hits.sort((a, b) => b.path.length - a.path.length)[0]?.source;
  };
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    issues.push(...issuesFromZod(parsed.error.issues.filter((i) => !inHole(i.path)), configSchema, sourceOf));
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues, file };

  const config = resolveConfig(parsed.data, { fileLoaded: file !== null });
  const origins = new Map<string, Origin>();
  for (const leaf of leaves(config, [], true)) {
    const p = dotted(leaf.path);
    origins.set(p, tracker.lookup(inheritedFrom(parsed.data, p) ?? p));
  }
  return { ok: true, config, file, origins, warnings: [...read.warnings, ...saved.warnings, ...communityWarnings(config)] };
}

/**
 * The saved settings as tree overrides. A stored value that no longer validates (an older version's
 * bounds, a hand-edited database) is skipped with a warning: it must never stop start-up.
 */
function runtimeLayer(settings: Record<string, unknown>, raw: Tree): { overrides: Array<{ path: Path; value: unknown }>; warnings: string[] } {
  const overrides: Array<{ path: Path; value: unknown }> = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (!isRuntimeSettingKey(key)) {
      warnings.push(`saved runtime setting ${key} is not a runtime setting any more: ignored`);
      continue;
    }
    const checked = validateSetting(key, value);
    if ('error' in checked) {
      warnings.push(`saved runtime setting ${key} = ${JSON.stringify(value)} is invalid (${checked.error}): ignored; set it again in the dashboard or with PUT /api/config`);
      continue;
    }
    for (const path of settingPaths(key, raw)) overrides.push({ path, value: checked.value });
  }
  return { overrides, warnings };
}
