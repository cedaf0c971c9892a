import { EventBus } from '../src/core/bus.js';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import { Scheduler, type ScheduledTarget } from '../src/core/scheduler.js';
import { RecentSamples } from '../src/core/stats.js';
import { PlugDevice } from '../src/devices/plug/device.js';
import type { PlugDeviceSettings } from '../src/devices/plug/settings.js';
import { staggerOffset } from '../src/devices/registry.js';
import { mb, sendToParent } from './ipc.js';
import { startCpuProfile, stopCpuProfile } from './profiler.js';
import type { PlugWorkerMessage, PlugWorkerStart } from './plug-protocol.js';

// Child process of the plugs benchmark: the plug pollers being measured (real PlugDevice, real
// Scheduler, one target per plug at 1 Hz, staggered like the registry does), alone in their
// process so CPU and RSS are theirs. Measures lateness (cycle start − due time) per cycle.

const clock = new RealClock();
const send = (m: PlugWorkerMessage): Promise<void> => sendToParent(m);

async function run(o: PlugWorkerStart): Promise<void> {
  clock.setTimeout(() => void send({ type: 'error', message: 'plug worker exceeded its lifetime' }).then(() => process.exit(4)), o.warmupMs + o.windowMs + 120_000);
  const bus = new EventBus();
  const scheduler = new Scheduler(clock);
  const base = { label: '', host: '127.0.0.1', password: '', pollIntervalMs: o.periodMs, timeoutMs: Math.floor(o.periodMs * 0.9), role: '' as const, protectedOutlets: new Set<number>() };
  const settings: PlugDeviceSettings[] = [
    ...o.kasa.map((port, i) => ({ ...base, id: `kasa-${i}`, kind: 'kasa' as const, port })),
    ...o.shelly.map((port, i) => ({ ...base, id: `shelly-${i}`, kind: 'shelly' as const, port })),
  ];
  const devices = settings.map((s) => new PlugDevice(s, { clock, bus, logger: silentLogger() }));
  let inWindow = false;
  const lateness = new RecentSamples(200_000);
  const pollMs = new RecentSamples(200_000);
  const c = { started: 0, ok: 0, failed: 0 };
  bus.on('sample', (s) => {
    if (!inWindow) return;
    c.ok++;
    if (s.transport.poll_ms !== null) pollMs.record(s.transport.poll_ms);
  });
  const targets: ScheduledTarget[] = devices.map((d, i) => scheduler.add({
    id: `plug:${d.id}`, periodMs: o.periodMs, deadlineMs: d.settings.timeoutMs, offsetMs: staggerOffset(i, devices.length, 100, o.periodMs),
    run: async (ctx) => {
      if (inWindow) {
        c.started++;
        lateness.record(ctx.startedAt - ctx.dueAt);
      }
      const failures = d.pollFailures();
      await d.cycle(ctx);
      if (inWindow && d.pollFailures() > failures) c.failed++;
    },
  }));
  await clock.sleep(o.warmupMs);
  const missed = (): number => targets.reduce((s, t) => s + t.stats().missed + t.stats().overruns, 0);
  void send({ type: 'window-start' });
  const missed0 = missed();
  inWindow = true;
  // P2M_PLUG_PROFILE=<file>: a V8 CPU profile of the window (a separate run: the profiler costs CPU).
  const profilePath = process.env.P2M_PLUG_PROFILE;
  const profiler = profilePath ? await startCpuProfile() : null;
  const cpu0 = process.cpuUsage();
  const t0 = clock.monotonic();
  await clock.sleep(o.windowMs);
  inWindow = false;
  const windowMs = clock.monotonic() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (profiler && profilePath) {
    const summary = await stopCpuProfile(profiler, profilePath);
    process.stderr.write(`${[...summary.byOrigin, ...summary.topFunctions.slice(0, 25)].map((r) => `${r.pct.toFixed(1).padStart(5)} %  ${r.name}`).join('\n')}\n`);
  }
  const missed1 = missed();
  const mem = process.memoryUsage();
  void send({ type: 'window-end' });
  await scheduler.stop();
  await Promise.all(devices.map((d) => d.stop()));
  const l = { p50: lateness.percentile(50), p99: lateness.percentile(99), max: lateness.max };
  const p = { p50: pollMs.percentile(50), p99: pollMs.percentile(99) };
  await send({
    type: 'result', devices: devices.length, dueCycles: Math.round((devices.length * windowMs) / o.periodMs), startedCycles: c.started,
    okPolls: c.ok, failedPolls: c.failed, missedCycles: missed1 - missed0, latenessMs: { p50: l.p50, p99: l.p99, max: l.max },
    pollMs: { p50: p.p50, p99: p.p99 }, cpuMs: (cpu.user + cpu.system) / 1000, windowMs, rssMb: mb(mem.rss), heapUsedMb: mb(mem.heapUsed),
  });
}

process.on('disconnect', () => process.exit(0));
process.once('message', (m: PlugWorkerStart) => {
  run(m).then(
    () => {
      process.disconnect?.();
      process.exit(0);
    },
    (err: unknown) => void send({ type: 'error', message: errorMessage(err) }).then(() => process.exit(1)),
  );
});
