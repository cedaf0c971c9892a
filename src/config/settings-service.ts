import type { SettingOrigin, SettingsPort, SettingsUpdate, SettingView } from '../core/system.js';
import { RUNTIME_SETTING_KEYS, RUNTIME_SETTINGS, type RuntimeSettingKey } from './runtime-settings.js';

// Runtime settings at run time (SPEC §14.2 PUT /api/config, §3.1): saves a change, applies the live
// keys at once through the appliers app.ts hands in, and tells which keys wait for a restart or are
// held by an environment variable or flag. The saved values were already layered into the config
// the process started with (config/load.ts), so "running" and "saved" agree after every restart.

export interface SettingsStorePort {
  all(): Record<string, unknown>;
  save(values: Record<string, unknown>, nowS: number): void;
}

export interface SettingsServiceOptions {
  store: SettingsStorePort;
  /** Origin of each config value at load (dotted path → layer); null: every value counts as the file's. */
  origins: ReadonlyMap<string, SettingOrigin> | null;
  /** The value the process runs with now. */
  running(key: RuntimeSettingKey): unknown;
  /** Appliers of the `live` keys. */
  apply: { [K in RuntimeSettingKey]?: (value: unknown) => void };
  nowS(): number;
}

const RANK: Record<SettingOrigin, number> = { default: 0, file: 1, runtime: 2, env: 3, cli: 4 };

export function createSettingsService(opts: SettingsServiceOptions): SettingsPort {
  const originAtLoad = (key: RuntimeSettingKey): SettingOrigin => {
    if (!opts.origins) return 'file';
    const path = RUNTIME_SETTINGS[key].path;
    if (!path.includes('[]' as never)) return opts.origins.get(path.join('.')) ?? 'default';
    // devices[]: the strongest layer among the device entries (an env override of one device holds the key).
    const re = new RegExp(`^${path.map((s) => (s === '[]' ? '\\d+' : s)).join('\\.')}$`);
    let best: SettingOrigin = 'default';
    for (const [p, o] of opts.origins) if (re.test(p) && RANK[o] > RANK[best]) best = o;
    return best;
  };
  const held = (key: RuntimeSettingKey): boolean => RANK[originAtLoad(key)] > RANK.runtime;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

  const view = (key: RuntimeSettingKey, saved: Record<string, unknown>): SettingView => {
    const running = opts.running(key);
    const has = Object.hasOwn(saved, key);
    const origin: SettingOrigin = held(key) ? originAtLoad(key) : has ? 'runtime' : originAtLoad(key);
    return { key, value: held(key) || !has ? running : saved[key], running, origin, effect: RUNTIME_SETTINGS[key].effect };
  };

  return {
    list() {
      const saved = opts.store.all();
      return RUNTIME_SETTING_KEYS.map((k) => view(k, saved));
    },
    update(values): SettingsUpdate {
      const keys = Object.keys(values) as RuntimeSettingKey[];
      opts.store.save(values, opts.nowS());
      const out: SettingsUpdate = { updated: { ...values }, overridden_by_env: [], restart_required: [] };
      for (const key of keys) {
        if (held(key)) out.overridden_by_env.push(key);
        else if (RUNTIME_SETTINGS[key].effect === 'live') opts.apply[key]?.(values[key]);
      }
      out.restart_required = this.restartRequired();
      return out;
    },
    restartRequired() {
      return this.list()
        .filter((s) => s.effect === 'restart' && s.origin === 'runtime' && !same(s.value, s.running))
        .map((s) => s.key);
    },
  };
}
