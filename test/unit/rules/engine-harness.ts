import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '../../../src/core/bus.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type { DeviceInfo, DeviceRegistryPort, DeviceSummary } from '../../../src/core/ports.js';
import type { Verdict } from '../../../src/core/power.js';
import type { AutomationEvent, AutomationEventType, RuleState } from '../../../src/core/rules.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import type { CommandResult, OutletAction, PduSnapshot, TransportState } from '../../../src/core/types.js';
import { RuleHistoryStore } from '../../../src/history/rule-store.js';
import { createRulesService, type RulesService } from '../../../src/rules/service.js';
import { tempHistory, type TempHistory } from '../../support/history.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';

// The rules service on a FakeClock with the real Scheduler, EventBus, RuleHistoryStore (SQLite
// file in a temp dir) and a real rules.json; the device registry is a small in-test fake whose
// commands are recorded and can be told to fail (a fault set up on purpose).

export interface CommandCall {
  device: string;
  outlet: number;
  action: string;
  origin: string | undefined;
  /** Fake-clock epoch seconds when the command was sent. */
  at: number;
}

interface TestDevice {
  snap: PduSnapshot | null;
  state: TransportState;
  protectedOutlets: number[];
}

export class TestRegistry implements Pick<DeviceRegistryPort, 'list' | 'info' | 'snapshot' | 'command'> {
  readonly devices = new Map<string, TestDevice>();
  readonly calls: CommandCall[] = [];
  /** Returns an error text for a command that must fail, null to accept it. */
  fail: (c: CommandCall) => string | null = () => null;

  constructor(private readonly now: () => number) {}

  add(id: string, opts: { outlets?: number; protectedOutlets?: number[]; withSnapshot?: boolean } = {}): PduSnapshot {
    const snap = pduSnapshot({ deviceId: id, outlets: opts.outlets ?? 10 });
    this.devices.set(id, { snap: opts.withSnapshot === false ? null : snap, state: 'healthy', protectedOutlets: opts.protectedOutlets ?? [] });
    return snap;
  }

  device(id: string): TestDevice {
    const d = this.devices.get(id);
    if (!d) throw new Error(`test registry: no device ${id}`);
    return d;
  }

  list(): DeviceSummary[] {
    return [...this.devices].map(([id, d]) => ({
      id, kind: 'cyberpower', label: id, host: '127.0.0.1', model: 'PDU44001', serial: null, state: d.state, availability: 'online' as const,
    }));
  }

  info(id: string): DeviceInfo | null {
    const summary = this.list().find((d) => d.id === id);
    if (!summary) return null;
    return {
      ...summary, profile: 'cps-mib', writable: true, homeassistant: true, fromConfig: true, pollIntervalS: 1, utilitySource: null,
      protectedOutlets: [...this.device(id).protectedOutlets],
    };
  }

  snapshot(id: string): PduSnapshot | null {
    return this.devices.get(id)?.snap ?? null;
  }

  async command(device: string, outlet: number, action: OutletAction | string, opts?: { origin?: string }): Promise<CommandResult> {
    const call: CommandCall = { device, outlet, action, origin: opts?.origin, at: this.now() / 1000 };
    this.calls.push(call);
    await Promise.resolve();
    const error = this.fail(call);
    return {
      device_id: device, outlet, command: action as OutletAction, success: error === null, error, code: error === null ? null : 'P2M_ERR_SNMP',
      ts: call.at, duration_ms: 1, state: null, pending: null,
    };
  }
}

export interface HarnessOptions {
  startMs?: number;
  tz?: string;
  watch?: boolean;
  retryS?: number;
  /** Where the service logs (default silent). */
  logger?: Logger;
  /** Devices to register before the service starts (default one 10-outlet `pdu-01`). */
  devices?: Array<{ id: string; outlets?: number; protectedOutlets?: number[]; withSnapshot?: boolean }>;
}

export class Harness {
  readonly history: TempHistory;
  readonly bus = new EventBus();
  /** A new one per start: a stopped service leaves its cancelled target id registered. */
  scheduler: Scheduler;
  readonly registry: TestRegistry;
  readonly events: AutomationEvent[] = [];
  readonly rulesPath: string;
  outage: Verdict = 'normal';
  service!: RulesService;
  private started = false;

