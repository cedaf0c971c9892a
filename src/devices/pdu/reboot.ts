// Reboot detection from sysUpTime (SPEC §7.8). Pure.

/** TimeTicks are 32-bit: they wrap after 2^32 centiseconds (~497 days). */
export const TIMETICKS_WRAP = 2 ** 32;
const ONE_DAY_CS = 24 * 3600 * 100;

export interface RebootCheck {
  rebooted: boolean;
  reason: 'uptime_went_back' | 'uptime_shorter_than_gap' | null;
  /** Estimated boot time, epoch ms, when rebooted. */
  bootAtMs: number | null;
}

/**
 * @param prevCs  sysUpTime at the previous successful poll (null on the first poll)
 * @param nextCs  sysUpTime now
 * @param gapMs   time since the previous successful poll, on the monotonic clock (a wall-clock step is no gap)
 * @param nowMs   wall time now (epoch ms)
 */
export function detectReboot(prevCs: number | null, nextCs: number, gapMs: number, nowMs: number): RebootCheck {
  const none: RebootCheck = { rebooted: false, reason: null, bootAtMs: null };
  if (prevCs === null) return none;
  const bootAtMs = nowMs - nextCs * 10;
  if (nextCs < prevCs) {
    // A counter near 2^32 followed by a small value is the wrap, not a reboot.
    const wrapped = prevCs >= TIMETICKS_WRAP - ONE_DAY_CS && nextCs < ONE_DAY_CS;
    if (wrapped) return none;
    return { rebooted: true, reason: 'uptime_went_back', bootAtMs };
  }
  // After a gap in polling, an uptime shorter than the gap means a reboot happened inside it.
  // A margin of a few seconds absorbs timing jitter between the two clocks.
  if (gapMs > 5_000 && nextCs * 10 + 2_000 < gapMs) return { rebooted: true, reason: 'uptime_shorter_than_gap', bootAtMs };
  return none;
}
