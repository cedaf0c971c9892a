import type { EventBus } from '../core/bus.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { FailureStreak, type Logger } from '../core/logger.js';
import type { DeviceRegistryPort, RuleStore } from '../core/ports.js';
import type { AutomationEvent, AutomationEventType, Rule, RuleCounters, RuleState } from '../core/rules.js';
import { evaluateRule, isEdgeCondition, type EvalContext, type EvalResult, type RuleEdge } from './conditions.js';
import { deviceContext, DeviceRuleIndex, devicesOf, isTimeOnly, LocalMinuteMemo, type DeviceFacts } from './engine-cache.js';
import { commandDone, IDLE, oppositeAction, stepMachine, type MachineRule, type MachineState, type MachineStep } from './machine.js';
import { checkRuleForDevice, ruleOutlets } from './schema.js';

// The rules engine's runtime (SPEC §12.4): one machine per rule and device, evaluated on every
// sample of its device, on outage and health transitions, every 30 s for time conditions, and
// when a delay ends (a timer on the injected clock). Commands go through the registry's per-device
// queue with origin `rule:<name>`. The rule set itself (file, API) is managed by service.ts.

export interface RulesRuntimeOptions {
  registry: Pick<DeviceRegistryPort, 'list' | 'info' | 'snapshot' | 'command'>;
  store: RuleStore | null;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  tz: string;
  retryS: number;
  /** Whether a power outage is open now (outage/ through its port). */
  outageActive: () => boolean;
  /** A oneshot rule fired: the service disables it in the file. */
  disableRule: (name: string) => void;
}

interface Runtime {
  rule: Rule;
  device: string;
  machine: MachineRule;
  m: MachineState;
  latch: boolean[];
  counters: RuleCounters;
  inactive: string | null;
  /** The DeviceFacts.key `inactive` was checked against; undefined = not yet. */
  checkedFor: string | undefined;
  timer: TimerHandle | undefined;
  /** When `timer` is due (epoch s): an unchanged wake time keeps the timer. */
  wakeAt: number | null;
  /** Only time conditions: the value depends on the local minute alone. */
  timeOnly: boolean;
  reasons: string[];
}

const counterKey = (rule: string, device: string): string => `${rule}\u0000${device}`;

export class RulesRuntime {
  private rules: Rule[] = [];
  private runtimes = new Map<string, Map<string, Runtime>>();
  private counters = new Map<string, RuleCounters>();
  private stopped = false;
  private readonly index: DeviceRuleIndex<Runtime>;
  private readonly local: LocalMinuteMemo;
  private readonly log: Logger;
  /** A database that refuses writes is logged once per streak, not at every rule step. */
  private readonly counterSaves: FailureStreak;
  private readonly eventStores: FailureStreak;

  constructor(private readonly o: RulesRuntimeOptions) {
    this.log = o.logger.child({ module: 'rules' });
    this.counterSaves = new FailureStreak(this.log, 'rule counters not saved', 'rule counters saved again');
    this.eventStores = new FailureStreak(this.log, 'automation event not stored', 'automation events stored again');
    this.index = new DeviceRuleIndex(o.registry, o.clock);
    this.local = new LocalMinuteMemo(o.tz);
    try {
      this.counters = o.store?.loadCounters() ?? new Map();
    } catch (err) {
      this.log.error({ error: errorMessage(err) }, 'rule counters not loaded: starting from zero');
    }
  }

