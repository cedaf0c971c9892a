// In-memory implementations of the ports the web server reads (core/ports.ts), with just enough
// behaviour to exercise the routes: duplicate names, config-file targets, filters by time.
import { configSchema, resolveConfig, type ConfigInput } from '../../src/config/index.js';
import { httpUrlProblem } from '../../src/config/schema/common.js';
import { EventBus } from '../../src/core/bus.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type {
  DemoPort, DeviceInfo, DeviceRegistryPort, FieldResult, HealthPort, OutagePort, RuntimeStats, SwitchChange, SwitchesPort,
} from '../../src/core/ports.js';
import type { OutageKind, OutageRecord, OutageStatus, PowerCheck, PowerStatistics, SwitchInput, SwitchStatus, SwitchTarget } from '../../src/core/power.js';
import type { PduSnapshot } from '../../src/core/types.js';
import type { HttpContext, PowerChecksReader } from '../../src/http/context.js';

export function deviceInfo(id: string, over: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    id, kind: 'cyberpower', label: '', host: '127.0.0.1', model: 'PDU44001', serial: 'NA1', state: 'healthy', availability: 'online',
    profile: 'cps-mib', writable: true, homeassistant: true, fromConfig: true, pollIntervalS: 1, utilitySource: null, protectedOutlets: [], ...over,
  };
}

const refused = (field: string): FieldResult => ({ success: false, field, value: '', error: 'not in the fake', code: 'P2M_ERR_NOT_SUPPORTED', ts: 0 });

/** Devices and their snapshots; only the reading side is implemented. */
export class FakeRegistry implements DeviceRegistryPort {
  readonly devices = new Map<string, { info: DeviceInfo; snapshot: PduSnapshot | null }>();

  put(info: DeviceInfo, snapshot: PduSnapshot | null): this {
    this.devices.set(info.id, { info, snapshot });
    return this;
  }
  list() {
    return [...this.devices.values()].map(({ info }) => ({
      id: info.id, kind: info.kind, label: info.label, host: info.host, model: info.model, serial: info.serial, state: info.state, availability: info.availability,
    }));
  }
  info(id: string) {
    return this.devices.get(id)?.info ?? null;
  }
  snapshot(id: string) {
    return this.devices.get(id)?.snapshot ?? null;
  }
  setOutletNameOverride(): FieldResult {
    return refused('name');
  }
  async command(): Promise<never> {
    throw new Error('FakeRegistry.command is not implemented');
  }
  async setDeviceField(): Promise<FieldResult> {
    return refused('name');
  }
  async setOutletName(): Promise<FieldResult> {
    return refused('name');
  }
  async setPreferredSource(): Promise<FieldResult> {
    return refused('source');
  }
  async setAutoTransfer(): Promise<FieldResult> {
    return refused('auto_transfer');
  }
  addDevice() {
    return { ok: false as const, error: 'not in the fake' };
  }
  async removeDevice() {
    return { ok: false as const, error: 'not in the fake' };
  }
  async updateDevice() {
    return { ok: false as const, error: 'not in the fake' };
  }
}

/** Switch targets in memory; `check()` answers `up` at the clock's time and records the check. */
export class FakeSwitches implements SwitchesPort {
  readonly statuses: SwitchStatus[] = [];
  private nextId = 1;

  constructor(private readonly clock: FakeClock, private readonly checks?: FakeChecks) {}

