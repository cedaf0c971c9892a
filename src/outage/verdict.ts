// The verdict table of SPEC §11.3: one pure function from the latest evidence to a token.
// The first matching row wins. Pure.
import type { EngineConfig } from './config.js';
import type { ProbeCycleEvidence } from './evidence.js';
import type { SwitchId, Verdict } from '../core/power.js';

/** The switch side of the evidence, reduced to what the table reads. */
export interface SwitchCounts {
  /** Classified sensors: up + down. */
  n: number;
  up: number;
  down: number;
  /** down / n >= threshold, and only when n >= min_switches and n > 0. */
  quorum: boolean;
  /** At least one control switch is up, or none is configured. */
  control_ok: boolean;
}

export interface VerdictResult extends SwitchCounts {
  verdict: Verdict;
  /** Ids of the sensors that are down, in input order. */
  down_ids: SwitchId[];
}

type QuorumConfig = Pick<EngineConfig, 'threshold' | 'min_switches'>;

/** Counts and quorum of one probe cycle. */
export function switchCounts(cycle: ProbeCycleEvidence, cfg: QuorumConfig): SwitchCounts & { down_ids: SwitchId[] } {
  const down_ids: SwitchId[] = [];
  let up = 0;
  for (const s of cycle.sensors) {
    if (s.result === 'down') down_ids.push(s.id);
    else up++;
  }
  const down = down_ids.length;
  const n = up + down;
  // "No switch verdict" below min_switches; n > 0 guards PowerMon's `0 >= 0 × 0.5` even if a
  // caller passes min_switches 0.
  const hasSwitchVerdict = n > 0 && n >= cfg.min_switches;
  const quorum = hasSwitchVerdict && down / n >= cfg.threshold;
  const control_ok = cycle.controls.length === 0 || cycle.controls.some((c) => c.result === 'up');
  return { n, up, down, quorum, control_ok, down_ids };
}

/**
 * The §11.3 table over counts already made. `device_down` needs a switch verdict too (n at least
 * min_switches): below it the switches say nothing at all.
 */
export function classify(c: SwitchCounts, pduLost: boolean, pduRebootRecent: boolean, minSwitches: number): Verdict {
  const hasSwitchVerdict = c.n > 0 && c.n >= minSwitches;
  if (hasSwitchVerdict && c.down === 1 && c.up >= 1 && !pduLost && !pduRebootRecent) return 'device_down';
  if (pduLost || (c.quorum && c.control_ok)) return 'outage';
  if (c.quorum && !c.control_ok) return 'network_fault';
  return 'normal';
}

/** Verdict of one probe cycle given the PDU signals (SPEC §11.3). */
export function verdict(cycle: ProbeCycleEvidence, pduLost: boolean, pduRebootRecent: boolean, cfg: QuorumConfig): VerdictResult {
  const counts = switchCounts(cycle, cfg);
  return { ...counts, verdict: classify(counts, pduLost, pduRebootRecent, cfg.min_switches) };
}
