// Types of the outage engine's state, inputs and effects (see engine.ts). The state is plain
// JSON data (no Map, Set or class) so it can be snapshotted, compared and logged.
import type { PduPollEvidence, ProbeCycleEvidence, SourceEvidence, SourceLetter } from './evidence.js';
import type {
  OutageConfidence, OutageKind, OutageScope, ProbeResult, SwitchId, Verdict,
} from '../core/power.js';
import type { OutageOpen, OutagePatch } from '../core/ports.js';

/** One open outage per key at most; the service maps keys to stored record ids. */
export type OutageKey = 'power' | 'network';

/** Cause tokens (SPEC §11.4), in the stable order they are joined with `+`. */
export const CAUSE_ORDER = ['bridge_restart_gap', 'pdu_reboot', 'switch_quorum', 'utility_source_lost'] as const;
export type CauseToken = (typeof CAUSE_ORDER)[number];

/** Consecutive evaluations with a condition; `since` = time of the first one. */
export interface Streak {
  count: number;
  since: number | null;
}

export interface PduTrack {
  device_id: string;
  utility_source: SourceLetter | null;
  /** Time of the latest successful poll. */
  last_ok_at: number;
  /** Consecutive successful polls reading `pdu_power_lost` (failed polls are neutral). */
  lost_streak: Streak;
  both_lost: boolean;
  source_a: SourceEvidence | null;
  source_b: SourceEvidence | null;
  current_source: SourceLetter | null;
  redundancy: 'ok' | 'lost' | null;
  rebooted_at: number | null;
}

/** What the engine keeps of the latest probe cycle. */
export interface LastCycle {
  ts: number;
  n: number;
  up: number;
  down: number;
  quorum: boolean;
  control_ok: boolean;
  verdict: Verdict;
  down_ids: SwitchId[];
  controls: Record<string, ProbeResult>;
  groups: Record<string, { down: number; total: number }> | null;
  /** Sensors + controls in the cycle: 0 = no switch configured (PDU-only site). */
  switch_count: number;
}

/** A ring entry: enough to tell whether every sensor answered through a PDU reboot window. */
export interface CycleSummary {
  ts: number;
  n: number;
  down: number;
  verdict: Verdict;
}

/**
 * Signals that never open an outage on their own (§11.4); attached to a nearby one.
 * `counter_reset`: a sensor plug's energy counter went back (it lost power between two polls).
 */
export interface OutageSignal {
  type: 'ats_transfer' | 'redundancy_lost' | 'pdu_reboot' | 'counter_reset';
  device_id: string;
  ts: number;
  data: Record<string, unknown>;
}

export interface PduEvidenceEntry {
  source_a: SourceEvidence | null;
  source_b: SourceEvidence | null;
  current_source: SourceLetter | null;
  redundancy: 'ok' | 'lost' | null;
  rebooted_at?: number;
}

/** The record's `evidence` (SPEC §11.5) plus what the engine attaches. */
export interface OutageEvidence {
  switches_total: number;
  switches_down: SwitchId[];
  fraction: number;
  controls: Record<string, ProbeResult>;
  pdu: Record<string, PduEvidenceEntry>;
  first_cycle_at: number | null;
  confirm_cycles: number;
  groups?: Record<string, { down: number; total: number }>;
  signals?: OutageSignal[];
  restart_gap?: { gap_s: number; last_seen: number; pdu_boot_times: Record<string, number> };
  [extra: string]: unknown;
}

/** An outage as the engine sees it (open, or the last closed one of its key). */
export interface OutageModel {
  kind: OutageKind;
  started_at: number;
  ended_at: number | null;
  causes: string[];
  scope: OutageScope | null;
  confidence: OutageConfidence | null;
  switches_affected: SwitchId[];
  evidence: OutageEvidence;
  /** Read back from the store at start-up (the outage survived a restart). */
  resumed: boolean;
  /** JSON of the last patch handed to the service: an update is emitted only on change. */
  sig: string;
}

export interface DeviceDownTrack {
  id: SwitchId;
  role: 'sensor' | 'control';
  count: number;
  since: number;
  reported: boolean;
}

export interface EngineState {
  /** The published verdict (engine.ts explains how it differs from a cycle's raw verdict). */
  verdict: Verdict;
  /** When the engine (re)started. */
  started_at: number;
  pdus: Record<string, PduTrack>;
  last_cycle: LastCycle | null;
  /** Bounded ring of recent cycles, oldest first (RING_SIZE). */
  ring: CycleSummary[];
  first_cycle_at: number | null;
  /** Latest cycle with a sensor down or no classified sensor at all. */
  last_unproven_at: number | null;
  quorum_streak: Streak;
  network_streak: Streak;
  clear: { power: Streak; network: Streak };
  device_down: Record<string, DeviceDownTrack>;
  /** Latest PDU reboot taken as power evidence (not a management-card restart). */
  last_reboot_seen_at: number | null;
  /** Recent signals (bounded), attached to an outage opening within ± 2 cycles. */
  signals: OutageSignal[];
  open: { power: OutageModel | null; network: OutageModel | null };
  last_closed: { power: OutageModel | null; network: OutageModel | null };
}

export const RING_SIZE = 64;
export const SIGNALS_KEPT = 16;
export const EVIDENCE_SIGNALS_KEPT = 20;

export type EngineInput =
  | { kind: 'poll'; evidence: PduPollEvidence }
  | { kind: 'cycle'; evidence: ProbeCycleEvidence }
  | { kind: 'restart_gap'; last_seen: number; now: number; pdu_boot_times: Record<string, number> };

export type EngineEventName = 'device_down' | 'pdu_reboot' | 'bridge_down' | 'ats_transfer' | 'redundancy_lost';

export type EngineEffect =
  | { type: 'open'; key: OutageKey; outage: OutageOpen }
  /**
   * `closed: true`: the patch is for the most recently closed record of that key (a PDU reboot
   * learnt after the outage closed joins it); the service keeps that record's id per key, and a
   * `record_closed` outage becomes the new most recently closed power record.
   */
  | { type: 'update'; key: OutageKey; patch: OutagePatch; closed?: true }
  | { type: 'close'; key: OutageKey; ended_at: number; patch: OutagePatch }
  | { type: 'record_closed'; outage: OutageOpen & { ended_at: number } }
  | { type: 'event'; event: EngineEventName; ts: number; data: Record<string, unknown>; switch_id?: SwitchId }
  | { type: 'verdict'; verdict: Verdict; ts: number };

export interface StepResult {
  state: EngineState;
  effects: EngineEffect[];
}
