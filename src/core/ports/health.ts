// Ports: what the web server asks of the rest (SPEC §14).

/** Poll cycles of one device (scheduler and poller), since the device was added. */
export interface PollStats {
  device_id: string;
  /** Cycles finished, with or without a sample. */
  cycles: number;
  /** Cycles that ended without a sample. */
  failures: number;
  /** Duration of the last finished cycle. */
  last_duration_ms: number;
  /** Start lateness: p50/p99 over the recent cycles; `total` cycles and their `sum` since the device was added. */
  lateness_ms: { p50: number; p99: number; total: number; sum: number };
}

/** The counters behind the health check (SPEC §19 `/metrics`); totals since the process started. */
export interface RuntimeStats {
  /** null when the MQTT bridge does not run. */
  mqtt: { connected: boolean; publishes: number } | null;
  /** null without a history store. */
  history: { write_errors: number; dropped_batches: number } | null;
  /** Every polled device. */
  polls: PollStats[];
  /** null while the SNMP trap listener does not run (SPEC §7.10). */
  traps: TrapStats | null;
}

/** Why a received trap was not acted on (SPEC §7.10). */
export const TRAP_DROP_REASONS = ['unknown_source', 'bad_community', 'auth_failed', 'malformed'] as const;
export type TrapDropReason = (typeof TRAP_DROP_REASONS)[number];

/** Running totals of the SNMP trap listener. */
export interface TrapStats {
  /** The bound UDP port. */
  port: number;
  received: number;
  /** From a configured PDU, authenticated: each triggered a poll. */
  accepted: number;
  dropped: Record<TrapDropReason, number>;
}

/** The detail part of `GET /api/health` (SPEC §14.2), beside status and issues. */
export interface HealthDetails {
  subsystems: {
    mqtt: { connected: boolean; reconnect_count: number; broker: string; publish_errors: number; total_publishes: number } | null;
    history: { db_path: string; total_writes: number; write_errors: number; healthy: boolean } | null;
    probes: { total: number; up: number; down: number; unknown: number; stale: number } | null;
    traps: TrapStats | null;
  };
  uptime_seconds: number;
  pollers: Array<{
    device_id: string;
    state: string;
    poll_count: number;
    poll_errors: number;
    last_poll_duration_ms: number | null;
    seconds_since_last_poll: number | null;
    consecutive_failures: number;
  }>;
  /** Saved runtime settings waiting for a restart (PUT /api/config). */
  restart_required: string[];
}

/** `GET /api/health` and MQTT `health_check`: healthy only when polling and writing. */
export interface HealthPort {
  check(): { healthy: boolean; issues: string[] };
  stats(): RuntimeStats;
  /** Subsystems and pollers; absent in embeddings without them. */
  details?(): HealthDetails;
}

/** Demo scenarios (SPEC §8), only when the demo runs. */
export interface DemoPort {
  scenarios(): string[];
  /** Bad input → ok:false naming the field; never throws. */
  run(name: string, params: Record<string, unknown>): Promise<{ ok: true; detail: string } | { ok: false; error: string; field?: string }>;
}
