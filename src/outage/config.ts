// Settings of the outage engine (SPEC §11.3–§11.6): the `outage` config section plus the two
// cadences the engine needs to know about. Pure data.
import type { OutageConfig, SwitchesConfig } from '../config/schema.js';

export type EngineConfig = OutageConfig & {
  /** Probe cycle length (`switches.interval_s`); "± 2 cycles" adjacency is measured in it. */
  interval_s: number;
  /**
   * PDU poll period (default 1 s). A PDU whose last successful poll is older than
   * `pduEvidenceTtlS()` stops counting as "source lost", so a PDU that vanished from the LAN in
   * the middle of a source loss cannot hold an outage open for ever.
   */
  poll_interval_s: number;
};

/** The schema defaults (config.example.yaml), with a 10 s probe cycle and 1 Hz PDU polls. */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  enabled: true,
  threshold: 0.5,
  min_switches: 1,
  pdu_confirm_polls: 1,
  confirm_cycles: 2,
  clear_cycles: 2,
  source_lost_voltage: 80,
  use_pdu_signals: true,
  restart_gap_s: 300,
  interval_s: 10,
  poll_interval_s: 1,
};

/** Builds the engine settings from the resolved config sections. */
export function engineConfig(
  outage: OutageConfig,
  switches: Pick<SwitchesConfig, 'interval_s'>,
  pollIntervalS = 1,
): EngineConfig {
  return { ...outage, interval_s: switches.interval_s, poll_interval_s: pollIntervalS };
}

/** How long a PDU's last successful poll stays valid evidence (seconds). */
export function pduEvidenceTtlS(cfg: Pick<EngineConfig, 'poll_interval_s'>): number {
  return Math.max(60, 10 * cfg.poll_interval_s);
}
