import type { SwitchInput, SwitchTarget } from '../../core/power.js';
import type { SwitchStore } from '../../core/ports.js';
import { normalizeSwitchInput } from './target-input.js';

// Switches from the config file (and the demo's simulated ones) are stored with source `config`
// so that checks and outages can name them by id; at every start the table is brought in line
// with the file: new ones added, changed ones updated, removed ones deleted (their checks stay
// until retention). A runtime switch with the same name gives way to the file's.

export function syncFixedTargets(store: SwitchStore, inputs: readonly SwitchInput[], nowS: number): { warnings: string[] } {
  const warnings: string[] = [];
  const now = Math.floor(nowS);
  const byName = new Map(store.listSwitches().map((t) => [t.name.toLowerCase(), t]));
  const wanted = new Set<string>();
  for (const input of inputs) {
    const n = normalizeSwitchInput(input);
    if (!n.ok) {
      // The config schema checks the same rules; this only guards the demo's generated targets.
      warnings.push(`switch "${input.name}" skipped: ${n.field}: ${n.error}`);
      continue;
    }
    const key = n.value.name.toLowerCase();
    wanted.add(key);
    const cur = byName.get(key);
    if (cur && cur.source === 'runtime') {
      warnings.push(`switch "${cur.name}" from the config file replaces the runtime switch of the same name`);
      store.deleteSwitch(cur.id);
    }
    if (!cur || cur.source === 'runtime') {
      store.insertSwitch({ ...n.value, source: 'config', created_at: now, updated_at: now });
    } else if (changed(cur, n.value)) {
      store.updateSwitch(cur.id, { ...n.value, updated_at: now });
    }
  }
  for (const t of byName.values()) {
    if (t.source === 'config' && !wanted.has(t.name.toLowerCase())) store.deleteSwitch(t.id);
  }
  return { warnings };
}

function changed(cur: SwitchTarget, next: Pick<SwitchTarget, 'name' | 'url' | 'ip' | 'role' | 'active' | 'group'>): boolean {
  return cur.name !== next.name || cur.url !== next.url || cur.ip !== next.ip || cur.role !== next.role || cur.active !== next.active || cur.group !== next.group;
}
