import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { errorMessage, P2mError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type {
  DeviceRegistryPort, OutagePort, StoredWatchdogState, SwitchesPort, TargetProber, WatchdogChange, WatchdogsPort, WatchdogStore,
} from '../core/ports.js';
import type { Verdict } from '../core/power.js';
import { clampDeadline, type Scheduler } from '../core/scheduler.js';
import type { Watchdog, WatchdogIssue, WatchdogView } from '../core/watchdog.js';
import { FRESH, statusOf } from './decide.js';
import { WatchdogRuntime } from './runtime.js';
import { checkOutlet, checkSet, issueText, parseWatchdog, resolveDevice, watchdogJson } from './validate.js';

// The outlet watchdogs (SPEC §12.7): config-file watchdogs (read-only) plus runtime ones created
// over REST (stored in SQLite). One scheduler target per watchdog runs its checks; the power
// status is followed from the bus. WatchdogsPort for REST, MQTT and HA.

export interface WatchdogServiceOptions {
  /** Config-file watchdogs (and the demo's), already schema-checked. */
  fixed: readonly Watchdog[];
  registry: Pick<DeviceRegistryPort, 'list' | 'info' | 'snapshot' | 'command'>;
  switches: Pick<SwitchesPort, 'list' | 'get'> | null;
  outages: Pick<OutagePort, 'status'> | null;
  prober: TargetProber;
  store: WatchdogStore | null;
  clock: Clock;
  scheduler: Scheduler;
  bus: EventBus;
  logger: Logger;
}

export interface WatchdogService extends WatchdogsPort {
  start(): void;
  stop(): Promise<void>;
}

type Fail = Extract<WatchdogChange, { ok: false }>;
const notFound = (name: string): Fail => ({ ok: false, error: `no watchdog named "${name}"`, code: 'P2M_ERR_NOT_FOUND' });
const invalid = (issues: WatchdogIssue[]): Fail => ({ ok: false, error: issueText(issues), issues, code: 'P2M_ERR_VALIDATION' });

export function createWatchdogService(o: WatchdogServiceOptions): WatchdogService {
  const log = o.logger.child({ module: 'watchdog' });
  const nowS = (): number => o.clock.now() / 1000;
  const entries = new Map<string, WatchdogRuntime>();
  const offs: Array<() => void> = [];
  const power = { verdict: 'normal' as Verdict, powerOpen: false, networkOpen: false };
  let started = false;
  let stopped = false;

  const deps = {
    registry: o.registry, switches: o.switches, prober: o.prober, store: o.store, clock: o.clock, bus: o.bus, log,
    power: () => power, peer: (name: string) => entries.get(name),
  };

  const switchNames = (): Set<string> | null => (o.switches ? new Set(o.switches.list().map((s) => s.target.name)) : null);
  const taskId = (name: string): string => `watchdog:${name}`;

  function schedule(rt: WatchdogRuntime, offsetMs: number): void {
    const periodMs = rt.w.interval_s * 1000;
    o.scheduler.add({
      id: taskId(rt.w.name), periodMs, deadlineMs: clampDeadline(rt.w.timeout_ms + 1000, periodMs), offsetMs,
      run: (ctx) => rt.tick(ctx.signal),
    });
  }

  function unschedule(name: string): void {
    o.scheduler.remove(taskId(name));
    entries.get(name)?.stop();
  }

  /** (Re)build every runtime from the set; state comes from the store. */
  function load(runtime: Watchdog[]): void {
    const all = [...o.fixed, ...runtime];
    const issues = checkSet(all, switchNames());
    // A config-file watchdog naming no switch is a config error (SPEC §12.7: exit 2); the schema
    // checked everything else it can know, and only here are the runtime switches known too.
    const fileIssues = issues.filter((i) => o.fixed.some((w) => w.name === i.watchdog));
    if (fileIssues.length > 0) {
      throw new P2mError('P2M_ERR_CONFIG', fileIssues.map((i) => `watchdogs[${o.fixed.findIndex((w) => w.name === i.watchdog)}].${i.field} (${i.watchdog}): ${i.message}`).join('\n'));
    }
    let stored = new Map<string, StoredWatchdogState>();
    try {
      stored = o.store?.loadStates() ?? stored;
    } catch (err) {
      log.error({ error: errorMessage(err) }, 'watchdog state not loaded: starting fresh');
    }
    for (const w of all) {
      const mine = issues.filter((i) => i.watchdog === w.name);
      const issue = mine.length ? mine.map((i) => `${i.field}: ${i.message}`).join('; ') : null;
      entries.set(w.name, new WatchdogRuntime(w, o.fixed.includes(w) ? 'config' : 'runtime', issue, stored.get(w.name), deps, FRESH));
    }
  }

  function runtimeFromStore(): Watchdog[] {
    const out: Watchdog[] = [];
    let bodies: unknown[] = [];
    try {
      bodies = o.store?.runtimeWatchdogs() ?? [];
    } catch (err) {
      log.error({ error: errorMessage(err) }, 'runtime watchdogs not loaded');
    }
    for (const body of bodies) {
      const p = parseWatchdog(body);
      if (!p.ok) log.error({ issues: p.issues }, `stored watchdog skipped: ${issueText(p.issues)}`);
      else if (o.fixed.some((f) => f.name === p.watchdog.name)) log.error({ watchdog: p.watchdog.name }, 'stored watchdog skipped: a config-file watchdog has its name');
      else out.push(p.watchdog);
    }
    return out;
  }

  function view(rt: WatchdogRuntime): WatchdogView {
    const m = rt.mem;
    return {
      ...watchdogJson(rt.w), source: rt.source, device_id: rt.deviceId,
      state: { ...statusOf(m, nowS(), rt.w.window_h), last_result: m.last_result, last_check_at: m.last_check_at, failing_since: m.failing_since, inactive: rt.inactive },
    };
  }

  /** Body → watchdog checked against the set (as `name` replaces `replacing`) and the device. */
  function validate(input: unknown, replacing: string | null): { ok: true; watchdog: Watchdog } | Fail {
    const p = parseWatchdog(input);
    if (!p.ok) return invalid(p.issues);
    const w = p.watchdog;
    if (replacing === null && entries.has(w.name)) {
      return { ok: false, error: `name: a watchdog named "${w.name}" exists already: pick another name`, code: 'P2M_ERR_CONFLICT' };
    }
    const set = [...[...entries.values()].map((e) => e.w).filter((x) => x.name !== (replacing ?? w.name)), w];
    const issues = checkSet(set, switchNames()).filter((i) => i.watchdog === w.name);
    const dev = resolveDevice(w.device, o.registry.list());
    if ('problem' in dev) issues.push({ watchdog: w.name, field: 'device', message: dev.problem });
    else {
      const snap = o.registry.snapshot(dev.id);
      const issue = checkOutlet(w, { id: dev.id, outletCount: snap ? snap.identity.outlet_count : null, protectedOutlets: o.registry.info(dev.id)?.protectedOutlets ?? [] });
      if (issue) issues.push(issue);
    }
    return issues.length ? invalid(issues) : { ok: true, watchdog: w };
  }

  function changed(name: string): void {
    o.bus.emit('watchdog', { kind: 'changed', name, status: null, device_id: null, outlet: null, details: 'watchdogs changed', ts: nowS() });
  }

  /** Store a runtime watchdog and (re)start it; the whole set is rebuilt so depends_on checks follow. */
  function commitRuntime(w: Watchdog | null, removing: string | null): void {
    const name = w?.name ?? removing ?? '';
    if (w) o.store?.saveRuntimeWatchdog(watchdogJson(w), nowS());
    else if (removing) {
      o.store?.deleteRuntimeWatchdog(removing);
      o.store?.deleteState(removing);
    }
    unschedule(name);
    if (w) {
      const stored = o.store?.loadStates().get(w.name);
      const rt = new WatchdogRuntime(w, 'runtime', null, removing === null && stored ? stored : undefined, deps, FRESH);
      entries.set(w.name, rt);
      if (started && !stopped) schedule(rt, 0);
    } else entries.delete(name);
    changed(name);
  }

  // Loaded now, so MQTT (started before the watchdogs) publishes their states and HA entities at connect.
  load(runtimeFromStore());

  return {
    start() {
      started = true;
      const st = o.outages?.status();
      if (st) {
        power.verdict = st.state;
        power.powerOpen = st.outage?.is_ongoing === true && st.outage.kind === 'power';
        power.networkOpen = st.outage?.is_ongoing === true && st.outage.kind === 'network';
      }
      offs.push(o.bus.on('outage', (e) => {
        power.verdict = e.state;
        if (e.type === 'opened') power.powerOpen = e.outage?.is_ongoing ?? true;
        else if (e.type === 'closed') power.powerOpen = false;
        else if (e.type === 'network_fault_opened') power.networkOpen = true;
        else if (e.type === 'network_fault_closed') power.networkOpen = false;
      }));
      let i = 0;
      // Staggered by 100 ms, so many watchdogs do not probe at the same instant.
      for (const rt of entries.values()) schedule(rt, 500 + 100 * i++);
      log.info({ watchdogs: entries.size }, 'watchdogs started');
    },
    async stop() {
      stopped = true;
      for (const off of offs.splice(0)) off();
      for (const name of entries.keys()) unschedule(name);
    },
    list: () => [...entries.values()].map(view),
    get(name) {
      const rt = entries.get(name);
      return rt ? view(rt) : null;
    },
    create(input) {
      const v = validate(input, null);
      if (!v.ok) return v;
      commitRuntime(v.watchdog, null);
      log.info({ watchdog: v.watchdog.name }, 'watchdog created');
      return { ok: true, watchdog: view(entries.get(v.watchdog.name) as WatchdogRuntime) };
    },
    update(name, input) {
      const old = entries.get(name);
      if (!old) return notFound(name);
      if (old.source === 'config') return { ok: false, error: `watchdog "${name}" is defined in the config file: edit it there`, code: 'P2M_ERR_CONFLICT' };
      const body = input !== null && typeof input === 'object' && !Array.isArray(input) ? { ...(input as Record<string, unknown>), name } : input;
      const v = validate(body, name);
      if (!v.ok) return v;
      commitRuntime(v.watchdog, null);
      // An edited watchdog starts over (like a reset): nothing is switched by the edit itself.
      entries.get(name)?.reset();
      return { ok: true, watchdog: view(entries.get(name) as WatchdogRuntime) };
    },
    remove(name) {
      const old = entries.get(name);
      if (!old) return notFound(name);
      if (old.source === 'config') return { ok: false, error: `watchdog "${name}" is defined in the config file: remove it there`, code: 'P2M_ERR_CONFLICT' };
      const dependents = [...entries.values()].filter((e) => e.w.depends_on === name).map((e) => e.w.name);
      if (dependents.length) {
        return { ok: false, error: `watchdog "${name}" is the depends_on of ${dependents.join(', ')}: change those first`, code: 'P2M_ERR_CONFLICT' };
      }
      const before = view(old);
      commitRuntime(null, name);
      return { ok: true, watchdog: before };
    },
    reset(name) {
      const rt = entries.get(name);
      if (!rt) return notFound(name);
      rt.reset();
      return { ok: true, watchdog: view(rt) };
    },
    async test(name) {
      const rt = entries.get(name);
      if (!rt) return { ok: false, error: `no watchdog named "${name}"`, code: 'P2M_ERR_NOT_FOUND' };
      const check = await rt.check();
      return { ok: true, check: check ?? { result: 'down', response_time: null, error: 'no result yet (the switch has not been probed, or the target is invalid)' } };
    },
  };
}
