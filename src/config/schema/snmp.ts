// snmp: defaults applied to every device, and the bridge-wide trap listener (§7).
import { z } from 'zod';
import { doc, int, portNumber, section } from './common.js';

export const SNMP_PROFILES = ['cps-mib', 'original'] as const;
export type SnmpProfile = (typeof SNMP_PROFILES)[number];

// The ranges are shared with the per-device overrides, so both report the same limits.
export const timeoutMs = (): z.ZodNumber => int().min(200).max(30000);
export const retryCount = (): z.ZodNumber => int().min(0).max(5);
export const TIMEOUT_META = { unit: 'ms', hint: 'use e.g. 800 (the default); slow links need 2000 or more' } as const;
export const RETRIES_META = { hint: 'use 0 at 1 Hz polling (a retry rarely beats the next poll), at most 5' } as const;

const trapsSchema = section(
  z.strictObject({
    enabled: doc(z.boolean().default(false), 'listen for SNMP traps from the PDUs'),
    bind: doc(z.string().min(1).default('0.0.0.0'), 'address of the trap listener'),
    port: doc(portNumber().default(1162), '162 needs CAP_NET_BIND_SERVICE'),
    community: doc(z.string().default('public'), 'community the PDUs send traps with', { secret: 'value' }),
  }),
  "trap listener (§7.10); bridge-wide, not per device",
);

export const snmpSchema = section(
  z.strictObject({
    timeout_ms: doc(
      timeoutMs().default(800),
      '200..30000; cycle deadline = min(timeout_ms × (retries+1), 0.9 × poll interval)',
      TIMEOUT_META,
    ),
    retries: doc(retryCount().default(0), '0..5 retries per request', RETRIES_META),
    max_oids_per_request: doc(
      int().min(0).max(10000).default(0),
      'varbinds per GET; 0 = no limit (one GET per cycle); halved on tooBig (§7.6)',
    ),
    profile: doc(z.enum(SNMP_PROFILES).default('cps-mib'), 'cps-mib | original   (§7.1)'),
    metering_floor: doc(z.boolean().default(true), 'ignore meter readings below the metering floor (§7.4)'),
    capability_recheck_s: doc(int().min(1).max(604800).default(3600), 'how often capabilities are re-detected (§7.5)', {
      unit: 'seconds',
    }),
    traps: trapsSchema,
  }),
  'defaults applied to every device (each device may override)',
);
