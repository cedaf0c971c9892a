// Stored values made of appended parts (src/history/codec.ts): what decodeBlock reads back from
// one block or several, and the rollup decoder's folding of a bucket that appears in more than one part.
import { describe, expect, it } from 'vitest';
import { countParts, decodeBlock, encodeBlock, type Column } from '../../../src/history/codec.js';
import { decodeRollups, encodeRollups, type Agg, type Buckets } from '../../../src/history/rollup.js';

const cat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
const block = (ts: number[], series: Record<number, Column>, deflate = true): Uint8Array =>
  encodeBlock(ts, new Map(Object.entries(series).map(([id, col]) => [Number(id), [col]])), 1, { deflate });
const plain = (b: ReturnType<typeof decodeBlock>) => ({ ts: b.ts, series: Object.fromEntries([...b.series].map(([id, cols]) => [id, cols[0]])) });
// 200 noisy values: long enough that deflate is tried.
const noisy = Array.from({ length: 200 }, (_, i) => 1200 + ((i * 37) % 11));
const noisyTs = Array.from({ length: 200 }, (_, i) => 1000 + i);

describe('decodeBlock over appended parts', () => {
  it.each([
    {
      name: 'one block reads as before',
      stored: () => block([10, 11, 12], { 1: [5, 6, null], 2: [1, 1, 1] }),
      parts: 1, want: { ts: [10, 11, 12], series: { 1: [5, 6, null], 2: [1, 1, 1] } },
    },
    {
      name: 'two parts: timestamps and columns concatenated in order',
      stored: () => cat(block([10, 11], { 1: [5, 6], 2: [1, 2] }), block([12, 13], { 1: [7, 8], 2: [3, 4] }, false)),
      parts: 2, want: { ts: [10, 11, 12, 13], series: { 1: [5, 6, 7, 8], 2: [1, 2, 3, 4] } },
    },
    {
      name: 'a series missing from a part is null there (it appeared later / stopped)',
      stored: () => cat(block([10, 11], { 1: [5, 6] }), block([12], { 1: [7], 3: [9] }, false), block([13, 14], { 3: [10, 11] }, false)),
      parts: 3, want: { ts: [10, 11, 12, 13, 14], series: { 1: [5, 6, 7, null, null], 3: [null, null, 9, 10, 11] } },
    },
    {
      name: 'a deflated part and an undeflated one of the same data read the same',
      stored: () => cat(block(noisyTs, { 4: noisy }), block(noisyTs.map((t) => t + 200), { 4: noisy }, false)),
      parts: 2, want: { ts: [...noisyTs, ...noisyTs.map((t) => t + 200)], series: { 4: [...noisy, ...noisy] } },
    },
  ])('$name', ({ stored, parts, want }) => {
    const buf = stored();
    expect(countParts(buf)).toBe(parts);
    expect(plain(decodeBlock(buf))).toEqual(want);
  });

  it('`only` limits every part to the series asked for', () => {
    const buf = cat(block([1, 2], { 1: [5, 6], 2: [7, 8] }), block([3], { 2: [9] }, false));
    expect(plain(decodeBlock(buf, new Set([1])))).toEqual({ ts: [1, 2, 3], series: { 1: [5, 6, null] } });
  });

  it('undeflated is larger on noisy data, deflated smaller: the part format is the choice of the writer', () => {
    expect(block(noisyTs, { 4: noisy }, false).length).toBeGreaterThan(block(noisyTs, { 4: noisy }).length);
  });

  it.each([
    { name: 'a truncated part', buf: () => block([10, 11], { 1: [5, 6] }).subarray(0, 6) },
    { name: 'a part followed by garbage', buf: () => cat(block([10], { 1: [5] }), new Uint8Array([7])) },
  ])('$name is an error, not a silent misread', ({ buf }) => {
    expect(() => decodeBlock(buf())).toThrow(RangeError);
  });
});

const agg = (v: number, n: number, ws: number | null = null): Agg => ({ min: v, max: v, sum: v * n, n, last: v, ws, wsA: ws, wsB: ws === null ? null : 0 });
const buckets = (rows: Array<[number, Record<number, Agg>]>): Buckets => new Map(rows.map(([t, r]) => [t, new Map(Object.entries(r).map(([id, a]) => [Number(id), a]))]));

describe('decodeRollups over appended parts', () => {
  it('a bucket in two parts is folded (min, max, sum, n, energy; last from the later part)', () => {
    const first = encodeRollups(buckets([[0, { 1: agg(10, 60, 600) }], [3600, { 1: agg(20, 30, 300), 2: agg(5, 30) }]]));
    const second = encodeRollups(buckets([[3600, { 1: agg(15, 30, 150) }], [7200, { 2: agg(7, 10) }]]), { deflate: false });
    const got = decodeRollups(cat(first, second));
    expect([...got.keys()]).toEqual([0, 3600, 7200]);
    expect(got.get(3600)?.get(1)).toEqual({ min: 15, max: 20, sum: 20 * 30 + 15 * 30, n: 60, last: 15, ws: 450, wsA: 450, wsB: 0 });
    expect(got.get(3600)?.get(2)).toEqual(agg(5, 30));
    expect(got.get(7200)?.get(2)).toEqual(agg(7, 10));
    expect(got.get(7200)?.has(1)).toBe(false);
  });
});
