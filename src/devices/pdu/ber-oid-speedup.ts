import { createRequire } from 'node:module';

// A measured workaround (docs/PERFORMANCE.md "Where the CPU goes"): in a 1 Hz poll of ~80
// varbinds, asn1-ber's OID codec was 31 % of the poller's CPU. writeOID re-validates and
// re-parses every OID string on every request (regex, split, parseInt, per-byte pushes);
// readOID builds each string through array shift/unshift/join. We poll the same OIDs every
// second, so:
//  - writeOID: the original's own output is cached per OID string and copied into the buffer
//    (byte-identical by construction; invalid OIDs still go to the original and throw);
//  - readOID: the same integer arithmetic as the original, building the string directly.
// Installed once, after a self-test against the originals; test/unit/pdu/ber-oid-speedup.test.ts
// checks equality on random OIDs and random bytes. If asn1-ber changes shape, nothing is installed.

interface BerWriter {
  _buf: Buffer;
  _offset: number;
  _ensure(len: number): void;
  buffer: Buffer;
  writeOID(s: string, tag?: number): void;
}
interface BerReader {
  readString(tag: number, retbuf: true): Buffer | null;
  readOID(tag?: number): string | null;
}
interface BerModule {
  Ber: {
    Writer: { new (): BerWriter; prototype: BerWriter };
    Reader: { new (b: Buffer): BerReader; prototype: BerReader };
  };
}

const OID_TAG = 6;
const CACHE_LIMIT = 50_000;

/** The asn1-ber instance net-snmp itself loads (resolved from net-snmp's own location). */
export function netSnmpBer(): BerModule {
  const here = createRequire(import.meta.url);
  return createRequire(here.resolve('net-snmp'))('asn1-ber') as BerModule;
}

/** Original-equivalent OID decoding of BER content bytes (X.690 §8.19), without intermediate arrays. */
export function decodeOidBytes(b: Buffer): string {
  let out = '';
  let value = 0;
  let first = true;
  for (let i = 0; i < b.length; i++) {
    const byte = (b[i] as number) & 0xff;
    // Same 32-bit arithmetic as asn1-ber's readOID, so results match it bit for bit.
    value <<= 7;
    value += byte & 0x7f;
    if ((byte & 0x80) === 0) {
      const v = value >>> 0;
      out = first ? `${(v / 40) >> 0}.${v % 40}` : `${out}.${v}`;
      first = false;
      value = 0;
    }
  }
  return out;
}

let installed: { ok: boolean; reason?: string } | undefined;

export function installBerOidSpeedups(ber: BerModule = netSnmpBer()): { ok: boolean; reason?: string } {
  if (installed) return installed;
  const W = ber.Ber?.Writer?.prototype;
  const R = ber.Ber?.Reader?.prototype;
  if (!W || !R || typeof W.writeOID !== 'function' || typeof R.readOID !== 'function' || typeof W._ensure !== 'function') {
    installed = { ok: false, reason: 'asn1-ber has another shape than expected' };
    return installed;
  }
  const originalWrite = W.writeOID;
  const originalRead = R.readOID;
  const cache = new Map<string, Buffer>();

  const encode = (s: string): Buffer => {
    const w = new ber.Ber.Writer();
    originalWrite.call(w, s, OID_TAG);
    return Buffer.from(w.buffer);
  };

  function writeOID(this: BerWriter, s: string, tag?: number): void {
    if (typeof s !== 'string' || (typeof tag === 'number' && tag !== OID_TAG)) return originalWrite.call(this, s, tag);
    let bytes = cache.get(s);
    if (!bytes) {
      bytes = encode(s); // throws for an invalid OID, exactly like the original
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(s, bytes);
    }
    this._ensure(bytes.length);
    bytes.copy(this._buf, this._offset);
    this._offset += bytes.length;
  }

  function readOID(this: BerReader, tag?: number): string | null {
    const b = this.readString(tag || OID_TAG, true);
    if (b === null) return null;
    // Degenerate contents (empty, or no complete arc) keep the original's exact output.
    if (b.length === 0 || ((b[b.length - 1] as number) & 0x80) !== 0) return originalRead.call(new ber.Ber.Reader(wrap(tag || OID_TAG, b)), tag);
    return decodeOidBytes(b);
  }

  // Self-test before switching: both directions must agree with the originals.
  const samples = ['1.3.6.1.2.1.1.3.0', '1.3.6.1.4.1.99999.1.1.3.3.5.1.1.4.10', '2.999.4294967295.0', '0.39.127.128.16383.16384'];
  for (const s of samples) {
    const w = new ber.Ber.Writer();
    writeOID.call(w, s);
    const mine = Buffer.from(w.buffer);
    if (!mine.equals(encode(s))) {
      installed = { ok: false, reason: `self-test: encoding of ${s} differs` };
      return installed;
    }
    const back = readOID.call(new ber.Ber.Reader(mine));
    const orig = originalRead.call(new ber.Ber.Reader(mine));
    if (back !== orig) {
      installed = { ok: false, reason: `self-test: decoding of ${s} differs` };
      return installed;
    }
  }
  W.writeOID = writeOID;
  R.readOID = readOID;
  installed = { ok: true };
  return installed;
}

/** A TLV around content bytes (short or long length form), for replaying the original reader. */
function wrap(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const head = len < 0x80 ? [tag, len] : len <= 0xff ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.from(head), content]);
}
