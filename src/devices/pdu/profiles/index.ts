import { CPS_MIB_PROFILE } from './cps-mib.js';
import { ORIGINAL_PROFILE } from './original.js';
import type { PduProfile } from './types.js';

export type { PduProfile, MetricRow, HaMeta, RowScope, RowGroup } from './types.js';
export { CPS_MIB_PROFILE } from './cps-mib.js';
export { ORIGINAL_PROFILE } from './original.js';

export const PROFILES: Readonly<Record<PduProfile['name'], PduProfile>> = {
  'cps-mib': CPS_MIB_PROFILE,
  original: ORIGINAL_PROFILE,
};

export function getProfile(name: string): PduProfile {
  const p = PROFILES[name as PduProfile['name']];
  if (!p) throw new Error(`unknown PDU profile "${name}" (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
