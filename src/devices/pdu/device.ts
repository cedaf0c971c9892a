import type { EventBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { OncePerState, type Logger } from '../../core/logger.js';
import type { CommandOptions, DeviceField, FieldResult } from '../../core/ports.js';
import type { Scheduler, CycleContext } from '../../core/scheduler.js';
import type { CommandResult, DeviceEventType, Identity, PduSnapshot } from '../../core/types.js';
import { AddressRecovery } from './address-recovery.js';
import { assembleSnapshot, decodeEntries, type DecodedEntry } from './assemble.js';
import { PduCommander } from './commander.js';
import { rawNumber } from './decode-value.js';
import { discover, plansFor } from './discover.js';
import { deriveEvents } from './events.js';
import { getBatched, type BatchState } from './get-batched.js';
import {
  onCycleFailure, onCycleSuccess, onIdentityError, type HealthStep,
} from './health.js';
import type { PduLayout } from './layout.js';
import type { SessionOptions } from './net-snmp-transport.js';
import type { PduDeviceSettings } from './types.js';

import type { PollPlan } from './plan.js';
import { detectReboot } from './reboot.js';
import { SnmpError, type SnmpTransport } from './transport.js';
import { FRESH_RENEWAL, onSocketError, type RenewalState } from './session-renewal.js';
import { PolledDevice } from '../polled-device.js';

export type { PduDeviceSettings } from './types.js';

/** The identity field each device-field SET changes. */
const IDENTITY_FIELD: Record<DeviceField, 'name' | 'sys_location' | 'sys_contact' | 'sys_name'> = {
  name: 'name', location: 'sys_location', contact: 'sys_contact', sys_name: 'sys_name',
};

export interface PduDeviceDeps {
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  transportFactory: (opts: SessionOptions) => SnmpTransport;
}

const SLOW_GROUP_MS = 60_000;

/** One polled CyberPower PDU: discovery, the 1 Hz cycle, health, and (via PduCommander) commands. */
export class PduDevice extends PolledDevice {
  readonly id: string;
  readonly kind = 'cyberpower' as const;
  private transport: SnmpTransport;
  private readonly batch: BatchState;
  private identity: Identity | null = null;
  private layout: PduLayout | null = null;
  private plans: { fast: PollPlan; slow: PollPlan; fastOids: string[]; allOids: string[] } | null = null;
  private slow: DecodedEntry[] = [];
  private lastSlowAt: number | null = null;
  private lastDiscoveryAt = 0;
  private rediscover = true;
  private firstSerial: string | null = null;
  private prevUptime: { cs: number; atMono: number } | null = null;
  /** Where the PDU is now: the configured host, or where a subnet scan found its serial. */
  private host: string;
  private readonly recovery: AddressRecovery;
  private hostListener: ((host: string) => void) | null = null;
  private renewal: RenewalState = FRESH_RENEWAL;
  private readonly log: Logger;
  private readonly failureLog = new OncePerState();
  private readonly decodeLog = new OncePerState(''); // '' = no problems: silent until the first one
  readonly commander: PduCommander;
  readonly nameOverrides = new Map<number, string>();

  constructor(
    readonly settings: PduDeviceSettings,
    private readonly deps: PduDeviceDeps,
  ) {
    super(settings.pollIntervalMs);
    this.id = settings.id;
    this.host = settings.host;
    this.log = deps.logger.child({ module: 'pdu', device_id: settings.id });
    this.batch = { maxOids: settings.maxOidsPerRequest, unsupported: new Set() };
    this.transport = deps.transportFactory(this.sessionOptions(settings.community));
    this.commander = new PduCommander({
      settings,
      clock: deps.clock,
      bus: deps.bus,
      logger: this.log,
      readTransport: () => this.transport,
      writeTransport: () => deps.transportFactory(this.sessionOptions(settings.writeCommunity)),
      live: () => (this.available() ? this.current : null),
      layout: () => this.layout,
    });
    this.recovery = new AddressRecovery({
      settings, clock: deps.clock, log: this.log, transportFactory: deps.transportFactory, host: () => this.host,
      session: () => this.sessionOptions(settings.community), done: () => this.stopped || this.health.state === 'healthy',
      stopped: () => this.stopped, move: (from, to, serial) => this.moveTo(from, to, serial),
    });
  }

  private sessionOptions(community: string): SessionOptions {
    const s = this.settings;
    return { host: this.host, port: s.port, version: s.version, community, v3: s.v3, timeoutMs: s.timeoutMs, retries: s.retries };
  }

  start(scheduler: Scheduler, offsetMs = 0): void {
    const deadline = this.settings.timeoutMs * (this.settings.retries + 1);
    this.target = scheduler.add({
      id: `pdu:${this.id}`,
      periodMs: this.settings.pollIntervalMs,
      deadlineMs: deadline,
      offsetMs,
      run: (ctx) => this.cycle(ctx),
    });
  }

  /** Stop polling; SETs already queued get `setGraceMs` to finish (SPEC §3.3). */
  async stop(setGraceMs?: number): Promise<void> {
    this.stopped = true;
    await this.commander.stop(setGraceMs);
    this.transport.close();
  }

  command(outlet: number, action: string, opts: CommandOptions = {}): Promise<CommandResult> {
    return this.commander.outletCommand(outlet, action, opts);
  }

  async setDeviceField(field: DeviceField, value: string): Promise<FieldResult> {
    const r = await this.commander.setDeviceField(field, value);
    // Identity is read at discovery only (not every second): keep it true after our own SET.
    if (r.success && this.identity) this.identity = { ...this.identity, [IDENTITY_FIELD[field]]: r.value };
    return r;
  }

  setOutletName(outlet: number, name: string): Promise<FieldResult> {
    return this.commander.setOutletName(outlet, name);
  }

  setPreferredSource(source: string): Promise<FieldResult> {
    return this.commander.setPreferredSource(source);
  }

  setAutoTransfer(enabled: boolean): Promise<FieldResult> {
    return this.commander.setAutoTransfer(enabled);
  }

  /** One poll cycle; never throws (faults are health states). */
  async cycle(ctx: CycleContext): Promise<void> {
    const startedMono = this.deps.clock.monotonic();
    let sampled = false;
    try {
      const now = this.deps.clock.now();
      if (this.rediscover || this.health.state === 'error' || now - this.lastDiscoveryAt >= this.settings.capabilityRecheckMs) {
        if (!(await this.runDiscovery(ctx.signal))) return;
      }
      await this.poll(ctx.signal, startedMono);
      sampled = true;
    } catch (err) {
      this.failed(errorMessage(err));
      if (err instanceof SnmpError && err.kind === 'socket') this.renewAfterSocketError();
    } finally {
      if (!sampled) this.failedCycles++;
    }
  }

  private async runDiscovery(signal: AbortSignal): Promise<boolean> {
    this.batch.unsupported?.clear(); // asked again: the PDU may have gained them (firmware update, new module)
    const result = await discover(this.transport, this.settings.profile, this.batch, signal);
    this.lastDiscoveryAt = this.deps.clock.now();
    if (!result.ok) {
      this.apply(onIdentityError(this.health, 'not_a_pdu', `no ePDU identity (sysDescr "${result.sysDescr}", sysObjectID ${result.sysObjectId})`, this.settings.pollIntervalMs));
      return false;
    }
    const expected = this.settings.expectedSerial || this.firstSerial;
    if (expected && result.identity.serial !== expected) {
      this.apply(onIdentityError(this.health, 'serial_mismatch', `expected serial ${expected}, device reports ${result.identity.serial}`, this.settings.pollIntervalMs));
      return false;
    }
    this.firstSerial ??= result.identity.serial;
    const changed = !this.layout || JSON.stringify(this.layout.capabilities) !== JSON.stringify(result.layout.capabilities) || this.layout.outletCount !== result.layout.outletCount;
    this.identity = result.identity;
    this.layout = result.layout;
    const { fast, slow } = plansFor(this.settings.profile, result.layout);
    const fastOids = [this.settings.profile.sysUpTime, ...fast.oids];
    this.plans = { fast, slow, fastOids, allOids: [...fastOids, ...slow.oids] };
    this.lastSlowAt = null;
    this.rediscover = false;
    if (this.health.state === 'error') this.health = { ...this.health, state: 'recovering', errorReason: null };
    if (changed) {
      this.log.info(
        { model: result.identity.model, serial: result.identity.serial, outlets: result.layout.outletCount, banks: result.layout.banks.length, capabilities: result.layout.capabilities, source_voltage_scale: result.layout.sourceVoltageScale, varbinds: fastOids.length },
        'pdu identified',
      );
      for (const w of result.layout.warnings) this.log.warn({ warning: w }, 'pdu layout cross-check');
    }
    return true;
  }

  private async poll(signal: AbortSignal, startedMono: number): Promise<void> {
    const plans = this.plans;
    const identity = this.identity;
    const layout = this.layout;
    if (!plans || !identity || !layout) throw new Error('poll before discovery');
    const nowMs = this.deps.clock.now();
    const withSlow = this.lastSlowAt === null || nowMs - this.lastSlowAt >= SLOW_GROUP_MS;
    const oids = withSlow ? plans.allOids : plans.fastOids;
    const vbs = await getBatched(this.transport, oids, this.batch, signal);
    const decodeOpts = { meteringFloor: this.settings.meteringFloor, sourceVoltageScale: layout.sourceVoltageScale };
    const errors: PduSnapshot['errors'] = [];
    if (withSlow) {
      this.slow = decodeEntries(plans.slow.entries, vbs.slice(plans.fastOids.length), decodeOpts, errors);
      this.lastSlowAt = nowMs;
    }
    const uptimeVb = vbs[0];
    const uptime = uptimeVb ? rawNumber(uptimeVb) : undefined;
    const doneMs = this.deps.clock.now();
    if (uptime !== undefined) this.checkReboot(uptime, doneMs, this.deps.clock.monotonic());

    const success = onCycleSuccess(this.health, doneMs, this.settings.pollIntervalMs);
    const snap = assembleSnapshot({
      deviceId: this.id,
      ts: doneMs / 1000,
      identity: { ...identity, sys_uptime_cs: uptime ?? null },
      layout,
      slow: this.slow,
      fast: plans.fast.entries,
      varbinds: vbs.slice(1, plans.fastOids.length),
      nameOverrides: this.nameOverrides,
      transport: {
        state: success.next.state, consecutive_failures: 0, last_success_ts: doneMs / 1000, last_error: null,
        poll_ms: this.deps.clock.monotonic() - startedMono,
      },
      decode: decodeOpts,
    });
    snap.errors.push(...errors);
    this.reportDecodeProblems(snap.errors);
    if (success.changed) this.rediscover = true; // re-read identity after recovery (SPEC §6)
    this.apply(success);
    this.renewal = FRESH_RENEWAL;
    this.failureLog.clear();
    if (this.current === null || success.changed) this.log.info(sampleSummary(snap), 'pdu polling');
    const derived = deriveEvents(this.current, snap);
    this.current = snap;
    this.deps.bus.emit('sample', snap);
    for (const e of derived) this.emitEvent(e.type, e.details, e.data);
  }

  private checkReboot(uptimeCs: number, nowMs: number, nowMono: number): void {
    const prev = this.prevUptime;
    this.prevUptime = { cs: uptimeCs, atMono: nowMono };
    if (!prev) return;
    // The gap since the last poll is measured on the monotonic clock: a wall-clock step (NTP, a
    // Pi without RTC) of +1 h is not an hour of polling gap, and must not read as a reboot.
    const r = detectReboot(prev.cs, uptimeCs, nowMono - prev.atMono, nowMs);
    if (!r.rebooted) return;
    this.rediscover = true;
    this.emitEvent('pdu_reboot', `PDU rebooted (${r.reason})`, {
      previous_uptime_cs: prev.cs, uptime_cs: uptimeCs, boot_at: r.bootAtMs === null ? null : new Date(r.bootAtMs).toISOString(),
    });
  }

  private reportDecodeProblems(errors: PduSnapshot['errors']): void {
    const key = errors.map((e) => `${e.oid}:${e.problem}`).join('|');
    if (!this.decodeLog.changed(key)) return;
    if (errors.length > 0) this.log.warn({ errors }, 'pdu sent values that were not decoded (left absent)');
    else this.log.info('pdu values decode cleanly again');
  }

  /** A socket-level error: a new session, at most once per backoff step (SPEC §7.7). */
  private renewAfterSocketError(): void {
    const step = onSocketError(this.renewal, this.deps.clock.monotonic());
    this.renewal = step.next;
    if (!step.renew || this.stopped) return;
    this.log.debug({ next_after_ms: step.next.backoffMs }, 'snmp session recreated after a socket error');
    this.newSession();
  }

  /** Fresh read session (re-resolves the host name on its first send); the write one follows on the next SET. */
  private newSession(): void {
    this.transport.close();
    this.transport = this.deps.transportFactory(this.sessionOptions(this.settings.community));
    this.commander.resetWriter();
  }

  private failed(error: string): void {
    // Monotonic: the time only spaces recovery attempts (every 60 s / 300 s); on the wall clock a
    // step forward counted as a failed attempt (five → `lost`) and a step back stopped them.
    const step = onCycleFailure(this.health, this.deps.clock.monotonic(), error, this.settings.pollIntervalMs);
    if (this.failureLog.changed(error)) this.log.warn({ error, consecutive_failures: step.next.consecutiveFailures, state: step.next.state }, 'pdu poll failed');
    if (step.recoveryAttempt) {
      // Recovery attempt: a fresh session (re-resolves the host name on the next send).
      this.newSession();
      this.rediscover = true;
      this.recovery.attempt(step.next.state, this.settings.expectedSerial || this.firstSerial);
    }
    this.apply(step);
  }

  /** The serial answered at another address (address recovery): poll and command it there. */
  private moveTo(from: string, to: string, serial: string): void {
    this.useHost(to);
    this.log.warn({ from, to, serial }, 'pdu found at a new address');
    this.emitEvent('ip_changed', `serial ${serial} moved from ${from} to ${to}`, { from, to, serial });
    this.hostListener?.(to);
    this.target?.triggerNow();
  }

  /** Before start: poll the PDU where address recovery found it in an earlier run (SPEC §7.7). */
  useSavedHost(host: string): void {
    this.log.info({ host, configured: this.settings.host }, 'pdu polled at the address found by an earlier run');
    this.useHost(host);
  }

  /** Poll and command the PDU at `host` from now on. */
  private useHost(host: string): void {
    if (host === this.host) return;
    this.host = host;
    this.newSession();
    this.rediscover = true;
  }

  /** Called with the new address after an ip_changed (the registry persists it). */
  onHostChanged(fn: (host: string) => void): void {
    this.hostListener = fn;
  }

  /** The address polled now (differs from the configured host after an ip_changed). */
  currentHost(): string {
    return this.host;
  }

  private apply(step: HealthStep): void {
    const prev = this.health;
    this.health = step.next;
    if (step.next.intervalMs !== prev.intervalMs) this.target?.setPeriod(step.next.intervalMs);
    if (step.changed) {
      this.log.info({ from: prev.state, to: step.next.state, error: step.next.lastError }, 'pdu health changed');
      this.deps.bus.emit('health', {
        device_id: this.id, from: prev.state, to: step.next.state, reason: step.next.errorReason ?? step.next.lastError,
        consecutive_failures: step.next.consecutiveFailures, ts: this.deps.clock.now() / 1000,
      });
      if (this.current) this.current = { ...this.current, transport: { ...this.current.transport, state: step.next.state, consecutive_failures: step.next.consecutiveFailures, last_error: step.next.lastError } };
    }
    for (const e of step.events) this.emitEvent(e.type, e.detail, { state: step.next.state });
  }

  private emitEvent(type: DeviceEventType, details: string, data: Record<string, unknown>): void {
    this.deps.bus.emit('device.event', { type, device_id: this.id, source: 'pdu', details, ts: this.deps.clock.now() / 1000, data });
  }
}

/** One line that shows a person the device is being read (first sample, and after recovery). */
function sampleSummary(s: PduSnapshot): Record<string, unknown> {
  const outlets = Object.values(s.outlets);
  return {
    input_v: s.input.voltage,
    total_a: s.totals.load,
    total_w: s.totals.power,
    outlets_on: `${outlets.filter((o) => o.state === 'on').length}/${outlets.length}`,
    source: s.ats?.current_source ?? null,
    poll_ms: s.transport.poll_ms === null ? null : Math.round(s.transport.poll_ms * 10) / 10,
  };
}