  constructor(private readonly opts: HarnessOptions = {}) {
    this.history = tempHistory({ startMs: opts.startMs ?? Date.UTC(2026, 10, 24, 12, 0, 0) });
    this.scheduler = new Scheduler(this.history.clock);
    this.registry = new TestRegistry(() => this.clock.now());
    this.rulesPath = join(this.history.dir, 'rules.json');
    for (const d of opts.devices ?? [{ id: 'pdu-01' }]) this.registry.add(d.id, d);
    this.bus.on('automation', (e) => this.events.push(e));
  }

  get clock() {
    return this.history.clock;
  }

  /** Epoch seconds on the fake clock. */
  get now(): number {
    return this.clock.now() / 1000;
  }

  /** Write rules.json by hand (like an editor would). */
  writeRules(rules: unknown[]): void {
    writeFileSync(this.rulesPath, `${JSON.stringify(rules, null, 2)}\n`);
  }

  readRules(): Array<Record<string, unknown>> {
    return JSON.parse(readFileSync(this.rulesPath, 'utf8')) as Array<Record<string, unknown>>;
  }

  /** Files in the rules directory other than the database (temp files of atomic writes would show here). */
  strayFiles(): string[] {
    return readdirSync(this.history.dir).filter((f) => f !== 'rules.json' && !f.startsWith('history.db'));
  }

  /** A new service on the same rules file and database (a restart), started. */
  start(rules?: unknown[]): RulesService {
    if (rules) this.writeRules(rules);
    this.scheduler = new Scheduler(this.clock);
    this.service = createRulesService({
      path: this.rulesPath, watch: this.opts.watch ?? false, retryS: this.opts.retryS ?? 30, tz: this.opts.tz ?? 'UTC', examplePath: null,
      registry: this.registry, outages: { status: () => ({ state: this.outage, outage: null, last: null, ts: this.now }) },
      store: new RuleHistoryStore(this.history.handle), clock: this.clock, scheduler: this.scheduler, bus: this.bus, logger: this.opts.logger ?? silentLogger(),
    });
    this.service.start();
    this.started = true;
    return this.service;
  }

  async stopService(): Promise<void> {
    if (this.started) await this.service.stop();
    await this.scheduler.stop();
    this.started = false;
  }

  /** Change a device's snapshot and publish it as a poll result (`sample` on the bus). */
  sample(id: string, change: (s: PduSnapshot) => void = () => {}): void {
    const d = this.registry.device(id);
    if (!d.snap) d.snap = pduSnapshot({ deviceId: id });
    change(d.snap);
    d.snap.ts = this.now;
    this.bus.emit('sample', d.snap);
  }

  /** Source A voltage of a device, published as a sample. */
  voltage(id: string, v: number): void {
    this.sample(id, (s) => setSourceA(s, v));
  }

  /** Advance the fake clock by `s` seconds, publishing a sample of `id` every second when given. */
  async advance(s: number, sampleOf?: string): Promise<void> {
    if (!sampleOf) return this.clock.advance(s * 1000);
    for (let i = 0; i < s; i++) {
      await this.clock.advance(1000);
      this.sample(sampleOf);
    }
  }

  /** The one state of a rule on a device. */
  state(rule: string, device = 'pdu-01'): RuleState {
    const v = this.service.list(device).find((r) => r.name === rule);
    if (!v) throw new Error(`rule ${rule} not listed for ${device}`);
    return v.state;
  }

  eventsOf(type: AutomationEventType, rule?: string): AutomationEvent[] {
    return this.events.filter((e) => e.type === type && (rule === undefined || e.rule === rule));
  }

  /** Commands as `device:outlet:action`. */
  sent(): string[] {
    return this.registry.calls.map((c) => `${c.device}:${c.outlet}:${c.action}`);
  }

  async close(): Promise<void> {
    await this.stopService();
    this.history.cleanup();
  }
}

/** A rules.json entry with the usual fields; `over` replaces any of them. */
export function rule(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, device: 'pdu-01', condition: 'voltage_below', input: 1, threshold: 108, outlet: '6-7', action: 'off', delay: 10, ...over };
}

/** Source A voltage of a snapshot (the fixture has both ATS sources). */
export function setSourceA(s: PduSnapshot | null, v: number): void {
  if (s?.sources?.a) s.sources.a.voltage = v;
}
