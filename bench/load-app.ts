import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createApp, type App } from '../src/app.js';
import { configSchema, resolveConfig, type Config, type ConfigInput } from '../src/config/index.js';
import type { Clock, TimerHandle } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { CycleContext, TargetSpec } from '../src/core/scheduler.js';
import { percentileOfSorted } from '../src/core/stats.js';
import type { CheckpointStats } from '../src/history/checkpointer.js';
import { mb } from './ipc.js';
import { rssSplitMb } from './malloc.js';

// The app side of the load run (issue 10): the REAL app (createApp, no demo) configured as a user
// with N PDUs would write it — N cyberpower devices at poll_interval_s 1, the embedded broker with
// Home Assistant discovery, history in a SQLite file, a rules.json with two rules per PDU, the web
// server on an ephemeral port — plus counters read once per interval. Used in a child process by
// the benchmark (bench/load-worker.ts) and in-process by the smoke test: the same code either way.
//
// The only instrumentation inside the app: scheduler.add is wrapped on the app's own Scheduler
// instance (as bench/pollers.ts subclasses it) so that each PDU cycle's lateness (startedAt − dueAt,
// the value the scheduler records) and outcome are attributed to the interval the cycle STARTED in.

export const RULES_PER_PDU = 2;

export function loadDeviceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `pdu-${String(i + 1).padStart(3, '0')}`);
}

/**
 * Two realistic rules per PDU. The simulated source voltage drifts 118–122 V (60 s period, random
 * phase per PDU): "high line → shed outlet 10" with thresholds 121.8–122.7 V fires once a minute on
 * the PDUs with the lowest thresholds (it must hold 5 s) and restores below threshold − 2 V (the
 * default hysteresis). "Outlet 9 overdraw → shed outlet 8" (outlet 9 draws ~165–172 W) fires only
 * when voltage, power factor and noise line up. Both restore, so the SNMP SET path runs both ways.
 */
export function loadRules(ids: readonly string[]): Array<Record<string, unknown>> {
  return ids.flatMap((device, i) => [
    { name: `high-line-shed-${device}`, device, condition: 'voltage_above', input: 0, threshold: 121.8 + 0.1 * (i % 10), outlet: 10, action: 'off', delay: 5, restore: true, restore_delay: 5 },
    { name: `outlet9-overdraw-${device}`, device, condition: 'outlet_power_above', input: 9, threshold: 174, hysteresis: 4, outlet: 8, action: 'off', delay: 2, restore: true, restore_delay: 5 },
  ]);
}

/** mqttUrl '' or absent = the embedded broker on a free 127.0.0.1 port. */
export function loadConfigInput(o: { host: string; ports: readonly number[]; dataDir: string; mqttUrl?: string }): ConfigInput {
  return {
    demo: { enabled: false },
    devices: loadDeviceIds(o.ports.length).map((id, i) => ({ id, host: o.host, port: o.ports[i] as number, poll_interval_s: 1 })),
    mqtt: o.mqttUrl ? { url: o.mqttUrl } : { url: '', embedded: { port: 0, bind: '127.0.0.1' } },
    homeassistant: { enabled: true },
    history: { path: join(o.dataDir, 'power2mqtt.db') },
    rules: { path: join(o.dataDir, 'rules.json') },
    web: { port: 0 },
    reports: { path: join(o.dataDir, 'reports') },
  };
}

/** One interval's measurements; every count is for this interval only. */
export interface LoadInterval {
  wallMs: number;
  /** App process CPU (user + system, all threads) over the interval, % of one core. */
  cpuPct: number;
  rssMb: number;
  rssMaxMb: number;
  /** Lowest RSS of the 1 s samples of the interval: like the heap floor, free of the GC cycle's phase. */
  rssFloorMb: number;
  heapUsedMb: number;
  /** Lowest heapUsed of the 1 s samples of the interval: the live heap plus the least garbage. */
  heapFloorMb: number;
  /** V8 heap committed from the OS (heapTotal) at the read: the part of RSS the JS heap takes. */
  heapTotalMb: number;
  /** Memory outside the V8 heap held by JS objects (Buffers: MQTT payloads, retained messages) at the read. */
  externalMb: number;
  /** RssAnon / RssFile of /proc/self/status at the read (null off Linux): native growth shows in anon − heap total − external. */
  rssAnonMb: number | null;
  rssFileMb: number | null;
  /** PDU cycles due in the interval: started + overruns + skipped. */
  due: number;
  /** Cycles started in the interval that produced a snapshot. */
  done: number;
  /** overruns + skipped (loop blocked) + failed polls. */
  missed: number;
  failed: number;
  overruns: number;
  skipped: number;
  /** Cycles of the interval still running when the bounded settle gave up (neither done nor failed). */
  unsettled: number;
  latenessMs: { p50: number; p99: number; max: number; count: number };
  samplesWritten: number;
  writeErrors: number;
  droppedSamples: number;
  mqttPublished: number;
  mqttDropped: number;
  /** Samples × rules per PDU: each sample evaluates every rule of its PDU (RulesService on `sample`). */
  ruleEvaluations: number;
  /** Rule commands that succeeded: fired + restored. */
  ruleExecutions: number;
  ruleCommandFailures: number;
}

