// Shared model of switch probes and outages (SPEC §11). The prober (devices/switch), the outage
// engine (outage/), the history store, MQTT and the web server all speak these types.

export type SwitchRole = 'sensor' | 'control';
export type SwitchSource = 'config' | 'runtime';

/** A probe target (SPEC §11.1). Times are epoch seconds. */
export interface SwitchTarget {
  id: number;
  name: string;
  /** Normalised http(s) URL that is probed. */
  url: string;
  /** Host part of url. */
  ip: string;
  role: SwitchRole;
  active: boolean;
  /** Free-form grouping (e.g. "feed-a", "garage"); shown in evidence and APIs. "" = none. */
  group: string;
  source: SwitchSource;
  created_at: number;
  updated_at: number;
}

/** What a user gives to add a switch (config, REST, CLI, MQTT). */
export interface SwitchInput {
  name: string;
  url?: string;
  ip?: string;
  role?: SwitchRole;
  active?: boolean;
  group?: string;
}

export type ProbeResult = 'up' | 'down';
/** How a probe ended (SPEC §11.2 table); `reason` of a check. */
export type ProbeReason =
  | 'http' // any HTTP status line
  | 'refused' // ECONNREFUSED: the host's stack answered
  | 'reset' // ECONNRESET / socket hang up after connect
  | 'malformed' // bytes that are not HTTP: something answered
  | 'tls' // TLS handshake error (result by switches.tls_errors)
  | 'timeout' // nothing within timeout_ms
  | 'unreachable' // EHOSTUNREACH / EHOSTDOWN / ENETUNREACH
  | 'dns'; // ENOTFOUND / EAI_AGAIN

/** One probe of one target (a `power_checks` row, SPEC §13.1). */
export interface PowerCheck {
  /** Row id once stored; 0 before. */
  id: number;
  switch_id: number;
  result: ProbeResult;
  is_online: boolean;
  http_status: number | null;
  /** ms until the first response byte, or until the refusal; null on timeout. */
  response_time: number | null;
  error_message: string | null;
  reason: ProbeReason;
  /** Epoch seconds (ms fraction allowed). */
  checked_at: number;
}

/** State of a target as published on `pdu/bridge/switches/{id}/state` (SPEC §9.3). */
export type SwitchState = 'up' | 'down' | 'unknown' | 'stale';

export interface SwitchStatus {
  target: SwitchTarget;
  state: SwitchState;
  last_check: PowerCheck | null;
  /** Epoch seconds of the last `up` (null: never seen up since start). */
  last_up_at: number | null;
  stale: boolean;
}

/** Emitted on the bus after every probe cycle (`probe`). */
export interface ProbeCycleEvent {
  /** Epoch seconds when the cycle started (the evidence time). */
  ts: number;
  cycle: number;
  /** Every active target with its state after this cycle (probed or not this cycle). */
  switches: SwitchStatus[];
  /** Checks made in this cycle (stale targets are probed less often). */
  checks: PowerCheck[];
  /** A manual check (`switch test`, POST …/check): not a cycle of the detector. */
  manual: boolean;
}

export type Verdict = 'normal' | 'outage' | 'network_fault' | 'device_down';
export type OutageKind = 'power' | 'network';
export type OutageScope = 'site' | 'partial' | 'source_a' | 'source_b';
export type OutageConfidence = 'high' | 'medium' | 'low';
export type SwitchId = string | number;

/** SPEC §11.5. Times are epoch seconds; duration_seconds is null while ongoing. */
export interface OutageRecord {
  id: number;
  kind: OutageKind;
  started_at: number;
  ended_at: number | null;
  duration_seconds: number | null;
  is_ongoing: boolean;
  cause: string | null;
  scope: OutageScope | null;
  confidence: OutageConfidence | null;
  switches_affected: SwitchId[];
  outlets_shed: Record<string, number[]>;
  evidence: Record<string, unknown>;
}

export type OutageEventType = 'opened' | 'updated' | 'closed' | 'network_fault_opened' | 'network_fault_closed' | 'device_down' | 'verdict';

/** Emitted on the bus (`outage`) on every transition and verdict change. */
export interface OutageBusEvent {
  type: OutageEventType;
  /** Current verdict after this event. */
  state: Verdict;
  /** The record concerned (null for device_down / verdict). */
  outage: OutageRecord | null;
  switch_id?: SwitchId;
  /** Epoch seconds. */
  ts: number;
}

/** What MQTT, REST and the dashboard show as the current power status. */
export interface OutageStatus {
  state: Verdict;
  /** The open power outage, else an open network fault, else null. */
  outage: OutageRecord | null;
  /** The previous closed outage (power). */
  last: OutageRecord | null;
  ts: number;
}

/** SPEC §11.7 / §14.4 `/api/statistics`. */
export interface PowerStatistics {
  window_hours: number;
  total_switches: number;
  active_switches: number;
  uptime_percentage: number;
  total_outages: number;
  total_outage_seconds: number;
  average_outage_seconds: number;
  longest_outage_seconds: number;
  ongoing_outage: OutageRecord | null;
  switches: Array<{
    id: number;
    name: string;
    uptime_percentage: number | null;
    checks: number;
    avg_response_time_ms: number | null;
    last_check_at: number | null;
  }>;
}

/** Per-switch aggregate of its checks in a window (computed in SQL by the history store). */
export interface SwitchCheckStats {
  switch_id: number;
  up: number;
  down: number;
  avg_response_time_ms: number | null;
  last_check_at: number | null;
}