  /**
   * Replace the rule set. Rules whose definition is unchanged keep their runtime state; changed,
   * disabled and removed ones are dropped (reset to idle, no command sent: SPEC §12.4).
   */
  setRules(rules: readonly Rule[]): void {
    const next = new Map<string, Map<string, Runtime>>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const old = this.runtimes.get(rule.name);
      const same = old && JSON.stringify([...old.values()][0]?.rule) === JSON.stringify(rule);
      next.set(rule.name, same && old ? old : new Map());
    }
    for (const [name, devs] of this.runtimes) {
      if (next.get(name) === devs) continue;
      for (const rt of devs.values()) this.o.clock.clearTimeout(rt.timer);
    }
    this.runtimes = next;
    this.rules = rules.filter((r) => r.enabled);
    this.index.setRules(this.rules);
    for (const d of this.o.registry.list()) {
      this.evaluateDevice(d.id, new Set());
      // The rule set changed (created, edited, toggled, deleted): every device's view follows.
      this.o.bus.emit('rules.state', { device_id: d.id });
    }
  }

  stop(): void {
    this.stopped = true;
    for (const devs of this.runtimes.values()) for (const rt of devs.values()) this.o.clock.clearTimeout(rt.timer);
  }

  /** Every state of a rule (one per device it applies to); a rule not yet evaluated has none. */
  states(name: string): RuleState[] {
    return [...(this.runtimes.get(name)?.values() ?? [])].map((rt) => this.stateOf(rt));
  }

  /** The state of a rule on one device; null when not evaluated there yet. */
  stateOn(name: string, deviceId: string): RuleState | null {
    const rt = this.runtimes.get(name)?.get(deviceId);
    return rt ? this.stateOf(rt) : null;
  }

  /** Persisted counters of a rule on a device (also for a rule that is disabled or not evaluated yet). */
  countersOf(name: string, deviceId: string): RuleCounters {
    return this.runtimes.get(name)?.get(deviceId)?.counters ?? this.counters.get(counterKey(name, deviceId)) ?? { execution_count: 0, last_execution: null, last_error: null };
  }

  /** A deleted rule's counters are gone, in memory as in the store (a new rule of that name starts at 0). */
  deleteCounters(name: string): void {
    for (const key of [...this.counters.keys()]) if (key.startsWith(counterKey(name, ''))) this.counters.delete(key);
    try {
      this.o.store?.deleteCounters(name);
    } catch (err) {
      this.log.warn({ rule: name, error: errorMessage(err) }, 'counters of a deleted rule not removed (harmless)');
    }
  }

  /** The devices a rule applies to now (SPEC §12.1 `device`), or why none. */
  devicesOf(rule: Rule): { ids: string[]; problem: string | null } {
    return devicesOf(rule, this.o.registry.list());
  }

  /** Evaluate every rule of a device now; `edges` are this evaluation's one-shot events. */
  evaluateDevice(deviceId: string, edges: ReadonlySet<RuleEdge>, onlyTime = false): void {
    if (this.stopped) return;
    // Hot path (every sample of every device): rules from the index, the registry asked once.
    const entries = this.index.entries(deviceId);
    if (entries.length === 0) return;
    const ctx = this.context(deviceId, edges);
    const facts = ctx.snapshot ? this.index.factsOf(deviceId, ctx.snapshot) : null;
    for (const e of entries) {
      if (onlyTime && !e.time) continue;
      e.rt ??= this.runtime(e.rule, deviceId);
      if (e.rt && this.active(e.rt, facts)) this.evaluate(e.rt, ctx);
    }
  }

  /** What `rule` would do on `deviceId` now (dry run): nothing is sent, no state changes. */
  dryRun(rule: Rule, deviceId: string): { would_fire: boolean; phase: RuleState['phase']; reasons: string[] } {
    const existing = this.runtimes.get(rule.name)?.get(deviceId);
    const snapshot = this.o.registry.snapshot(deviceId);
    const problem = snapshot ? checkRuleForDevice(rule, this.index.factsOf(deviceId, snapshot)) : null;
    if (problem) return { would_fire: false, phase: existing?.m.phase ?? 'idle', reasons: [`${problem.field}: ${problem.message}`] };
    const r = evaluateRule(rule, { ...this.context(deviceId, new Set()), explain: true }, existing?.latch ?? []);
    const day = this.dayAllowed(rule);
    const reasons = [...r.reasons, ...(day ? [] : ['today is not in days_of_week'])];
    if (!snapshot) reasons.push(`no data from ${deviceId} yet`);
    return { would_fire: r.value && day && !isEdgeCondition(rule), phase: existing?.m.phase ?? 'idle', reasons };
  }

  /** The runtime of a rule on a device, created on first use (null: the rule is not in the set). */
  private runtime(rule: Rule, deviceId: string): Runtime | null {
    const devs = this.runtimes.get(rule.name);
    if (!devs) return null;
    let rt = devs.get(deviceId);
    if (!rt) {
      rt = {
        rule, device: deviceId, m: IDLE, latch: [], timer: undefined, wakeAt: null, reasons: [], inactive: null, checkedFor: undefined,
        timeOnly: isTimeOnly(rule),
        machine: { action: rule.action, restore: rule.restore, delay: rule.delay, restore_delay: rule.restore_delay, cooldown_s: rule.cooldown_s, edge: isEdgeCondition(rule) },
        counters: this.counters.get(counterKey(rule.name, deviceId)) ?? { execution_count: 0, last_execution: null, last_error: null },
      };
      devs.set(deviceId, rt);
    }
    return rt;
  }

  /** Whether the rule may act on the device now (SPEC §12.2 checks); emits the change. */
  private active(rt: Runtime, facts: DeviceFacts | null): boolean {
    const { rule, device: deviceId } = rt;
    // Outlets beyond the device's count and protected outlets can only be checked once the
    // device has reported (SPEC §12.2); until then the rule waits. Checked again only when the
    // device's facts change.
    const key = facts ? facts.key : '';
    if (rt.checkedFor === key) return rt.inactive === null;
    rt.checkedFor = key;
    const issue = facts ? checkRuleForDevice(rule, facts) : null;
    const inactive = !facts ? 'waiting for the first data of the device' : issue ? `${issue.field}: ${issue.message}` : null;
    if (inactive !== rt.inactive) {
      rt.inactive = inactive;
      if (issue) this.event(rt, 'reload_failed', `rule "${rule.name}" inactive on ${deviceId}: ${issue.field}: ${issue.message}`, { field: issue.field });
      this.o.bus.emit('rules.state', { device_id: deviceId });
    }
    return rt.inactive === null;
  }

  private context(deviceId: string, edges: ReadonlySet<RuleEdge>): EvalContext {
    return deviceContext(this.o.registry, deviceId, this.nowS(), this.o.tz, this.o.outageActive(), edges);
  }

  private dayAllowed(rule: Rule, now = this.nowS()): boolean {
    return rule.days_of_week === null || rule.days_of_week.includes(this.local.weekday(now));
  }

  private condition(rt: Runtime, ctx: EvalContext): EvalResult {
    if (!rt.timeOnly) return evaluateRule(rt.rule, ctx, rt.latch);
    return this.local.timeOnly(rt.rule, ctx.now, () => evaluateRule(rt.rule, ctx, rt.latch));
  }

  private nowS(): number {
    return this.o.clock.now() / 1000;
  }

  private evaluate(rt: Runtime, ctx: EvalContext): void {
    const before = rt.latch;
    const r = this.condition(rt, ctx);
    rt.latch = r.latch;
    if (!r.value && rt.m.phase === 'idle' && rt.timer === undefined) return; // what stepMachine would do: nothing
    const step = stepMachine(rt.machine, rt.m, { now: ctx.now, condition: r.value, dayAllowed: this.dayAllowed(rt.rule, ctx.now) });
    // Reasons are worded only when they will be read: in the event of the action about to run.
    if (step.effect) rt.reasons = evaluateRule(rt.rule, { ...ctx, explain: true }, before).reasons;
    this.apply(rt, step);
  }

  private apply(rt: Runtime, step: MachineStep): void {
    const before = rt.m.phase;
    rt.m = step.state;
    // A pending rule is evaluated on every sample with the same wake time: keep its timer then.
    if (step.wakeAt !== rt.wakeAt || rt.timer === undefined) {
      this.o.clock.clearTimeout(rt.timer);
      rt.timer = undefined;
      rt.wakeAt = step.wakeAt;
      if (step.wakeAt !== null) {
        rt.timer = this.o.clock.setTimeout(() => {
          rt.timer = undefined;
          if (this.runtimes.get(rt.rule.name)?.get(rt.device) === rt) this.evaluate(rt, this.context(rt.device, new Set()));
        }, Math.max(0, step.wakeAt * 1000 - this.o.clock.now()));
      }
    }
    if (step.effect) void this.execute(rt, step.effect);
    if (rt.m.phase !== before) this.o.bus.emit('rules.state', { device_id: rt.device });
  }

  private async execute(rt: Runtime, kind: 'fire' | 'restore'): Promise<void> {
    const { rule, device } = rt;
    const action = kind === 'fire' ? rule.action : (oppositeAction(rule.action) ?? rule.action);
    const snap = this.o.registry.snapshot(device);
    const outlets = ruleOutlets(rule, snap?.identity.outlet_count ?? 0);
    const failures: string[] = [];
    const done: number[] = [];
    for (const [i, outlet] of outlets.entries()) {
      if (this.stopped) return;
      if (i > 0 && rule.stagger_s > 0) await this.o.clock.sleep(rule.stagger_s * 1000);
      try {
        const res = await this.o.registry.command(device, outlet, action, { origin: `rule:${rule.name}` });
        if (res.success) done.push(outlet);
        else failures.push(`outlet ${outlet}: ${res.error ?? 'failed'}`);
      } catch (err) {
        failures.push(`outlet ${outlet}: ${errorMessage(err)}`);
      }
    }
    if (this.stopped || this.runtimes.get(rule.name)?.get(device) !== rt) return; // edited or removed meanwhile
    const now = this.nowS();
    const ok = failures.length === 0;
    const data = { action, outlets: done, ...(ok ? {} : { failures }), reasons: rt.reasons };
    if (!ok) {
      rt.counters = { ...rt.counters, last_error: failures.join('; ') };
      this.event(rt, 'command_failed', `${action} ${outlets.join(',')} failed: ${failures.join('; ')}`, data);
    } else if (kind === 'fire') {
      rt.counters = { execution_count: rt.counters.execution_count + 1, last_execution: now, last_error: null };
      this.event(rt, 'triggered', `${action} outlets ${outlets.join(',')} (${rt.reasons.join('; ') || 'condition met'})`, { ...data, notify: rule.notify });
      if (rule.notify === 'mqtt') this.event(rt, 'notify', `rule "${rule.name}" fired`, data);
    } else {
      this.event(rt, 'restored', `${action} outlets ${outlets.join(',')} (condition cleared)`, data);
    }
    this.saveCounters(rt);
    this.apply(rt, commandDone(rt.machine, rt.m, ok, now, this.o.retryS));
    if (ok && kind === 'fire' && rule.schedule_type === 'oneshot') this.o.disableRule(rule.name);
  }

  private saveCounters(rt: Runtime): void {
    this.counters.set(counterKey(rt.rule.name, rt.device), rt.counters);
    this.counterSaves.run(() => this.o.store?.saveCounters(rt.rule.name, rt.device, rt.counters), { rule: rt.rule.name });
  }

  private event(rt: Runtime, type: AutomationEventType, details: string, data: Record<string, unknown>): void {
    this.emit({ rule: rt.rule.name, type, details, ts: this.nowS(), device_id: rt.device, data });
  }

  /** Store, log and publish one automation event. */
  emit(e: AutomationEvent): void {
    this.eventStores.run(() => this.o.store?.addAutomationEvent(e), { rule: e.rule });
    const level = e.type === 'command_failed' || e.type === 'reload_failed' ? 'warn' : 'info';
    this.log[level]({ rule: e.rule, device_id: e.device_id, event: e.type }, e.details);
    this.o.bus.emit('automation', e);
  }

  private stateOf(rt: Runtime): RuleState {
    return {
      device_id: rt.device, phase: rt.m.phase, triggered: rt.m.phase === 'fired' || rt.m.phase === 'restoring',
      condition_since: rt.m.condition_since, fired_at: rt.m.fired_at, ...rt.counters, inactive: rt.inactive,
    };
  }
}
