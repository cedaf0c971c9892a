import { mb, sendToParent } from './ipc.js';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import type { ProfileSummary } from './cpu-profile.js';
import { startCpuProfile, stopCpuProfile } from './profiler.js';
import { startPollers } from './pollers.js';
import type { WorkerMessage, WorkerStart } from './protocol.js';

// Child process of the polling benchmark: the poller being measured, alone in its process so its
// CPU (process.cpuUsage) and RSS are its own. Gets one `start` message, polls through warm-up and
// the window, reports, stops everything and exits. A hard lifetime bound ends it regardless.

const clock = new RealClock();
const send = (m: WorkerMessage): Promise<void> => sendToParent(m);

async function run(opts: WorkerStart): Promise<void> {
  clock.setTimeout(() => {
    void send({ type: 'error', message: 'poll worker exceeded its lifetime' }).then(() => process.exit(4));
  }, opts.warmupMs + opts.windowMs + 120_000);

  const ports = Array.from({ length: opts.count }, (_, i) => opts.port + i);
  const pollers = startPollers({ host: opts.host, ports, clock, timeoutMs: opts.timeoutMs, retries: opts.retries });
  await clock.sleep(opts.warmupMs);

  const session = opts.cpuProfile ? await startCpuProfile() : undefined;
  void send({ type: 'window-start' });
  const a = pollers.beginWindow();
  const cpu0 = process.cpuUsage();
  await clock.sleep(opts.windowMs);
  const cpu = process.cpuUsage(cpu0);
  const b = pollers.endWindow();
  const mem = process.memoryUsage();
  void send({ type: 'window-end' });

  let profile: ProfileSummary | null = null;
  if (session) profile = await stopCpuProfile(session, opts.profilePath);
  // Cycles that started in the window finish within their deadline (timeout_ms); count them too.
  await pollers.settle(opts.timeoutMs * (opts.retries + 1) + 1000);

  const counts = pollers.window(a, b);
  let silentDevices = 0;
  for (const d of pollers.devices) if (!pollers.samplesPerDevice().get(d.id)) silentDevices++;
  const stoppedCleanly = await pollers.stop(15_000);
  await send({
    type: 'result',
    counts,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssMb: mb(mem.rss),
    heapUsedMb: mb(mem.heapUsed),
    silentDevices,
    stoppedCleanly,
    profile,
  });
}

process.on('disconnect', () => process.exit(0));
process.once('message', (m: WorkerStart) => {
  run(m).then(
    () => {
      process.disconnect?.();
      process.exit(0);
    },
    (err: unknown) => {
      void send({ type: 'error', message: errorMessage(err) }).then(() => process.exit(1));
    },
  );
});
