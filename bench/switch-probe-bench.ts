import { fork, type ChildProcess } from 'node:child_process';
import { forEachLimited } from '../src/core/concurrency.js';
import { percentileOfSorted } from '../src/core/stats.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../src/core/clock.js';
import { probeUrl, type ProbeOutcome } from '../src/devices/switch/probe.js';
import { nextMessage, withTimeout } from './ipc.js';

// The switch-probe benchmark (issue 6): N HTTP targets probed every intervalS with concurrency 64
// by the real probeUrl, in this process; the targets are http.Servers in a child process (this
// same file, forked), so process.cpuUsage() here is the prober's cost alone. N targets are N URLs
// spread over a few servers (distinct paths); 5 % of them hang (accept, never answer) and so cost
// a full timeout each cycle. Target: 1,000 targets every 10 s under 5 % of one core.

export interface SwitchProbeBenchOptions {
  targets: number;
  seconds: number;
  intervalS: number;
  /** Default 64. */
  concurrency?: number;
  /** Default min(5000, 80 % of the interval), as the probe service does. */
  timeoutMs?: number;
  /** Default 20. */
  servers?: number;
  /** Fraction of targets that never answer; default 0.05. */
  hangFraction?: number;
}

export interface SwitchProbeRow {
  targets: number;
  interval_s: number;
  window_s: number;
  concurrency: number;
  timeout_ms: number;
  hanging: number;
  cycles: number;
  probes: number;
  probes_per_s: number;
  up: number;
  down: number;
  /** process.cpuUsage (user + system) over the window, % of one core. */
  cpu_pct_mean: number;
  /** Highest 1-second sample. */
  cpu_pct_max_1s: number;
  cpu_us_per_probe: number;
  /** response_time of answered probes (ms to the status line). */
  latency_p50_ms: number;
  latency_p99_ms: number;
  cycle_ms_max: number;
  rss_mb: number;
  /** The target servers' process (not part of the prober's cost). */
  server_cpu_pct: number;
}

export interface SwitchProbeBenchResult {
  /** One row per run (this function measures one configuration). */
  rows: SwitchProbeRow[];
  /** CPU % of one core, one sample per second of the window. */
  cpu_per_second: number[];
}

const clock = new RealClock();
const SERVE_FLAG = '--switch-probe-servers';
const THIS_FILE = fileURLToPath(import.meta.url);
const CPU_TARGET_PCT = 5;

type ChildMsg = { type: 'ready'; ports: number[] } | { type: 'usage'; cpuUs: number; wallMs: number } | { type: 'error'; message: string };

const pct = (xs: readonly number[], p: number): number => percentileOfSorted([...xs].sort((a, b) => a - b), p);

