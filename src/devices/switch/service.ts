import type { EventBus } from '../../core/bus.js';
import { forEachLimited } from '../../core/concurrency.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage, P2mError } from '../../core/errors.js';
import { FailureStreak, type Logger } from '../../core/logger.js';
import type { PowerCheck, SwitchInput, SwitchStatus, SwitchTarget } from '../../core/power.js';
import type { SwitchChange, SwitchesPort, SwitchStore } from '../../core/ports.js';
import type { Scheduler, ScheduledTarget } from '../../core/scheduler.js';
import { probeUrl, type ProbeOutcome } from './probe.js';
import { countStates, dueForProbe, EMPTY_MEMORY, memoryFromStore, remember, statusOf, type TargetMemory } from './switch-states.js';
import { normalizeSwitchInput } from './target-input.js';
import { syncFixedTargets } from './sync.js';

// The probe service (SPEC §11.1-§11.2): one scheduler target probes every active switch once per
// cycle, concurrently up to `concurrency`, each within `timeout_ms` (kept below the cycle). The
// table is re-read every cycle, so switches added by the CLI while the service runs are probed
// from the next cycle. Results are stored and emitted on the bus as one `probe` event per cycle.

export interface SwitchProbeSettings {
  interval_s: number;
  timeout_ms: number;
  concurrency: number;
  stale_after_h: number;
  tls_errors: 'up' | 'down';
}

export type ProbeFn = (url: string, opts: { timeoutMs: number; tlsErrors: 'up' | 'down'; signal?: AbortSignal; clock: Clock }) => Promise<ProbeOutcome>;

export interface SwitchServiceOptions {
  settings: SwitchProbeSettings;
  /** Targets from the config file (and the demo): source `config`, read-only at runtime. */
  fixedTargets: SwitchInput[];
  store: SwitchStore;
  clock: Clock;
  scheduler: Scheduler;
  bus: EventBus;
  logger: Logger;
  probe?: ProbeFn;
}

export interface SwitchService extends SwitchesPort {
  /** Read the latest checks from the store (start does this; the CLI calls it alone). */
  load(): void;
  start(): void;
  stop(): Promise<void>;
  /** Effective per-probe timeout (ms): timeout_ms, kept below the cycle. */
  readonly timeoutMs: number;
  /**
   * What else uses a switch by name (the watchdogs, wired by the composition root): while it
   * returns a reason, remove and rename answer 409 with it.
   */
  guardNames(usedBy: (name: string) => string | null): void;
}

/** A probe must end before the next cycle: at most 80 % of the interval. */
export function probeTimeoutMs(s: SwitchProbeSettings): number {
  return Math.max(100, Math.min(s.timeout_ms, Math.floor(s.interval_s * 1000 * 0.8)));
}

