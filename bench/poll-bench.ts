import { fork, type ChildProcess } from 'node:child_process';
import { agentUsage, nextMessage, stopChild, withTimeout } from './ipc.js';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../src/core/clock.js';
import type { AgentMessage, AgentUsage, WorkerMessage, WorkerResult, WorkerStart } from './protocol.js';

// One polling-benchmark run at N PDUs: agents in one child process (bench/agent.js), the poller in
// another (bench/poll-worker.js), this process only coordinating. Every wait is bounded; both
// children are stopped (and killed by their own handle if they do not exit) before returning.

export interface PollRunOptions {
  n: number;
  portBase: number;
  warmupMs: number;
  windowMs: number;
  timeoutMs: number;
  retries: number;
  cpuProfile: boolean;
  profilePath: string;
  /** Agent processes the N simulated PDUs are spread over (contiguous port ranges). */
  agentProcs: number;
  clock: Clock;
}

export interface PollRunResult {
  n: number;
  worker: WorkerResult;
  agentProcs: number;
  /** Agent processes' CPU over the window, summed, % of one core. */
  agentCpuPct: number | null;
  /** The busiest agent process, % of one core (≥ 90 %: the simulator, not the poller, is the limit). */
  agentMaxProcCpuPct: number | null;
  agentStartupMs: number;
  /** Requests the agents answered / dropped over the window. */
  agentAnswered: number | null;
  agentDropped: number | null;
  /** Poller CPU over the window, % of one core. */
  pollerCpuPct: number;
  /** The whole machine's busy CPU over the window (os.cpus() times, all cores), % of one core. */
  machineBusyPct: number | null;
  /** machine − poller − agents: other work sharing the machine during the window, % of one core (±few % of sampling skew). */
  otherCpuPct: number | null;
  cpuMsPerPoll: number | null;
  wallMs: number;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));



/** Contiguous slices of [base, base + n) for `procs` agent processes. */
export function splitPorts(base: number, n: number, procs: number): Array<{ port: number; count: number }> {
  const k = Math.max(1, Math.min(procs, n));
  const out: Array<{ port: number; count: number }> = [];
  let port = base;
  for (let i = 0; i < k; i++) {
    const count = Math.floor(n / k) + (i < n % k ? 1 : 0);
    out.push({ port, count });
    port += count;
  }
  return out;
}

/** Busy and total CPU time of the whole machine so far (all cores), ms. */
export function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** CPU % (of one core) of each agent between two usage readings. */
function cpuPct(u0: ReadonlyArray<AgentUsage | null>, u1: ReadonlyArray<AgentUsage | null>): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < u0.length; i++) {
    const a = u0[i];
    const b = u1[i];
    if (!a || !b || b.atMono <= a.atMono) return null;
    out.push((100 * (b.cpuUs - a.cpuUs)) / 1000 / (b.atMono - a.atMono));
  }
  return out;
}

export async function runPollBench(o: PollRunOptions): Promise<PollRunResult> {
  const { clock } = o;
  const started = clock.monotonic();
  const slices = splitPorts(o.portBase, o.n, o.agentProcs);
  const agents = slices.map((sl) =>
    fork(`${HERE}agent.js`, ['--port', String(sl.port), '--count', String(sl.count), '--bind', '127.0.0.1'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  let worker: ChildProcess | undefined;
  try {
    const readies = await withTimeout(
      clock,
      Promise.all(agents.map((a) => nextMessage<AgentMessage, 'ready'>(a, 'ready'))),
      30_000 + o.n * 50,
      `agent start (${o.n} PDUs)`,
    );
    const startedPdus = readies.reduce((s, r) => s + r.count, 0);
    if (startedPdus !== o.n) throw new Error(`agents started ${startedPdus} of ${o.n} PDUs`);

    worker = fork(`${HERE}poll-worker.js`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const w = worker;
    const windowStart = nextMessage<WorkerMessage, 'window-start'>(w, 'window-start');
    const windowEnd = nextMessage<WorkerMessage, 'window-end'>(w, 'window-end');
    const result = nextMessage<WorkerMessage, 'result'>(w, 'result');
    // Unobserved rejections would crash the orchestrator if the worker dies early; they are awaited below.
    for (const p of [windowStart, windowEnd, result]) p.catch(() => {});
    w.send({
      type: 'start', host: '127.0.0.1', port: o.portBase, count: o.n, warmupMs: o.warmupMs, windowMs: o.windowMs,
      timeoutMs: o.timeoutMs, retries: o.retries, cpuProfile: o.cpuProfile, profilePath: o.profilePath,
    } satisfies WorkerStart);

    await withTimeout(clock, windowStart, o.warmupMs + 60_000, 'poll worker warm-up');
    const m0 = machineCpu();
    const m0At = clock.monotonic();
    const u0 = await Promise.all(agents.map((a) => agentUsage(clock, a)));
    await withTimeout(clock, windowEnd, o.windowMs + 60_000, 'poll worker window');
    const m1 = machineCpu();
    const m1At = clock.monotonic();
    const u1 = await Promise.all(agents.map((a) => agentUsage(clock, a)));
    const res = await withTimeout(clock, result, 60_000, 'poll worker result');

    const c = res.counts;
    const pcts = cpuPct(u0, u1);
    const machineBusyPct = m1At > m0At ? (100 * (m1.busy - m0.busy)) / (m1At - m0At) : null;
    const pollerCpuPct = (100 * res.cpuMs) / c.windowMs;
    const agentCpuPct = pcts ? pcts.reduce((a, b) => a + b, 0) : null;
    const sum = (f: (u: AgentUsage) => number): number | null =>
      u0.every(Boolean) && u1.every(Boolean) ? u1.reduce((s, b, i) => s + f(b as AgentUsage) - f(u0[i] as AgentUsage), 0) : null;
    return {
      n: o.n,
      worker: res,
      agentProcs: agents.length,
      agentCpuPct,
      agentMaxProcCpuPct: pcts ? Math.max(...pcts) : null,
      agentStartupMs: Math.max(...readies.map((r) => r.startupMs)),
      agentAnswered: sum((u) => u.answered),
      agentDropped: sum((u) => u.dropped),
      pollerCpuPct,
      machineBusyPct,
      otherCpuPct: machineBusyPct !== null && agentCpuPct !== null ? machineBusyPct - pollerCpuPct - agentCpuPct : null,
      cpuMsPerPoll: c.okPolls > 0 ? res.cpuMs / c.okPolls : null,
      wallMs: clock.monotonic() - started,
    };
  } finally {
    // The worker finishes on its own after reporting: 5 s of grace before SIGTERM.
    if (worker) await stopChild(clock, worker, null, 20_000, 5000);
    await Promise.all(agents.map((a) => stopChild(clock, a, { type: 'stop' }, 20_000)));
  }
}
