import { describe, expect, it } from 'vitest';
import { FRESH_RENEWAL, onSocketError, RENEW_MAX_MS, type RenewalState } from '../../../src/devices/pdu/session-renewal.js';

describe('session renewal after socket errors (SPEC §7.7: 1 → 30 s backoff)', () => {
  it('renews at the first error, then at most once per 1, 2, 4 … 30 s', () => {
    // A socket error every second for 2 minutes: the seconds at which a new session is made.
    let s: RenewalState = FRESH_RENEWAL;
    const renewedAt: number[] = [];
    for (let t = 0; t <= 120; t++) {
      const r = onSocketError(s, t * 1000);
      s = r.next;
      if (r.renew) renewedAt.push(t);
    }
    expect(renewedAt).toEqual([0, 1, 3, 7, 15, 31, 61, 91]);
  });

  it.each([
    { state: FRESH_RENEWAL, now: 5, renew: true, next: { notBefore: 1005, backoffMs: 2000 } },
    { state: { notBefore: 2000, backoffMs: 4000 }, now: 1999, renew: false, next: { notBefore: 2000, backoffMs: 4000 } },
    { state: { notBefore: 2000, backoffMs: 4000 }, now: 2000, renew: true, next: { notBefore: 6000, backoffMs: 8000 } },
    { state: { notBefore: 0, backoffMs: 16_000 }, now: 10, renew: true, next: { notBefore: 16_010, backoffMs: RENEW_MAX_MS } },
    { state: { notBefore: 0, backoffMs: RENEW_MAX_MS }, now: 10, renew: true, next: { notBefore: 30_010, backoffMs: RENEW_MAX_MS } },
  ])('$state at $now → renew $renew', ({ state, now, renew, next }) => {
    expect(onSocketError(state, now)).toEqual({ renew, next });
  });
});
