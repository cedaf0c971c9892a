import type { FastifyRequest } from 'fastify';
import type { HttpApp } from '../context.js';

// Failed logins, setup codes and current passwords per client IP (SPEC §16.3): at most
// `login_max_attempts` failures per `login_window_s`, then 429 with Retry-After until the window
// ends. Counting and keys (IPv4-mapped and IPv6 /64 normalised, X-Forwarded-For with trust_proxy)
// are @fastify/rate-limit's; only failures are counted (peek first, increment on failure), and
// attempts still in flight count too, so parallel guesses cannot overrun the limit.

export type Attempt = { ok: true; end(failed: boolean): Promise<void> } | { ok: false; retryAfterS: number };

export interface AttemptLimiter {
  begin(req: FastifyRequest): Promise<Attempt>;
}

/** Needs @fastify/rate-limit registered on `app` (plugin.ts). */
export function attemptLimiter(app: HttpApp, max: number, windowS: number): AttemptLimiter {
  const limit = app.createRateLimit({ max, timeWindow: windowS * 1000 });
  const inFlight = new Map<string, number>();
  return {
    async begin(req) {
      const peek = await limit(req, { increment: false });
      if (peek.isAllowed) return { ok: true, end: async () => {} };
      const key = peek.key;
      const failures = peek.max - peek.remaining;
      const pending = inFlight.get(key) ?? 0;
      if (failures + pending >= peek.max) {
        // Only in-flight attempts fill the window: the earliest they can settle is now.
        return { ok: false, retryAfterS: Math.max(1, failures >= peek.max ? peek.ttlInSeconds : 1) };
      }
      inFlight.set(key, pending + 1);
      return {
        ok: true,
        async end(failed) {
          const n = (inFlight.get(key) ?? 1) - 1;
          if (n > 0) inFlight.set(key, n);
          else inFlight.delete(key);
          if (failed) await limit(req);
        },
      };
    },
  };
}
