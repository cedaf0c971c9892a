// The OID codec speed-up must be indistinguishable from asn1-ber's own code: property tests on
// random OIDs (encode) and random bytes (decode), compared with the original functions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOidBytes, installBerOidSpeedups, netSnmpBer } from '../../../src/devices/pdu/ber-oid-speedup.js';

const ber = netSnmpBer();
// Capture the originals before anything installs the speed-up in this process.
const originalWrite = ber.Ber.Writer.prototype.writeOID;
const originalRead = ber.Ber.Reader.prototype.readOID;

function encodeWith(fn: typeof originalWrite, oid: string): Buffer | Error {
  const w = new ber.Ber.Writer();
  try {
    fn.call(w, oid, 6);
    return Buffer.from(w.buffer);
  } catch (err) {
    return err as Error;
  }
}

function decodeWith(fn: typeof originalRead, tlv: Buffer): string | null | Error {
  try {
    return fn.call(new ber.Ber.Reader(tlv));
  } catch (err) {
    return err as Error;
  }
}

const arc = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const oid = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(arc, { minLength: 0, maxLength: 20 }))
  .map(([a, b, rest]) => [a, b, ...rest].join('.'));

describe('asn1-ber OID speed-up', () => {
  const result = installBerOidSpeedups(ber);

  it('installs after its self-test', () => {
    expect(result).toEqual({ ok: true });
    expect(ber.Ber.Writer.prototype.writeOID).not.toBe(originalWrite);
  });

  it('encodes every OID byte for byte like the original (and again from the cache)', () => {
    const patched = ber.Ber.Writer.prototype.writeOID;
    fc.assert(
      fc.property(oid, (s) => {
        const want = encodeWith(originalWrite, s);
        expect(encodeWith(patched, s)).toEqual(want);
        expect(encodeWith(patched, s)).toEqual(want); // cached path
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects invalid OID strings like the original', () => {
    const patched = ber.Ber.Writer.prototype.writeOID;
    for (const bad of ['', '1..2', 'a.b', '1.3.', '.1.3']) {
      expect(encodeWith(patched, bad)).toBeInstanceOf(Error);
      expect(encodeWith(originalWrite, bad)).toBeInstanceOf(Error);
    }
  });

  it('decodes any content bytes exactly like the original', () => {
    const patched = ber.Ber.Reader.prototype.readOID;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (bytes) => {
        const tlv = Buffer.concat([Buffer.from([6, bytes.length]), Buffer.from(bytes)]);
        expect(decodeWith(patched, tlv)).toEqual(decodeWith(originalRead, tlv));
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips real PDU OIDs', () => {
    const patched = ber.Ber.Reader.prototype.readOID;
    for (const s of ['1.3.6.1.2.1.1.3.0', '1.3.6.1.4.1.3808.1.1.6.9.4.1.16.1', '1.3.6.1.4.1.3808.1.1.3.3.5.1.1.13.24']) {
      const tlv = encodeWith(originalWrite, s) as Buffer;
      expect(decodeWith(patched, tlv)).toBe(s);
      expect(decodeOidBytes(tlv.subarray(2))).toBe(s);
    }
  });
});
