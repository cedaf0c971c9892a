// Fuzzing of SNMP replies (issue 10 "Bad input"): every varbind of a poll cycle replaced by an
// arbitrary type and value, or missing, for both OID profiles. Decoding and assembling the
// snapshot never throws; the snapshot is well-formed (every number finite, else null) and each
// rejected value is listed with its OID, field and problem.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSnapshot, decodeEntries } from '../../../src/devices/pdu/assemble.js';
import { plansFor } from '../../../src/devices/pdu/discover.js';
import type { PduLayout } from '../../../src/devices/pdu/layout.js';
import { PROFILES } from '../../../src/devices/pdu/profiles/index.js';
import { SnmpType, type Varbind } from '../../../src/devices/pdu/transport.js';
import type { PduSnapshot } from '../../../src/core/types.js';
import { ALL_CAPABILITIES, pduSnapshot } from '../../support/pdu-snapshot.js';
import { FUZZ_TIMEOUT_MS, fuzzParams, looksLikeCrash } from './runs.js';

const LAYOUT: PduLayout = {
  loadRows: [{ row: 1, bank: 0, phase: 1 }, { row: 2, bank: 1, phase: 1 }, { row: 3, bank: 2, phase: 1 }],
  banks: [1, 2], totalRow: 1, outletCount: 10, outletBanks: { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2 },
  capabilities: [...ALL_CAPABILITIES], sourceVoltageScale: 10, contactCount: 2, warnings: [],
};
const IDENTITY = pduSnapshot().identity;

const anyType = fc.oneof(
  fc.constantFrom(...Object.values(SnmpType)),
  fc.integer({ min: -1, max: 300 }),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 32 - 1, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Infinity, -Infinity, NaN),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ minLength: 120, maxLength: 400 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '\u0000\u0000', '1.3.6.1.4.1.3808', 'NaN', '12', ' 7 '),
  fc.constantFrom(null, undefined, true, {}, []),
);
const varbind = (oid: string): fc.Arbitrary<Varbind | undefined> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.record({ type: anyType, value: anyValue }).map(({ type, value }) => ({ oid, type, value })) },
  );

type Plans = ReturnType<typeof plansFor>;

function cycle(plans: Plans) {
  return fc.record({
    fast: fc.tuple(...plans.fast.entries.map((e) => varbind(e.oid))),
    slow: fc.tuple(...plans.slow.entries.map((e) => varbind(e.oid))),
    meteringFloor: fc.boolean(),
    sourceVoltageScale: fc.constantFrom(1 as const, 10 as const, null),
  });
}

/** Every number in the snapshot is finite (null stands for "no value"). */
function badNumbers(v: unknown, at = 'snapshot'): string[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [`${at} = ${v}`];
  if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') return [`${at} is a ${typeof v}`];
  if (Array.isArray(v)) return v.flatMap((x, i) => badNumbers(x, `${at}[${i}]`));
  if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, x]) => badNumbers(x, `${at}.${k}`));
  return [];
}

function assemble(plans: Plans, c: ReturnType<typeof cycle> extends fc.Arbitrary<infer T> ? T : never): PduSnapshot {
  const decode = { meteringFloor: c.meteringFloor, sourceVoltageScale: c.sourceVoltageScale };
  const errors: PduSnapshot['errors'] = [];
  const slow = decodeEntries(plans.slow.entries, c.slow, decode, errors);
  const snap = assembleSnapshot({
    deviceId: 'pdu-01', ts: 1_700_000_000, identity: IDENTITY, layout: LAYOUT, slow, fast: plans.fast.entries, varbinds: c.fast,
    nameOverrides: new Map([[2, 'override']]),
    transport: { state: 'healthy', consecutive_failures: 0, last_success_ts: 1_700_000_000, last_error: null, poll_ms: 5 },
    decode,
  });
  snap.errors.push(...errors);
  return snap;
}

describe('SNMP reply fuzzing: arbitrary varbinds give a well-formed snapshot', () => {
  for (const profile of Object.keys(PROFILES) as Array<keyof typeof PROFILES>) {
    it(`profile ${profile}`, () => {
      const plans = plansFor(PROFILES[profile], LAYOUT);
      fc.assert(
        fc.property(cycle(plans), (c) => {
          const snap = assemble(plans, c);
          expect(badNumbers(snap)).toEqual([]);
          expect(() => JSON.stringify(snap)).not.toThrow();
          expect(Object.keys(snap.outlets)).toHaveLength(LAYOUT.outletCount);
          for (const e of snap.errors) {
            expect(e.oid).toMatch(/^\d+(\.\d+)+$/);
            expect(e.field.length).toBeGreaterThan(0);
            expect(e.problem.length).toBeGreaterThan(0);
            expect(looksLikeCrash(e.problem), e.problem).toBe(false);
          }
          for (const o of Object.values(snap.outlets)) expect(typeof o.name).toBe('string');
        }),
        fuzzParams(),
      );
    }, FUZZ_TIMEOUT_MS);
  }
});