export interface LoadFinal {
  /** Samples in the SQLite file after the app stopped: tail rows + compacted chunk samples. */
  storedSamples: number;
  /** Writer's own count of samples written. */
  samplesWritten: number;
  writeErrors: number;
  /** Rule × device states in the app; `active` = evaluated against real data (no `inactive` reason). */
  ruleStates: number;
  ruleStatesActive: number;
  ruleExecutionCount: number;
  stoppedCleanly: boolean;
  /** WAL checkpoints of the history's worker thread over the whole run. */
  checkpoints: CheckpointStats | null;
}

export interface LoadApp {
  readonly app: App;
  readonly config: Config;
  readonly mqttUrl: string;
  readonly devices: number;
  /** Close the current interval: wait (bounded) for its cycles, return its measurements. */
  read(settleMs?: number): Promise<LoadInterval>;
  /** Stop the app (bounded) and count what is in the database. */
  finish(stopTimeoutMs?: number): Promise<LoadFinal>;
}

interface Epoch {
  started: number;
  ok: number;
  failed: number;
  inflight: number;
  lateness: number[];
}
const freshEpoch = (): Epoch => ({ started: 0, ok: 0, failed: 0, inflight: 0, lateness: [] });

export async function startLoadApp(o: { host: string; ports: readonly number[]; dataDir: string; clock: Clock; mqttUrl?: string }): Promise<LoadApp> {
  const { clock } = o;
  const ids = loadDeviceIds(o.ports.length);
  writeFileSync(join(o.dataDir, 'rules.json'), `${JSON.stringify(loadRules(ids), null, 1)}\n`);
  const config = resolveConfig(configSchema.parse(loadConfigInput(o)), { fileLoaded: true });
  const app = createApp({ config, logger: silentLogger(), configFile: null, clock });

  const samplesOf = new Map<string, number>();
  const totals = { samples: 0, executions: 0, commandFailures: 0 };
  app.bus.on('sample', (s) => {
    totals.samples++;
    samplesOf.set(s.device_id, (samplesOf.get(s.device_id) ?? 0) + 1);
  });
  app.bus.on('automation', (e) => {
    if (e.type === 'triggered' || e.type === 'restored') totals.executions++;
    else if (e.type === 'command_failed') totals.commandFailures++;
  });

  let epoch = freshEpoch();
  const add = app.scheduler.add.bind(app.scheduler);
  app.scheduler.add = (spec: TargetSpec) => {
    if (!spec.id.startsWith('pdu:')) return add(spec);
    const deviceId = spec.id.slice('pdu:'.length);
    const run = async (ctx: CycleContext): Promise<void> => {
      const e = epoch;
      e.started++;
      e.inflight++;
      e.lateness.push(ctx.startedAt - ctx.dueAt);
      const before = samplesOf.get(deviceId) ?? 0;
      try {
        await spec.run(ctx);
      } finally {
        e.inflight--;
        // Cycles of one target never overlap and a PduDevice emits its sample inside its cycle.
        if ((samplesOf.get(deviceId) ?? 0) > before) e.ok++;
        else e.failed++;
      }
    };
    return add({ ...spec, run });
  };

  await app.start();

  const pduStats = (): { overruns: number; skipped: number } => {
    const t = { overruns: 0, skipped: 0 };
    for (const s of app.scheduler.stats()) {
      if (!s.id.startsWith('pdu:')) continue;
      t.overruns += s.overruns;
      t.skipped += s.missed;
    }
    return t;
  };
  const cumulative = () => {
    const w = app.history?.writer.stats;
    const m = app.mqtt?.client.stats();
    return {
      at: clock.monotonic(), cpu: process.cpuUsage(), ...pduStats(), samples: totals.samples, executions: totals.executions,
      commandFailures: totals.commandFailures, written: w?.samples_written ?? 0, writeErrors: w?.write_errors ?? 0,
      dropped: w?.dropped_samples ?? 0, published: m?.publishes ?? 0, mqttDropped: m?.dropped ?? 0,
    };
  };

  // Heap and RSS once a second: a reading at an arbitrary moment of the GC cycle is noisy, the
  // interval's lowest heap is not.
  let heapFloor = Infinity;
  let rssMax = 0;
  let rssFloor = Infinity;
  let memTimer: TimerHandle | undefined;
  const sampleMemory = (): void => {
    const m = process.memoryUsage();
    heapFloor = Math.min(heapFloor, m.heapUsed);
    rssMax = Math.max(rssMax, m.rss);
    rssFloor = Math.min(rssFloor, m.rss);
    memTimer = clock.setTimeout(sampleMemory, 1000);
  };
  sampleMemory();

  let prev = cumulative();
  let finished: LoadFinal | undefined;
  const mqttUrl = app.broker ? app.broker.url : config.mqtt.url;

  return {
    app, config, mqttUrl, devices: ids.length,

    async read(settleMs = 3000) {
      const e = epoch;
      epoch = freshEpoch();
      const now = cumulative();
      const mem = process.memoryUsage();
      const split = rssSplitMb();
      const floor = Math.min(heapFloor, mem.heapUsed);
      const peak = Math.max(rssMax, mem.rss);
      const rssLow = Math.min(rssFloor, mem.rss);
      heapFloor = Infinity;
      rssMax = 0;
      rssFloor = Infinity;
      const p = prev;
      prev = now;
      // The interval's last cycles end within their deadline (timeout_ms); bounded wait.
      const until = clock.monotonic() + settleMs;
      while (e.inflight > 0 && clock.monotonic() < until) await clock.sleep(20);
      const overruns = now.overruns - p.overruns;
      const skipped = now.skipped - p.skipped;
      const lat = [...e.lateness].sort((a, b) => a - b);
      const wallMs = now.at - p.at;
      const cpuUs = now.cpu.user + now.cpu.system - p.cpu.user - p.cpu.system;
      return {
        wallMs,
        cpuPct: wallMs > 0 ? cpuUs / 10 / wallMs : 0,
        rssMb: mb(mem.rss), rssMaxMb: mb(peak), rssFloorMb: mb(rssLow), heapUsedMb: mb(mem.heapUsed), heapFloorMb: mb(floor), heapTotalMb: mb(mem.heapTotal), externalMb: mb(mem.external),
        rssAnonMb: split?.anon ?? null, rssFileMb: split?.file ?? null,
        due: e.started + overruns + skipped, done: e.ok, missed: overruns + skipped + e.failed, failed: e.failed, overruns, skipped,
        unsettled: e.inflight,
        latenessMs: { p50: percentileOfSorted(lat, 50), p99: percentileOfSorted(lat, 99), max: lat[lat.length - 1] ?? 0, count: lat.length },
        samplesWritten: now.written - p.written, writeErrors: now.writeErrors - p.writeErrors, droppedSamples: now.dropped - p.dropped,
        mqttPublished: now.published - p.published, mqttDropped: now.mqttDropped - p.mqttDropped,
        ruleEvaluations: (now.samples - p.samples) * RULES_PER_PDU,
        ruleExecutions: now.executions - p.executions, ruleCommandFailures: now.commandFailures - p.commandFailures,
      };
    },

    async finish(stopTimeoutMs = 20_000) {
      if (finished) return finished;
      clock.clearTimeout(memTimer);
      const states = app.rules?.list() ?? [];
      const ruleStatesActive = states.filter((r) => r.state.device_id !== '' && r.state.inactive === null).length;
      const ruleExecutionCount = states.reduce((s, r) => s + r.state.execution_count, 0);
      let timer: TimerHandle | undefined;
      const timeout = new Promise<false>((resolve) => (timer = clock.setTimeout(() => resolve(false), stopTimeoutMs)));
      const stoppedCleanly = await Promise.race([app.stop().then(() => true as const, () => false as const), timeout]);
      clock.clearTimeout(timer);
      const w = app.history?.writer.stats;
      finished = {
        storedSamples: countStoredSamples(config.history.path), samplesWritten: w?.samples_written ?? 0, writeErrors: w?.write_errors ?? 0,
        ruleStates: states.length, ruleStatesActive, ruleExecutionCount, stoppedCleanly, checkpoints: app.history?.checkpoints() ?? null,
      };
      return finished;
    },
  };
}

/** Samples in a history file: open-chunk tail rows plus the samples of compacted chunks. */
export function countStoredSamples(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT (SELECT COUNT(*) FROM raw_tail) + (SELECT COALESCE(SUM(k), 0) FROM raw_chunk) AS n').get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}
