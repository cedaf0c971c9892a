import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { FailureStreak, type Logger } from '../core/logger.js';
import type { DeviceRegistryPort, SwitchesPort, TargetProber, WatchdogStore } from '../core/ports.js';
import type { Verdict } from '../core/power.js';
import type { Watchdog, WatchdogBusEvent, WatchdogCheck, WatchdogMemory } from '../core/watchdog.js';
import { commandDone, decide, isFailing, reset, statusOf, type Decision, type Guards } from './decide.js';
import { parseTarget, type ParsedTarget } from '../core/watchdog-target.js';
import { judge, targetText } from './target.js';
import { checkOutlet, resolveDevice } from './validate.js';

// One watchdog at run time (SPEC §12.7): a check of its target every interval_s (driven by the
// scheduler in service.ts), the evidence for decide(), the outlet command through the registry's
// per-device queue (origin `watchdog:<name>`), and the state persisted and published as events.

export interface RuntimeDeps {
  registry: Pick<DeviceRegistryPort, 'list' | 'info' | 'snapshot' | 'command'>;
  switches: Pick<SwitchesPort, 'list' | 'get'> | null;
  prober: TargetProber;
  store: WatchdogStore | null;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  /** Power status as followed from the bus (outage/). */
  power(): { verdict: Verdict; powerOpen: boolean; networkOpen: boolean };
  /** Another watchdog's runtime by name (depends_on). */
  peer(name: string): WatchdogRuntime | undefined;
}

export class WatchdogRuntime {
  mem: WatchdogMemory;
  /** reset_seq last seen in the store (a CLI reset bumps it). */
  private seq: number;
  private readonly target: ParsedTarget | null;
  /** Why it does not act (set-level issue, device unknown, outlet out of range, …). */
  inactive: string | null = null;
  deviceId = '';
  private busy = false;
  private stopped = false;
  /** A database that refuses writes is logged once per streak, not at every check. */
  private readonly stateSaves: FailureStreak;
  private readonly eventStores: FailureStreak;

  constructor(
    readonly w: Watchdog,
    readonly source: 'config' | 'runtime',
    /** A problem found when the set was loaded (target, depends_on); fixed until the set changes. */
    private readonly issue: string | null,
    stored: (WatchdogMemory & { reset_seq: number }) | undefined,
    private readonly d: RuntimeDeps,
    fresh: WatchdogMemory,
  ) {
    this.mem = stored ? { ...stored } : { ...fresh };
    this.seq = stored?.reset_seq ?? 0;
    const t = parseTarget(w.target);
    this.target = t.ok ? t.target : null;
    this.stateSaves = new FailureStreak(d.log, 'watchdog state not saved', 'watchdog state saved again');
    this.eventStores = new FailureStreak(d.log, 'watchdog event not stored', 'watchdog events stored again');
  }

  private nowS(): number {
    return this.d.clock.now() / 1000;
  }

  stop(): void {
    this.stopped = true;
  }

  /** One scheduled check: evidence → decide() → persist, publish, maybe cycle. */
  async tick(signal?: AbortSignal): Promise<void> {
    if (this.busy || this.stopped) return;
    this.applyExternalReset();
    this.setInactive(this.problem());
    if (this.inactive !== null) return;
    // A cycle interrupted by a restart (state persisted as cycling): finish it first.
    if (this.mem.state === 'cycling') return void this.cycle(true);
    const check = await this.check(signal);
    if (this.stopped || this.busy) return;
    const now = this.nowS();
    this.emit('check', check ? `target ${check.result}${check.error ? `: ${check.error}` : ''}` : 'no result yet', { result: check?.result ?? null });
    const decision = decide(this.w, this.mem, { now, result: check?.result ?? null, guards: this.guards() });
    this.commit(decision, check?.error ? `target ${check.result}: ${check.error}` : null);
    if (decision.cycle) void this.cycle(false);
  }

  /** One check of the target now (also `test`); null when there is no result to judge. */
  async check(signal?: AbortSignal, timeoutMs = this.w.timeout_ms): Promise<WatchdogCheck | null> {
    const t = this.target;
    if (!t) return null;
    try {
      if (t.kind === 'switch') {
        const s = this.d.switches?.get(t.name) ?? null;
        if (!s || s.state === 'unknown') return null;
        const result = s.state === 'up' ? 'up' : 'down';
        return { result, response_time: s.last_check?.response_time ?? null, error: result === 'down' ? (s.last_check?.error_message ?? s.state) : null };
      }
      const p = t.kind === 'url' ? await this.d.prober.http(t.url, timeoutMs, signal) : await this.d.prober.tcp(t.host, t.port, timeoutMs, signal);
      const result = judge(t, p);
      return { result, response_time: p.response_time, error: result === 'down' ? (p.error_message ?? `connection not accepted (${p.reason})`) : null };
    } catch (err) {
      return { result: 'down', response_time: null, error: errorMessage(err) };
    }
  }

  /** A person's reset (REST, MQTT, HA button; CLI through the store). */
  reset(): void {
    const before = this.mem;
    this.mem = reset(this.mem);
    this.commit({ memory: this.mem, cycle: false, changed: before.state !== this.mem.state || before.reason !== this.mem.reason }, 'reset', true);
  }

  get failing(): boolean {
    return isFailing(this.mem);
  }

