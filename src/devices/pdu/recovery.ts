import type { TransportState } from '../../core/types.js';
import { scanHosts } from './subnet-scan.js';

// Address recovery (SPEC §7.7, issue 8 item 7): the decisions around the subnet scan for a PDU
// whose address changed (DHCP). Pure, so the rules are table-tested; the scan itself runs in
// device.ts (findSerial in subnet-scan.ts).

/** Scan parameters of SPEC §7.7 and the rate limit (no config key exists for it). */
export const RECOVERY_SCAN = {
  concurrency: 32,
  timeoutMs: 1000,
  /** At most one scan per device per 5 minutes (the `lost` recovery cadence, §7.7). */
  minIntervalMs: 5 * 60_000,
} as const;

export interface ScanContext {
  /** The transport state the failed cycle leads to. */
  state: TransportState;
  /** `devices[].recovery.subnet_scan` (false when the device has no recovery settings). */
  subnetScan: boolean;
  /** `devices[].recovery.subnet`; "" = the /24 around `host`. */
  subnet: string;
  /** The address polled now. */
  host: string;
  /** `expected_serial` when configured, else the serial first read from the device; null = unknown. */
  serial: string | null;
  /** A scan of this device is still running. */
  running: boolean;
  /** When this device's last scan started (clock ms), null = never. */
  lastScanAtMs: number | null;
  nowMs: number;
  minIntervalMs?: number;
}

export type ScanSkip = 'not_lost' | 'disabled' | 'no_serial' | 'no_subnet' | 'running' | 'rate_limited';

export type ScanPlan =
  | { scan: true; hosts: string[]; budgetMs: number }
  | { scan: false; reason: ScanSkip; retryInMs?: number };

/** Whether a recovery attempt scans the subnet now, and which hosts. */
export function planRecoveryScan(c: ScanContext): ScanPlan {
  if (c.state !== 'recovering' && c.state !== 'lost') return { scan: false, reason: 'not_lost' };
  if (!c.subnetScan) return { scan: false, reason: 'disabled' };
  if (!c.serial) return { scan: false, reason: 'no_serial' };
  if (c.running) return { scan: false, reason: 'running' };
  const min = c.minIntervalMs ?? RECOVERY_SCAN.minIntervalMs;
  const since = c.lastScanAtMs === null ? Infinity : c.nowMs - c.lastScanAtMs;
  if (since < min) return { scan: false, reason: 'rate_limited', retryInMs: min - since };
  const hosts = scanHosts(c.host, c.subnet);
  if (!hosts || hosts.length === 0) return { scan: false, reason: 'no_subnet' };
  return { scan: true, hosts, budgetMs: scanBudgetMs(hosts.length) };
}

/** Time a scan may take: every host asked once, `concurrency` at a time, twice the timeout each, plus slack. */
export function scanBudgetMs(hosts: number, concurrency: number = RECOVERY_SCAN.concurrency, timeoutMs: number = RECOVERY_SCAN.timeoutMs): number {
  return Math.ceil(hosts / Math.max(1, concurrency)) * timeoutMs * 2 + 5000;
}

/**
 * Where a finished scan moves the device: the address that answered with its serial, unless the
 * device stopped, moved meanwhile (another scan or an edit), or the answer is where it already is.
 */
export function movedTo(found: string | null, o: { from: string; current: string; stopped: boolean }): string | null {
  if (found === null || o.stopped || o.current !== o.from || found === o.from) return null;
  return found;
}