  seed(input: SwitchInput & { source?: 'config' | 'runtime' }, lastCheck: PowerCheck | null = null): SwitchTarget {
    const r = this.add(input);
    if (!r.ok) throw new Error(r.error);
    const status = this.statuses.find((s) => s.target.id === r.target.id)!;
    status.target.source = input.source ?? 'runtime';
    status.last_check = lastCheck ? { ...lastCheck, switch_id: r.target.id } : null;
    status.state = lastCheck?.result ?? 'unknown';
    return status.target;
  }
  list() {
    return [...this.statuses];
  }
  get(ref: number | string) {
    return this.statuses.find((s) => (typeof ref === 'number' ? s.target.id === ref : s.target.name === ref)) ?? null;
  }
  add(input: SwitchInput): SwitchChange {
    if (this.statuses.some((s) => s.target.name === input.name)) return { ok: false, code: 'P2M_ERR_CONFLICT', error: `duplicate name "${input.name}"`, field: 'name' };
    const url = input.url ?? (input.ip ? `http://${input.ip}/` : '');
    const problem = httpUrlProblem(url);
    if (problem) return { ok: false, code: 'P2M_ERR_VALIDATION', error: problem, field: input.url ? 'url' : 'ip' };
    const now = this.clock.now() / 1000;
    const target: SwitchTarget = {
      id: this.nextId++, name: input.name, url, ip: new URL(url).hostname, role: input.role ?? 'sensor', active: input.active ?? true,
      group: input.group ?? '', source: 'runtime', created_at: now, updated_at: now,
    };
    this.statuses.push({ target, state: 'unknown', last_check: null, last_up_at: null, stale: false });
    return { ok: true, target };
  }
  update(ref: number | string, patch: Partial<SwitchInput>): SwitchChange {
    const s = this.get(ref);
    if (!s) return { ok: false, code: 'P2M_ERR_NOT_FOUND', error: `no switch ${ref}`, field: 'id' };
    if (s.target.source === 'config') return { ok: false, code: 'P2M_ERR_READ_ONLY', error: `switch "${s.target.name}" is defined in the config file` };
    if (patch.name !== undefined && this.statuses.some((o) => o !== s && o.target.name === patch.name)) {
      return { ok: false, code: 'P2M_ERR_CONFLICT', error: `duplicate name "${patch.name}"`, field: 'name' };
    }
    const url = patch.url ?? (patch.ip ? `http://${patch.ip}/` : undefined);
    const t = s.target;
    s.target = {
      ...t, ...(patch.name !== undefined ? { name: patch.name } : {}), ...(url ? { url, ip: new URL(url).hostname } : {}),
      ...(patch.role ? { role: patch.role } : {}), ...(patch.active !== undefined ? { active: patch.active } : {}),
      ...(patch.group !== undefined ? { group: patch.group } : {}), updated_at: this.clock.now() / 1000,
    };
    return { ok: true, target: s.target };
  }
  remove(ref: number | string): SwitchChange {
    const s = this.get(ref);
    if (!s) return { ok: false, code: 'P2M_ERR_NOT_FOUND', error: `no switch ${ref}`, field: 'id' };
    if (s.target.source === 'config') return { ok: false, code: 'P2M_ERR_READ_ONLY', error: `switch "${s.target.name}" is defined in the config file` };
    this.statuses.splice(this.statuses.indexOf(s), 1);
    return { ok: true, target: s.target };
  }
  async check(ref: number | string) {
    const s = this.get(ref);
    if (!s) return { ok: false as const, error: `no switch ${ref}`, code: 'P2M_ERR_NOT_FOUND' as const };
    const check: PowerCheck = {
      id: 0, switch_id: s.target.id, result: 'up', is_online: true, http_status: 200, response_time: 3.5, error_message: null,
      reason: 'http', checked_at: this.clock.now() / 1000,
    };
    this.checks?.insert(check);
    s.last_check = check;
    s.state = 'up';
    return { ok: true as const, check };
  }
  counts() {
    const c = { total: this.statuses.length, up: 0, down: 0, unknown: 0, stale: 0 };
    for (const s of this.statuses) c[s.state]++;
    return c;
  }
}

export class FakeChecks implements PowerChecksReader {
  readonly rows: PowerCheck[] = [];
  private nextId = 1;

  insert(c: PowerCheck): PowerCheck {
    c.id = this.nextId++;
    this.rows.push(c);
    return c;
  }
  listChecks(q: { since: number; switchId?: number; limit: number }): PowerCheck[] {
    return this.rows
      .filter((c) => c.checked_at >= q.since && (q.switchId === undefined || c.switch_id === q.switchId))
      .sort((a, b) => b.checked_at - a.checked_at)
      .slice(0, q.limit);
  }
}