  private applyExternalReset(): void {
    if (!this.d.store) return;
    let seq: number;
    try {
      seq = this.d.store.resetSeq(this.w.name);
    } catch {
      return;
    }
    if (seq === this.seq) return;
    this.seq = seq;
    this.reset();
  }

  private problem(): string | null {
    if (this.issue) return this.issue;
    const dev = resolveDevice(this.w.device, this.d.registry.list());
    if ('problem' in dev) return `device: ${dev.problem}`;
    this.deviceId = dev.id;
    const snap = this.d.registry.snapshot(dev.id);
    const issue = checkOutlet(this.w, {
      id: dev.id, outletCount: snap ? snap.identity.outlet_count : null, protectedOutlets: this.d.registry.info(dev.id)?.protectedOutlets ?? [],
    });
    if (issue) return `${issue.field}: ${issue.message}`;
    if (this.target?.kind === 'switch' && this.d.switches && !this.d.switches.get(this.target.name)) {
      return `target: names no switch "${this.target.name}": write a URL, host:port, or an existing switch name`;
    }
    return null;
  }

  private setInactive(problem: string | null): void {
    if (problem === this.inactive) return;
    this.inactive = problem;
    if (problem) this.d.log.error({ watchdog: this.w.name }, `watchdog "${this.w.name}" does not act: ${problem}`);
    else this.d.log.info({ watchdog: this.w.name, target: this.target ? targetText(this.target) : this.w.target }, `watchdog "${this.w.name}" active`);
    this.emit('changed', problem ?? 'active');
  }

  private guards(): Guards {
    const p = this.d.power();
    const control = this.d.switches?.list().some((s) => s.target.active && s.target.role === 'control' && s.state === 'down') ?? false;
    const info = this.d.registry.info(this.deviceId);
    const snap = this.d.registry.snapshot(this.deviceId);
    const outlet = snap?.outlets[this.w.outlet]?.state ?? 'unknown';
    const upstream = this.w.depends_on ? this.d.peer(this.w.depends_on) : undefined;
    return {
      outage: p.powerOpen || p.verdict === 'outage',
      network: p.networkOpen || p.verdict === 'network_fault' || control,
      unhealthy: !info || info.state !== 'healthy' || !snap,
      dependsOnFailing: upstream?.failing ?? false,
      outlet,
    };
  }

  /** Power-cycle the outlet; `resume` finishes a cycle a restart interrupted (switch on again only after our own off). */
  private async cycle(resume: boolean): Promise<void> {
    this.busy = true;
    const { name, outlet, action, off_s } = this.w;
    const device = this.deviceId;
    const cmd = async (a: 'reboot' | 'off' | 'on'): Promise<string | null> => {
      try {
        const r = await this.d.registry.command(device, outlet, a, { origin: `watchdog:${name}` });
        return r.success ? null : `${a}: ${r.error ?? 'failed'}`;
      } catch (err) {
        return `${a}: ${errorMessage(err)}`;
      }
    };
    let error: string | null = null;
    if (resume) {
      if (action === 'off_on' && this.d.registry.snapshot(device)?.outlets[outlet]?.state === 'off') error = await cmd('on');
    } else if (action === 'reboot') {
      error = await cmd('reboot');
    } else {
      error = await cmd('off');
      if (error === null) {
        await this.d.clock.sleep(off_s * 1000);
        // Stopped meanwhile: the state stays `cycling` (stored), and the next start switches it on.
        if (this.stopped) return;
        error = await cmd('on');
      }
    }
    this.busy = false;
    const what = resume ? 'interrupted cycle finished' : action === 'reboot' ? `outlet ${outlet} rebooted` : `outlet ${outlet} off ${off_s} s, then on`;
    this.emit('cycle', error ? `cycle failed: ${error}` : what, { success: error === null });
    this.commit(commandDone(this.w, this.mem, { ok: error === null, now: this.nowS(), error }), error ? `cycle failed: ${error}` : what);
  }

  private commit(d: Decision, details: string | null, force = false): void {
    this.mem = d.memory;
    this.stateSaves.run(() => this.d.store?.saveState(this.w.name, this.mem, this.nowS()), { watchdog: this.w.name });
    if (!d.changed && !force) return;
    const s = this.mem;
    const text = `watchdog "${this.w.name}" ${s.state}${s.reason ? ` (${s.reason})` : ''}${details ? `: ${details}` : ''}`;
    const level = s.state === 'cycling' || s.state === 'gave_up' ? 'warn' : 'info';
    this.d.log[level]({ watchdog: this.w.name, device_id: this.deviceId, outlet: this.w.outlet, state: s.state, reason: s.reason }, text);
    this.emit('state', text);
  }

  private emit(kind: WatchdogBusEvent['kind'], details: string, extra: Pick<WatchdogBusEvent, 'result' | 'success'> = {}): void {
    const e: WatchdogBusEvent = {
      kind, name: this.w.name, status: statusOf(this.mem, this.nowS(), this.w.window_h), device_id: this.deviceId || null, outlet: this.w.outlet,
      details, ts: this.nowS(), ...extra,
    };
    if (kind === 'state' || kind === 'cycle') this.eventStores.run(() => this.d.store?.addWatchdogEvent(e), { watchdog: this.w.name });
    this.d.bus.emit('watchdog', e);
  }
}
