import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DeviceRegistryPort, DeviceSummary, OutagePort, RuleChange, RulesPort, RuleStore } from '../core/ports.js';
import type { Rule, RuleIssue, RuleState, RuleView } from '../core/rules.js';
import type { ScheduledTarget, Scheduler } from '../core/scheduler.js';
import type { RuleEdge } from './conditions.js';
import { devicesOf } from './engine-cache.js';
import { RulesRuntime } from './engine.js';
import { ensureDemoRules, readRulesFile, RulesFileWatcher, writeRulesFile } from './file.js';
import { parseRule, parseRules, protectedOutletIssue, ruleToJson } from './schema.js';

// The rule set (SPEC §12.6): rules.json is the source of truth. API changes rewrite it
// atomically; a file edited by hand is reloaded (whole file validated first: an invalid file
// keeps the previous rules). RulesPort for REST and MQTT; the runtime (engine.ts) does the rest.

const TIME_TICK_MS = 30_000;

export interface RulesServiceOptions {
  path: string;
  watch: boolean;
  retryS: number;
  tz: string;
  /** Demo: rules.json.example copied to `path` on first start when missing. */
  examplePath: string | null;
  registry: Pick<DeviceRegistryPort, 'list' | 'info' | 'snapshot' | 'command'>;
  outages: Pick<OutagePort, 'status'> | null;
  store: RuleStore | null;
  clock: Clock;
  scheduler: Scheduler;
  bus: EventBus;
  logger: Logger;
}

