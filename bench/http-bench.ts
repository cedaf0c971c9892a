import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { configSchema, resolveConfig } from '../src/config/index.js';
import { EventBus } from '../src/core/bus.js';
import { RealClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { HealthPort } from '../src/core/ports.js';
import type { PduSnapshot } from '../src/core/types.js';
import { DbHandle } from '../src/history/handle.js';
import { historyQueries } from '../src/history/queries.js';
import { HistoryStore } from '../src/history/store.js';
import type { HttpContext } from '../src/http/context.js';
import { buildHttpServer } from '../src/http/server.js';
import { fill, SimClock } from './history-bench.js';
import { simulatedSamples } from './history-sim.js';
import { nextMessage, stopChild, withTimeout } from './ipc.js';
import { replaceSection } from './report.js';
import { benchRegistry } from './ws-bench.js';

// `npm run bench -- --suite http` (issue 8): the real web server (buildHttpServer: every route,
// auth plugin, error mapper, OpenAPI) on 127.0.0.1 with 100 simulated PDUs whose status changes
// every second (snapshots of the demo simulator through the poller's decoder, emitted on the bus so
// the /ws hub runs too), and a history database filled with D days of one PDU44001 at 1 Hz by the
// real writer. The load comes from autocannon in a child process, so the client's work does not
// share the server's event loop. autocannon reports p97.5 (not p95): a p97.5 under the target
// means the p95 is too.

export const HTTP_SECTION_START = '<!-- bench:http:start -->';
export const HTTP_SECTION_END = '<!-- bench:http:end -->';
const STATUS_TARGET_MS = 5;

const clock = new RealClock();
const LOAD_FLAG = '--http-bench-load';
const THIS_FILE = fileURLToPath(import.meta.url);
const HISTORY_DEVICE = 'sim-pdu44001';

export interface LoadJob {
  path: string;
  connections: number;
  durationS: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  bytes_per_response: number;
}

type ChildMsg = { type: 'ready' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };
type ParentMsg = { type: 'run'; job: LoadJob } | { type: 'stop' };

export interface HttpBenchRow {
  name: string;
  path: string;
  connections: number;
  rate: string;
  result: LoadResult;
  /** Server process CPU over the run, % of one core. */
  cpu_pct: number;
}

export interface HttpSuiteResult {
  rows: HttpBenchRow[];
  pdus: number;
  days: number;
  rss_mb: number;
  totalS: number;
}

/** The server with every route, over a registry of `pdus` live PDUs and a filled history file. */
export async function startServer(pdus: number, dbPath: string): Promise<{ app: FastifyInstance; url: string; stop: () => Promise<void> }> {
  const ids = Array.from({ length: pdus }, (_, i) => `pdu-${String(i + 1).padStart(3, '0')}`);
  const samples = simulatedSamples({ startS: Math.floor(clock.now() / 1000), seconds: 3600, seed: 7 });
  let latest = samples.next().value as PduSnapshot;
  const bus = new EventBus();
  const config = resolveConfig(configSchema.parse({ web: { port: 0 }, history: { path: dbPath } }), { fileLoaded: true });
  const handle = new DbHandle(dbPath, 20);
  const store = new HistoryStore(handle, { retentionDays: 730, clock, writer: null, tariff: config.energy.tariff, timezone: 'UTC' });
  const health: HealthPort = { check: () => ({ healthy: true, issues: [] }), stats: () => ({ mqtt: null, history: null, polls: [], traps: null }) };
  const ctx: HttpContext = {
    config, logger: silentLogger(), clock, bus, registry: benchRegistry(ids, () => latest), switches: null, checks: null, outages: null, health,
    rules: null, events: null, history: historyQueries(store, clock, 'UTC'), demo: null, version: 'bench',
  };
  const app = await buildHttpServer(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  // Live data: a new status for every PDU each second, as 100 pollers would produce.
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    latest = (samples.next().value as PduSnapshot | undefined) ?? latest;
    const ts = clock.now() / 1000;
    for (const id of ids) bus.emit('sample', { ...latest, device_id: id, ts });
    clock.setTimeout(tick, 1000);
  };
  tick();
  const port = (app.server.address() as { port: number }).port;
  return {
    app, url: `http://127.0.0.1:${port}`,
    async stop() {
      stopped = true;
      await app.close();
      handle.close();
    },
  };
}

/** A history file with `days` of one PDU44001 at 1 Hz (the real writer); returns the end of the data (epoch s). */
export async function fillHistory(dbPath: string, days: number, log: (s: string) => void): Promise<{ startS: number; endS: number }> {
  const startS = 1_800_000_000 - (1_800_000_000 % 86_400);
  const handle = new DbHandle(dbPath, 20);
  await fill(handle, new SimClock(), startS, days, (d) => log(`http: history day ${d}/${days} written`));
  handle.db.pragma('wal_checkpoint(TRUNCATE)');
  handle.close();
  return { startS, endS: startS + days * 86_400 };
}

export const historyPath = (kind: 'banks' | 'outlets', startS: number, endS: number): string =>
  `/api/history/${kind}?device_id=${HISTORY_DEVICE}&start=${startS}&end=${endS}`;

export async function runHttpSuite(o: { quick: boolean; days: number; pdus: number; log: (s: string) => void }): Promise<HttpSuiteResult> {
  const t0 = clock.monotonic();
  const dir = mkdtempSync(join(tmpdir(), 'p2m-httpbench-'));
  const dbPath = join(dir, 'history.db');
  const { endS } = await fillHistory(dbPath, o.days, o.log);
  const server = await startServer(o.pdus, dbPath);
  const child: ChildProcess = fork(THIS_FILE, [LOAD_FLAG, server.url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const rows: HttpBenchRow[] = [];
  try {
    await withTimeout(clock, nextMessage<ChildMsg, 'ready'>(child, 'ready', 'http load'), 30_000, 'http load');
    const seconds = o.quick ? 5 : 15;
    const run = async (name: string, job: LoadJob): Promise<void> => {
      const cpu0 = process.cpuUsage();
      const w0 = clock.monotonic();
      const resultP = nextMessage<ChildMsg, 'result'>(child, 'result', 'http load');
      child.send({ type: 'run', job } satisfies ParentMsg);
      const { result } = await withTimeout(clock, resultP, (job.durationS + 30) * 1000, `http load ${name}`);
      const cpu = process.cpuUsage(cpu0);
      const cpuPct = (100 * (cpu.user + cpu.system)) / 1000 / (clock.monotonic() - w0);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`http bench ${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors on ${job.path}`);
      rows.push({ name, path: job.path, connections: job.connections, rate: job.rate ? `${job.rate}/s` : 'max', result, cpu_pct: cpuPct });
      o.log(`http: ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p97.5 ${result.p97_5} ms, p99 ${result.p99} ms, CPU ${cpuPct.toFixed(0)} %`);
    };
    const status = `/api/status?device_id=pdu-042`;
    // Warm-up (JIT, connection setup): not reported.
    await run('warm-up', { path: status, connections: 4, durationS: 3 });
    rows.pop();
    await run('status, dashboard-like load', { path: status, connections: 1, durationS: seconds, rate: 20 });
    await run('status, saturated', { path: status, connections: 10, durationS: seconds });
    await run('health, saturated', { path: '/api/health', connections: 10, durationS: seconds });
    const ranges: Array<[string, number]> = [['1h', 3600], ['6h', 6 * 3600], ['24h', 86_400], ['7d', 7 * 86_400], ['30d', 30 * 86_400], ['60d', 60 * 86_400]];
    for (const [range, span] of ranges) {
      if (span > o.days * 86_400) continue;
      for (const kind of ['banks', 'outlets'] as const) {
        const path = historyPath(kind, endS - span, endS);
        await run(`history ${kind} ${range}`, { path, connections: 1, durationS: Math.max(3, Math.round(seconds / 3)), rate: 10 });
      }
    }
    return { rows, pdus: o.pdus, days: o.days, rss_mb: process.memoryUsage().rss / 2 ** 20, totalS: (clock.monotonic() - t0) / 1000 };
  } finally {
    await stopChild(clock, child, { type: 'stop' } satisfies ParentMsg, 5000);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');

export function formatHttpTable(rows: readonly HttpBenchRow[]): string {
  const head = [
    '| request | connections | rate | req/s | p50 | p97.5 | p99 | max | response | server CPU | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const lines = rows.map((r) => {
    const target = r.name.startsWith('status, dashboard') ? (r.result.p97_5 < STATUS_TARGET_MS ? `p95 < ${STATUS_TARGET_MS} ms: pass` : `p95 < ${STATUS_TARGET_MS} ms: **FAIL**`) : '';
    return `| ${r.name} | ${r.connections} | ${r.rate} | ${f(r.result.rps, 0)} | ${r.result.p50} ms | ${r.result.p97_5} ms | ${r.result.p99} ms | ${r.result.max} ms | ` +
      `${f(r.result.bytes_per_response / 1024, 1)} KiB | ${f(r.cpu_pct, 0)} % | ${target} |`;
  });
  return [...head, ...lines].join('\n');
}

export function renderHttpSection(r: HttpSuiteResult, machine: { date: string; text: string; command: string }): string {
  return [
    HTTP_SECTION_START,
    '## REST API (issue 8)',
    '',
    `Run ${machine.date} on ${machine.text} (\`${machine.command}\`); ${r.totalS.toFixed(0)} s.`,
    '',
    `The real web server (\`buildHttpServer\`: every route, the auth layer, the error mapper, the OpenAPI document) on 127.0.0.1 ` +
      `with ${r.pdus} PDUs whose status changes every second (emitted on the bus, so the /ws hub works too), and a history file ` +
      `holding ${r.days} days of one PDU44001 at 1 Hz written by the real writer (rollups included). Load from autocannon 8 in a ` +
      'child process over keep-alive connections; every answer was checked to be 2xx (the run fails otherwise). autocannon ' +
      'reports p97.5, not p95: a p97.5 under the target means the p95 is too. "Dashboard-like" is one connection at 20 req/s; ' +
      '"saturated" is 10 connections as fast as the server answers (latency then is mostly queueing). History rows are one ' +
      `range request each (\`start\`/\`end\` of the stored data), 10 req/s. Server RSS at the end: ${f(r.rss_mb, 0)} MB.`,
    '',
    formatHttpTable(r.rows),
    HTTP_SECTION_END,
  ].join('\n');
}

export function replaceHttpSection(doc: string | null, section: string): string {
  return replaceSection(doc, section, HTTP_SECTION_START, HTTP_SECTION_END);
}

// ---- the forked child: autocannon ----

export function runLoad(baseUrl: string, job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const opts: autocannon.Options = { url: baseUrl + job.path, connections: job.connections, duration: job.durationS, pipelining: 1 };
    if (job.rate) opts.overallRate = job.rate;
    autocannon(opts, (err, r) => {
      if (err) return reject(err);
      resolve({
        requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max,
        non2xx: r.non2xx, errors: r.errors + r.timeouts, bytes_per_response: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
      });
    });
  });
}

function childMain(base: string): void {
  // Bounded: a child whose parent vanished must not live on.
  clock.setTimeout(() => process.exit(3), 30 * 60_000);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ParentMsg) => {
    if (m.type === 'stop') process.exit(0);
    if (m.type === 'run') {
      runLoad(base, m.job).then(
        (result) => process.send?.({ type: 'result', result } satisfies ChildMsg),
        (err: unknown) => process.send?.({ type: 'error', message: String(err) } satisfies ChildMsg),
      );
    }
  });
  process.send?.({ type: 'ready' } satisfies ChildMsg);
}

if (process.argv[1] === THIS_FILE && process.argv[2] === LOAD_FLAG) childMain(process.argv[3] ?? '');
