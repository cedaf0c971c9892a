import { RealClock } from '../src/core/clock.js';
import { createRng } from '../src/devices/pdu/simulator/physics.js';
import { percentileOfSorted } from '../src/core/stats.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../src/outage/config.js';
import { initialEngineState, step } from '../src/outage/engine.js';
import type { EngineInput, EngineState } from '../src/outage/engine-types.js';
import type { PduPollEvidence, ProbeCycleEvidence } from '../src/outage/evidence.js';

// The outage benchmark (issue 6), all on simulated timestamps through the real pure engine:
//  1. detection latency, cut → event: ATS utility-source loss at 1 Hz polling (target < 1.5 s)
//     and switch-quorum loss at a 10 s cycle, confirm 2, probe deadline 5 s (target ≤ confirm ×
//     interval + deadline = 25 s). The cut falls at a random offset inside a period; a poll at
//     `ts` sees the state at `ts` and its result is known `pollDurationS` later; a cycle started
//     at `ts` is known at `ts + deadline` (silent probes wait for the whole timeout), and a
//     cycle started before the cut is taken to see every switch up (the worst case). The engine's
//     measured step time is added to each latency.
//  2. a 24 h run: 8,640 cycles of 10 s with 5 sensors + 1 control, each probe lost with p = 0.05,
//     plus 1 Hz polls of one healthy ATS PDU (5 % of them failing), seeded: false outages (target
//     0) and the engine's time per step. The analytic expectation of false outages is printed
//     beside the count, because one seeded day proving 0 says little about a rare event.

export interface OutageBenchOptions {
  seed: number;
  /** Trials per latency measurement. */
  latencyTrials: number;
  /** Time from a poll's start to its result (s). */
  pollDurationS: number;
  /** Probe deadline (`switches.timeout_ms` / 1000). */
  deadlineS: number;
  /** Length of the probe-loss run, days. */
  days: number;
  lossP: number;
  sensors: number;
  controls: number;
  /** Also feed 1 Hz PDU polls in the probe-loss run (the per-poll step time needs them). */
  withPolls: boolean;
}

export const DEFAULT_OUTAGE_BENCH: OutageBenchOptions = {
  seed: 6, latencyTrials: 1000, pollDurationS: 0.05, deadlineS: 5, days: 1, lossP: 0.05, sensors: 5, controls: 1, withPolls: true,
};

export interface OutageBenchRow {
  metric: string;
  target: string;
  result: string;
  pass: boolean;
  values: Record<string, number>;
}

const T0 = 1_750_000_000;
const clock = new RealClock();


/** Steps the engine, timing each step; returns whether it opened an outage and the step's ms. */
function timedStep(state: EngineState, input: EngineInput, cfg: EngineConfig): { state: EngineState; opened: boolean; ms: number } {
  const t = clock.monotonic();
  const r = step(state, input, cfg);
  const ms = clock.monotonic() - t;
  return { state: r.state, opened: r.effects.some((e) => e.type === 'open'), ms };
}

function pdu(ts: number, lost: boolean, ok = true): PduPollEvidence {
  return {
    device_id: 'pdu-1', ts, ok, utility_source: 'A',
    source_a: lost ? { voltage: 0, status: 'underVoltage' } : { voltage: 230, status: 'normal' },
    source_b: { voltage: 231, status: 'normal' },
    current_source: lost ? 'B' : 'A', redundancy: lost ? 'lost' : 'ok', input_voltage: 230, reboot: null,
  };
}

function cycleOf(ts: number, downs: readonly boolean[], sensors: number): ProbeCycleEvidence {
  return {
    ts,
    sensors: Array.from({ length: sensors }, (_, i) => ({ id: i + 1, result: downs[i] ? ('down' as const) : ('up' as const) })),
    controls: downs.slice(sensors).map((d, i) => ({ id: 101 + i, result: d ? ('down' as const) : ('up' as const) })),
  };
}

function latencyRow(metric: string, target: string, limit: number, lat: number[]): OutageBenchRow {
  const s = [...lat].sort((a, b) => a - b);
  const p50 = percentileOfSorted(s, 50);
  const p99 = percentileOfSorted(s, 99);
  const max = s[s.length - 1] ?? Number.NaN;
  return {
    metric, target, pass: max <= limit,
    result: `p50 ${p50.toFixed(3)} s, p99 ${p99.toFixed(3)} s, max ${max.toFixed(3)} s (${s.length} cuts)`,
    values: { p50_s: p50, p99_s: p99, max_s: max, trials: s.length },
  };
}

function atsLatency(o: OutageBenchOptions, rnd: () => number): OutageBenchRow {
  const cfg: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, pdu_confirm_polls: 1, poll_interval_s: 1 };
  const lat: number[] = [];
  for (let trial = 0; trial < o.latencyTrials; trial++) {
    let state = initialEngineState([], T0, cfg);
    const cut = T0 + 5 + rnd();
    for (let k = 0; k < 20; k++) {
      const ts = T0 + k;
      const r = timedStep(state, { kind: 'poll', evidence: pdu(ts, ts >= cut) }, cfg);
      state = r.state;
      if (r.opened) {
        lat.push(ts + o.pollDurationS + r.ms / 1000 - cut);
        break;
      }
    }
  }
  return latencyRow('ATS utility source lost → outage opened (1 Hz polls)', '< 1.5 s', 1.5, lat);
}

