import type { ScheduledTarget } from '../core/scheduler.js';
import type { PduSnapshot } from '../core/types.js';
import { availabilityOf, initialHealth, type HealthState } from './pdu/health.js';

/**
 * What every polled device (a PDU over SNMP, a plug over HTTP/TCP) keeps and answers alike: the
 * last snapshot, the health state machine, its scheduler target and the count of failed cycles.
 * The subclasses own the cycle that updates them.
 */
export abstract class PolledDevice {
  protected health: HealthState;
  protected target: ScheduledTarget | undefined;
  protected current: PduSnapshot | null = null;
  protected failedCycles = 0;
  protected stopped = false;

  constructor(pollIntervalMs: number) {
    this.health = initialHealth(pollIntervalMs);
  }

  snapshot(): PduSnapshot | null {
    return this.current;
  }

  healthState(): HealthState {
    return this.health;
  }

  available(): boolean {
    return availabilityOf(this.health.state) === 'online' && this.current !== null;
  }

  schedulerTarget(): ScheduledTarget | undefined {
    return this.target;
  }

  /** Cycles that ended without a sample (a failed poll, an identity error) since the device was added. */
  pollFailures(): number {
    return this.failedCycles;
  }
}
