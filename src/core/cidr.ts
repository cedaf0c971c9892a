import { isIPv4 } from 'node:net';

// IPv4 CIDR arithmetic shared by discovery (SPEC §7.9: REST scan of given subnets) and recovery
// by serial (§7.7: the subnet around a PDU that stopped answering). Pure.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  bits: number;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) >>> 0;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function networkOf(ip: number, bits: number): number {
  const size = 2 ** (32 - bits);
  return (ip - (ip % size)) >>> 0;
}

/** `a.b.c.d/n` (n 0..32) → its network, or null when it is not an IPv4 CIDR. Host bits may be set. */
export function parseCidr(text: string): Cidr | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text.trim());
  if (!m || !isIPv4(m[1] as string)) return null;
  const bits = Number(m[2]);
  if (bits > 32) return null;
  return { network: networkOf(ipToInt(m[1] as string), bits), bits };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.network)}/${c.bits}`;
}

/** The /24 around an IPv4 address (e.g. 192.168.1.37 → 192.168.1.0/24); null for anything else. */
export function slash24Of(ip: string): Cidr | null {
  return isIPv4(ip) ? { network: networkOf(ipToInt(ip), 24), bits: 24 } : null;
}

export function cidrContains(c: Cidr, ip: string): boolean {
  return isIPv4(ip) && networkOf(ipToInt(ip), c.bits) === c.network;
}

/** Number of addresses `hostsOf` returns for a prefix length. */
export function hostCount(bits: number): number {
  const size = 2 ** (32 - bits);
  return size <= 2 ? size : size - 2;
}

/**
 * The usable addresses of a subnet in ascending order: without the network and broadcast
 * addresses, except for /31 (point-to-point, RFC 3021) and /32 (one host) where every address is.
 */
export function hostsOf(c: Cidr): string[] {
  const size = 2 ** (32 - c.bits);
  const [from, to] = size <= 2 ? [0, size - 1] : [1, size - 2];
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(intToIp(c.network + i));
  return out;
}
