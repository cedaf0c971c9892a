import { parseSettingsUpdate } from '../config/runtime-settings.js';
import type { DeviceRegistryPort, DeviceStateStore, RuleChange, RulesPort, RuntimeDeviceSpec, SwitchesPort, WatchdogsPort } from '../core/ports.js';
import type { SwitchInput } from '../core/power.js';
import type { BackupSection, SettingsPort } from '../core/system.js';

// What `GET /api/system/backup` exports and `POST /api/system/restore` brings back (SPEC §14.2): the
// things a user made at runtime — devices added over the API, switches, rules, watchdogs, local
// outlet names, runtime settings — each through the port that owns it, so a restore goes through the same
// validation as the API. No secrets (communities, passwords) and no auth data leave the process:
// a restored device that is new keeps the default communities until they are set again.
// Restore merges: existing objects of the same name are updated, others are added, none removed.

export interface BackupSources {
  registry: DeviceRegistryPort;
  deviceState: DeviceStateStore | null;
  switches: SwitchesPort | null;
  rules: RulesPort | null;
  watchdogs: WatchdogsPort | null;
  settings: SettingsPort | null;
}

type Check = { ok: true } | { ok: false; error: string; field: string };
type Restore = { ok: true; count: number } | { ok: false; error: string; field?: string };

const SECRET_DEVICE_KEYS = new Set(['community', 'write_community', 'password', 'v3']);

function list(data: unknown, section: string): Check & { items?: Array<Record<string, unknown>> } {
  if (!Array.isArray(data) || data.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
    return { ok: false, error: `sections.${section} must be a list of objects`, field: `sections.${section}` };
  }
  return { ok: true, items: data as Array<Record<string, unknown>> };
}

/** Runs `fn` on every item and stops at the first refusal, naming the item. */
async function each(section: string, items: Array<Record<string, unknown>>, fn: (item: Record<string, unknown>) => Promise<{ ok: boolean; error?: string }> | { ok: boolean; error?: string }): Promise<Restore> {
  let count = 0;
  for (const [i, item] of items.entries()) {
    const r = await fn(item);
    if (!r.ok) return { ok: false, error: `sections.${section}[${i}]: ${r.error ?? 'refused'}`, field: `sections.${section}[${i}]` };
    count++;
  }
  return { ok: true, count };
}

function devicesSection(s: BackupSources): BackupSection | null {
  const state = s.deviceState;
  if (!state) return null;
  return {
    name: 'devices',
    export: () => state.runtimeDevices().map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !SECRET_DEVICE_KEYS.has(k)))),
    async restore(data) {
      const checked = list(data, 'devices');
      if (!checked.ok) return checked;
      return each('devices', checked.items ?? [], async (item) => {
        const spec = Object.fromEntries(Object.entries(item).filter(([k]) => !SECRET_DEVICE_KEYS.has(k))) as unknown as RuntimeDeviceSpec & { id?: string };
        if (typeof spec.id !== 'string' || spec.id === '') return { ok: false, error: 'id is required' };
        const existing = s.registry.info(spec.id);
        if (existing?.fromConfig) return { ok: true }; // the config file owns it: left as it is
        return existing ? s.registry.updateDevice(spec.id, spec) : s.registry.addDevice(spec);
      });
    },
  };
}

function switchesSection(s: BackupSources): BackupSection | null {
  const sw = s.switches;
  if (!sw) return null;
  return {
    name: 'switches',
    export: () =>
      sw.list()
        .filter((x) => x.target.source === 'runtime')
        .map(({ target: t }) => ({ name: t.name, url: t.url, role: t.role, active: t.active, group: t.group })),
    async restore(data) {
      const checked = list(data, 'switches');
      if (!checked.ok) return checked;
      return each('switches', checked.items ?? [], (item) => {
        const input = item as unknown as SwitchInput;
        if (typeof input.name !== 'string') return { ok: false, error: 'name is required' };
        const found = sw.get(input.name);
        if (found?.target.source === 'config') return { ok: true };
        return found ? sw.update(input.name, input) : sw.add(input);
      });
    },
  };
}

