import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DeviceRegistryPort, HistoryQueries } from '../core/ports.js';
import type { Config } from '../config/schema.js';
import { getProfile } from '../devices/pdu/profiles/index.js';
import { AuthSqlStore } from './auth-store.js';
import { EnergyJob } from './energy-job.js';
import { WalCheckpointer, type CheckpointStats } from './checkpointer.js';
import { DbHandle } from './handle.js';
import { RetentionJob } from './retention.js';
import type { NotifyQueueStore } from '../core/notify.js';
import { notifyQueueStore } from './notify-queue.js';
import { PowerStore } from './power-store.js';
import { historyQueries } from './queries.js';
import { RuleHistoryStore } from './rule-store.js';
import { SettingsStore } from './settings-store.js';
import { WatchdogSqlStore } from './watchdog-store.js';
import { HistoryStore } from './store.js';
import { HistoryWriter } from './writer.js';

// The history service (ARCHITECTURE.md service shape): opens the database at construction (so a
// corrupt, unwritable or newer file stops start-up with a clear message before anything polls),
// records every sample from the bus, and flushes on stop.

/** The service's busy timeout (SPEC §13.2: ≤ 20 ms so a locked database never stalls the loop). */
export const SERVICE_BUSY_MS = 20;

export interface HistoryServiceOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  bus: EventBus;
  registry: DeviceRegistryPort;
}

export interface HistoryService {
  readonly store: HistoryStore;
  /** Switches, power checks and outage records (SwitchStore and OutageStore ports). */
  readonly power: PowerStore;
  /** The webhook queue (SPEC §11.8 `notify_queue`). */
  readonly notifyQueue: NotifyQueueStore;
  /** Rule counters and automation events (RuleStore port), and the `GET /api/events` reader. */
  readonly rules: RuleHistoryStore;
  /** Watchdog state, runtime watchdogs and their events (WatchdogStore port, SPEC §12.7). */
  readonly watchdogs: WatchdogSqlStore;
  readonly writer: HistoryWriter;
  /** Bank/outlet history, energy rows and CSV exports for the web server (HistoryQueries port). */
  readonly queries: HistoryQueries;
  /** Runtime users, sessions and API tokens (AuthStore port, SPEC §16). */
  readonly auth: AuthSqlStore;
  /** Runtime settings saved through PUT /api/config (SPEC §14.2). */
  readonly settings: SettingsStore;
  retention(): RetentionDays;
  /** history.retention_days / raw_retention_days at runtime: the next retention run and queries use them. */
  setRetention(days: Partial<RetentionDays>): void;
  /** The WAL checkpoint worker's counters (docs/HISTORY.md "Writing"). */
  checkpoints(): CheckpointStats;
  start(): void;
  stop(): Promise<void>;
}

export interface RetentionDays {
  retentionDays: number;
  rawRetentionDays: number;
}

export function createHistoryService(opts: HistoryServiceOptions): HistoryService {
  const { config, clock, logger, registry } = opts;
  const handle = new DbHandle(config.history.path, SERVICE_BUSY_MS);
  const writer = new HistoryWriter(handle, {
    clock, logger, commitIntervalMs: config.history.commit_interval_ms,
    profileOf: (id) => {
      const info = registry.info(id);
      return info ? getProfile(info.profile) : null;
    },
    pollIntervalOf: (id) => registry.info(id)?.pollIntervalS ?? 1,
  });
  // Named option objects: runtime settings (setRetention) change them in place, and each job reads
  // its limits at every run.
  const retentionOpts = {
    handle, clock, logger, rawRetentionDays: config.history.raw_retention_days, retentionDays: config.history.retention_days,
    checkRetentionDays: config.switches.check_retention_days,
  };
  const energyOpts = { clock, logger, handle, tz: config.timezone, rawRetentionDays: config.history.raw_retention_days };
  const storeOpts = { retentionDays: config.history.retention_days, clock, writer, tariff: config.energy.tariff, timezone: config.timezone };
  const retention = new RetentionJob(retentionOpts);
  const energy = new EnergyJob(energyOpts);
  const store = new HistoryStore(handle, storeOpts);
  const power = new PowerStore(handle);
  const checkpointer = new WalCheckpointer({ handle, clock, logger });
  let off: (() => void) | null = null;
  return {
    store,
    power,
    notifyQueue: notifyQueueStore(() => handle.db),
    rules: new RuleHistoryStore(handle),
    watchdogs: new WatchdogSqlStore(handle),
    writer,
    queries: historyQueries(store, clock, config.timezone),
    auth: new AuthSqlStore(handle),
    settings: new SettingsStore(() => handle.db),
    checkpoints: () => checkpointer.stats(),
    retention: () => ({ retentionDays: storeOpts.retentionDays, rawRetentionDays: energyOpts.rawRetentionDays }),
    setRetention(days) {
      if (days.retentionDays !== undefined) retentionOpts.retentionDays = storeOpts.retentionDays = days.retentionDays;
      if (days.rawRetentionDays !== undefined) retentionOpts.rawRetentionDays = energyOpts.rawRetentionDays = days.rawRetentionDays;
    },
    start() {
      off = opts.bus.on('sample', (s) => writer.ingest(s));
      writer.start();
      retention.start();
      energy.start();
      checkpointer.start();
      logger.child({ module: 'history' }).info({ db: handle.path }, 'history recording');
    },
    async stop() {
      off?.();
      energy.stop();
      await retention.stop();
      writer.stop();
      // The worker's connection closes first, so the service's close is the last one and
      // checkpoints the whole WAL into the file (SPEC §6 shutdown).
      await checkpointer.stop();
      handle.close();
    },
  };
}
