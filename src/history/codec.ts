import { constants as zlibConstants, deflateRawSync, inflateRawSync } from 'node:zlib';

// Compact columns of integers for the history store (SPEC §13.1, docs/PERFORMANCE.md "History").
// A column is k nullable integers (safe integers, so sums of a day fit). It is written as a null
// map (run lengths) and the non-null values either as deltas (trends, counters, constant runs) or
// as offsets from the column's minimum (noise around a level), whichever is smaller, then deflated
// when that saves bytes. A block holds one column of timestamps and, per series, a segment of one
// or more columns, behind a directory, so a reader decodes only the series it was asked for.

export type Column = ReadonlyArray<number | null>;

const MODE_DELTA = 0;
const MODE_OFFSET = 1;
const FLAG_NULLS = 2;
const FLAG_DEFLATED = 1;
const BLOCK_VERSION = 1;
/** Below this a deflate header costs more than it saves. */
const DEFLATE_MIN = 48;

/** Growable byte buffer for varints. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  uvarint(v: number): void {
    if (this.length + 8 > this.buf.length) this.reserve(8);
    if (v < 0x80 && v >= 0 && v === Math.floor(v)) {
      this.buf[this.length++] = v; // the common case: one byte
      return;
    }
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`history codec: ${v} is not a non-negative safe integer`);
    // Arithmetic, not bit operators: values go past 2^31 (sums, energy in W·s).
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  uvarint(): number {
    const b0 = this.buf[this.pos];
    if (b0 !== undefined && b0 < 0x80) {
      this.pos++;
      return b0;
    }
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('history codec: truncated varint');
      const b = this.buf[this.pos++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }

  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('history codec: truncated block');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }
}

/** Bytes of a varint (for choosing a mode without writing both). */
function uvarintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/**
 * One column, in whichever mode is smaller: its non-null values as deltas, or as offsets from
 * their minimum. Sizes are counted first, so only the chosen mode is written.
 */
export function encodeColumn(w: ByteWriter, col: Column): void {
  const values: number[] = [];
  const runs: number[] = [];
  let run = 0;
  let inNull = false;
  let min = Infinity;
  let deltaBytes = 0;
  let prev = 0;
  for (const v of col) {
    const isNull = v === null;
    if (isNull !== inNull) {
      runs.push(run);
      run = 0;
      inNull = isNull;
    }
    run++;
    if (v !== null) {
      values.push(v);
      if (v < min) min = v;
      deltaBytes += uvarintLen(zigzag(v - prev));
      prev = v;
    }
  }
  runs.push(run);
  let offsetBytes = values.length > 0 ? uvarintLen(zigzag(min)) : 0;
  for (const v of values) offsetBytes += uvarintLen(v - min);
  const mode = deltaBytes <= offsetBytes ? MODE_DELTA : MODE_OFFSET;
  const hasNulls = values.length !== col.length;
  w.uvarint(mode | (hasNulls ? FLAG_NULLS : 0));
  if (hasNulls) {
    // Alternating runs, starting with a (possibly empty) non-null run.
    w.uvarint(runs.length);
    for (const r of runs) w.uvarint(r);
  }
  if (values.length === 0) return;
  if (mode === MODE_DELTA) {
    prev = 0;
    for (const v of values) {
      w.uvarint(zigzag(v - prev));
      prev = v;
    }
  } else {
    w.uvarint(zigzag(min));
    for (const v of values) w.uvarint(v - min);
  }
}

export function decodeColumn(r: ByteReader, k: number): Array<number | null> {
  const head = r.uvarint();
  const delta = (head & 1) === MODE_DELTA;
  const out = new Array<number | null>(k);
  if (!(head & FLAG_NULLS)) {
    if (k === 0) return out;
    if (delta) {
      // The hot loop of every query: single-byte varints inline, the rest through the reader.
      const buf = r.buf;
      let prev = 0;
      for (let i = 0; i < k; i++) {
        const b = buf[r.pos];
        if (b !== undefined && b < 0x80) {
          r.pos++;
          prev += b & 1 ? -(b + 1) / 2 : b / 2;
        } else prev += r.svarint();
        out[i] = prev;
      }
    } else {
      const min = r.svarint();
      for (let i = 0; i < k; i++) out[i] = min + r.uvarint();
    }
    return out;
  }
  out.fill(null);
  const nRuns = r.uvarint();
  const runs: number[] = [];
  for (let j = 0; j < nRuns; j++) runs.push(r.uvarint());
  let prev = 0;
  let min = 0;
  let first = true;
  let i = 0;
  runs.forEach((len, j) => {
    if (j % 2 === 0 && len > 0) {
      if (!delta && first) min = r.svarint();
      first = false;
      for (let x = 0; x < len; x++) out[i + x] = delta ? (prev += r.svarint()) : min + r.uvarint();
    }
    i += len;
  });
  return out;
}

/** A segment: several columns of the same length, deflated when that is smaller (and `deflate` allows). */
export function encodeSegment(cols: readonly Column[], deflate = true): Uint8Array {
  const w = new ByteWriter();
  for (const c of cols) encodeColumn(w, c);
  const plain = w.result();
  if (deflate && plain.length >= DEFLATE_MIN) {
    // Level 6 with the filtered strategy: smallest and faster than 9 on these columns (docs/PERFORMANCE.md).
    const packed = deflateRawSync(plain, { level: 6, strategy: zlibConstants.Z_FILTERED });
    if (packed.length + 1 < plain.length + 1) return concat([FLAG_DEFLATED], packed);
  }
  return concat([0], plain);
}