export class FakeOutages implements OutagePort {
  records: OutageRecord[] = [];
  state: OutageStatus['state'] = 'normal';

  constructor(private readonly clock: FakeClock) {}

  status(): OutageStatus {
    const open = this.records.find((r) => r.is_ongoing) ?? null;
    return { state: this.state, outage: open, last: null, ts: this.clock.now() / 1000 };
  }
  list(hours: number, kind: OutageKind | 'all'): OutageRecord[] {
    const since = this.clock.now() / 1000 - hours * 3600;
    return this.records
      .filter((r) => (kind === 'all' || r.kind === kind) && (r.ended_at === null || r.ended_at >= since))
      .sort((a, b) => b.started_at - a.started_at);
  }
  statistics(hours: number): PowerStatistics {
    const power = this.list(hours, 'power');
    const closed = power.filter((r) => r.duration_seconds !== null).map((r) => r.duration_seconds!);
    const total = closed.reduce((a, b) => a + b, 0);
    return {
      window_hours: hours, total_switches: 1, active_switches: 1, uptime_percentage: 100 - (100 * total) / (hours * 3600),
      total_outages: power.length, total_outage_seconds: total, average_outage_seconds: closed.length ? total / closed.length : 0,
      longest_outage_seconds: Math.max(0, ...closed), ongoing_outage: power.find((r) => r.is_ongoing) ?? null,
      switches: [{ id: 1, name: 'plug-1', uptime_percentage: 99.5, checks: 200, avg_response_time_ms: 4.2, last_check_at: this.clock.now() / 1000 - 5 }],
    };
  }
}

export function outageRecord(over: Partial<OutageRecord> & Pick<OutageRecord, 'id' | 'started_at'>): OutageRecord {
  return {
    kind: 'power', ended_at: null, duration_seconds: null, is_ongoing: true, cause: 'switch_quorum', scope: 'site', confidence: 'medium',
    switches_affected: [1], outlets_shed: {}, evidence: { switches_total: 1 }, ...over,
  };
}

export class FakeHealth implements HealthPort {
  healthy = true;
  issues: string[] = [];
  runtime: RuntimeStats = { mqtt: null, history: null, polls: [], traps: null };
  check() {
    return { healthy: this.healthy, issues: [...this.issues] };
  }
  stats() {
    return this.runtime;
  }
}

export class FakeDemo implements DemoPort {
  readonly runs: Array<{ name: string; params: Record<string, unknown> }> = [];
  scenarios() {
    return ['fail_source', 'restore_source', 'switches_down'];
  }
  async run(name: string, params: Record<string, unknown>) {
    if (name === 'fail_source' && params.source !== 'A' && params.source !== 'B') return { ok: false as const, error: 'source: must be A or B', field: 'source' };
    this.runs.push({ name, params });
    return { ok: true as const, detail: `${name} done` };
  }
}

export interface FakeHttpPorts {
  ctx: HttpContext;
  clock: FakeClock;
  registry: FakeRegistry;
  switches: FakeSwitches;
  checks: FakeChecks;
  outages: FakeOutages;
  health: FakeHealth;
  demo: FakeDemo;
}

/** An HttpContext over fresh fakes; `config` is a config-file fragment (web.port 0 by default). */
export function fakeHttpContext(config: ConfigInput = {}, opts: { demo?: boolean } = {}): FakeHttpPorts {
  const parsed = configSchema.parse({ ...config, web: { port: 0, ...(config.web ?? {}) } });
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 12, 0, 0));
  const registry = new FakeRegistry();
  const checks = new FakeChecks();
  const switches = new FakeSwitches(clock, checks);
  const outages = new FakeOutages(clock);
  const health = new FakeHealth();
  const demo = new FakeDemo();
  const ctx: HttpContext = {
    config: resolveConfig(parsed, { fileLoaded: true }), logger: silentLogger(), clock, bus: new EventBus(), registry, switches, checks, outages,
    health, demo: opts.demo ? demo : null, rules: null, events: null, history: null, version: '0.0.0-test',
  };
  return { ctx, clock, registry, switches, checks, outages, health, demo };
}