export async function runSwitchProbeBench(opts: SwitchProbeBenchOptions): Promise<SwitchProbeBenchResult> {
  const concurrency = opts.concurrency ?? 64;
  const timeoutMs = opts.timeoutMs ?? Math.min(5000, Math.floor(opts.intervalS * 800));
  const serverCount = Math.max(1, Math.min(opts.servers ?? 20, opts.targets));
  const hangEvery = Math.round(1 / (opts.hangFraction ?? 0.05));
  const child: ChildProcess = fork(THIS_FILE, [SERVE_FLAG, String(serverCount)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { ports } = await withTimeout(clock, nextMessage<ChildMsg, 'ready'>(child, 'ready', 'target servers'), 15_000, 'target servers');
    const urls = Array.from({ length: opts.targets }, (_, i) => {
      const hang = hangEvery > 0 && i % hangEvery === 0;
      return `http://127.0.0.1:${ports[i % ports.length]}/${hang ? 'hang' : 't'}/${i}`;
    });
    const hanging = urls.filter((u) => u.includes('/hang/')).length;

    const latencies: number[] = [];
    const cycleMs: number[] = [];
    let probes = 0;
    let up = 0;
    let measuring = false;
    const runCycle = async (): Promise<void> => {
      const t0 = clock.monotonic();
      await forEachLimited(urls, concurrency, async (url) => {
        const out: ProbeOutcome = await probeUrl(url, { timeoutMs, tlsErrors: 'up', clock });
        if (!measuring) return;
        probes++;
        if (out.result === 'up') up++;
        if (out.result === 'up' && out.response_time !== null) latencies.push(out.response_time);
      });
      if (measuring) cycleMs.push(clock.monotonic() - t0);
    };

    await runCycle(); // warm-up (JIT, first connections), not measured
    measuring = true;
    const cpuSamples: number[] = [];
    const start = clock.monotonic();
    const cpu0 = process.cpuUsage();
    let last = { cpu: cpu0, at: start };
    const sampler = (k: number): void => {
      const now = clock.monotonic();
      const cpu = process.cpuUsage();
      cpuSamples.push((100 * (cpu.user - last.cpu.user + cpu.system - last.cpu.system)) / 1000 / (now - last.at));
      last = { cpu, at: now };
      if (k < opts.seconds) timer = clock.setTimeout(() => sampler(k + 1), start + (k + 1) * 1000 - clock.monotonic());
    };
    let timer = clock.setTimeout(() => sampler(1), 1000);
    const cycleCount = Math.max(1, Math.ceil(opts.seconds / opts.intervalS));
    for (let c = 0; c < cycleCount; c++) {
      // Drift-free starts; a cycle that overran starts the next one late, never two at once.
      await clock.sleep(Math.max(0, start + c * opts.intervalS * 1000 - clock.monotonic()));
      await runCycle();
    }
    await clock.sleep(Math.max(0, start + opts.seconds * 1000 - clock.monotonic()));
    const windowMs = clock.monotonic() - start;
    const cpu = process.cpuUsage(cpu0);
    clock.clearTimeout(timer);
    measuring = false;

    const usage = nextMessage<ChildMsg, 'usage'>(child, 'usage', 'target servers');
    child.send({ type: 'stop' });
    const server = await withTimeout(clock, usage, 10_000, 'target servers usage');
    const cpuUs = cpu.user + cpu.system;
    const row: SwitchProbeRow = {
      targets: opts.targets,
      interval_s: opts.intervalS,
      window_s: windowMs / 1000,
      concurrency,
      timeout_ms: timeoutMs,
      hanging,
      cycles: cycleMs.length,
      probes,
      probes_per_s: probes / (windowMs / 1000),
      up,
      down: probes - up,
      cpu_pct_mean: (100 * cpuUs) / 1000 / windowMs,
      cpu_pct_max_1s: Math.max(0, ...cpuSamples),
      cpu_us_per_probe: probes > 0 ? cpuUs / probes : 0,
      latency_p50_ms: pct(latencies, 50),
      latency_p99_ms: pct(latencies, 99),
      cycle_ms_max: Math.max(0, ...cycleMs),
      rss_mb: process.memoryUsage().rss / 2 ** 20,
      server_cpu_pct: (100 * server.cpuUs) / 1000 / server.wallMs,
    };
    return { rows: [row], cpu_per_second: cpuSamples };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');

/** Markdown table, one line per run; the CPU column is judged against the 5 % target. */
export function formatSwitchProbeTable(result: Pick<SwitchProbeBenchResult, 'rows'>): string {
  const head = [
    '| targets | every | hanging | probes/s | prober CPU (mean) | CPU max 1 s | µs CPU/probe | p50 | p99 | longest cycle | RSS | target < 5 % of a core |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const lines = result.rows.map((r) =>
    `| ${r.targets} | ${r.interval_s} s | ${r.hanging} | ${f(r.probes_per_s, 1)} | ${f(r.cpu_pct_mean, 2)} % | ${f(r.cpu_pct_max_1s, 1)} % | ${f(r.cpu_us_per_probe, 0)} | ${f(r.latency_p50_ms, 2)} ms | ${f(r.latency_p99_ms, 2)} ms | ${f(r.cycle_ms_max / 1000, 2)} s | ${f(r.rss_mb, 0)} MB | ${r.cpu_pct_mean < CPU_TARGET_PCT ? 'pass' : '**FAIL**'} |`,
  );
  return [...head, ...lines].join('\n');
}

export function printSwitchProbeTable(result: Pick<SwitchProbeBenchResult, 'rows'>): void {
  process.stdout.write(`${formatSwitchProbeTable(result)}\n`);
}

// ---- the forked child: the target servers ----

async function serveTargets(count: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = clock.monotonic();
  // Bounded: a child whose parent vanished must not live on.
  clock.setTimeout(() => process.exit(3), 30 * 60_000);
  process.on('disconnect', () => process.exit(0));
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const s = http.createServer({ requestTimeout: 0, keepAliveTimeout: 1000 }, (req, res) => {
        if (req.url?.startsWith('/hang/')) return; // accepted, never answered: a dead host
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '3' });
        res.end('ok\n');
      });
      s.on('connection', (socket) => socket.on('error', () => {}));
      await new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, r));
      return s;
    }),
  );
  process.on('message', (m: { type?: string }) => {
    if (m?.type !== 'stop') return;
    const cpu = process.cpuUsage(cpu0);
    process.send?.({ type: 'usage', cpuUs: cpu.user + cpu.system, wallMs: clock.monotonic() - t0 } satisfies ChildMsg, undefined, {}, () => process.exit(0));
  });
  process.send?.({ type: 'ready', ports: servers.map((s) => (s.address() as AddressInfo).port) } satisfies ChildMsg);
}

if (process.argv[1] === THIS_FILE && process.argv[2] === SERVE_FLAG) {
  serveTargets(Number(process.argv[3] ?? 20)).catch((err: unknown) => {
    process.send?.({ type: 'error', message: String(err) } satisfies ChildMsg);
    process.exit(1);
  });
}