export function decodeSegment(seg: Uint8Array, k: number, nCols: number): Array<Array<number | null>> {
  const body = seg[0] === FLAG_DEFLATED ? new Uint8Array(inflateRawSync(seg.subarray(1))) : seg.subarray(1);
  const r = new ByteReader(body);
  return Array.from({ length: nCols }, () => decodeColumn(r, k));
}

function concat(head: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** A decoded block: timestamps and, per series id, its columns. */
export interface Block {
  ts: number[];
  series: Map<number, Array<Array<number | null>>>;
}

/**
 * Block layout: version, k, column count per series, the timestamp segment, a directory of
 * (series id, segment length), then the segments. A segment identical to an earlier one (input
 * and bank voltage of a single-phase PDU, an outlet that is off all hour) is stored once: its
 * directory entry has length 0 and the index of the first copy.
 *
 * A stored value may be several blocks one after the other ("parts"): an update appends a small
 * part (`deflate: false`: cheap to write, merged later) instead of re-encoding everything stored
 * so far. decodeBlock reads them all, in order; each part is self-delimiting.
 */
export function encodeBlock(ts: readonly number[], series: ReadonlyMap<number, readonly Column[]>, nCols: number, opts: { deflate?: boolean } = {}): Uint8Array {
  const deflate = opts.deflate ?? true;
  const w = new ByteWriter();
  w.uvarint(BLOCK_VERSION);
  w.uvarint(ts.length);
  w.uvarint(nCols);
  const tsSeg = encodeSegment([ts], deflate);
  w.uvarint(tsSeg.length);
  w.bytes(tsSeg);
  const ids = [...series.keys()].sort((a, b) => a - b);
  const seen = new Map<string, number>();
  const stored: Uint8Array[] = [];
  w.uvarint(ids.length);
  ids.forEach((id, i) => {
    const seg = encodeSegment(series.get(id) as readonly Column[], deflate);
    const key = Buffer.from(seg.buffer, seg.byteOffset, seg.byteLength).toString('latin1');
    const first = seen.get(key);
    w.uvarint(id);
    if (first !== undefined) {
      w.uvarint(0);
      w.uvarint(first);
      return;
    }
    seen.set(key, i);
    w.uvarint(seg.length);
    stored.push(seg);
  });
  for (const s of stored) w.bytes(s);
  return w.result();
}

/**
 * Decode a stored value (one block, or parts appended one after the other: their timestamps and
 * columns concatenated in order, a series missing from a part filled with nulls there); `only`
 * limits the series decoded (the others are skipped unread).
 */
export function decodeBlock(buf: Uint8Array, only?: ReadonlySet<number>): Block {
  const r = new ByteReader(buf);
  const first = decodePart(r, only);
  if (r.done) return first;
  const parts = [first];
  while (!r.done) parts.push(decodePart(r, only));
  return concatParts(parts);
}

/** How many parts a stored value has (reads the headers only). */
export function countParts(buf: Uint8Array): number {
  const r = new ByteReader(buf);
  let n = 0;
  while (!r.done) {
    const head = readHeader(r);
    r.take(head.dir.reduce((sum, e) => sum + e.len, 0));
    n++;
  }
  return n;
}

interface PartHeader {
  k: number;
  nCols: number;
  tsSeg: Uint8Array;
  dir: Array<{ id: number; len: number; ref: number }>;
}

function readHeader(r: ByteReader): PartHeader {
  const version = r.uvarint();
  if (version !== BLOCK_VERSION) throw new RangeError(`history codec: block version ${version} is newer than this build`);
  const k = r.uvarint();
  const nCols = r.uvarint();
  const tsSeg = r.take(r.uvarint());
  const n = r.uvarint();
  const dir: PartHeader['dir'] = [];
  for (let i = 0; i < n; i++) {
    const id = r.uvarint();
    const len = r.uvarint();
    dir.push({ id, len, ref: len === 0 ? r.uvarint() : i });
  }
  return { k, nCols, tsSeg, dir };
}

function decodePart(r: ByteReader, only?: ReadonlySet<number>): Block & { nCols: number } {
  const { k, nCols, tsSeg, dir } = readHeader(r);
  const ts = decodeSegment(tsSeg, k, 1)[0] as number[];
  const segs: Array<Uint8Array | undefined> = [];
  const decoded = new Map<number, Array<Array<number | null>>>();
  const series = new Map<number, Array<Array<number | null>>>();
  dir.forEach((e, i) => {
    segs[i] = e.len > 0 ? r.take(e.len) : undefined;
  });
  dir.forEach((e, i) => {
    if (only && !only.has(e.id)) return;
    let cols = decoded.get(e.ref);
    if (!cols) {
      const seg = segs[e.ref];
      if (!seg) throw new RangeError('history codec: bad segment reference');
      decoded.set(e.ref, (cols = decodeSegment(seg, k, nCols)));
    }
    series.set(e.id, e.ref === i ? cols : cols.map((c) => c.slice()));
  });
  return { ts, series, nCols };
}

function concatParts(parts: ReadonlyArray<Block & { nCols: number }>): Block {
  const ts = parts.flatMap((p) => p.ts);
  const series = new Map<number, Array<Array<number | null>>>();
  let at = 0;
  for (const p of parts) {
    for (const [id, cols] of p.series) {
      let dst = series.get(id);
      if (!dst) series.set(id, (dst = Array.from({ length: p.nCols }, () => new Array<number | null>(at).fill(null))));
      dst.forEach((d, c) => {
        while (d.length < at) d.push(null);
        for (const v of cols[c] ?? []) d.push(v);
      });
    }
    at += p.ts.length;
  }
  for (const cols of series.values()) for (const d of cols) while (d.length < at) d.push(null);
  return { ts, series };
}
