import type { ProfileSummary } from './cpu-profile.js';

// IPC messages of the MQTT benchmark between bench/mqtt-bench.ts (the orchestrator) and its
// children per run: bench/mqtt-worker.ts (the bridge being measured: the real createApp) and
// bench/mqtt-subscriber.ts (the MQTT clients standing in for Home Assistant & co). The simulated
// PDUs are bench/agent.ts, as in the polling benchmark (bench/protocol.ts).

export type BrokerKind = 'aedes' | 'mosquitto';

/** Nearest-rank percentiles of a set of values, ms; null when there were none. */
export interface Dist {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** A measurement window in wall-clock ms (Date.now()), the same clock in every process of the machine. */
export interface WindowSpec {
  type: 'window';
  startAt: number;
  endAt: number;
}

export interface BridgeStart {
  type: 'start';
  /** Simulated PDUs on host:port, port + 1, … */
  host: string;
  port: number;
  count: number;
  /** '' = the embedded aedes broker (started by createApp on a free port), else mqtt://… of mosquitto. */
  mqttUrl: string;
  /** Record a V8 CPU profile of the window (inspector Profiler). */
  cpuProfile: boolean;
  profilePath: string;
  /** Hard bound of the worker's life, ms. */
  maxLifetimeMs: number;
}

export type BridgeRequest = BridgeStart | WindowSpec | { type: 'stop' };

export interface BridgeWindowResult {
  type: 'window-result';
  windowMs: number;
  /** `sample` bus events (successful PDU polls) in the window. */
  polls: number;
  /** Scheduler counters over the window, all targets. */
  cyclesStarted: number;
  cyclesFailed: number;
  overruns: number;
  skipped: number;
  /** Bridge process CPU (user + system, all threads), ms. */
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** app.mqtt.client.stats() deltas over the window. */
  publishes: number;
  dropped: number;
  /** Publishes from start to the window (connect, retained state, HA discovery): warm-up. */
  publishesBeforeWindow: number;
  /** Connections of the bridge's client so far (1 = never reconnected). */
  connects: number;
  rssMb: number;
  heapUsedMb: number;
  /** Configured devices that never produced a sample, even during warm-up. */
  silentDevices: number;
  /** Event-loop delay over the window (perf_hooks histogram), ms. */
  loopDelayMs: { p50: number; p99: number; max: number } | null;
  /** Process warnings the bridge emitted from start to the window's end (name: message, first few, deduplicated). */
  warnings: string[];
  profile: ProfileSummary | null;
}

export type BridgeMessage =
  | { type: 'ready'; mqttUrl: string; embedded: boolean; startupMs: number; devices: string[] }
  | BridgeWindowResult
  | { type: 'stopped'; clean: boolean; stopMs: number }
  | { type: 'error'; message: string };

export interface SubscriberStart {
  type: 'start';
  url: string;
  protocolVersion: 4 | 5;
  baseTopic: string;
  maxLifetimeMs: number;
}

export interface CommandSpec {
  type: 'commands';
  deviceIds: string[];
  outlets: number;
  count: number;
  /** Per command. */
  timeoutMs: number;
  /** The whole command phase. */
  budgetMs: number;
  /** QoS of the command publishes (the response subscription is QoS 1, as the bridge publishes responses). */
  qos: 0 | 1;
}

export type SubscriberRequest = SubscriberStart | WindowSpec | CommandSpec | { type: 'stop' };

export interface SubscriberWindowResult {
  type: 'window-result';
  windowMs: number;
  /** Live (non-retained) `{base}/+/status` messages received in the window. */
  statusMessages: number;
  /** Retained `…/status` copies received in the window (not counted as live, no latency). */
  statusRetained: number;
  /** Status payloads without a parsable `timestamp`. */
  statusUnparsable: number;
  /** receive Date.now() − Date.parse(timestamp), ms, nearest-rank. */
  latencyMs: Dist | null;
  /** Messages on `{base}/#` received in the window. */
  allMessages: number;
  allBytes: number;
  /** Subscriber process CPU over the window, ms. */
  cpuMs: number;
}

export interface CommandResultMsg {
  type: 'commands-result';
  sent: number;
  /** Responses that arrived in time. */
  answered: number;
  /** Answered with success: true. */
  succeeded: number;
  timeouts: number;
  /** Stopped early (budget or consecutive timeouts), with the reason. */
  stoppedEarly: string | null;
  /** publish → response, ms, over answered commands, nearest-rank. */
  rttMs: Dist | null;
  /** Every answered command's round trip, ms, in sending order. */
  rttAllMs: number[];
  firstErrors: string[];
  wallMs: number;
}

export type SubscriberMessage =
  | { type: 'ready'; connectMs: number }
  | SubscriberWindowResult
  | CommandResultMsg
  | { type: 'stopped' }
  | { type: 'error'; message: string };

/** Nearest-rank percentiles (as src/core/stats percentileOfSorted); null for no values. */
export function dist(values: readonly number[]): Dist | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
  return { count: s.length, min: s[0] as number, p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: s[s.length - 1] as number };
}
