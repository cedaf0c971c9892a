import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../src/core/clock.js';
import { agentUsage, nextMessage, stopChild, withTimeout } from './ipc.js';
import type { LoadFinal, LoadInterval } from './load-app.js';
import type { MessageCounts } from './load-counter.js';
import type { LoadSubscriberMessage, LoadSubscriberRequest, LoadWorkerMessage, LoadWorkerRequest } from './load-protocol.js';
import type { LoadBroker, LoadResult, LoadRow } from './load-report.js';
import { mallocEnv, type MallocChoice } from './malloc.js';
import { aedesVersion, procCpuMs, procRssMb, startMosquitto, type Mosquitto } from './mqtt-bench.js';
import { splitPorts } from './poll-bench.js';
import type { AgentMessage, AgentRequest, AgentUsage } from './protocol.js';

// `npm run bench -- --suite load` (issue 10): N simulated PDUs at 1 Hz through the real app with
// MQTT, history and rules for M minutes, measured once a minute (bench/load-report.ts renders it).
// measureLoad() is the measuring loop; it only sees LoadParts, so the smoke test runs the very
// same loop with the app and the consumer in its own process, while runLoadSuite() puts agents,
// app and consumer in child processes of their own. Every wait is bounded; every child is
// stopped (and killed by its own handle if it does not exit) before returning.

export interface LoadParts {
  /** Close the app's current interval and return it. */
  read(): Promise<LoadInterval>;
  /** What the MQTT consumer has received so far (cumulative). */
  messages(): Promise<MessageCounts>;
  /** Stop the app and count what it stored. */
  finish(): Promise<LoadFinal>;
  /** An external broker's RSS now (MB); absent when the broker is inside the app. */
  brokerRssMb?: () => number | null;
}

export interface MeasureOptions {
  pdus: number;
  intervals: number;
  intervalMs: number;
  warmupMs: number;
  clock: Clock;
  log: (s: string) => void;
  /** Called at each interval boundary after the reading (e.g. agent CPU); bounded by the caller. */
  onBoundary?: (index: number) => Promise<void>;
}

export async function measureLoad(parts: LoadParts, o: MeasureOptions): Promise<Omit<LoadResult, 'agentCpuPct' | 'subscriberCpuPct' | 'startupMs' | 'wallMs' | 'broker' | 'allocator'>> {
  const { clock } = o;
  const t0 = clock.monotonic();
  let received = (await parts.messages()).messages;
  const rows: LoadRow[] = [];
  let warmup: LoadRow | undefined;
  for (let k = 0; k <= o.intervals; k++) {
    // Boundaries on a fixed grid from the start, so a slow reading does not shift later intervals.
    await clock.sleep(Math.max(0, t0 + o.warmupMs + k * o.intervalMs - clock.monotonic()));
    const [interval, counts] = await Promise.all([parts.read(), parts.messages()]);
    const row: LoadRow = { ...interval, label: k === 0 ? 'warm-up' : String(k), mqttReceived: counts.messages - received, loadAvg: os.loadavg()[0] ?? 0,
      brokerRssMb: parts.brokerRssMb?.() ?? null,
    };
    received = counts.messages;
    if (k === 0) warmup = row;
    else rows.push(row);
    await o.onBoundary?.(k);
    o.log(
      `load ${row.label}: CPU ${row.cpuPct.toFixed(1)} %, RSS ${row.rssMb.toFixed(1)} MB (floor ${row.rssFloorMb.toFixed(1)}), heap ${row.heapFloorMb.toFixed(1)} MB (total ${row.heapTotalMb.toFixed(1)}), polls ${row.done}/${row.due}, ` +
        `missed ${row.missed}, p99 ${row.latenessMs.p99.toFixed(1)} ms, written ${row.samplesWritten}, MQTT ${row.mqttReceived}, rules ${row.ruleExecutions} executed, load ${row.loadAvg.toFixed(2)}`,
    );
  }
  const final = await parts.finish();
  return { pdus: o.pdus, intervalMs: o.intervalMs, warmupMs: o.warmupMs, warmup: warmup as LoadRow, rows, final };
}

export interface LoadSuiteOptions {
  pdus: number;
  minutes: number;
  warmupMs: number;
  /** 60 s in the benchmark. */
  intervalMs?: number;
  portBase: number;
  agentProcs: number;
  /** aedes = the embedded broker (default); mosquitto = Debian's, started here in its own process. */
  broker?: 'aedes' | 'mosquitto';
  /** The app process's C allocator (its environment only; agents and consumer keep the default). */
  malloc?: MallocChoice;
  clock: Clock;
  log: (s: string) => void;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const STDIO: ForkOptions = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };

/** Ask a child and wait for the answer of `type` (bounded). */
function ask<M extends { type: string }, K extends M['type']>(clock: Clock, child: ChildProcess, request: object, type: K, ms: number, what: string): Promise<Extract<M, { type: K }>> {
  const answer = nextMessage<M, K>(child, type, what);
  child.send(request);
  return withTimeout(clock, answer, ms, what);
}

