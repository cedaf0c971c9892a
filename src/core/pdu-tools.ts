// The PDU management tools the web server needs beside the registry (SPEC §7.9, §14.2): what a
// device runs with, a connection test, and the discovery scan. Implemented by devices/pdu/tools.ts,
// handed to the web server by app.ts (ARCHITECTURE.md "Direction": services reach devices only
// through ports). Kept out of ports.ts so this file is the whole contract of the PDU endpoints.

/** SNMPv3 USM credentials, as `devices[].v3` (SPEC §4.2). */
export interface SnmpV3Input {
  username: string;
  security_level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
  auth_protocol: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  auth_key: string;
  priv_protocol: 'des' | 'aes' | 'aes256b' | 'aes256r';
  priv_key: string;
  context: string;
}

/** One SNMP agent to read. */
export interface SnmpTarget {
  host: string;
  port: number;
  community: string;
  snmp_version: '1' | '2c' | '3';
  v3?: SnmpV3Input;
  /** Per request; the whole test is bounded by a small multiple of it. */
  timeout_ms: number;
}

export type ConnectionTest =
  | { success: true; device_name: string; model: string; serial: string; outlet_count: number }
  | { success: false; error: string };

export interface DiscoveredPdu {
  host: string;
  port: number;
  device_name: string;
  serial: string;
  model: string;
  outlet_count: number | null;
}

export interface DiscoverRequest {
  /** IPv4 CIDRs, already checked (at most /24 each). */
  subnets: readonly string[];
  community: string;
  port: number;
  timeout_ms: number;
}

export interface DiscoverResult {
  discovered: DiscoveredPdu[];
  /** Addresses asked. */
  hosts_scanned: number;
  /** False when the time bound stopped the scan before every address was asked. */
  complete: boolean;
}

/** A non-internal IPv4 interface of this host and the /24 around its address. */
export interface LocalInterface {
  interface: string;
  ip: string;
  subnet: string;
}

/** How one device is configured and how its polling goes, beside DeviceInfo. */
export interface PduDescription {
  source: 'config' | 'runtime';
  /** The settings it runs with, in the shape of a config-file `devices[]` entry; secrets NOT masked. */
  config: Record<string, unknown>;
  consecutive_failures: number;
  last_error: string | null;
  /** Epoch seconds; null = never. */
  last_success_ts: number | null;
  /** Poll cycles finished (with or without a sample). */
  poll_count: number;
}

export interface PduToolsPort {
  describe(deviceId: string): PduDescription | null;
  /** GET name, then the full identity (SPEC §7.9); never throws, bounded in time. */
  testConnection(target: SnmpTarget): Promise<ConnectionTest>;
  /** Bounded scan: concurrency 50, 0 retries, each address asked once (SPEC §7.9). */
  discover(req: DiscoverRequest): Promise<DiscoverResult>;
  interfaces(): LocalInterface[];
}