function rulesSection(s: BackupSources): BackupSection | null {
  const rules = s.rules;
  if (!rules) return null;
  return {
    name: 'rules',
    export: () => {
      // A `device: all` rule is listed once per device: one definition each.
      const byName = new Map<string, unknown>();
      for (const { state: _state, ...rule } of rules.list()) if (!byName.has(rule.name)) byName.set(rule.name, rule);
      return [...byName.values()];
    },
    async restore(data) {
      const checked = list(data, 'rules');
      if (!checked.ok) return checked;
      return each('rules', checked.items ?? [], (item) => {
        const name = typeof item.name === 'string' ? item.name : '';
        const r: RuleChange = name !== '' && rules.get(name) ? rules.update(name, item) : rules.create(item);
        return r.ok ? r : { ok: false, error: r.issues?.map((i) => `${i.field}: ${i.message}`).join('; ') || r.error };
      });
    },
  };
}

function watchdogsSection(s: BackupSources): BackupSection | null {
  const dogs = s.watchdogs;
  if (!dogs) return null;
  return {
    name: 'watchdogs',
    // Runtime ones only: config-file watchdogs come back with the config file.
    export: () => dogs.list().filter((w) => w.source === 'runtime').map(({ source: _s, device_id: _d, state: _st, ...w }) => w),
    async restore(data) {
      const checked = list(data, 'watchdogs');
      if (!checked.ok) return checked;
      return each('watchdogs', checked.items ?? [], (item) => {
        const name = typeof item.name === 'string' ? item.name : '';
        const found = name !== '' ? dogs.get(name) : null;
        if (found?.source === 'config') return { ok: true };
        const r = found ? dogs.update(name, item) : dogs.create(item);
        return r.ok ? r : { ok: false, error: r.error };
      });
    },
  };
}

function outletNamesSection(s: BackupSources): BackupSection | null {
  const state = s.deviceState;
  if (!state) return null;
  return {
    name: 'outlet_names',
    export: () => s.registry.list().flatMap((d) => state.outletNames(d.id).map((o) => ({ device_id: d.id, outlet: o.outlet, name: o.name }))),
    async restore(data) {
      const checked = list(data, 'outlet_names');
      if (!checked.ok) return checked;
      return each('outlet_names', checked.items ?? [], (item) => {
        const { device_id: id, outlet, name } = item;
        if (typeof id !== 'string' || typeof outlet !== 'number' || typeof name !== 'string') {
          return { ok: false, error: 'expected {device_id, outlet, name}' };
        }
        if (!s.registry.info(id)) return { ok: true }; // that device is not here (any more): nothing to name
        const r = s.registry.setOutletNameOverride(id, outlet, name);
        return r.success ? { ok: true } : { ok: false, error: r.error ?? 'refused' };
      });
    },
  };
}

function settingsSection(s: BackupSources): BackupSection | null {
  const settings = s.settings;
  if (!settings) return null;
  return {
    name: 'settings',
    export: () => Object.fromEntries(settings.list().filter((v) => v.origin === 'runtime').map((v) => [v.key, v.value])),
    async restore(data) {
      if (typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).length === 0) return { ok: true, count: 0 };
      const parsed = parseSettingsUpdate(data);
      if (!parsed.ok) {
        const first = parsed.issues[0];
        return { ok: false, error: parsed.issues.map((i) => `sections.settings.${i.field}: ${i.message}`).join('; '), field: `sections.settings.${first?.field ?? ''}` };
      }
      settings.update(parsed.values);
      return { ok: true, count: Object.keys(parsed.values).length };
    },
  };
}

/** The sections this process can back up, in restore order (devices before the names of their outlets). */
export function backupSections(s: BackupSources): BackupSection[] {
  return [devicesSection(s), switchesSection(s), rulesSection(s), watchdogsSection(s), outletNamesSection(s), settingsSection(s)].filter((x): x is BackupSection => x !== null);
}
