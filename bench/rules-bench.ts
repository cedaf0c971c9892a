import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventBus } from '../src/core/bus.js';
import { FakeClock, RealClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { DeviceInfo, DeviceRegistryPort, DeviceSummary } from '../src/core/ports.js';
import type { AutomationEvent, Rule } from '../src/core/rules.js';
import { percentileOfSorted } from '../src/core/stats.js';
import type { CommandResult, OutletAction, PduSnapshot } from '../src/core/types.js';
import type { RuleEdge } from '../src/rules/conditions.js';
import { RulesRuntime } from '../src/rules/engine.js';
import { parseRules } from '../src/rules/schema.js';
import { simulatedSamples } from './history-sim.js';
import { replaceSection } from './report.js';
import { ruleMix } from './rules-mix.js';

// The rules benchmark (issue 7): N rules on M PDUs, every PDU's sample evaluated once per 1 Hz
// cycle by the real RulesRuntime, as after every poll (`sample` on the bus). The registry is in
// process and answers like the real one (a fresh summary list per list() call); snapshots are the
// demo simulator's values through the poller's decoder (bench/history-sim.ts), a quarter of the
// PDUs losing source A mid-run so ATS and voltage rules fire. Time is a FakeClock advanced 1 s
// per cycle, so delays, cooldowns and commands run as in production; only the evaluation of the
// samples is measured (CPU of this process and wall time), plus the 30 s time tick separately.

export const RULES_SECTION_START = '<!-- bench:rules:start -->';
export const RULES_SECTION_END = '<!-- bench:rules:end -->';
export const RULES_TARGET_MS = 2;

export interface RulesBenchOptions {
  pdus: number;
  rules: number;
  /** How many of the rules are `device: "all"`. */
  fleetRules: number;
  cycles: number;
  /** Cycles run first and not measured (JIT warm-up: V8 compiles on helper threads meanwhile). */
  warmup: number;
  /** Start of the simulated run (epoch ms); default: the night windows (22:00 UTC) open mid-measurement. */
  startMs?: number;
}

export interface Dist {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RulesBenchResult {
  label: string;
  pdus: number;
  rules: number;
  fleetRules: number;
  cycles: number;
  warmup: number;
  /** Rule × device evaluations per cycle. */
  evaluationsPerCycle: number;
  cpuMs: Dist;
  wallMs: Dist;
  /** The 30 s time tick (time rules on every PDU), wall ms per tick. */
  tickMs: Dist;
  /** One setRules() of the whole set (a reload), wall ms. */
  reloadMs: number;
  triggered: number;
  restored: number;
  commandFailed: number;
  commands: number;
  /** Heap held by the engine's state (runtimes, index, machines) after a full GC. */
  engineHeapMb: number;
  /** Heap after a full GC at the end minus after the warm-up: what the measured cycles kept. */
  heapGrowthMb: number;
  rssMb: number;
}

const wall = new RealClock();

/** A full GC, so heap numbers are live data rather than garbage not yet collected. */
const fullGc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
const heapMb = (): number => {
  fullGc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const EMPTY: ReadonlySet<RuleEdge> = new Set();

/** The registry as the rules engine sees it, answering like the real one (fresh objects per call). */
class BenchRegistry implements Pick<DeviceRegistryPort, 'list' | 'info' | 'snapshot' | 'command'> {
  readonly snaps = new Map<string, PduSnapshot>();
  commands = 0;
  constructor(readonly ids: readonly string[]) {}
  private summary(id: string): DeviceSummary {
    return { id, kind: 'cyberpower', label: id, host: '10.0.0.1', model: 'PDU44001', serial: null, state: 'healthy', availability: 'online' };
  }
  list(): DeviceSummary[] {
    return this.ids.map((id) => this.summary(id));
  }
  info(id: string): DeviceInfo | null {
    if (!this.snaps.has(id)) return null;
    return { ...this.summary(id), profile: 'cps-mib', writable: true, homeassistant: true, fromConfig: true, pollIntervalS: 1, utilitySource: 'A', protectedOutlets: [] };
  }
  snapshot(id: string): PduSnapshot | null {
    return this.snaps.get(id) ?? null;
  }
  async command(device: string, outlet: number, action: OutletAction | string): Promise<CommandResult> {
    this.commands++;
    await Promise.resolve();
    return { device_id: device, outlet, command: action as OutletAction, success: true, error: null, code: null, ts: 0, duration_ms: 1, state: null, pending: null };
  }
}

function dist(values: number[]): Dist {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { mean, p50: percentileOfSorted(s, 50), p99: percentileOfSorted(s, 99), max: s[s.length - 1] ?? 0 };
}

export async function runRulesBench(o: RulesBenchOptions, label = `${o.rules.toLocaleString('en-US')} rules, ${o.fleetRules} of them "all"`): Promise<RulesBenchResult> {
  const ids = Array.from({ length: o.pdus }, (_, i) => `pdu-${String(i + 1).padStart(3, '0')}`);
  const mix = ruleMix(o.rules, o.fleetRules, ids);
  const parsed = parseRules(mix.entries);
  if (parsed.issues.length > 0) throw new Error(`rules bench: invalid rule mix: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
  let rules: Rule[] = parsed.rules;

  const startMs = o.startMs ?? Date.UTC(2026, 10, 24, 22, 0, 0) - (o.warmup + Math.floor(o.cycles / 2)) * 1000;
  const clock = new FakeClock(startMs);
  const bus = new EventBus();
  const registry = new BenchRegistry(ids);
  const total = o.warmup + o.cycles;
  const sims = ids.map((id, i) => ({ id, gen: simulatedSamples({ startS: startMs / 1000, seconds: total + 1, seed: i + 1, events: i % 4 === 0 }) }));
  const counts = { triggered: 0, restored: 0, command_failed: 0 };
  bus.on('automation', (e: AutomationEvent) => {
    if (e.type === 'triggered' || e.type === 'restored' || e.type === 'command_failed') counts[e.type]++;
  });
  const runtime: RulesRuntime = new RulesRuntime({
    registry, store: null, clock, bus, logger: silentLogger(), tz: 'UTC', retryS: 30, outageActive: () => false,
    // What the service does: the oneshot rule is disabled and the set applied again.
    disableRule: (name) => {
      rules = rules.map((r) => (r.name === name ? { ...r, enabled: false } : r));
      runtime.setRules(rules);
    },
  });
  bus.on('sample', (s) => runtime.evaluateDevice(s.device_id, EMPTY));

  const nextSamples = (): void => {
    for (const { id, gen } of sims) {
      const s = gen.next().value as PduSnapshot;
      registry.snaps.set(id, { ...s, device_id: id });
    }
  };
  nextSamples();
  const heapBase = heapMb();
  runtime.setRules(rules);

  const cpu: number[] = [];
  const walls: number[] = [];
  const ticks: number[] = [];
  let heapWarm = 0;
  for (let c = 0; c < total; c++) {
    await clock.advance(1000);
    nextSamples(); // the poller's work, not measured
    if (c === o.warmup) heapWarm = heapMb();
    const u0 = process.cpuUsage();
    const w0 = wall.monotonic();
    for (const id of ids) bus.emit('sample', registry.snaps.get(id) as PduSnapshot);
    const w1 = wall.monotonic();
    const u = process.cpuUsage(u0);
    if ((c + 1) % 30 === 0) {
      const t0 = wall.monotonic();
      for (const id of ids) runtime.evaluateDevice(id, EMPTY, true);
      ticks.push(wall.monotonic() - t0);
    }
    if (c < o.warmup) continue;
    walls.push(w1 - w0);
    cpu.push((u.user + u.system) / 1000);
  }
  await clock.advance(1000); // let the last commands finish
  const heapEnd = heapMb();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const r0 = wall.monotonic();
  runtime.setRules(rules.map((r) => ({ ...r })));
  const reloadMs = wall.monotonic() - r0;
  runtime.stop();

  const applies = (r: Rule, id: string): boolean => r.enabled && (r.device === 'all' || r.device === id);
  const evaluationsPerCycle = ids.reduce((n, id) => n + rules.filter((r) => applies(r, id)).length, 0);
  return {
    label, pdus: o.pdus, rules: o.rules, fleetRules: mix.fleet, cycles: o.cycles, warmup: o.warmup, evaluationsPerCycle,
    cpuMs: dist(cpu), wallMs: dist(walls), tickMs: dist(ticks), reloadMs,
    triggered: counts.triggered, restored: counts.restored, commandFailed: counts.command_failed, commands: registry.commands,
    engineHeapMb: heapWarm - heapBase, heapGrowthMb: heapEnd - heapWarm, rssMb,
  };
}

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
const dists = (d: Dist): string => [d.mean, d.p50, d.p99, d.max].map((v) => f(v, 2)).join(' · ');

export function formatRulesTable(rows: readonly RulesBenchResult[]): string {
  const head = [
    '| Rule set | PDUs | evaluations / cycle | CPU ms / cycle: mean · p50 · p99 · max | wall ms / cycle: mean · p50 · p99 · max | target < 2 ms (mean CPU) | 30 s tick ms (max) | reload ms | fired · restored | engine heap MB (growth) | RSS MB |',
    '|---|---:|---:|---:|---:|:---|---:|---:|---:|---:|---:|',
  ];
  return [
    ...head,
    ...rows.map((r) =>
      `| ${r.label} | ${r.pdus} | ${r.evaluationsPerCycle} | ${dists(r.cpuMs)} | ${dists(r.wallMs)} | ` +
      `${r.cpuMs.mean < RULES_TARGET_MS ? 'pass' : '**FAIL**'} | ` +
      `${f(r.tickMs.max, 2)} | ${f(r.reloadMs, 1)} | ${r.triggered} · ${r.restored} | ${f(r.engineHeapMb, 1)} (${r.heapGrowthMb >= 0 ? '+' : ''}${f(r.heapGrowthMb, 1)}) | ${f(r.rssMb, 0)} |`),
  ].join('\n');
}

export interface RulesSuiteResult {
  rows: RulesBenchResult[];
  /** A paragraph shown under the table (e.g. what was measured before a fix); null = none. */
  note: string | null;
  totalS: number;
}

export function renderRulesSection(r: RulesSuiteResult, machine: { date: string; text: string; command: string }): string {
  const first = r.rows[0];
  return [
    RULES_SECTION_START,
    '## Rules engine (issue 7)',
    '',
    `Run ${machine.date} on ${machine.text} (\`${machine.command}\`); ${r.totalS.toFixed(0)} s.`,
    '',
    "The real `RulesRuntime` with an in-process registry that answers like the real one: every PDU's sample evaluated once per " +
      `1 Hz cycle (the \`sample\` bus event after each poll), ${first ? `${first.cycles} measured cycles after ${first.warmup}` : 'none after'} ` +
      "cycles of JIT warm-up. Snapshots are the demo simulator's values through the poller's decoder; a quarter of the PDUs lose " +
      'source A during the run and the 22:00 night windows open mid-measurement, so rules fire as on a real site (those cycles ' +
      'are the p99/max). The rule mix covers every condition (voltage, ATS, bank, outlet, time, outage, health, composites; ' +
      'bench/rules-mix.ts). CPU is `process.cpuUsage()` around the evaluation of all samples of a cycle, so it includes V8 helper ' +
      "threads (concurrent GC marking); wall is the main thread's time. Commands complete between cycles on a fake clock and are " +
      'not measured. The 30 s tick re-evaluates the time rules of every PDU; reload = one `setRules()` of the whole set; engine ' +
      'heap = live heap of the engine state after a full GC, growth = over the measured cycles.',
    '',
    formatRulesTable(r.rows),
    ...(r.note ? ['', r.note] : []),
    RULES_SECTION_END,
  ].join('\n');
}

export function replaceRulesSection(doc: string | null, section: string): string {
  return replaceSection(doc, section, RULES_SECTION_START, RULES_SECTION_END);
}

/** `npm run bench -- --suite rules`: the target row (1,000 rules, 100 PDUs) and a fleet-heavy variant. */
export async function runRulesSuite(o: { quick: boolean; log: (s: string) => void; note?: string | null }): Promise<RulesSuiteResult> {
  const t0 = wall.monotonic();
  const cycles = o.quick ? 60 : 120;
  const rows: RulesBenchResult[] = [];
  for (const fleetRules of [10, 100]) {
    o.log(`rules: 1000 rules (${fleetRules} "all") on 100 PDUs, ${cycles} cycles after 60 of warm-up`);
    rows.push(await runRulesBench({ pdus: 100, rules: 1000, fleetRules, cycles, warmup: 60 }));
  }
  return { rows, note: o.note ?? null, totalS: (wall.monotonic() - t0) / 1000 };
}
