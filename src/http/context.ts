import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AuthStore, DemoPort, DeviceRegistryPort, DeviceStateStore, HealthPort, HistoryQueries, OutagePort, RulesPort, SwitchesPort, WatchdogsPort } from '../core/ports.js';
import type { PduToolsPort } from '../core/pdu-tools.js';
import type { PowerCheck } from '../core/power.js';
import type { ReportsPort } from '../core/reports.js';
import type { SettingsPort, SystemPort } from '../core/system.js';

// What the web server is handed by app.ts: config, the shared services and the ports it reads
// other services' data through (ARCHITECTURE.md "Direction"). A null port = that service is off.

/** Stored probe results, newest first (SPEC §14.4 `/api/power-checks`); matches `SwitchStore.listChecks`. */
export interface PowerChecksReader {
  /** `since` in epoch seconds. */
  listChecks(q: { since: number; switchId?: number; limit: number }): PowerCheck[];
}

/** One stored event (SPEC §13.1 `events`); `ts` in epoch seconds. Matches the history store's EventRecord. */
export interface StoredEvent {
  id: number;
  ts: number;
  device_id: string | null;
  kind: string;
  type: string;
  source: string | null;
  details: string | null;
  data: unknown;
}

/** Stored events of every kind, newest first (SPEC §14.2 `/api/events`); matches `RuleHistoryStore.listEvents`. */
export interface EventsReader {
  /** `limit` 1..1000; `since` in epoch seconds (inclusive). Bad filters throw P2M_ERR_VALIDATION. */
  listEvents(q: { deviceId?: string; limit: number; kind?: string; type?: string; since?: number }): StoredEvent[];
}

export interface HttpContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  bus: EventBus;
  registry: DeviceRegistryPort;
  /** Switch probes (devices/switch); null when not running. */
  switches: SwitchesPort | null;
  /** Stored checks (history); null without a history store. */
  checks: PowerChecksReader | null;
  /** Outage engine; null when `outage.enabled` is false. */
  outages: OutagePort | null;
  health: HealthPort;
  /** Rules engine (SPEC §12); null when not running. */
  rules: RulesPort | null;
  /** Outlet watchdogs (SPEC §12.7); absent/null when not running. */
  watchdogs?: WatchdogsPort | null;
  /** Stored events (history); null without a history store. */
  events: EventsReader | null;
  /** Bank/outlet history and energy (history); null without a history store. */
  history: HistoryQueries | null;
  /** Demo scenarios; null unless the demo runs. */
  demo: DemoPort | null;
  /** Web users, sessions and API tokens (history, SPEC §16); absent/null without a database: nobody can sign in. */
  auth?: AuthStore | null;
  /** Energy report files (reports/, SPEC §13.7); absent/null without a history store. */
  reports?: ReportsPort | null;
  /** PDU discovery, connection test and device settings (devices/pdu/tools.ts); absent/null: those endpoints answer 503. */
  pduTools?: PduToolsPort | null;
  /** Runtime settings (SPEC §14.2 PUT /api/config); absent/null without a database: 503. */
  settings?: SettingsPort | null;
  /** Logs, restart and the MQTT test (app.ts); absent/null: those endpoints answer 503. */
  system?: SystemPort | null;
  /** Runtime devices and outlet names as stored, for backups (history); absent/null: not in the backup. */
  deviceState?: DeviceStateStore | null;
  version: string;
}

/** The fastify instance routes are registered on: zod schemas type requests and replies. */
export type HttpApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;
