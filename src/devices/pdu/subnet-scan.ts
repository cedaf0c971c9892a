import { isIPv4 } from 'node:net';
import { rawString } from './decode-value.js';
import type { SessionOptions } from './net-snmp-transport.js';
import { isAbsent, type SnmpTransport } from './transport.js';

// Recovery by serial (SPEC §7.7): when a PDU with a known serial stops answering at an IPv4
// literal, look for the same serial elsewhere in its subnet (DHCP moved it).

/** Hosts of the /24 around `host`, or of `subnet` (a CIDR of /24 or narrower); null if not applicable. */
export function scanHosts(host: string, subnet: string): string[] | null {
  let base: number;
  let bits: number;
  if (subnet) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet);
    if (!m || !isIPv4(m[1] as string)) return null;
    bits = Number(m[2]);
    if (bits < 24 || bits > 30) return null;
    base = ipToInt(m[1] as string);
  } else {
    if (!isIPv4(host)) return null;
    bits = 24;
    base = ipToInt(host);
  }
  const size = 2 ** (32 - bits);
  const net = (base & ~(size - 1)) >>> 0;
  const out: string[] = [];
  // Skip the network and broadcast addresses, and the host we already know is silent.
  for (let i = 1; i < size - 1; i++) {
    const ip = intToIp(net + i);
    if (ip !== host) out.push(ip);
  }
  return out;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) >>> 0;
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
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
  let next = 0;
  let found: string | null = null;
  const worker = async (): Promise<void> => {
    while (found === null && next < opts.hosts.length && !opts.cancelled?.()) {
      const host = opts.hosts[next++] as string;
      const t = opts.transportFactory({ ...opts.session, host });
      try {
        const [vb] = await t.get([opts.serialOid]);
        if (vb && !isAbsent(vb) && rawString(vb) === opts.serial) found ??= host;
      } catch {
        // no agent there, or not ours: keep looking
      } finally {
        t.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  return found;
}
