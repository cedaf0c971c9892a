import { hostsOf, parseCidr, slash24Of } from '../../core/cidr.js';
import { forEachLimited } from '../../core/concurrency.js';
import { rawString } from './decode-value.js';
import type { SessionOptions } from './net-snmp-transport.js';
import { isAbsent, type SnmpTransport } from './transport.js';

// Recovery by serial (SPEC §7.7): when a PDU with a known serial stops answering at an IPv4
// literal, look for the same serial elsewhere in its subnet (DHCP moved it).

/** Widest subnet recovery scans (`devices[].recovery.subnet`, SPEC §4.2: /16 … /32). */
export const MIN_RECOVERY_PREFIX = 16;

/**
 * Hosts of the /24 around `host`, or of `subnet` (a CIDR of /16 … /32, as the config allows),
 * without the host we already know is silent; null when not applicable (host name, IPv6, bad CIDR).
 */
export function scanHosts(host: string, subnet: string): string[] | null {
  const net = subnet ? parseCidr(subnet) : slash24Of(host);
  if (!net || net.bits < MIN_RECOVERY_PREFIX) return null;
  return hostsOf(net).filter((ip) => ip !== host);
}

export interface ScanOptions {
  hosts: readonly string[];
  session: Omit<SessionOptions, 'host'>;
  serialOid: string;
  serial: string;
  concurrency: number;
  transportFactory: (o: SessionOptions) => SnmpTransport;
  /** Stop early (e.g. the device came back, or the service stops). */
  cancelled?: () => boolean;
}

/** The first host answering `serial` at `serialOid`, or null. Bounded: each host is asked once. */
export async function findSerial(opts: ScanOptions): Promise<string | null> {
  let found: string | null = null;
  await forEachLimited(
    opts.hosts,
    opts.concurrency,
    async (host) => {
      const t = opts.transportFactory({ ...opts.session, host });
      try {
        const [vb] = await t.get([opts.serialOid]);
        if (vb && !isAbsent(vb) && rawString(vb) === opts.serial) found ??= host;
      } catch {
        // no agent there, or not ours: keep looking
      } finally {
        t.close();
      }
    },
    () => found !== null || opts.cancelled?.() === true,
  );
  return found;
}