export async function runLoadSuite(o: LoadSuiteOptions): Promise<LoadResult> {
  const { clock } = o;
  const started = clock.monotonic();
  const intervalMs = o.intervalMs ?? 60_000;
  const maxLifetimeMs = o.warmupMs + o.minutes * intervalMs + 300_000;
  const agents: ChildProcess[] = [];
  let app: ChildProcess | undefined;
  let sub: ChildProcess | undefined;
  let mosquitto: Mosquitto | null = null;
  try {
    if (o.broker === 'mosquitto') mosquitto = await startMosquitto(clock, false);
    for (const sl of splitPorts(o.portBase, o.pdus, o.agentProcs)) {
      const lifetimeS = String(Math.ceil(maxLifetimeMs / 1000));
      agents.push(fork(`${HERE}agent.js`, ['--port', String(sl.port), '--count', String(sl.count), '--bind', '127.0.0.1', '--max-lifetime-s', lifetimeS], STDIO));
    }
    const readies = await withTimeout(clock, Promise.all(agents.map((a) => nextMessage<AgentMessage, 'ready'>(a, 'ready', 'agent'))), 30_000 + o.pdus * 50, `agent start (${o.pdus} PDUs)`);
    if (readies.reduce((s, r) => s + r.count, 0) !== o.pdus) throw new Error(`agents did not start ${o.pdus} PDUs`);

    const w = fork(`${HERE}load-worker.js`, [], { ...STDIO, env: { ...process.env, ...mallocEnv(o.malloc ?? 'glibc') } });
    app = w;
    const start: LoadWorkerRequest = { type: 'start', host: '127.0.0.1', portBase: o.portBase, count: o.pdus, mqttUrl: mosquitto?.url ?? '', maxLifetimeMs };
    const ready = await ask<LoadWorkerMessage, 'ready'>(clock, w, start, 'ready', 60_000 + o.pdus * 100, 'app start');
    o.log(`load: app started in ${(ready.startupMs / 1000).toFixed(1)} s with ${ready.devices} PDUs on ${ready.allocator}; MQTT consumer on ${ready.mqttUrl}`);

    const s = fork(`${HERE}load-subscriber.js`, [], STDIO);
    sub = s;
    await ask<LoadSubscriberMessage, 'ready'>(clock, s, { type: 'start', url: ready.mqttUrl, topic: 'pdu/#', maxLifetimeMs } satisfies LoadSubscriberRequest, 'ready', 20_000, 'consumer connect');

    // Agents' and consumer's CPU over the measured intervals (1 .. N), for context.
    let a0: Array<AgentUsage | null> = [];
    let a1: Array<AgentUsage | null> = [];
    let sub0 = 0;
    let sub1 = 0;
    let at0 = 0;
    let at1 = 0;
    let broker0: number | null = null;
    let broker1: number | null = null;
    const subCounts = (): Promise<Extract<LoadSubscriberMessage, { type: 'counts' }>> =>
      ask<LoadSubscriberMessage, 'counts'>(clock, s, { type: 'counts' } satisfies LoadSubscriberRequest, 'counts', 10_000, 'consumer counts');
    const parts: LoadParts = {
      read: async () => {
        const r = await ask<LoadWorkerMessage, 'interval'>(clock, w, { type: 'read' } satisfies LoadWorkerRequest, 'interval', 30_000, 'app reading');
        const { type: _type, ...interval } = r;
        return interval;
      },
      messages: async () => subCounts(),
      finish: async () => {
        const r = await ask<LoadWorkerMessage, 'final'>(clock, w, { type: 'finish' } satisfies LoadWorkerRequest, 'final', 60_000, 'app finish');
        const { type: _type, ...final } = r;
        return final;
      },
      ...(mosquitto ? { brokerRssMb: procRssMb.bind(null, mosquitto.pid) } : {}),
    };
    const onBoundary = async (k: number): Promise<void> => {
      if (k !== 0 && k !== o.minutes) return;
      const usage = await Promise.all(agents.map((a) => agentUsage(clock, a)));
      const c = await subCounts();
      const brokerCpu = mosquitto ? procCpuMs(mosquitto.pid) : null;
      if (k === 0) [a0, sub0, at0, broker0] = [usage, c.cpuMs, clock.monotonic(), brokerCpu];
      else [a1, sub1, at1, broker1] = [usage, c.cpuMs, clock.monotonic(), brokerCpu];
    };
    const m = await measureLoad(parts, { pdus: o.pdus, intervals: o.minutes, intervalMs, warmupMs: o.warmupMs, clock, log: o.log, onBoundary });
    const span = at1 - at0;
    let agentCpuPct: number | null = null;
    if (span > 0 && a0.every(Boolean) && a1.every(Boolean)) {
      agentCpuPct = a1.reduce((sum, u, i) => sum + ((u as AgentUsage).cpuUs - (a0[i] as AgentUsage).cpuUs) / 10 / span, 0);
    }
    const broker: LoadBroker = mosquitto
      ? { kind: 'mosquitto', text: `mosquitto ${mosquitto.version} (own process, Debian's default settings)`, cpuPct: span > 0 && broker0 !== null && broker1 !== null ? (100 * (broker1 - broker0)) / span : null }
      : { kind: 'aedes', text: `aedes ${aedesVersion()} (embedded: inside the app process)`, cpuPct: null };
    return {
      ...m, broker, allocator: ready.allocator, agentCpuPct, subscriberCpuPct: span > 0 ? (100 * (sub1 - sub0)) / span : null, startupMs: ready.startupMs, wallMs: clock.monotonic() - started,
    };
  } finally {
    if (sub) await stopChild(clock, sub, { type: 'stop' } satisfies LoadSubscriberRequest, 10_000);
    if (app) await stopChild(clock, app, { type: 'stop' } satisfies LoadWorkerRequest, 30_000);
    await Promise.all(agents.map((a) => stopChild(clock, a, { type: 'stop' } satisfies AgentRequest, 20_000)));
    await mosquitto?.stop();
  }
}