export interface RulesService extends RulesPort {
  start(): void;
  stop(): Promise<void>;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const nameOf = (x: unknown): string | null =>
  x !== null && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name : null;

export function createRulesService(o: RulesServiceOptions): RulesService {
  const log = o.logger.child({ module: 'rules' });
  const nowS = (): number => o.clock.now() / 1000;
  /** The file's entries as read or written (invalid ones kept, so an API write does not drop them). */
  let raw: unknown[] = [];
  let outageActive = false;
  let rules: Rule[] = [];
  let watcher: RulesFileWatcher | null = null;
  let tick: ScheduledTarget | null = null;
  const offs: Array<() => void> = [];
  const runtime = new RulesRuntime({
    registry: o.registry, store: o.store, clock: o.clock, bus: o.bus, logger: o.logger, tz: o.tz, retryS: o.retryS,
    // Followed from the bus, not asked per evaluation: status() reads the database.
    outageActive: () => outageActive,
    disableRule: (name) => {
      const r = setEnabled(name, false);
      if (r.ok) runtime.emit({ rule: name, type: 'disabled', details: `oneshot rule "${name}" fired once and is now disabled`, ts: nowS(), device_id: null });
    },
  });

  function reportIssues(issues: RuleIssue[], why: string): void {
    if (issues.length === 0) return;
    const details = `${why}: ${issues.map((i) => `${i.rule ?? `#${i.index ?? '?'}`}.${i.field}: ${i.message}`).join('; ')}`;
    runtime.emit({ rule: issues[0]?.rule ?? null, type: 'reload_failed', details, ts: nowS(), device_id: null, data: { issues } });
  }

  /** Rules that would switch a protected outlet off on a device they name: refused like any invalid rule (SPEC §12.2). */
  function protectedIssues(list: readonly Rule[]): RuleIssue[] {
    const all = o.registry.list();
    return list.flatMap((r) => {
      for (const id of devicesOf(r, all).ids) {
        const issue = protectedOutletIssue(r, { id, protectedOutlets: o.registry.info(id)?.protectedOutlets ?? [] });
        if (issue) return [issue];
      }
      return [];
    });
  }

  /** Apply a parsed file. `strict`: any issue keeps the previous rules (hot reload, SPEC §12.6). */
  function applyFile(json: unknown, strict: boolean, why: string): { ok: true; rules: number } | { ok: false; issues: RuleIssue[] } {
    if (!Array.isArray(json)) {
      const issues: RuleIssue[] = [{ rule: null, index: null, field: '(file)', message: 'must be a JSON array of rule objects: wrap the rules in [ … ]' }];
      reportIssues(issues, why);
      return { ok: false, issues };
    }
    const parsed = parseRules(json);
    const refused = protectedIssues(parsed.rules);
    const issues = [...parsed.issues, ...refused];
    if (issues.length > 0) {
      reportIssues(issues, strict ? `${why}; the previous rules stay active` : `${why}; these rules are skipped`);
      if (strict) return { ok: false, issues };
    }
    raw = json;
    rules = parsed.rules.filter((r) => !refused.some((i) => i.rule === r.name));
    runtime.setRules(rules);
    log.info({ rules: rules.length, enabled: rules.filter((r) => r.enabled).length }, 'rules loaded');
    return { ok: true, rules: rules.length };
  }

  function loadFromDisk(strict: boolean, why: string): { ok: true; rules: number } | { ok: false; issues: RuleIssue[] } {
    const file = readRulesFile(o.path);
    if (!file.ok) {
      const issues: RuleIssue[] = [{ rule: null, index: null, field: '(file)', message: file.error }];
      reportIssues(issues, strict ? `${why}; the previous rules stay active` : why);
      return { ok: false, issues };
    }
    watcher?.noteHash(file.hash);
    return applyFile(file.json, strict, why);
  }

  /** Write `next` as the file and apply it; a failed write changes nothing. */
  function commit(next: unknown[]): { ok: true } | { ok: false; error: string } {
    let hash: string;
    try {
      hash = writeRulesFile(o.path, next);
    } catch (err) {
      return { ok: false, error: `rules file not written (${o.path}): ${err instanceof Error ? err.message : String(err)}` };
    }
    watcher?.noteHash(hash);
    applyFile(next, false, 'rules changed');
    return { ok: true };
  }

  /**
   * `all` reads the registry's device list (O(devices)): at most once per list() call. list(device)
   * runs on every rule state change (MQTT automation/status); reading the list and every state of
   * every rule per rule made it O(rules × devices): with 500 PDUs and 1,000 rules it blocked the
   * event loop for seconds (load run, issue 10).
   */
  function view(rule: Rule, deviceId: string | undefined, all: () => DeviceSummary[] = () => o.registry.list()): RuleView[] {
    // A rule naming another device has neither a state nor an idle view on this one.
    if (deviceId !== undefined && rule.device !== null && rule.device !== 'all' && rule.device !== deviceId) return [];
    const one = deviceId !== undefined ? runtime.stateOn(rule.name, deviceId) : null;
    const states = deviceId !== undefined ? (one ? [one] : []) : runtime.states(rule.name);
    if (states.length > 0) return states.map((state) => ({ ...rule, state }));
    const devices = devicesOf(rule, all());
    const ids = deviceId !== undefined ? devices.ids.filter((d) => d === deviceId) : devices.ids;
    if (deviceId !== undefined && ids.length === 0) return [];
    const inactive = !rule.enabled ? 'disabled' : devices.problem;
    // Counters persist per rule and device (SPEC §12.5): a disabled rule still shows them.
    return (ids.length ? ids : ['']).map((id) => ({ ...rule, state: { ...idleState(id, inactive), ...runtime.countersOf(rule.name, id) } }));
  }

  /** A parsed rule from the API, refused when it would switch a protected outlet off. */
  function checked<T extends { ok: true; rule: Rule } | { ok: false; issues: RuleIssue[] }>(p: T): T | { ok: false; issues: RuleIssue[] } {
    if (!p.ok) return p;
    const issues = protectedIssues([p.rule]);
    return issues.length > 0 ? { ok: false, issues } : p;
  }

  function find(name: string): Rule | undefined {
    return rules.find((r) => sameName(r.name, name));
  }

  function changed(name: string): RuleChange {
    const r = find(name);
    const v = r ? view(r, undefined)[0] : undefined;
    return v ? { ok: true, rule: v } : { ok: false, error: `rule "${name}" was written but is not valid`, code: 'P2M_ERR_VALIDATION' };
  }

  function setEnabled(name: string, enabled: boolean | undefined): RuleChange {
    const rule = find(name);
    if (!rule) return { ok: false, error: `no rule named "${name}"`, code: 'P2M_ERR_NOT_FOUND' };
    const value = enabled ?? !rule.enabled;
    const next = raw.map((x) => (nameOf(x) !== null && sameName(nameOf(x) as string, name) ? { ...ruleToJson(rule), enabled: value } : x));
    const w = commit(next);
    return w.ok ? changed(rule.name) : { ok: false, error: w.error, code: 'P2M_ERR_VALIDATION' };
  }

  function allDevicesEvaluate(edges: ReadonlySet<RuleEdge>, onlyTime = false): void {
    for (const d of o.registry.list()) runtime.evaluateDevice(d.id, edges, onlyTime);
  }

  return {
    start() {
      if (o.examplePath && ensureDemoRules(o.path, o.examplePath)) log.info({ path: o.path }, 'demo: rules.json.example copied');
      if (o.watch) {
        watcher = new RulesFileWatcher({
          path: o.path, clock: o.clock, logger: o.logger,
          onChange: () => void loadFromDisk(true, `${o.path} changed`),
        });
      }
      outageActive = o.outages?.status().state === 'outage';
      loadFromDisk(false, `${o.path} loaded at start`);
      offs.push(
        o.bus.on('sample', (s) => runtime.evaluateDevice(s.device_id, new Set())),
        o.bus.on('outage', (e) => {
          outageActive = e.state === 'outage';
          const edge: RuleEdge | null = e.type === 'opened' ? 'outage_start' : e.type === 'closed' ? 'outage_end' : null;
          if (edge || e.type === 'verdict') allDevicesEvaluate(new Set(edge ? [edge] : []));
        }),
        o.bus.on('health', (h) => {
          const recovered = h.from === 'lost' && h.to === 'healthy';
          runtime.evaluateDevice(h.device_id, new Set(recovered ? (['health_recovered'] as const) : []));
        }),
      );
      tick = o.scheduler.add({
        id: 'rules-time', periodMs: TIME_TICK_MS, deadlineMs: 5000, offsetMs: TIME_TICK_MS,
        run: async () => allDevicesEvaluate(new Set(), true),
      });
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      tick?.cancel();
      watcher?.close();
      runtime.stop();
    },
    list(deviceId) {
      let all: DeviceSummary[] | undefined;
      const devices = (): DeviceSummary[] => (all ??= o.registry.list());
      return rules.flatMap((r) => view(r, deviceId, devices));
    },
    get(name) {
      const r = find(name);
      return r ? (view(r, undefined)[0] ?? null) : null;
    },
    create(input) {
      const p = checked(parseRule(input, null));
      if (!p.ok) return { ok: false, error: issueText(p.issues), issues: p.issues, code: 'P2M_ERR_VALIDATION' };
      if (find(p.rule.name) || raw.some((x) => nameOf(x) !== null && sameName(nameOf(x) as string, p.rule.name))) {
        return { ok: false, error: `name: a rule named "${p.rule.name}" exists already: pick another name`, code: 'P2M_ERR_CONFLICT' };
      }
      const w = commit([...raw, ruleToJson(p.rule)]);
      if (!w.ok) return { ok: false, error: w.error, code: 'P2M_ERR_VALIDATION' };
      runtime.emit({ rule: p.rule.name, type: 'created', details: `rule "${p.rule.name}" created`, ts: nowS(), device_id: null });
      return changed(p.rule.name);
    },
    update(name, input) {
      const old = find(name);
      if (!old) return { ok: false, error: `no rule named "${name}"`, code: 'P2M_ERR_NOT_FOUND' };
      const body = input !== null && typeof input === 'object' ? { ...(input as Record<string, unknown>), name: old.name } : input;
      const p = checked(parseRule(body, null));
      if (!p.ok) return { ok: false, error: issueText(p.issues), issues: p.issues, code: 'P2M_ERR_VALIDATION' };
      const w = commit(raw.map((x) => (nameOf(x) !== null && sameName(nameOf(x) as string, name) ? ruleToJson(p.rule) : x)));
      if (!w.ok) return { ok: false, error: w.error, code: 'P2M_ERR_VALIDATION' };
      runtime.emit({ rule: old.name, type: 'updated', details: `rule "${old.name}" updated`, ts: nowS(), device_id: null });
      return changed(old.name);
    },
    remove(name) {
      const old = find(name);
      if (!old) return { ok: false, error: `no rule named "${name}"`, code: 'P2M_ERR_NOT_FOUND' };
      const before = view(old, undefined)[0];
      const w = commit(raw.filter((x) => !(nameOf(x) !== null && sameName(nameOf(x) as string, name))));
      if (!w.ok) return { ok: false, error: w.error, code: 'P2M_ERR_VALIDATION' };
      runtime.deleteCounters(old.name);
      runtime.emit({ rule: old.name, type: 'deleted', details: `rule "${old.name}" deleted`, ts: nowS(), device_id: null });
      return before ? { ok: true, rule: before } : { ok: false, error: `no rule named "${name}"`, code: 'P2M_ERR_NOT_FOUND' };
    },
    toggle(name, enabled) {
      const r = setEnabled(name, enabled);
      if (r.ok) runtime.emit({ rule: r.rule.name, type: 'toggled', details: `rule "${r.rule.name}" ${r.rule.enabled ? 'enabled' : 'disabled'}`, ts: nowS(), device_id: null });
      return r;
    },
    reload() {
      return loadFromDisk(true, `${o.path} reloaded on request`);
    },
    dryRun(q) {
      let rule: Rule | undefined;
      if ('name' in q) {
        rule = find(q.name);
        if (!rule) return { ok: false, error: `no rule named "${q.name}"`, code: 'P2M_ERR_NOT_FOUND' };
      } else {
        const p = parseRule(q.rule, null);
        if (!p.ok) return { ok: false, error: issueText(p.issues), issues: p.issues, code: 'P2M_ERR_VALIDATION' };
        rule = p.rule;
      }
      const devices = runtime.devicesOf(rule);
      const device = devices.ids[0];
      if (device === undefined) return { ok: true, result: { would_fire: false, phase: 'idle', reasons: [devices.problem ?? 'no device'] } };
      return { ok: true, result: runtime.dryRun(rule, device) };
    },
  };
}

function idleState(deviceId: string, inactive: string | null): RuleState {
  return {
    device_id: deviceId, phase: 'idle', triggered: false, condition_since: null, fired_at: null, execution_count: 0, last_execution: null,
    last_error: null, inactive,
  };
}

function issueText(issues: RuleIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}
