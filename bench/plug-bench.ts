import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../src/core/clock.js';
import { nextMessage, stopChild, withTimeout } from './ipc.js';
import type { PlugAgentMessage, PlugAgentRequest, PlugWorkerMessage, PlugWorkerResult, PlugWorkerStart } from './plug-protocol.js';
import { fmt, replaceSection } from './report.js';

// The plugs benchmark (issue: smart plugs): 200 simulated Kasa plugs (legacy protocol, TCP) and
// 200 simulated Shelly plugs (HTTP) polled at 1 Hz from one process (bench/plug-worker.js), the
// simulators in another (bench/plug-agent.js), this process only coordinating. Every wait is bounded.

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const PLUG_SECTION_START = '<!-- bench:plugs:start -->';
export const PLUG_SECTION_END = '<!-- bench:plugs:end -->';
/** Targets of the issue. */
export const PLUG_TARGETS = { cpuMsPerPoll: 0.2, missedCycles: 0, p99LatenessMs: 100 };

export interface PlugBenchOptions {
  kasa: number;
  shelly: number;
  warmupMs: number;
  windowMs: number;
  clock: Clock;
  log: (s: string) => void;
}

export interface PlugBenchResult {
  kasa: number;
  shelly: number;
  worker: PlugWorkerResult;
  cpuMsPerPoll: number | null;
  agentCpuPct: number | null;
  agentStartupMs: number;
  wallMs: number;
}

async function usage(clock: Clock, agent: ChildProcess): Promise<{ cpuUs: number; atMono: number } | null> {
  if (!agent.connected) return null;
  const p = nextMessage<PlugAgentMessage, 'usage'>(agent, 'usage', 'plug agent');
  agent.send({ type: 'usage' } satisfies PlugAgentRequest);
  return withTimeout(clock, p, 5000, 'plug agent usage').catch(() => null);
}

export async function runPlugBench(o: PlugBenchOptions): Promise<PlugBenchResult> {
  const { clock } = o;
  const started = clock.monotonic();
  const agent = fork(`${HERE}plug-agent.js`, ['--kasa', String(o.kasa), '--shelly', String(o.shelly)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let worker: ChildProcess | undefined;
  try {
    const ready = await withTimeout(clock, nextMessage<PlugAgentMessage, 'ready'>(agent, 'ready', 'plug agent'), 60_000, 'plug simulators start');
    o.log(`plugs: ${ready.kasa.length} Kasa + ${ready.shelly.length} Shelly simulators up in ${fmt(ready.startupMs, 0)} ms`);
    worker = fork(`${HERE}plug-worker.js`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const w = worker;
    const windowStart = nextMessage<PlugWorkerMessage, 'window-start'>(w, 'window-start', 'plug worker');
    const windowEnd = nextMessage<PlugWorkerMessage, 'window-end'>(w, 'window-end', 'plug worker');
    const result = nextMessage<PlugWorkerMessage, 'result'>(w, 'result', 'plug worker');
    w.send({ type: 'start', kasa: ready.kasa, shelly: ready.shelly, periodMs: 1000, warmupMs: o.warmupMs, windowMs: o.windowMs } satisfies PlugWorkerStart);
    await withTimeout(clock, windowStart, o.warmupMs + 60_000, 'plug worker warm-up');
    const u0 = await usage(clock, agent);
    await withTimeout(clock, windowEnd, o.windowMs + 60_000, 'plug worker window');
    const u1 = await usage(clock, agent);
    const res = await withTimeout(clock, result, 60_000, 'plug worker result');
    return {
      kasa: o.kasa, shelly: o.shelly, worker: res, cpuMsPerPoll: res.okPolls > 0 ? res.cpuMs / res.okPolls : null,
      agentCpuPct: u0 && u1 && u1.atMono > u0.atMono ? (100 * (u1.cpuUs - u0.cpuUs)) / 1000 / (u1.atMono - u0.atMono) : null,
      agentStartupMs: ready.startupMs, wallMs: clock.monotonic() - started,
    };
  } finally {
    if (worker) await stopChild(clock, worker, null, 20_000, 5000);
    await stopChild(clock, agent, { type: 'stop' }, 20_000);
  }
}

export function plugTargetsTable(r: PlugBenchResult): string {
  const w = r.worker;
  const row = (what: string, target: string, got: string, ok: boolean): string => `| ${what} | ${target} | ${got} | ${ok ? 'pass' : '**FAIL**'} |`;
  return [
    '| Target | Goal | Measured | |',
    '|---|---|---|---|',
    row('CPU per plug-poll', `≤ ${PLUG_TARGETS.cpuMsPerPoll} ms`, `${fmt(r.cpuMsPerPoll, 3)} ms`, r.cpuMsPerPoll !== null && r.cpuMsPerPoll <= PLUG_TARGETS.cpuMsPerPoll),
    row('Missed cycles', '0', String(w.missedCycles), w.missedCycles === PLUG_TARGETS.missedCycles),
    row('p99 cycle lateness', `< ${PLUG_TARGETS.p99LatenessMs} ms`, `${fmt(w.latenessMs.p99, 1)} ms`, w.latenessMs.p99 < PLUG_TARGETS.p99LatenessMs),
  ].join('\n');
}

export function plugResultsTable(r: PlugBenchResult): string {
  const w = r.worker;
  return [
    '| Plugs | Window | Due cycles | Started | OK polls | Failed | Missed | Lateness p50 / p99 / max | Poll time p50 / p99 | Poller CPU | CPU / poll | RSS | Simulators CPU |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${r.kasa} Kasa + ${r.shelly} Shelly | ${fmt(w.windowMs / 1000, 0)} s | ${w.dueCycles} | ${w.startedCycles} | ${w.okPolls} | ${w.failedPolls} | ${w.missedCycles} | ` +
      `${fmt(w.latenessMs.p50, 1)} / ${fmt(w.latenessMs.p99, 1)} / ${fmt(w.latenessMs.max, 1)} ms | ${fmt(w.pollMs.p50, 1)} / ${fmt(w.pollMs.p99, 1)} ms | ` +
      `${fmt((100 * w.cpuMs) / w.windowMs, 1)} % | ${fmt(r.cpuMsPerPoll, 3)} ms | ${fmt(w.rssMb, 0)} MB | ${fmt(r.agentCpuPct, 0)} % |`,
  ].join('\n');
}

export function renderPlugSection(r: PlugBenchResult, m: { date: string; text: string; command: string }): string {
  return [
    PLUG_SECTION_START,
    '## Metered smart plugs (`--suite plugs`)',
    '',
    `${r.kasa} simulated Kasa HS110 plugs (legacy protocol, one persistent TCP connection each) and ${r.shelly} simulated Shelly Plus Plug S (HTTP, keep-alive) ` +
      'polled at 1 Hz by the real `PlugDevice` on the real scheduler in one process (bench/plug-worker.ts); the simulators run in another process. ' +
      '"CPU / poll" = poller process CPU over the window ÷ successful polls; lateness = cycle start − due time; missed = cycles the scheduler skipped.',
    '',
    `Measured ${m.date} on ${m.text}; \`${m.command}\`.`,
    '',
    plugTargetsTable(r),
    '',
    plugResultsTable(r),
    PLUG_SECTION_END,
  ].join('\n');
}

export function replacePlugSection(doc: string | null, section: string): string {
  return replaceSection(doc, section, PLUG_SECTION_START, PLUG_SECTION_END);
}
