import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TransportState } from '../../core/types.js';
import type { SessionOptions } from './net-snmp-transport.js';
import { RECOVERY_SCAN, movedTo, planRecoveryScan } from './recovery.js';
import { findSerial } from './subnet-scan.js';
import type { SnmpTransport } from './transport.js';
import type { PduDeviceSettings } from './types.js';

// The edge of address recovery (SPEC §7.7): runs the subnet scan that planRecoveryScan allows,
// in the background, one at a time and at most one per RECOVERY_SCAN.minIntervalMs per device.

export interface AddressRecoveryDeps {
  settings: PduDeviceSettings;
  clock: Clock;
  log: Logger;
  transportFactory: (o: SessionOptions) => SnmpTransport;
  /** Where the device is polled now. */
  host(): string;
  /** Session options for the scan (the host is set per probed address). */
  session(): Omit<SessionOptions, 'host'>;
  /** The scan stops early once this holds (device healthy again, or stopped). */
  done(): boolean;
  stopped(): boolean;
  /** The serial answered at `to`: switch the device there. */
  move(from: string, to: string, serial: string): void;
}

export class AddressRecovery {
  private running = false;
  private lastScanAt: number | null = null;

  constructor(private readonly d: AddressRecoveryDeps) {}

  /** A recovery attempt: scan now when the rules allow it; never throws, never waits for the scan. */
  attempt(state: TransportState, serial: string | null): void {
    const d = this.d;
    const nowMs = d.clock.now();
    const from = d.host();
    const plan = planRecoveryScan({
      state, subnetScan: d.settings.recovery?.subnetScan ?? false, subnet: d.settings.recovery?.subnet ?? '', host: from, serial,
      running: this.running, lastScanAtMs: this.lastScanAt, nowMs,
    });
    if (!plan.scan || !serial) {
      if (!plan.scan && plan.reason === 'rate_limited') d.log.debug({ retry_in_ms: plan.retryInMs }, 'subnet scan skipped (rate limit)');
      return;
    }
    this.running = true;
    this.lastScanAt = nowMs;
    const deadline = nowMs + plan.budgetMs;
    const serialOid = d.settings.profile.rows.find((r) => r.field === 'identity.serial')?.oid ?? '';
    d.log.info({ hosts: plan.hosts.length, serial, from }, 'pdu silent: scanning the subnet for its serial');
    findSerial({
      hosts: plan.hosts, session: { ...d.session(), timeoutMs: RECOVERY_SCAN.timeoutMs, retries: 0 }, serial, serialOid,
      concurrency: RECOVERY_SCAN.concurrency, transportFactory: d.transportFactory,
      cancelled: () => d.done() || d.clock.now() > deadline,
    })
      .then((found) => {
        const to = movedTo(found, { from, current: d.host(), stopped: d.stopped() });
        if (to !== null) d.move(from, to, serial);
        else if (found === null && !d.stopped()) d.log.info({ hosts: plan.hosts.length, serial }, 'subnet scan: serial not found');
      })
      .catch((err: unknown) => d.log.warn({ error: errorMessage(err) }, 'subnet scan failed'))
      .finally(() => {
        this.running = false;
      });
  }
}
