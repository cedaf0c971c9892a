import { mkdtempSync, rmSync } from 'node:fs';
import { mb, sendToParent } from './ipc.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp, type App } from '../src/app.js';
import { configSchema, resolveConfig } from '../src/config/index.js';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import type { TargetStats } from '../src/core/scheduler.js';
import type { ProfileSummary } from './cpu-profile.js';
import { startCpuProfile, stopCpuProfile } from './profiler.js';
import { bridgeConfigInput } from './mqtt-config.js';
import type { BridgeMessage, BridgeRequest, BridgeStart, BridgeWindowResult, WindowSpec } from './mqtt-protocol.js';

// Child process of the MQTT benchmark: the bridge being measured, alone in its process so its CPU
// (process.cpuUsage) and RSS are its own. It is the real application: `createApp` with a config
// built the way a config file would be (configSchema.parse + resolveConfig): no demo, N devices on
// the agents' 127.0.0.1 ports, HA discovery on, and either the embedded aedes broker (mqtt.url "",
// embedded port 0) or the mosquitto the orchestrator started (mqtt.url). Nothing is added to the
// app but a counting `sample` subscriber. A hard lifetime bound ends it regardless.

const clock = new RealClock();
const send = (m: BridgeMessage): Promise<void> => sendToParent(m);
const STOP_TIMEOUT_MS = 15_000;
const LOOP_RESOLUTION_MS = 10;

const warnings = new Set<string>();
process.on('warning', (w) => {
  if (warnings.size < 5) warnings.add(`${w.name}: ${w.message}`);
});

let app: App | undefined;
let dataDir: string | undefined;
let stopping: Promise<void> | undefined;

async function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    const t0 = clock.monotonic();
    let clean = true;
    if (app) {
      let timer: ReturnType<RealClock['setTimeout']> | undefined;
      const timeout = new Promise<false>((r) => (timer = clock.setTimeout(() => r(false), STOP_TIMEOUT_MS)));
      clean = await Promise.race([app.stop().then(() => true as const, () => false as const), timeout]);
      clock.clearTimeout(timer);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await send({ type: 'stopped', clean, stopMs: clock.monotonic() - t0 });
  })();
  await stopping;
  process.disconnect?.();
  process.exit(code);
}

function schedulerTotals(a: App): { started: number; failed: number; overruns: number; missed: number } {
  const t = { started: 0, failed: 0, overruns: 0, missed: 0 };
  for (const s of a.scheduler.stats() as TargetStats[]) {
    t.started += s.started;
    t.failed += s.failed;
    t.overruns += s.overruns;
    t.missed += s.missed;
  }
  return t;
}

async function start(opts: BridgeStart): Promise<void> {
  clock.setTimeout(() => {
    void send({ type: 'error', message: 'bridge worker exceeded its lifetime' }).then(() => stop(4));
  }, opts.maxLifetimeMs);
  const t0 = clock.monotonic();
  dataDir = mkdtempSync(join(tmpdir(), 'p2m-bench-mqtt-'));
  const parsed = configSchema.parse(bridgeConfigInput({ ...opts, dataDir }));
  const config = resolveConfig(parsed, { fileLoaded: true });
  const a = createApp({ config, logger: silentLogger(), configFile: null });
  app = a;
  const seen = new Set<string>();
  let samples = 0;
  a.bus.on('sample', (s) => {
    samples++;
    seen.add(s.device_id);
  });
  await a.start();
  const mqttUrl = a.broker ? a.broker.url : config.mqtt.url;
  await send({ type: 'ready', mqttUrl, embedded: a.broker !== null, startupMs: clock.monotonic() - t0, devices: config.devices.map((d) => d.id) });

  const onWindow = async (w: WindowSpec): Promise<void> => {
    const mqtt = a.mqtt;
    if (!mqtt) throw new Error('the app has no MQTT service');
    await clock.sleep(Math.max(0, w.startAt - clock.now()));
    const session = opts.cpuProfile ? await startCpuProfile() : undefined;
    const s0 = schedulerTotals(a); // stats() sorts rings: read outside the CPU window
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    const m0 = mqtt.client.stats();
    const n0 = samples;
    const at0 = clock.monotonic();
    const cpu0 = process.cpuUsage();
    loop.enable();
    await clock.sleep(Math.max(0, w.endAt - clock.now()));
    const cpu = process.cpuUsage(cpu0);
    const at1 = clock.monotonic();
    const n1 = samples;
    const m1 = mqtt.client.stats();
    loop.disable();
    const mem = process.memoryUsage();
    const s1 = schedulerTotals(a);
    let profile: ProfileSummary | null = null;
    if (session) profile = await stopCpuProfile(session, opts.profilePath);
    // The histogram records the whole interval between its timer's runs: the delay is that − the resolution.
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    const result: BridgeWindowResult = {
      type: 'window-result',
      windowMs: at1 - at0,
      polls: n1 - n0,
      cyclesStarted: s1.started - s0.started,
      cyclesFailed: s1.failed - s0.failed,
      overruns: s1.overruns - s0.overruns,
      skipped: s1.missed - s0.missed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      publishes: m1.publishes - m0.publishes,
      dropped: m1.dropped - m0.dropped,
      publishesBeforeWindow: m0.publishes,
      connects: m1.connects,
      rssMb: mb(mem.rss),
      heapUsedMb: mb(mem.heapUsed),
      silentDevices: config.devices.filter((d) => !seen.has(d.id)).length,
      warnings: [...warnings],
      loopDelayMs: loop.count > 0 ? { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } : null,
      profile,
    };
    await send(result);
  };

  windowHandler = (w) => onWindow(w).catch((err: unknown) => void send({ type: 'error', message: `window: ${errorMessage(err)}` }));
}

let windowHandler: ((w: WindowSpec) => void) | undefined;
let started = false;
process.on('disconnect', () => void stop(0));
process.on('message', (m: BridgeRequest) => {
  if (m.type === 'start' && !started) {
    started = true;
    start(m).catch((err: unknown) => {
      void send({ type: 'error', message: errorMessage(err) }).then(() => stop(1));
    });
  } else if (m.type === 'window') {
    if (windowHandler) windowHandler(m);
    else void send({ type: 'error', message: 'window requested before the bridge was ready' });
  } else if (m.type === 'stop') {
    void stop(0);
  }
});
