import { EventBus } from '../src/core/bus.js';
import type { Clock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { Scheduler, type CycleContext, type ScheduledTarget, type TargetSpec, type TargetStats } from '../src/core/scheduler.js';
import { percentileOfSorted } from '../src/core/stats.js';
import { PduDevice, type PduDeviceSettings } from '../src/devices/pdu/device.js';
import { NetSnmpTransport } from '../src/devices/pdu/net-snmp-transport.js';
import { getProfile } from '../src/devices/pdu/profiles/index.js';
import { DeviceRegistry } from '../src/devices/registry.js';

// The poller side of the polling benchmark: N real PduDevices (net-snmp client over UDP, profile
// cps-mib, config defaults) on one Scheduler, started through DeviceRegistry.startAll exactly as
// the app does. It only adds counters: a `sample` subscriber and a Scheduler subclass that sees
// each cycle start and end, recording its lateness (startedAt − dueAt, the value the scheduler
// itself records) and whether it produced a snapshot, so percentiles and outcomes are taken over
// all targets and only over cycles that started in the measurement window.

export interface PollerOptions {
  host: string;
  ports: readonly number[];
  clock: Clock;
  /** snmp.timeout_ms (config default 800). */
  timeoutMs?: number;
  /** snmp.retries (config default 0). */
  retries?: number;
  pollIntervalMs?: number;
}

export interface CounterSnapshot {
  atMono: number;
  samples: number;
  started: number;
  completed: number;
  failed: number;
  deadlineExceeded: number;
  overruns: number;
  missed: number;
}

/** Counts over a measurement window; polls are attributed to the window their cycle STARTED in. */
export interface WindowCounts {
  windowMs: number;
  /** Cycles that fell due in the window: started + overruns + skipped. */
  dueCycles: number;
  /** Cycles that ended with a snapshot on the bus (successful polls). */
  okPolls: number;
  /** Cycles that ended without a snapshot (SNMP error, timeout, deadline, rejected). */
  failedPolls: number;
  overruns: number;
  missed: number;
  deadlineExceeded: number;
  /** Cycles whose promise rejected (PduDevice.cycle never throws, so this should stay 0); also failed polls. */
  schedulerFailed: number;
  /** overruns + skipped + failed polls (deadline-exceeded and rejected cycles are failed polls) = due − ok. */
  missedCycles: number;
  /** Window cycles still running when counted (settle() timed out); neither ok nor failed. */
  unsettled: number;
  latenessMs: { p50: number; p99: number; max: number; count: number };
  pollMs: { p50: number; p99: number; max: number };
  devicesWithSamples: number;
  /** Samples whose snapshot carried per-OID decode problems, or not 10 outlets. */
  badSnapshots: number;
}

/** A Scheduler that lets the harness see every cycle start and end (the cycles themselves are untouched). */
class RecordingScheduler extends Scheduler {
  around: (targetId: string, ctx: CycleContext, run: () => Promise<void>) => Promise<void> = (_id, _ctx, run) => run();

  override add(spec: TargetSpec): ScheduledTarget {
    return super.add({ ...spec, run: (ctx) => this.around(spec.id, ctx, () => spec.run(ctx)) });
  }
}

export interface Pollers {
  readonly devices: readonly PduDevice[];
  readonly bus: EventBus;
  /** Snapshot counters now; pass two of them to window(). */
  counters(): CounterSnapshot;
  /** Start attributing cycles (lateness, outcome, poll duration) to a fresh window. */
  beginWindow(): CounterSnapshot;
  /** Stop attributing new cycles; cycles already started still finish into the window. */
  endWindow(): CounterSnapshot;
  /** Wait (bounded) until the window's cycles have all ended. */
  settle(timeoutMs: number): Promise<boolean>;
  window(a: CounterSnapshot, b: CounterSnapshot): WindowCounts;
  /** Samples seen per device since start (including warm-up). */
  samplesPerDevice(): ReadonlyMap<string, number>;
  /** Stop the scheduler and every device; bounded by `timeoutMs`. Returns false on timeout. */
  stop(timeoutMs?: number): Promise<boolean>;
}

export const EXPECTED_OUTLETS = 10;

export function startPollers(opts: PollerOptions): Pollers {
  const { clock } = opts;
  const bus = new EventBus();
  const logger = silentLogger();
  const scheduler = new RecordingScheduler(clock);
  const registry = new DeviceRegistry(clock);
  const profile = getProfile('cps-mib');
  const devices: PduDevice[] = opts.ports.map((port, i) => {
    const settings: PduDeviceSettings = {
      id: `bench-${i + 1}`, label: '', host: opts.host, port, version: '2c', community: 'public', writeCommunity: 'private',
      profile, timeoutMs: opts.timeoutMs ?? 800, retries: opts.retries ?? 0, pollIntervalMs: opts.pollIntervalMs ?? 1000,
      maxOidsPerRequest: 0, meteringFloor: true, expectedSerial: '', capabilityRecheckMs: 3_600_000, protectedOutlets: new Set(),
    };
    const d = new PduDevice(settings, { clock, bus, logger, transportFactory: (o) => new NetSnmpTransport(o) });
    registry.add(d);
    return d;
  });

  const byId = new Map(devices.map((d) => [d.id, d]));
  let samples = 0;
  let inWindow = false;
  const perDevice = new Map<string, number>();
  // Per window, by the cycle's START time: a cycle started in the window counts, whenever it ends.
  let w = freshWindow();
  function freshWindow() {
    return { started: 0, ok: 0, failed: 0, rejected: 0, inflight: 0, lateness: [] as number[], pollMs: [] as number[], bad: 0, devices: new Set<string>() };
  }

  bus.on('sample', (s) => {
    samples++;
    perDevice.set(s.device_id, (perDevice.get(s.device_id) ?? 0) + 1);
  });
  scheduler.around = async (targetId, ctx, run) => {
    if (!inWindow) return run();
    const win = w;
    const deviceId = targetId.slice('pdu:'.length);
    win.started++;
    win.inflight++;
    win.lateness.push(ctx.startedAt - ctx.dueAt);
    const before = perDevice.get(deviceId) ?? 0;
    try {
      await run();
    } catch (err) {
      win.rejected++;
      throw err;
    } finally {
      win.inflight--;
      // Cycles of one target never overlap and a PduDevice emits its snapshot inside its cycle,
      // so a new sample of this device during the run is this cycle's result.
      if ((perDevice.get(deviceId) ?? 0) > before) {
        win.ok++;
        win.devices.add(deviceId);
        const snap = byId.get(deviceId)?.snapshot();
        if (snap) {
          if (snap.transport.poll_ms !== null) win.pollMs.push(snap.transport.poll_ms);
          if (snap.errors.length > 0 || Object.keys(snap.outlets).length !== EXPECTED_OUTLETS) win.bad++;
        }
      } else {
        win.failed++;
      }
    }
  };
  registry.startAll(scheduler);

  const counters = (): CounterSnapshot => {
    const c: CounterSnapshot = { atMono: clock.monotonic(), samples, started: 0, completed: 0, failed: 0, deadlineExceeded: 0, overruns: 0, missed: 0 };
    for (const t of scheduler.stats() as TargetStats[]) {
      c.started += t.started;
      c.completed += t.completed;
      c.failed += t.failed;
      c.deadlineExceeded += t.deadlineExceeded;
      c.overruns += t.overruns;
      c.missed += t.missed;
    }
    return c;
  };

  return {
    devices,
    bus,
    counters,
    beginWindow() {
      const c = counters(); // scheduler.stats() sorts each target's rings: read before the window opens
      w = freshWindow();
      inWindow = true;
      return c;
    },
    endWindow() {
      inWindow = false;
      return counters();
    },
    async settle(timeoutMs) {
      const until = clock.monotonic() + timeoutMs;
      while (w.inflight > 0 && clock.monotonic() < until) await clock.sleep(20);
      return w.inflight === 0;
    },
    window(a, b) {
      const overruns = b.overruns - a.overruns;
      const missed = b.missed - a.missed;
      const lat = [...w.lateness].sort((x, y) => x - y);
      const pm = [...w.pollMs].sort((x, y) => x - y);
      return {
        windowMs: b.atMono - a.atMono,
        dueCycles: w.started + overruns + missed,
        okPolls: w.ok,
        failedPolls: w.failed,
        overruns,
        missed,
        deadlineExceeded: b.deadlineExceeded - a.deadlineExceeded,
        schedulerFailed: w.rejected,
        missedCycles: overruns + missed + w.failed,
        unsettled: w.inflight,
        latenessMs: { p50: percentileOfSorted(lat, 50), p99: percentileOfSorted(lat, 99), max: lat.at(-1) ?? 0, count: lat.length },
        pollMs: { p50: percentileOfSorted(pm, 50), p99: percentileOfSorted(pm, 99), max: pm.at(-1) ?? 0 },
        devicesWithSamples: w.devices.size,
        badSnapshots: w.bad,
      };
    },
    samplesPerDevice: () => perDevice,
    async stop(timeoutMs = 10_000) {
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = clock.setTimeout(() => resolve(false), timeoutMs);
      });
      const done = (async () => {
        await scheduler.stop();
        await registry.stopAll();
        return true as const;
      })();
      const ok = await Promise.race([done, timeout]);
      clock.clearTimeout(timer);
      return ok;
    },
  };
}
