import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import WebSocket from 'ws';
import { EventBus } from '../src/core/bus.js';
import { RealClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { DeviceInfo, DeviceRegistryPort, DeviceSummary } from '../src/core/ports.js';
import { percentileOfSorted } from '../src/core/stats.js';
import type { PduSnapshot } from '../src/core/types.js';
import type { HttpApp, HttpContext } from '../src/http/context.js';
import { statusMessage } from '../src/http/ws/messages.js';
import { registerWebSocket } from '../src/http/ws/route.js';
import { simulatedSamples } from './history-sim.js';
import { nextMessage, stopChild, withTimeout } from './ipc.js';
import { replaceSection } from './report.js';

// `npm run bench -- --suite ws` (issue 8): the real /ws hub on a fastify server on 127.0.0.1 in
// this process, fed through the bus with the status of P simulated PDUs once per second (all at
// the same instant, the worst case), and C WebSocket clients in a child process (this file,
// forked) that read everything. CPU is `process.cpuUsage()` of this process, the server's, over
// the window; the clients' own CPU is reported beside it. Target: 100 clients at 1 Hz < 5 % of a core.

export const WS_SECTION_START = '<!-- bench:ws:start -->';
export const WS_SECTION_END = '<!-- bench:ws:end -->';
const CPU_TARGET_PCT = 5;

const clock = new RealClock();
const CLIENTS_FLAG = '--ws-bench-clients';
const THIS_FILE = fileURLToPath(import.meta.url);

export interface WsBenchOptions {
  clients: number;
  pdus: number;
  warmupS: number;
  seconds: number;
}

export interface WsBenchRow {
  clients: number;
  pdus: number;
  window_s: number;
  /** Messages the hub should hand out per second (clients × PDUs). */
  sends_per_s: number;
  /** Bytes of one status message. */
  status_bytes: number;
  /** process.cpuUsage (user + system) of the server process over the window, % of one core. */
  cpu_pct_mean: number;
  cpu_pct_max_1s: number;
  cpu_us_per_send: number;
  rss_mb: number;
  /** Status messages the clients got in the window, and how many were sent. */
  delivered: number;
  expected: number;
  /** Time from the sample on the bus to the client, ms. */
  latency_p50_ms: number;
  latency_p99_ms: number;
  dropped_slow: number;
  client_cpu_pct: number;
}

type ChildMsg =
  | { type: 'ready' }
  | { type: 'counts'; delivered: number; latencies: number[]; cpuUs: number; wallMs: number }
  | { type: 'error'; message: string };
type ParentMsg = { type: 'begin' } | { type: 'end' } | { type: 'stop' };

/**
 * The registry as the hub and the REST routes read it: list() and info() of P healthy PDUs, and
 * snapshot() from `latest` (none when absent: the hub gets no initial snapshot).
 */
export function benchRegistry(ids: readonly string[], latest?: () => PduSnapshot): DeviceRegistryPort {
  const summary = (id: string): DeviceSummary => ({ id, kind: 'cyberpower', label: id, host: '10.0.0.1', model: 'PDU44001', serial: null, state: 'healthy', availability: 'online' });
  const known = new Set(ids);
  return {
    list: () => ids.map(summary),
    info: (id: string): DeviceInfo | null =>
      known.has(id) ? { ...summary(id), profile: 'cps-mib', writable: true, homeassistant: true, fromConfig: true, pollIntervalS: 1, utilitySource: 'A', protectedOutlets: [] } : null,
    snapshot: (id: string) => (latest && known.has(id) ? { ...latest(), device_id: id } : null),
  } as unknown as DeviceRegistryPort;
}

export async function runWsBench(o: WsBenchOptions): Promise<WsBenchRow> {
  const ids = Array.from({ length: o.pdus }, (_, i) => `pdu-${String(i + 1).padStart(3, '0')}`);
  const bus = new EventBus();
  const ctx = { bus, clock, logger: silentLogger(), registry: benchRegistry(ids), rules: null, outages: null, version: 'bench', demo: null } as unknown as HttpContext;
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const hub = await registerWebSocket(app as unknown as HttpApp, ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const child: ChildProcess = fork(THIS_FILE, [CLIENTS_FLAG, `ws://127.0.0.1:${port}/ws`, String(o.clients)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await withTimeout(clock, nextMessage<ChildMsg, 'ready'>(child, 'ready', 'ws clients'), 30_000, 'ws clients');
    if (hub.stats().clients !== o.clients) throw new Error(`ws bench: ${hub.stats().clients} of ${o.clients} clients connected`);
    const samples = simulatedSamples({ startS: Math.floor(clock.now() / 1000), seconds: o.warmupS + o.seconds + 2, seed: 1 });
    const first = samples.next().value as PduSnapshot;
    const statusBytes = ids.length > 0 ? statusMessage({ ...first, device_id: ids[0]! }, ctx.registry.info(ids[0]!)!, clock.now() / 1000).data.length : 0;
    const emitAll = (): void => {
      const s = samples.next().value as PduSnapshot;
      const ts = clock.now() / 1000;
      for (const id of ids) bus.emit('sample', { ...s, device_id: id, ts });
    };
    // Warm-up: JIT, socket buffers; not measured.
    const t0 = clock.monotonic();
    for (let k = 0; k < o.warmupS; k++) {
      await clock.sleep(Math.max(0, t0 + k * 1000 - clock.monotonic()));
      emitAll();
    }
    await clock.sleep(Math.max(0, t0 + o.warmupS * 1000 - clock.monotonic()));

    child.send({ type: 'begin' } satisfies ParentMsg);
    const start = clock.monotonic();
    const cpu0 = process.cpuUsage();
    const built0 = hub.stats().built;
    const cpuSamples: number[] = [];
    let last = { cpu: cpu0, at: start };
    for (let k = 0; k < o.seconds; k++) {
      await clock.sleep(Math.max(0, start + k * 1000 - clock.monotonic()));
      if (k > 0) {
        const now = clock.monotonic();
        const cpu = process.cpuUsage();
        cpuSamples.push((100 * (cpu.user - last.cpu.user + cpu.system - last.cpu.system)) / 1000 / (now - last.at));
        last = { cpu, at: now };
      }
      emitAll();
    }
    await clock.sleep(Math.max(0, start + o.seconds * 1000 - clock.monotonic()));
    const windowMs = clock.monotonic() - start;
    const cpu = process.cpuUsage(cpu0);
    const built = hub.stats().built - built0;
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    const countsP = nextMessage<ChildMsg, 'counts'>(child, 'counts', 'ws clients');
    child.send({ type: 'end' } satisfies ParentMsg);
    const counts = await withTimeout(clock, countsP, 10_000, 'ws clients counts');
    const lat = [...counts.latencies].sort((a, b) => a - b);
    const cpuUs = cpu.user + cpu.system;
    const sends = built * o.clients;
    return {
      clients: o.clients, pdus: o.pdus, window_s: windowMs / 1000, sends_per_s: o.clients * o.pdus, status_bytes: statusBytes,
      cpu_pct_mean: (100 * cpuUs) / 1000 / windowMs, cpu_pct_max_1s: Math.max(0, ...cpuSamples), cpu_us_per_send: sends > 0 ? cpuUs / sends : 0, rss_mb: rssMb,
      delivered: counts.delivered, expected: sends, latency_p50_ms: percentileOfSorted(lat, 50), latency_p99_ms: percentileOfSorted(lat, 99),
      dropped_slow: hub.stats().dropped_slow, client_cpu_pct: (100 * counts.cpuUs) / 1000 / counts.wallMs,
    };
  } finally {
    await stopChild(clock, child, { type: 'stop' } satisfies ParentMsg, 5000);
    await app.close();
  }
}

export interface WsSuiteResult {
  rows: WsBenchRow[];
  totalS: number;
}

/** The issue's case (100 clients, one PDU at 1 Hz), 100 PDUs at 1 Hz, and 100 PDUs without clients (what the bus costs). */
export async function runWsSuite(o: { quick: boolean; clients: number; log: (s: string) => void }): Promise<WsSuiteResult> {
  const t0 = clock.monotonic();
  const seconds = o.quick ? 8 : 20;
  const rows: WsBenchRow[] = [];
  for (const [clients, pdus] of [[o.clients, 1], [o.clients, 100], [0, 100]] as const) {
    o.log(`ws: ${clients} clients, ${pdus} PDUs at 1 Hz, warm-up 3 s, window ${seconds} s`);
    const r = await runWsBench({ clients, pdus, warmupS: 3, seconds });
    o.log(`ws: ${clients} clients × ${pdus} PDUs: CPU ${r.cpu_pct_mean.toFixed(2)} %, ${r.delivered}/${r.expected} delivered, p99 ${r.latency_p99_ms.toFixed(1)} ms, RSS ${r.rss_mb.toFixed(0)} MB`);
    rows.push(r);
  }
  return { rows, totalS: (clock.monotonic() - t0) / 1000 };
}

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');

export function formatWsTable(rows: readonly WsBenchRow[]): string {
  const head = [
    '| clients | PDUs at 1 Hz | messages/s out | status size | server CPU (mean) | CPU max 1 s | µs CPU/message | delivered / sent | latency p50 · p99 | closed slow | server RSS | clients\' CPU | target < 5 % of a core |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const lines = rows.map((r) =>
    `| ${r.clients} | ${r.pdus} | ${r.sends_per_s} | ${f(r.status_bytes / 1024, 1)} KiB | ${f(r.cpu_pct_mean, 2)} % | ${f(r.cpu_pct_max_1s, 1)} % | ` +
      `${r.expected > 0 ? f(r.cpu_us_per_send, 1) : '–'} | ${r.delivered} / ${r.expected} | ${r.expected > 0 ? `${f(r.latency_p50_ms, 1)} · ${f(r.latency_p99_ms, 1)} ms` : '–'} | ` +
      `${r.dropped_slow} | ${f(r.rss_mb, 0)} MB | ${r.clients > 0 ? `${f(r.client_cpu_pct, 1)} %` : '–'} | ${r.clients === 0 ? 'baseline' : r.cpu_pct_mean < CPU_TARGET_PCT ? 'pass' : '**FAIL**'} |`,
  );
  return [...head, ...lines].join('\n');
}

export function renderWsSection(r: WsSuiteResult, machine: { date: string; text: string; command: string }): string {
  const w = r.rows[0];
  return [
    WS_SECTION_START,
    '## WebSocket `/ws` (issue 8)',
    '',
    `Run ${machine.date} on ${machine.text} (\`${machine.command}\`); ${r.totalS.toFixed(0)} s.`,
    '',
    'The real hub (`src/http/ws/`) on fastify + @fastify/websocket on 127.0.0.1, fed through the bus with the `sample` of every ' +
      'PDU once per second, all at the same instant (the worst case; each a snapshot of the demo simulator through the poller\'s ' +
      `decoder). The clients run in a child process and read everything; ${w ? `${w.window_s.toFixed(0)} s window after a 3 s warm-up` : 'no run'}. ` +
      'Server CPU is `process.cpuUsage()` (user + system, so the loopback TCP work of the sends is included) of the server\'s ' +
      'process over the window; RSS is that process at the end. Latency is from the sample on the bus to the client. The row ' +
      'without clients is the baseline: the hub builds nothing for a device no client wants. Each message is built once and the ' +
      'same Buffer goes to every client; what is queued for a client within one tick is written in one batch (its TCP socket ' +
      'corked), so a burst of 100 statuses costs one write per client, not 100.',
    '',
    formatWsTable(r.rows),
    WS_SECTION_END,
  ].join('\n');
}

export function replaceWsSection(doc: string | null, section: string): string {
  return replaceSection(doc, section, WS_SECTION_START, WS_SECTION_END);
}

// ---- the forked child: C clients that read everything ----

async function runClients(url: string, count: number): Promise<void> {
  // Bounded: a child whose parent vanished must not live on.
  clock.setTimeout(() => process.exit(3), 30 * 60_000);
  process.on('disconnect', () => process.exit(0));
  let counting = false;
  let delivered = 0;
  const latencies: number[] = [];
  let cpu0 = process.cpuUsage();
  let w0 = clock.monotonic();
  const sockets = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        ws.on('message', (data: Buffer) => {
          if (!counting) return;
          // `{"type":"status","ts":…`: the prefix carries what is counted; no full parse needed.
          const head = data.toString('latin1', 0, 48);
          if (!head.startsWith('{"type":"status"')) return;
          delivered++;
          const m = /"ts":([0-9.]+)/.exec(head);
          if (m && latencies.length < 500_000) latencies.push(Date.now() - Number(m[1]) * 1000);
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      }),
    ),
  );
  process.on('message', (m: ParentMsg) => {
    if (m.type === 'begin') {
      counting = true;
      cpu0 = process.cpuUsage();
      w0 = clock.monotonic();
    } else if (m.type === 'end') {
      counting = false;
      const cpu = process.cpuUsage(cpu0);
      process.send?.({ type: 'counts', delivered, latencies, cpuUs: cpu.user + cpu.system, wallMs: clock.monotonic() - w0 } satisfies ChildMsg);
    } else if (m.type === 'stop') {
      for (const s of sockets) s.terminate();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready' } satisfies ChildMsg);
}

if (process.argv[1] === THIS_FILE && process.argv[2] === CLIENTS_FLAG) {
  runClients(process.argv[3] ?? '', Number(process.argv[4] ?? 1)).catch((err: unknown) => {
    process.send?.({ type: 'error', message: String(err) } satisfies ChildMsg);
    process.exit(1);
  });
}