export function createSwitchService(opts: SwitchServiceOptions): SwitchService {
  const { settings, store, clock, bus } = opts;
  const log = opts.logger.child({ module: 'switches' });
  const probe = opts.probe ?? probeUrl;
  const timeoutMs = probeTimeoutMs(settings);
  const staleAfterS = settings.stale_after_h * 3600;
  const memory = new Map<number, TargetMemory>();
  const inflight = new Map<number, Promise<PowerCheck>>();
  let target: ScheduledTarget | null = null;
  let cycle = 0;
  // The verdict does not depend on the database: keep going, say so once per streak.
  const checkStore = new FailureStreak(log, 'power checks not stored', 'power checks stored again');
  const nowS = (): number => clock.now() / 1000;

  const mem = (id: number): TargetMemory => memory.get(id) ?? EMPTY_MEMORY;
  const status = (t: SwitchTarget): SwitchStatus => statusOf(t, mem(t.id), nowS(), staleAfterS);
  const targets = (): SwitchTarget[] => store.listSwitches();
  const find = (idOrName: number | string): SwitchTarget | undefined => {
    const all = targets();
    const asId = typeof idOrName === 'number' ? idOrName : /^\d+$/.test(idOrName) ? Number(idOrName) : NaN;
    return all.find((t) => t.id === asId) ?? all.find((t) => t.name.toLowerCase() === String(idOrName).toLowerCase());
  };

  /** One probe of one target, never two at once for the same target. */
  function probeOne(t: SwitchTarget, startedAt: number, signal?: AbortSignal): Promise<PowerCheck> {
    const running = inflight.get(t.id);
    if (running) return running;
    const p = (async (): Promise<PowerCheck> => {
      let out: ProbeOutcome;
      try {
        out = await probe(t.url, { timeoutMs, tlsErrors: settings.tls_errors, clock, ...(signal ? { signal } : {}) });
      } catch (err) {
        // probeUrl never throws; an injected one might: a failed probe is no answer.
        out = { result: 'down', reason: 'timeout', http_status: null, response_time: null, error_message: errorMessage(err) };
      }
      const check: PowerCheck = { id: 0, switch_id: t.id, is_online: out.result === 'up', checked_at: startedAt, ...out };
      memory.set(t.id, remember(mem(t.id), check));
      return check;
    })().finally(() => inflight.delete(t.id));
    inflight.set(t.id, p);
    return p;
  }

  function record(checks: PowerCheck[], manual: boolean, ts: number): void {
    checkStore.run(() => store.insertChecks(checks));
    const all = targets().filter((t) => t.active).map(status);
    bus.emit('probe', { ts, cycle, switches: all, checks, manual });
  }

  let stopping = false;

  async function runCycle(signal: AbortSignal): Promise<void> {
    cycle++;
    const ts = nowS();
    const due = targets().filter((t) => t.active && dueForProbe(mem(t.id), ts, staleAfterS));
    const checks: PowerCheck[] = [];
    await forEachLimited(due, settings.concurrency, async (t) => {
      // A manual check of this target already running answers for it, and that check stores
      // and publishes it: taking it here too would store the same check twice.
      const joined = inflight.has(t.id);
      const check = await probeOne(t, ts, signal);
      if (!joined) checks.push(check);
    });
    // A cycle cut short by shutdown proves nothing about the targets: store no "aborted" downs.
    if (stopping) return;
    checks.sort((a, b) => a.switch_id - b.switch_id);
    record(checks, false, ts);
  }

  function change(fn: () => SwitchTarget): SwitchChange {
    try {
      return { ok: true, target: fn() };
    } catch (err) {
      if (err instanceof P2mError && (err.code === 'P2M_ERR_CONFLICT' || err.code === 'P2M_ERR_NOT_FOUND' || err.code === 'P2M_ERR_VALIDATION')) {
        return { ok: false, error: err.message, code: err.code, ...(err.field ? { field: err.field } : {}) };
      }
      throw err;
    }
  }
  const notFound = (idOrName: number | string): SwitchChange => ({ ok: false, error: `no switch "${idOrName}"`, field: 'id', code: 'P2M_ERR_NOT_FOUND' });
  const readOnly = (t: SwitchTarget): SwitchChange => ({
    ok: false, error: `switch "${t.name}" is defined in the config file: change it there`, field: 'id', code: 'P2M_ERR_READ_ONLY',
  });

  function load(): void {
    const latest = store.latestChecks();
    const ups = store.lastUpTimes();
    for (const t of targets()) memory.set(t.id, memoryFromStore(t, latest.get(t.id), ups.get(t.id)));
  }

  let usedBy: ((name: string) => string | null) | null = null;

  return {
    timeoutMs,
    load,
    guardNames(fn) {
      usedBy = fn;
    },
    start() {
      const synced = syncFixedTargets(store, opts.fixedTargets, nowS());
      for (const w of synced.warnings) log.warn(w);
      load();
      target = opts.scheduler.add({
        id: 'switch-probes', periodMs: settings.interval_s * 1000, deadlineMs: timeoutMs + 500, run: (ctx) => runCycle(ctx.signal),
      });
      const active = targets().filter((t) => t.active);
      log.info({ switches: active.length, interval_s: settings.interval_s, timeout_ms: timeoutMs }, `probing ${active.length} switches`);
    },
    async stop() {
      // Synchronous part first: the app calls this before stopping the scheduler (which aborts
      // the probes in flight), so the aborted cycle is dropped, not stored.
      stopping = true;
      target?.cancel();
      target = null;
      await Promise.allSettled([...inflight.values()]);
    },
    list: () => targets().map(status),
    get(idOrName) {
      const t = find(idOrName);
      return t ? status(t) : null;
    },
    add(input) {
      const n = normalizeSwitchInput(input);
      if (!n.ok) return { ok: false, error: n.error, field: n.field, code: 'P2M_ERR_VALIDATION' };
      const now = Math.floor(nowS());
      return change(() => store.insertSwitch({ ...n.value, source: 'runtime', created_at: now, updated_at: now }));
    },
    update(idOrName, patch) {
      const t = find(idOrName);
      if (!t) return notFound(idOrName);
      if (t.source === 'config') return readOnly(t);
      const renaming = patch.name !== undefined && patch.name !== t.name;
      const used = renaming ? usedBy?.(t.name) : null;
      if (used) return { ok: false, error: `name: ${used}`, field: 'name', code: 'P2M_ERR_CONFLICT' };
      // An url replaces the ip and vice versa; the rest keeps its value.
      const merged: SwitchInput = {
        name: patch.name ?? t.name, role: patch.role ?? t.role, active: patch.active ?? t.active, group: patch.group ?? t.group,
        ...(patch.url !== undefined || patch.ip !== undefined ? { url: patch.url ?? '', ip: patch.ip ?? '' } : { url: t.url }),
      };
      const n = normalizeSwitchInput(merged);
      if (!n.ok) return { ok: false, error: n.error, field: n.field, code: 'P2M_ERR_VALIDATION' };
      const r = change(() => store.updateSwitch(t.id, { ...n.value, updated_at: Math.floor(nowS()) }));
      if (r.ok && r.target.url !== t.url) memory.delete(t.id); // a new address starts unknown
      return r;
    },
    remove(idOrName) {
      const t = find(idOrName);
      if (!t) return notFound(idOrName);
      if (t.source === 'config') return readOnly(t);
      const used = usedBy?.(t.name);
      if (used) return { ok: false, error: used, code: 'P2M_ERR_CONFLICT' };
      store.deleteSwitch(t.id);
      memory.delete(t.id);
      return { ok: true, target: t };
    },
    async check(idOrName) {
      const t = find(idOrName);
      if (!t) return { ok: false, error: `no switch "${idOrName}"`, code: 'P2M_ERR_NOT_FOUND' };
      const ts = nowS();
      // A probe of this target already running (the cycle's) answers; it is stored by the cycle.
      const running = inflight.has(t.id);
      const check = await probeOne(t, ts);
      if (!running) record([check], true, ts);
      return { ok: true, check };
    },
    counts: () => countStates(targets().map(status)),
  };
}
