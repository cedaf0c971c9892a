import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../src/core/clock.js';
import { startRetainedSampling, type RetainedSampling } from './heap-sampling.js';
import { errorMessage } from '../src/core/errors.js';
import { sendToParent } from './ipc.js';
import { startLoadApp, type LoadApp } from './load-app.js';
import { allocatorInUse } from './malloc.js';
import type { LoadWorkerMessage, LoadWorkerRequest } from './load-protocol.js';

// Child process of the load run: the real app (bench/load-app.ts), alone in its process so that
// its CPU (process.cpuUsage) and memory are its own. Answers `read` with the interval just closed,
// `finish` with the database counts after stopping the app. A hard lifetime bound ends it regardless.

const clock = new RealClock();
const send = (m: LoadWorkerMessage): Promise<void> => sendToParent(m);

let load: LoadApp | undefined;
let dataDir: string | undefined;
let stopping: Promise<void> | undefined;

async function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    await load?.finish().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await send({ type: 'stopped' });
  })();
  await stopping;
  process.disconnect?.();
  process.exit(code);
}

async function start(m: Extract<LoadWorkerRequest, { type: 'start' }>): Promise<void> {
  clock.setTimeout(() => void send({ type: 'error', message: 'load worker exceeded its lifetime' }).then(() => stop(4)), m.maxLifetimeMs);
  const t0 = clock.monotonic();
  dataDir = mkdtempSync(join(tmpdir(), 'p2m-bench-load-'));
  const ports = Array.from({ length: m.count }, (_, i) => m.portBase + i);
  load = await startLoadApp({ host: m.host, ports, dataDir, clock, mqttUrl: m.mqttUrl });
  await send({ type: 'ready', mqttUrl: load.mqttUrl, devices: load.devices, startupMs: clock.monotonic() - t0, allocator: allocatorInUse() });
}

let started = false;
// P2M_LOAD_RETAINED=1: V8's sampling heap profiler from the end of the warm-up to the finish; what
// was allocated in that window and is still alive at the end, by allocation site, goes to stderr
// (a separate run: the profiler costs CPU). Finds what the heap floor's growth is made of.
let retained: Promise<RetainedSampling> | null = null;
process.on('disconnect', () => void stop(0));
process.on('message', (m: LoadWorkerRequest) => {
  const fail = (err: unknown): void => void send({ type: 'error', message: errorMessage(err) });
  if (m.type === 'start' && !started) {
    started = true;
    start(m).catch((err: unknown) => {
      fail(err);
      void stop(1);
    });
  } else if (m.type === 'read') {
    if (!load) return fail(new Error('read before the app was ready'));
    load.read().then((r) => send({ type: 'interval', ...r }), fail);
    if (retained === null && process.env.P2M_LOAD_RETAINED) retained = startRetainedSampling();
  } else if (m.type === 'finish') {
    if (!load) return fail(new Error('finish before the app was ready'));
    if (retained) void retained.then((r) => r.report(25)).then((text) => process.stderr.write(text), fail);
    load.finish().then((r) => send({ type: 'final', ...r }), fail);
  } else if (m.type === 'stop') {
    void stop(0);
  }
});
