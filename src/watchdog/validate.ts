import { watchdogsSchema } from '../config/schema/automation.js';
import { defaultDevice } from '../core/default-device.js';
import type { DeviceSummary } from '../core/ports.js';
import type { Watchdog, WatchdogIssue } from '../core/watchdog.js';
import { parseTarget } from '../core/watchdog-target.js';

// Load checks of SPEC §12.7, each naming the watchdog and the field: the body itself (the config
// schema's rules: fields, ranges, name), the target, depends_on (unknown, cycle), and — once the
// device is known — the outlet (beyond the device's count, protected). Pure.

export type WatchdogParse = { ok: true; watchdog: Watchdog } | { ok: false; issues: WatchdogIssue[] };

const nameOf = (x: unknown): string | null =>
  x !== null && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name : null;

/** One watchdog body (REST, SQLite) checked like a `watchdogs[]` entry of the config file. */
export function parseWatchdog(input: unknown): WatchdogParse {
  const name = nameOf(input);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, issues: [{ watchdog: null, field: '(body)', message: 'must be a JSON object {name, outlet, target, …}' }] };
  }
  // depends_on is checked against the whole set (checkSet), not inside this one-entry list.
  const dependsOn = (input as { depends_on?: unknown }).depends_on;
  if (dependsOn !== undefined && typeof dependsOn !== 'string') {
    return { ok: false, issues: [{ watchdog: name, field: 'depends_on', message: 'must be a watchdog name, or "" for none' }] };
  }
  const r = watchdogsSchema.safeParse([{ ...input, depends_on: '' }]);
  if (r.success) {
    const [w] = r.data;
    if (w) return { ok: true, watchdog: { ...w, depends_on: dependsOn ?? '' } };
  }
  const issues = (r.error?.issues ?? []).map((i) => {
    const path = i.path.slice(1).map(String);
    const hint = (i as { params?: { hint?: unknown } }).params?.hint;
    return { watchdog: name, field: path.join('.') || '(body)', message: typeof hint === 'string' ? `${i.message}: ${hint}` : i.message };
  });
  return { ok: false, issues: issues.length ? issues : [{ watchdog: name, field: '(body)', message: 'is not a valid watchdog' }] };
}

/**
 * Checks across the whole set (config + runtime): the target (a switch name must exist when
 * `switchNames` is given), depends_on naming a watchdog, and depends_on loops.
 */
export function checkSet(all: readonly Watchdog[], switchNames: ReadonlySet<string> | null): WatchdogIssue[] {
  const issues: WatchdogIssue[] = [];
  const byName = new Map(all.map((w) => [w.name, w]));
  for (const w of all) {
    const t = parseTarget(w.target);
    if (!t.ok) issues.push({ watchdog: w.name, field: 'target', message: t.message });
    else if (t.target.kind === 'switch' && switchNames && !switchNames.has(t.target.name)) {
      issues.push({
        watchdog: w.name, field: 'target',
        message: `"${w.target}" names no switch (known: ${[...switchNames].join(', ') || 'none'}): write a URL, host:port, or an existing switch name`,
      });
    }
    if (w.depends_on === '') continue;
    if (w.depends_on === w.name) {
      issues.push({ watchdog: w.name, field: 'depends_on', message: 'a watchdog cannot depend on itself: name the upstream watchdog, or use ""' });
      continue;
    }
    if (!byName.has(w.depends_on)) {
      issues.push({ watchdog: w.name, field: 'depends_on', message: `names no watchdog "${w.depends_on}": name an existing watchdog, or use ""` });
      continue;
    }
    const chain = [w.name];
    let next: string | undefined = w.depends_on;
    while (next !== undefined && next !== '' && !chain.includes(next)) {
      chain.push(next);
      next = byName.get(next)?.depends_on;
    }
    if (next === w.name) issues.push({ watchdog: w.name, field: 'depends_on', message: `forms a cycle: ${[...chain, w.name].join(' → ')}: remove one depends_on in the loop` });
  }
  return issues;
}

/** The device a watchdog acts on (SPEC §12.1 rule for `device`), or why none. */
export function resolveDevice(device: string, all: readonly DeviceSummary[]): { id: string } | { problem: string } {
  if (device !== '') return all.some((d) => d.id === device) ? { id: device } : { problem: `device "${device}" is not configured` };
  const only = defaultDevice(all);
  if (only) return { id: only.id };
  return { problem: all.length === 0 ? 'no device configured' : 'several devices: set "device" to a device id' };
}

/** The outlet against the device (SPEC §12.2): within 1..outlet_count and not protected. */
export function checkOutlet(w: Pick<Watchdog, 'name' | 'outlet'>, device: { id: string; outletCount: number | null; protectedOutlets: readonly number[] }): WatchdogIssue | null {
  if (device.protectedOutlets.includes(w.outlet)) {
    return {
      watchdog: w.name, field: 'outlet',
      message: `outlet ${w.outlet} of ${device.id} is protected and a watchdog would switch it off: pick another outlet or drop it from devices[].protected_outlets`,
    };
  }
  if (device.outletCount !== null && w.outlet > device.outletCount) {
    return { watchdog: w.name, field: 'outlet', message: `outlet ${w.outlet} is beyond the ${device.outletCount} outlets of ${device.id} (valid: 1-${device.outletCount})` };
  }
  return null;
}

export function issueText(issues: readonly WatchdogIssue[]): string {
  return issues.map((i) => `${i.watchdog !== null ? `watchdog "${i.watchdog}" ` : ''}${i.field}: ${i.message}`).join('; ');
}

/** The JSON stored and returned for a watchdog (every field, defaults filled). */
export function watchdogJson(w: Watchdog): Watchdog {
  return {
    name: w.name, device: w.device, outlet: w.outlet, target: w.target, interval_s: w.interval_s, timeout_ms: w.timeout_ms,
    fail_after_s: w.fail_after_s, action: w.action, off_s: w.off_s, boot_grace_s: w.boot_grace_s, max_cycles: w.max_cycles,
    window_h: w.window_h, depends_on: w.depends_on,
  };
}
