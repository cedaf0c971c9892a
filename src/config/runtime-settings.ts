// Runtime settings (SPEC §14.2 `PUT /api/config`, precedence §3.1): the small subset of config keys
// the dashboard may change. Saved in the database's `settings` table, they form a layer between the
// config file and the environment, so an env variable or a CLI flag still wins. Pure: parsing and
// validation here; storing (history/settings-store.ts) and applying (app.ts) at the edges.
import { z } from 'zod';
import { schemaAt } from './introspect.js';
import { configSchema } from './schema.js';

/** How a change takes effect: at once, or with the next (re)start of the service. */
export type SettingEffect = 'live' | 'restart';

interface SettingDef {
  /** Where it lives in the config tree; `[]` stands for every device's entry. */
  readonly path: ReadonlyArray<string | number | '[]'>;
  readonly effect: SettingEffect;
}

/**
 * The keys of SPEC §14.2 and how each applies. Poll cadence and SNMP timing re-create every poller,
 * reports and HA discovery re-plan their schedules and retained topics: those take effect with a
 * restart (POST /api/system/restart restarts in-process), which GET /api/config reports.
 */
export const RUNTIME_SETTINGS = {
  'log.level': { path: ['log', 'level'], effect: 'live' },
  'history.retention_days': { path: ['history', 'retention_days'], effect: 'live' },
  'history.raw_retention_days': { path: ['history', 'raw_retention_days'], effect: 'live' },
  'devices[].poll_interval_s': { path: ['devices', '[]', 'poll_interval_s'], effect: 'restart' },
  'snmp.timeout_ms': { path: ['snmp', 'timeout_ms'], effect: 'restart' },
  'snmp.retries': { path: ['snmp', 'retries'], effect: 'restart' },
  'reports.enabled': { path: ['reports', 'enabled'], effect: 'restart' },
  'homeassistant.enabled': { path: ['homeassistant', 'enabled'], effect: 'restart' },
} as const satisfies Record<string, SettingDef>;

export type RuntimeSettingKey = keyof typeof RUNTIME_SETTINGS;
export type RuntimeSettings = Partial<Record<RuntimeSettingKey, unknown>>;

export const RUNTIME_SETTING_KEYS = Object.keys(RUNTIME_SETTINGS) as RuntimeSettingKey[];

export function isRuntimeSettingKey(key: string): key is RuntimeSettingKey {
  return Object.hasOwn(RUNTIME_SETTINGS, key);
}

/** The config schema of one key (the element's field for `devices[]`), never null: a setting has a value. */
function leafSchema(key: RuntimeSettingKey): z.ZodType {
  const path = RUNTIME_SETTINGS[key].path.map((seg) => (seg === '[]' ? 0 : seg));
  const node = schemaAt(configSchema, path);
  if (!node) throw new Error(`runtime setting ${key} has no config schema`); // programmer error, caught by the unit test
  return node.refine((v) => v !== null, { message: 'must not be null' });
}

const SCHEMAS = new Map<RuntimeSettingKey, z.ZodType>(RUNTIME_SETTING_KEYS.map((k) => [k, leafSchema(k)]));

export interface SettingIssue {
  field: string;
  message: string;
}

export type SettingsParse = { ok: true; values: RuntimeSettings } | { ok: false; issues: SettingIssue[] };

/**
 * A `PUT /api/config` body: `{ "log.level": "debug", … }` by dotted key. Unknown keys (anything not in
 * the table) are refused naming the key, with the hint to edit the config file.
 */
export function parseSettingsUpdate(body: unknown): SettingsParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ field: '(body)', message: `expected an object of settings by dotted key, e.g. {"log.level": "debug"}` }] };
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 0) return { ok: false, issues: [{ field: '(body)', message: `no settings given; changeable: ${RUNTIME_SETTING_KEYS.join(', ')}` }] };
  const issues: SettingIssue[] = [];
  const values: RuntimeSettings = {};
  for (const [key, value] of entries) {
    if (!isRuntimeSettingKey(key)) {
      issues.push({ field: key, message: `cannot be changed at runtime: edit the config file (changeable here: ${RUNTIME_SETTING_KEYS.join(', ')})` });
      continue;
    }
    const checked = validateSetting(key, value);
    if ('error' in checked) issues.push({ field: key, message: checked.error });
    else values[key] = checked.value;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values };
}

/** One value against its key's config schema (bounds, enum members) — the same rules as the file. */
export function validateSetting(key: RuntimeSettingKey, value: unknown): { value: unknown } | { error: string } {
  const parsed = (SCHEMAS.get(key) as z.ZodType).safeParse(value);
  if (parsed.success) return { value: parsed.data };
  return { error: parsed.error.issues.map((i) => i.message).join('; ') };
}

/**
 * Where a setting lands in a raw config tree (before validation): one path, or one per device entry
 * present in the tree for `devices[]` (a device from the file keeps its other fields).
 */
export function settingPaths(key: RuntimeSettingKey, tree: Record<string, unknown>): Array<Array<string | number>> {
  const path = RUNTIME_SETTINGS[key].path;
  const i = path.indexOf('[]' as never);
  if (i < 0) return [path as unknown as Array<string | number>];
  const list = path.slice(0, i).reduce<unknown>((cur, seg) => (cur as Record<string, unknown> | undefined)?.[seg as string], tree);
  const n = Array.isArray(list) ? list.length : 0;
  return Array.from({ length: n }, (_, k) => path.map((seg) => (seg === '[]' ? k : seg)) as Array<string | number>);
}
