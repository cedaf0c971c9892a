// Inputs of the outage engine and the per-PDU source-loss test (SPEC §11.3). Pure.
//
// Decision (utility_source null): a PDU without a declared utility input cannot say which feed
// is the utility, so only "input voltage 0" counts — its whole input is dead while its management
// card still answers (e.g. the card on a UPS). "0" means below 1 V: the metering floor (§7.4)
// reports a dead input as 0, and a few tenths of noise must not hide it. The same test also
// counts for a PDU with utility_source set (its input is dead whatever the feed).
import type { EngineConfig } from './config.js';
import type { ProbeResult, SwitchId } from '../core/power.js';

export type SourceStatus = 'normal' | 'overVoltage' | 'underVoltage';
export type SourceLetter = 'A' | 'B';

export interface SourceEvidence {
  voltage: number | null;
  status: SourceStatus | null;
}

/** What one PDU poll tells the engine (built by the service from the device snapshot). */
export interface PduPollEvidence {
  device_id: string;
  /** Epoch seconds of the poll. */
  ts: number;
  /** The poll succeeded; a failed poll is neutral evidence (neither lost nor back). */
  ok: boolean;
  /** Which ATS input the utility feeds (config `devices[].utility_source`). */
  utility_source: SourceLetter | null;
  source_a: SourceEvidence | null;
  source_b: SourceEvidence | null;
  current_source: SourceLetter | null;
  redundancy: 'ok' | 'lost' | null;
  input_voltage: number | null;
  /** Set on the poll where a sysUpTime reset was detected (§7.8); epoch seconds. */
  reboot: { boot_at: number; last_poll_at: number | null } | null;
}

/** One probe cycle's results (stale and unknown switches already excluded by the service). */
export interface ProbeCycleEvidence {
  /** Epoch seconds when the cycle started. */
  ts: number;
  /** Sensor switches and devices with role sensor (string ids). */
  sensors: Array<{ id: SwitchId; result: ProbeResult; group?: string }>;
  controls: Array<{ id: SwitchId; result: ProbeResult }>;
  /**
   * Sensor devices' counter resets seen since the previous cycle (device-sensors.ts): evidence
   * for the record of a nearby outage, never a verdict (SPEC §11.3 counts a poll that answered as up).
   */
  signals?: Array<{ type: 'counter_reset'; device_id: string; ts: number; data: Record<string, unknown> }>;
}

type LossConfig = Pick<EngineConfig, 'source_lost_voltage'>;

/** Below this an input reads as "0 V" (see the decision above). */
export const DEAD_INPUT_V = 1;

/** A source reads lost: status not normal, or voltage under `source_lost_voltage`. */
export function sourceReadsLost(s: SourceEvidence | null, cfg: LossConfig): boolean {
  if (s === null) return false;
  if (s.status !== null && s.status !== 'normal') return true;
  return s.voltage !== null && s.voltage < cfg.source_lost_voltage;
}

function inputDead(e: PduPollEvidence): boolean {
  return e.input_voltage !== null && e.input_voltage < DEAD_INPUT_V;
}

/**
 * `pdu_power_lost` of one PDU (SPEC §11.3): the utility source reads lost, or the ATS transferred
 * away from it while redundancy is lost; for any PDU also a dead input (see the decision above).
 * A failed poll proves nothing.
 */
export function pduSourceLost(e: PduPollEvidence, cfg: LossConfig): boolean {
  if (!e.ok) return false;
  if (inputDead(e)) return true;
  if (e.utility_source === null) return false;
  const utility = e.utility_source === 'A' ? e.source_a : e.source_b;
  if (sourceReadsLost(utility, cfg)) return true;
  return e.current_source !== null && e.current_source !== e.utility_source && e.redundancy === 'lost';
}

/** Both ATS inputs read lost, or the input is dead: this PDU lost every feed (scope `site`). */
export function pduBothSourcesLost(e: PduPollEvidence, cfg: LossConfig): boolean {
  if (!e.ok) return false;
  if (inputDead(e)) return true;
  return sourceReadsLost(e.source_a, cfg) && sourceReadsLost(e.source_b, cfg);
}
