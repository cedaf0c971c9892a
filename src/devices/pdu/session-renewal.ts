// SPEC §7.7: "Socket-level errors recreate the session with 1 → 30 s backoff". A socket error
// (EHOSTUNREACH, ENETUNREACH, a name that no longer resolves …) can leave net-snmp's UDP socket
// or its resolved target stale, so the session is rebuilt; the backoff keeps a host that stays
// unreachable from getting a new socket every second.

export const RENEW_FIRST_MS = 1000;
export const RENEW_MAX_MS = 30_000;

export interface RenewalState {
  /** Monotonic ms before which no new session is made (null: renew at the next socket error). */
  notBefore: number | null;
  /** The wait after the next renewal. */
  backoffMs: number;
}

export const FRESH_RENEWAL: RenewalState = { notBefore: null, backoffMs: RENEW_FIRST_MS };

/** A socket error at `nowMono`: renew the session now or not, and the state after. */
export function onSocketError(s: RenewalState, nowMono: number): { renew: boolean; next: RenewalState } {
  if (s.notBefore !== null && nowMono < s.notBefore) return { renew: false, next: s };
  return { renew: true, next: { notBefore: nowMono + s.backoffMs, backoffMs: Math.min(RENEW_MAX_MS, s.backoffMs * 2) } };
}
