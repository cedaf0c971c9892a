import type { Clock, TimerHandle } from '../core/clock.js';
import type { PduSnapshot } from '../core/types.js';

// SPEC §11.6: after a restart gap, every PDU's boot time (now − sysUpTime) is compared with the
// gap once its first poll succeeds. This collects those boot times; when every device has
// answered (or after a bounded wait, for PDUs that stay silent) it hands them over once.
// (I/O-side helper of service.ts; the decision itself is gap-step.ts.)

/** Longest wait for the first polls; a PDU still silent then is left out of the evidence. */
export const FIRST_POLL_WAIT_MS = 60_000;

export interface RestartGapWatchOptions {
  devices: readonly string[];
  clock: Clock;
  done(bootTimes: Record<string, number>): void;
}

export class RestartGapWatch {
  private readonly waiting: Set<string>;
  private readonly bootTimes: Record<string, number> = {};
  private readonly timer: TimerHandle;
  private finished = false;

  constructor(private readonly opts: RestartGapWatchOptions) {
    this.waiting = new Set(opts.devices);
    this.timer = opts.clock.setTimeout(() => this.finish(), FIRST_POLL_WAIT_MS);
  }

  /** Call once after construction: with no devices there is nothing to wait for. */
  begin(): void {
    if (this.waiting.size === 0) this.finish();
  }

  sample(snap: PduSnapshot): void {
    if (this.finished || !this.waiting.delete(snap.device_id)) return;
    const up = snap.identity.sys_uptime_cs;
    if (up !== null) this.bootTimes[snap.device_id] = Math.floor(snap.ts - up / 100);
    if (this.waiting.size === 0) this.finish();
  }

  cancel(): void {
    this.finished = true;
    this.opts.clock.clearTimeout(this.timer);
  }

  private finish(): void {
    if (this.finished) return;
    this.cancel();
    this.opts.done({ ...this.bootTimes });
  }
}
