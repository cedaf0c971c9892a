import type { EventBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import { deadlineSignal } from '../../core/concurrency.js';
import { errorMessage, type ErrorCode } from '../../core/errors.js';
import { OncePerState, type Logger } from '../../core/logger.js';
import type { CommandOptions, FieldResult } from '../../core/ports.js';
import type { CycleContext, Scheduler } from '../../core/scheduler.js';
import type { CommandResult, DeviceEventType, OutletAction, OutletState, PduSnapshot } from '../../core/types.js';
import { checkCommand, parseAction, SerialQueue } from '../pdu/commands.js';
import { deriveEvents } from '../pdu/events.js';
import {
  onCycleFailure, onCycleSuccess, onIdentityError, type HealthStep,
} from '../pdu/health.js';
import { PolledDevice } from '../polled-device.js';
import { createPlugDriver } from './driver.js';
import { NEW_COUNTER, stepCounter, type CounterTrack } from './energy.js';
import type { PlugDeviceSettings } from './settings.js';
import { plugSnapshot } from './snapshot.js';
import { PlugAccessError, type PlugDriver, type PlugReading } from './types.js';

export type { PlugDeviceSettings } from './settings.js';

/** The view table downstream modules read a plug's snapshot with: same fields as a PDU's (SPEC §6). */
export const PLUG_VIEW_PROFILE = 'cps-mib';
/** Off time of a plug "reboot" (plugs have no device-side reboot; we switch off, wait, switch on). */
export const PLUG_REBOOT_OFF_MS = 5000;
const SUPPORTED: ReadonlySet<OutletAction> = new Set(['on', 'off', 'reboot']);
/** Abort reason of a cycle cut short by Scheduler.stop() (core/scheduler.ts). */
const SCHEDULER_STOPPED = 'scheduler stopped';

export interface PlugDeviceDeps {
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  driverFactory?: (s: PlugDeviceSettings) => PlugDriver;
}

/** One polled smart plug (Kasa, Shelly, Tasmota): the cycle, health, energy segments and commands. */
export class PlugDevice extends PolledDevice {
  readonly id: string;
  readonly kind: PlugDeviceSettings['kind'];
  readonly nameOverrides = new Map<number, string>();
  private readonly driver: PlugDriver;
  private counters: CounterTrack[] = [];
  /** One driver exchange at a time (poll, or switch + read-back): readings stay in time order. */
  private readonly io = new SerialQueue();
  private readonly commands = new SerialQueue();
  private readonly log: Logger;
  private readonly failureLog = new OncePerState();

  constructor(
    readonly settings: PlugDeviceSettings,
    private readonly deps: PlugDeviceDeps,
  ) {
    super(settings.pollIntervalMs);
    this.id = settings.id;
    this.kind = settings.kind;
    this.log = deps.logger.child({ module: 'plug', device_id: settings.id, kind: settings.kind });
    this.driver = (deps.driverFactory ?? createPlugDriver)(settings);
  }

  start(scheduler: Scheduler, offsetMs = 0): void {
    this.target = scheduler.add({
      id: `plug:${this.id}`, periodMs: this.settings.pollIntervalMs, deadlineMs: this.settings.timeoutMs, offsetMs, run: (ctx) => this.cycle(ctx),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.target?.cancel();
    await this.commands.idle();
    this.driver.close();
  }

  currentHost(): string {
    return this.settings.host;
  }

  /** Plugs are not looked for elsewhere (no serial scan): the host never changes. */
  onHostChanged(_fn: (host: string) => void): void {}

  /** One poll cycle; never throws (faults are health states). */
  async cycle(ctx: CycleContext): Promise<void> {
    if (this.stopped) return;
    const started = this.deps.clock.monotonic();
    try {
      const reading = await this.io.run(() => this.driver.poll(ctx.signal));
      this.accept(reading, started);
    } catch (err) {
      // Shutting down (the scheduler aborted the cycle): not a device fault.
      if (this.stopped || (ctx.signal.aborted && errorMessage(ctx.signal.reason) === SCHEDULER_STOPPED)) return;
      this.failedCycles++;
      this.failed(err);
    }
  }

  private accept(reading: PlugReading, startedMono: number): PduSnapshot {
    const nowMs = this.deps.clock.now();
    const energy = reading.outlets.map((o, i) => {
      const step = stepCounter(this.counters[i] ?? NEW_COUNTER, o.energy);
      this.counters[i] = step.next;
      if (step.reset) {
        const n = i + 1;
        this.log.warn({ outlet: n, from_kwh: step.reset.from, to_kwh: step.reset.to }, 'plug energy counter reset: new segment started (the plug probably lost power)');
        this.emitEvent('counter_reset', `outlet ${n} energy counter went from ${step.reset.from} to ${step.reset.to} kWh`, { outlet: n, from_kwh: step.reset.from, to_kwh: step.reset.to });
      }
      return step.energy;
    });
    const success = onCycleSuccess(this.health, nowMs, this.settings.pollIntervalMs);
    // Capabilities seen before stay while it is the same device (no entity flapping on one bad field).
    const known = this.current?.identity.serial === reading.identity.serial ? this.current.capabilities : [];
    const snap = plugSnapshot({
      deviceId: this.id, ts: nowMs / 1000, reading, energy, nameOverrides: this.nameOverrides, knownCapabilities: known,
      transport: { state: success.next.state, consecutive_failures: 0, last_success_ts: nowMs / 1000, last_error: null, poll_ms: this.deps.clock.monotonic() - startedMono },
    });
    this.apply(success);
    this.failureLog.clear();
    if (this.current === null || success.changed) {
      this.log.info({ model: snap.identity.model, outlets: reading.outlets.length, total_w: snap.totals.power, input_v: snap.input.voltage }, 'plug polling');
    }
    const derived = deriveEvents(this.current, snap);
    this.current = snap;
    this.deps.bus.emit('sample', snap);
    for (const e of derived) this.emitEvent(e.type, e.details, e.data);
    return snap;
  }

  private failed(err: unknown): void {
    const error = errorMessage(err);
    if (err instanceof PlugAccessError) {
      if (this.failureLog.changed(`access:${err.reason}`)) this.log.error({ error, reason: err.reason, hint: err.hint }, 'plug refuses its local API');
      this.apply(onIdentityError(this.health, err.reason, `${error}; ${err.hint}`, this.settings.pollIntervalMs));
      return;
    }
    // Monotonic: the time only spaces recovery attempts (a wall-clock step is no time passed).
    const step = onCycleFailure(this.health, this.deps.clock.monotonic(), error, this.settings.pollIntervalMs);
    if (this.failureLog.changed(error)) this.log.warn({ error, consecutive_failures: step.next.consecutiveFailures, state: step.next.state }, 'plug poll failed');
    this.apply(step);
  }

  private apply(step: HealthStep): void {
    const prev = this.health;
    this.health = step.next;
    if (step.next.intervalMs !== prev.intervalMs) this.target?.setPeriod(step.next.intervalMs);
    if (step.changed) {
      this.log.info({ from: prev.state, to: step.next.state, error: step.next.lastError }, 'plug health changed');
      this.deps.bus.emit('health', {
        device_id: this.id, from: prev.state, to: step.next.state, reason: step.next.errorReason ?? step.next.lastError,
        consecutive_failures: step.next.consecutiveFailures, ts: this.deps.clock.now() / 1000,
      });
      if (this.current) {
        this.current = { ...this.current, transport: { ...this.current.transport, state: step.next.state, consecutive_failures: step.next.consecutiveFailures, last_error: step.next.lastError } };
      }
    }
    for (const e of step.events) this.emitEvent(e.type, e.detail, { state: step.next.state });
  }

  command(outlet: number, rawAction: string, opts: CommandOptions = {}): Promise<CommandResult> {
    const started = this.deps.clock.monotonic();
    const live = this.available() ? this.current : null;
    const check = checkCommand(
      { available: live !== null, outletCount: live?.identity.outlet_count ?? 0, readOnly: false, protectedOutlets: this.settings.protectedOutlets },
      outlet, rawAction, opts.force === true,
    );
    const command = (parseAction(rawAction) ?? rawAction) as OutletAction;
    const done = (r: { error?: string; code?: ErrorCode; state?: OutletState | null }): CommandResult => this.finish(outlet, command, started, opts, r);
    if (!check.ok) return Promise.resolve(done({ error: check.error, code: check.code }));
    if (live?.outlets[outlet]?.switchable === false) {
      return Promise.resolve(done({ error: `outlet ${outlet} is a meter without a relay: it cannot be switched`, code: 'P2M_ERR_NOT_SUPPORTED' }));
    }
    if (!SUPPORTED.has(check.action)) {
      return Promise.resolve(done({ error: `a ${this.kind} plug supports on, off and reboot (not ${check.action})`, code: 'P2M_ERR_NOT_SUPPORTED' }));
    }
    return this.commands.run(async () => {
      try {
        if (check.action === 'reboot') {
          await this.switchOutlet(outlet, false);
          await this.deps.clock.sleep(PLUG_REBOOT_OFF_MS);
        }
        const state = await this.switchOutlet(outlet, check.action !== 'off');
        return done({ state });
      } catch (err) {
        return done({ error: errorMessage(err), code: 'P2M_ERR_DEVICE_UNAVAILABLE' });
      }
    });
  }

  /** Switch, then re-read at once (SPEC §7.6) and publish the fresh sample; resolves with the read-back state. */
  private async switchOutlet(outlet: number, on: boolean): Promise<OutletState | null> {
    const { signal, cancel } = deadlineSignal(this.deps.clock, Math.max(this.settings.timeoutMs, 2000), 'the plug did not confirm the command in time');
    try {
      return await this.io.run(async () => {
        await this.driver.setOutlet(outlet, on, signal);
        const started = this.deps.clock.monotonic();
        try {
          const snap = this.accept(await this.driver.poll(signal), started);
          return snap.outlets[outlet]?.state ?? null;
        } catch (err) {
          this.log.warn({ outlet, error: errorMessage(err) }, 'outlet read-back after command failed');
          return null;
        }
      });
    } finally {
      cancel();
    }
  }

  private finish(outlet: number, command: OutletAction, startedMono: number, opts: CommandOptions, r: { error?: string; code?: ErrorCode; state?: OutletState | null }): CommandResult {
    const result: CommandResult = {
      device_id: this.id, outlet, command, success: r.error === undefined, error: r.error ?? null, code: r.code ?? null,
      ts: this.deps.clock.now() / 1000, duration_ms: Math.round((this.deps.clock.monotonic() - startedMono) * 10) / 10,
      state: r.state ?? null, pending: r.error === undefined ? false : null,
      ...(opts.transaction !== undefined ? { transaction: opts.transaction } : {}),
    };
    this.log.info({ outlet, command, success: result.success, error: result.error, duration_ms: result.duration_ms }, 'outlet command');
    this.deps.bus.emit('command.result', result);
    return result;
  }

  private unsupported(field: string, value: string): Promise<FieldResult> {
    return Promise.resolve({ success: false, field, value, error: `not supported by a ${this.kind} plug`, code: 'P2M_ERR_NOT_SUPPORTED', ts: this.deps.clock.now() / 1000 });
  }

  setDeviceField(field: string, value: string): Promise<FieldResult> {
    return this.unsupported(field, value);
  }

  setOutletName(outlet: number, name: string): Promise<FieldResult> {
    return this.unsupported(`outlet_${outlet}_name`, name);
  }

  setPreferredSource(source: string): Promise<FieldResult> {
    return this.unsupported('preferred_source', source);
  }

  setAutoTransfer(enabled: boolean): Promise<FieldResult> {
    return this.unsupported('auto_transfer', enabled ? 'on' : 'off');
  }

  private emitEvent(type: DeviceEventType, details: string, data: Record<string, unknown>): void {
    this.deps.bus.emit('device.event', { type, device_id: this.id, source: 'plug', details, ts: this.deps.clock.now() / 1000, data });
  }
}
