import type { V3Credentials } from './net-snmp-transport.js';
import type { PduProfile } from './profiles/types.js';

/** Everything one polled PDU needs, resolved from the config (settings.ts) or built by the demo / CLI. */
export interface PduDeviceSettings {
  id: string;
  label: string;
  host: string;
  port: number;
  version: '1' | '2c' | '3';
  community: string;
  writeCommunity: string;
  v3?: V3Credentials;
  profile: PduProfile;
  timeoutMs: number;
  retries: number;
  pollIntervalMs: number;
  maxOidsPerRequest: number;
  meteringFloor: boolean;
  expectedSerial: string;
  capabilityRecheckMs: number;
  protectedOutlets: ReadonlySet<number>;
  /** Recovery by serial (SPEC §7.7): scan `subnet` ("" = the /24 around an IPv4 host). Absent = no scan. */
  recovery?: { subnetScan: boolean; subnet: string };
  /** Per-device Home Assistant discovery (default true). */
  homeassistant?: boolean;
  /** Defined in the config file: not removable at runtime (default true). */
  fromConfig?: boolean;
  /** Which ATS input the utility feeds (outage signal, SPEC §11.4); null/undefined = not set. */
  utilitySource?: 'A' | 'B' | null;
}
