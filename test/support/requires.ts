import { describe, expect, it } from 'vitest';

export type Availability = { ok: true } | { ok: false; reason: string };

/**
 * Gate for tests that need an external binary: runs the suite when available; outside CI a
 * missing tool skips with a printed reason; under CI=true it is a failing test, never a skip.
 */
export function requires(what: string, availability: Availability): boolean {
  if (availability.ok) return true;
  if (process.env.CI === 'true') {
    describe(`${what} availability (CI)`, () => {
      it('is installed', () => {
        expect.fail(`${what} is required when CI=true: ${availability.reason}`);
      });
    });
  } else {
    console.warn(`[${what}] tests skipped: ${availability.reason}`);
  }
  return false;
}
