// Rollup rows of the large levels kept up to date by appended parts (src/history/compact.ts foldIntoRollups), on a real
// SQLite file: after four days of 15-minute chunks every stored row decodes to exactly the fold of
// the minute buckets it covers, complete rows are merged back into one block, open rows stay
// below the part bound, and a chunk older than a row's last bucket (clock stepped back) is merged in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countParts } from '../../../src/history/codec.js';
import { foldIntoRollups, MAX_ROLLUP_PARTS } from '../../../src/history/compact.js';
import { DbHandle } from '../../../src/history/handle.js';
import { decodeRollups, foldBuckets, ROLLUP_LEVELS, type Agg, type Buckets } from '../../../src/history/rollup.js';

const START = Date.UTC(2026, 10, 22, 20, 0, 0) / 1000; // Sunday 20:00 UTC: crosses days and an epoch week
const CHUNKS = 4 * 96;

/** The 15 minute buckets of chunk c: three series, one of them a power with energy. */
function chunkBuckets(c: number, shift = 0): Buckets {
  const out: Buckets = new Map();
  for (let m = 0; m < 15; m++) {
    const t = START + c * 900 + m * 60;
    const v = 1000 + ((c * 31 + m * 7 + shift) % 23);
    const a = (x: number, ws: number | null = null): Agg => ({ min: x - 3, max: x + 4, sum: x * 60, n: 60, last: x + 1, ws, wsA: ws, wsB: ws === null ? null : 0 });
    out.set(t, new Map([[1, a(v)], [2, a(v * 2, v * 60)], ...(c % 10 === 3 ? [] : [[3, a(v + 5)] as [number, Agg]])]));
  }
  return out;
}

let dir: string;
let handle: DbHandle;
let dev: number;
/** Every chunk fed, in order: the brute force folds them the same way (a bucket's `last` is the last one folded in). */
const fed: Buckets[] = [];

type Row = { size: number; t0: number; t1: number; data: Uint8Array };
let openMerges = 0;
let openMergesInLastQuarter = 0;

/** Parts of the rows of levels 900 s and up that a chunk starting at t falls into (0: no row yet). */
function openParts(t: number): number[] {
  return ROLLUP_LEVELS.slice(1).map((l) => {
    const r = handle.db.prepare('SELECT data FROM rollup WHERE dev = ? AND size = ? AND t0 = ?').get(dev, l.size, Math.floor(t / l.span) * l.span) as { data: Uint8Array } | undefined;
    return r ? countParts(r.data) : 0;
  });
}
const rows = (): Row[] => handle.db.prepare('SELECT size, t0, t1, data FROM rollup WHERE dev = ? ORDER BY size, t0').all(dev) as Row[];

function brute(size: number, t0: number, span: number): Buckets {
  const out: Buckets = new Map();
  for (const chunk of fed) foldBuckets(out, new Map([...chunk].filter(([t]) => t >= t0 && t < t0 + span)), size);
  return out;
}

function expectRowsMatchBrute(): void {
  for (const r of rows()) {
    const span = (ROLLUP_LEVELS.find((l) => l.size === r.size) as { span: number }).span;
    const want = brute(r.size, r.t0, span);
    expect(decodeRollups(r.data), `level ${r.size} row ${r.t0}`).toEqual(want);
    expect(r.t1, `t1 of level ${r.size} row ${r.t0}`).toBe(Math.max(...want.keys()) + r.size);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-rollup-parts-'));
  handle = new DbHandle(join(dir, 'h.db'), 20);
  dev = handle.catalog.devId('pdu-parts', 1);
  for (let c = 0; c < CHUNKS; c++) {
    const b = chunkBuckets(c);
    fed.push(b);
    const lastQuarter = (START + c * 900) % 3600 >= 2700; // as closeChunk decides
    const before = openParts(START + c * 900);
    handle.db.transaction(() => foldIntoRollups(handle.db, dev, b, { mergeOpenRows: !lastQuarter }))();
    const after = openParts(START + c * 900);
    if (lastQuarter) openMergesInLastQuarter += before.filter((p, i) => (after[i] as number) < p).length;
    else openMerges += before.filter((p, i) => (after[i] as number) < p).length;
  }
});
afterAll(() => {
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rollup rows of appended parts', () => {
  it('every row decodes to the fold of the minute buckets it covers, at every level', () => {
    expect(rows().length).toBeGreaterThan(96); // hours + days + weeks + the 28-day row
    expectRowsMatchBrute();
  });

  it('open rows are merged when they reach the bound, never in an hour\'s last quarter', () => {
    expect(openMerges).toBeGreaterThan(CHUNKS / MAX_ROLLUP_PARTS); // three levels, one merge per row every ~8 chunks
    expect(openMergesInLastQuarter).toBe(0);
  });

  it('complete rows are one block again; open rows stay within the part bound', () => {
    const lastChunkStart = START + (CHUNKS - 1) * 900;
    for (const level of ROLLUP_LEVELS) {
      const current = Math.floor(lastChunkStart / level.span) * level.span;
      for (const r of rows().filter((x) => x.size === level.size)) {
        const parts = countParts(r.data);
        if (!level.appendParts) expect(parts, `level ${level.size} rows are rewritten, never appended to`).toBe(1);
        else if (r.t0 < current) expect(parts, `complete level ${level.size} row ${r.t0}`).toBe(1);
        else expect(parts, `open level ${level.size} row`).toBeLessThanOrEqual(MAX_ROLLUP_PARTS + ROLLUP_LEVELS.length);
      }
    }
  });

  it('a chunk older than the rows it falls into (the clock stepped back) is folded in, and its rows are one block again', () => {
    const late = chunkBuckets(CHUNKS - 9, 5); // two hours back, other values
    fed.push(late);
    const dayRow = Math.floor((START + (CHUNKS - 9) * 900) / 86_400) * 86_400;
    const dayParts = (): number => countParts(rows().find((r) => r.size === 900 && r.t0 === dayRow)?.data ?? new Uint8Array());
    expect(dayParts()).toBeGreaterThan(1); // the open day row is made of parts …
    handle.db.transaction(() => foldIntoRollups(handle.db, dev, late))();
    expectRowsMatchBrute();
    expect(dayParts()).toBe(1); // … and rewritten in time order, not appended to
  });
});