function quorumLatency(o: OutageBenchOptions, rnd: () => number): OutageBenchRow {
  const cfg: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, interval_s: 10, confirm_cycles: 2 };
  const limit = cfg.confirm_cycles * cfg.interval_s + o.deadlineS;
  const lat: number[] = [];
  for (let trial = 0; trial < o.latencyTrials; trial++) {
    let state = initialEngineState([], T0, cfg);
    const cut = T0 + 30 + rnd() * cfg.interval_s;
    for (let k = 0; k < 20; k++) {
      const ts = T0 + k * cfg.interval_s;
      const down = ts >= cut;
      const r = timedStep(state, { kind: 'cycle', evidence: cycleOf(ts, Array(o.sensors + o.controls).fill(down).fill(false, o.sensors), o.sensors) }, cfg);
      state = r.state;
      if (r.opened) {
        lat.push(ts + o.deadlineS + r.ms / 1000 - cut);
        break;
      }
    }
  }
  return latencyRow(
    `switch quorum lost → outage opened (${cfg.interval_s} s cycle, confirm ${cfg.confirm_cycles}, deadline ${o.deadlineS} s)`,
    `≤ ${limit} s`, limit, lat,
  );
}

function binomialTail(n: number, k: number, p: number): number {
  let c = 1;
  let sum = 0;
  for (let j = 0; j <= n; j++) {
    if (j > 0) c = (c * (n - j + 1)) / j;
    if (j >= k) sum += c * p ** j * (1 - p) ** (n - j);
  }
  return sum;
}

function probeLossRun(o: OutageBenchOptions, rnd: () => number): OutageBenchRow[] {
  const cfg: EngineConfig = { ...DEFAULT_ENGINE_CONFIG };
  const cycles = Math.round((o.days * 86_400) / cfg.interval_s);
  let state = initialEngineState([], T0, cfg);
  let opens = 0;
  let deviceDown = 0;
  const cycleMs: number[] = [];
  const pollMs: number[] = [];
  for (let c = 0; c < cycles; c++) {
    const ts = T0 + c * cfg.interval_s;
    const downs = Array.from({ length: o.sensors + o.controls }, () => rnd() < o.lossP);
    const t = clock.monotonic();
    const r = step(state, { kind: 'cycle', evidence: cycleOf(ts, downs, o.sensors) }, cfg);
    cycleMs.push(clock.monotonic() - t);
    state = r.state;
    for (const e of r.effects) {
      if (e.type === 'open') opens++;
      if (e.type === 'event' && e.event === 'device_down') deviceDown++;
    }
    if (!o.withPolls) continue;
    for (let k = 0; k < cfg.interval_s; k++) {
      const p = timedStep(state, { kind: 'poll', evidence: pdu(ts + k + 0.5, false, rnd() >= o.lossP) }, cfg);
      pollMs.push(p.ms);
      state = p.state;
      if (p.opened) opens++;
    }
  }
  // A false power outage needs a quorum with a control up on 2 cycles in a row; a false network
  // fault a quorum with every control down on 2 cycles in a row.
  const need = Math.ceil(cfg.threshold * o.sensors - 1e-9);
  const q = binomialTail(o.sensors, need, o.lossP);
  const ctrlDown = o.controls === 0 ? 0 : o.lossP ** o.controls;
  const perPair = (q * (1 - ctrlDown)) ** 2 + (q * ctrlDown) ** 2;
  const expected = (cycles - 1) * perPair;
  const perDay = expected / o.days;
  const stepRow = (what: string, list: number[]): OutageBenchRow => {
    const s = [...list].sort((a, b) => a - b);
    const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
    return {
      metric: `engine time per ${what} step`, target: 'informational', pass: true,
      result: `mean ${(mean * 1000).toFixed(1)} µs, p99 ${(percentileOfSorted(s, 99) * 1000).toFixed(1)} µs, max ${((s.at(-1) ?? 0) * 1000).toFixed(0)} µs (${s.length} steps)`,
      values: { mean_us: mean * 1000, p99_us: percentileOfSorted(s, 99) * 1000, steps: s.length },
    };
  };
  const rows: OutageBenchRow[] = [
    {
      metric: `false outages, ${o.days} d simulated, ${o.sensors} sensors + ${o.controls} control, ${o.lossP * 100} % probe loss (seed ${o.seed})`,
      target: '0', pass: opens === 0,
      result: `${opens} (expected ${expected.toExponential(2)} in this run = ${perDay.toExponential(2)}/day, ${(perDay * 365).toFixed(2)}/year; ` +
        `device_down events: ${deviceDown})`,
      values: { false_outages: opens, expected, expected_per_day: perDay, device_down_events: deviceDown, cycles },
    },
    stepRow('probe-cycle', cycleMs),
  ];
  if (o.withPolls) rows.push(stepRow('PDU-poll', pollMs));
  return rows;
}

export function runOutageBench(options: Partial<OutageBenchOptions> = {}): OutageBenchRow[] {
  const o = { ...DEFAULT_OUTAGE_BENCH, ...options };
  const rnd = createRng(o.seed);
  return [atsLatency(o, rnd), quorumLatency(o, rnd), ...probeLossRun(o, rnd)];
}

export function formatOutageTable(rows: readonly OutageBenchRow[]): string {
  const lines = ['| Metric | Target | Result | Met |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.metric} | ${r.target} | ${r.result} | ${r.target === 'informational' ? '—' : r.pass ? 'yes' : 'NO'} |`);
  return lines.join('\n');
}

export function printOutageTable(rows: readonly OutageBenchRow[]): void {
  process.stdout.write(`${formatOutageTable(rows)}\n`);
}
