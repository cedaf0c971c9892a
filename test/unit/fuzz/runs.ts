// Shared settings of the fuzz suites (SPEC §20, issue 10 "Bad input"): a short smoke in the test
// suite, FUZZ_RUNS=10000 (`npm run proof`) for the long run. FUZZ_SEED replays a reported failure.
import fc from 'fast-check';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Cases per property. */
export const FUZZ_RUNS = intFromEnv('FUZZ_RUNS', 300);

/** fast-check parameters for one property (a seed from the env replays a failure). */
export function fuzzParams<T>(): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED;
  return { numRuns: FUZZ_RUNS, ...(seed ? { seed: Number(seed) } : {}) };
}

/** Per-test timeout: the smoke stays well under the default, the long run scales with the case count. */
export const FUZZ_TIMEOUT_MS = Math.max(20_000, FUZZ_RUNS * 30);

/** Texts that must never reach a user: a stack trace or an internal error. */
export function looksLikeCrash(text: string): boolean {
  return /\n\s+at .+:\d+:\d+|TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|undefined is not/.test(text);
}

/** Arbitrary JSON-ish values incl. nasty keys (prototype names) and odd strings. */
export const nastyKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', '0', '-1', 'NaN', 'null'),
);

export const nastyScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', 'on', 'off', 'true', 'false', 'null', '~', '0x10', '1e999', '-0', 'NaN', '\u0000', '\uFFFD', '💡', 'a'.repeat(300)),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308, 0.5, -0.0001),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

export const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, nastyScalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(nastyKey, tie('value'), { maxKeys: 5 }),
})).value;
