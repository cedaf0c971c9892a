import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PduSnapshot } from '../../../src/core/types.js';
import { CPS_MIB_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { querySeries } from '../../../src/history/query.js';
import { resolveWindow } from '../../../src/history/range.js';
import { compileSeries } from '../../../src/history/series.js';
import { historyRows } from '../../../src/history/views.js';
import { tempHistory, varyingSnapshot, type TempHistory } from '../../support/history.js';

// Every query is checked against a brute-force aggregation of exactly what was fed through the
// real writer (tail rows, compacted hour blocks and rollups all take part).

type Truth = Map<string, Array<[number, number]>>;
let h: TempHistory;
const truth: Truth = new Map();
let t0 = 0;
const HOURS = 3;
const GAP = { from: 3_600 + 1_000, len: 600 }; // 10 minutes with no samples (bridge down)

function record(snap: PduSnapshot, ts: number): void {
  for (const slot of compileSeries(snap, CPS_MIB_PROFILE)) {
    const v = slot.read(snap);
    if (v === null) continue;
    const key = `${slot.name}.${slot.n}`;
    if (!truth.has(key)) truth.set(key, []);
    (truth.get(key) as Array<[number, number]>).push([ts, v]);
  }
}

beforeAll(async () => {
  h = tempHistory({ startMs: Date.UTC(2026, 10, 23, 22, 0, 0) });
  t0 = h.clock.now() / 1000;
  for (let i = 0; i < HOURS * 3600; i++) {
    if (i >= GAP.from && i < GAP.from + GAP.len) {
      await h.clock.advance(1000);
      continue;
    }
    const snap = varyingSnapshot(i);
    if (i % 97 === 0) snap.outlets[2]!.power = null; // absent values stay absent
    record(snap, Math.floor(h.clock.now() / 1000));
    await h.feed(snap);
    if (i % 5 === 0) h.writer.commit();
  }
  h.writer.commit();
}, 60_000);
afterAll(() => h.cleanup());

function brute(key: string, scale: number, start: number, end: number, bucket: number) {
  const m = new Map<number, number[]>();
  for (const [ts, v] of truth.get(key) ?? []) {
    if (ts < start || ts >= end) continue;
    const b = Math.floor(ts / bucket) * bucket;
    if (!m.has(b)) m.set(b, []);
    (m.get(b) as number[]).push(v);
  }
  return [...m.keys()].sort((a, b) => a - b).map((t) => {
    const vs = m.get(t) as number[];
    return { t, n: vs.length, min: Math.min(...vs) / scale, max: Math.max(...vs) / scale, avg: vs.reduce((a, b) => a + b, 0) / vs.length / scale, last: (vs[vs.length - 1] as number) / scale };
  });
}

const SERIES: Array<[string, number, number]> = [['input_voltage', 0, 10], ['bank_power', 1, 1], ['outlet_power', 2, 1], ['outlet_energy', 5, 10], ['outlet_state', 3, 1]];

describe('history queries against brute force', () => {
  it('holds both compacted blocks and not-yet-compacted tail rows', () => {
    const db = h.handle.db;
    expect((db.prepare('SELECT count(*) c FROM raw_chunk').get() as { c: number }).c).toBeGreaterThan(0);
    expect((db.prepare('SELECT count(*) c FROM raw_tail').get() as { c: number }).c).toBeGreaterThan(0);
  });

  for (const bucket of [1, 10, 60, 300, 900, 1800, 3600]) {
    it(`bucket ${bucket} s over the whole run, aligned`, () => {
      const start = Math.floor(t0 / bucket) * bucket;
      const end = Math.ceil((t0 + HOURS * 3600) / bucket) * bucket;
      const res = querySeries(h.handle.db, h.handle.catalog, 'pdu-01', SERIES.map((s) => s[0]), { start, end, bucket });
      for (const [name, n, scale] of SERIES) {
        const got = res.find((r) => r.name === name && r.n === n)?.points ?? [];
        const want = brute(`${name}.${n}`, scale, start, end, bucket);
        expect(got.length, `${name}.${n}`).toBe(want.length);
        got.forEach((p, i) => {
          const w = want[i]!;
          expect([p.t, p.n, p.min, p.max, p.last]).toEqual([w.t, w.n, w.min, w.max, w.last]);
          expect(p.avg).toBe(Math.round(w.avg * 1000) / 1000);
        });
      }
    });
  }

  it('a raw window that does not start on a bucket boundary counts only samples inside it', () => {
    const start = t0 + 123;
    const end = start + 1800;
    const res = querySeries(h.handle.db, h.handle.catalog, 'pdu-01', ['bank_power'], { start, end, bucket: 10 });
    const want = brute('bank_power.1', 1, start, end, 10);
    expect(res.find((r) => r.n === 1)!.points.map((p) => [p.t, p.n, p.avg])).toEqual(want.map((w) => [w.t, w.n, Math.round(w.avg * 1000) / 1000]));
  });

  it('a gap stays a gap (no buckets, nothing interpolated)', () => {
    const gapStart = t0 + GAP.from;
    const res = querySeries(h.handle.db, h.handle.catalog, 'pdu-01', ['input_voltage'], { start: t0, end: t0 + HOURS * 3600, bucket: 60 });
    const inGap = res[0]!.points.filter((p) => p.t >= Math.ceil(gapStart / 60) * 60 && p.t + 60 <= gapStart + GAP.len);
    expect(inGap).toEqual([]);
    expect(res[0]!.points.length).toBeGreaterThan(100);
  });

  it('bank and outlet rows have the SPEC shape, outlet energy is the bucket maximum', () => {
    const w = { start: Math.floor(t0 / 60) * 60, end: t0 + HOURS * 3600, bucket: 60 };
    const banks = historyRows(h.handle.db, h.handle.catalog, 'pdu-01', 'banks', w);
    expect(Object.keys(banks[0]!)).toEqual(expect.arrayContaining(['bucket', 'bank', 'voltage', 'current', 'power', 'apparent', 'pf', 'power_min', 'power_max']));
    const outlets = historyRows(h.handle.db, h.handle.catalog, 'pdu-01', 'outlets', w);
    const o5 = outlets.filter((r) => r.outlet === 5);
    const want = brute('outlet_energy.5', 10, w.start, w.end, 60);
    expect(o5.map((r) => r.energy)).toEqual(want.map((x) => x.max));
  });

  it('unknown device and unknown series are typed errors naming the field', () => {
    const w = resolveWindow({ range: '1h' }, t0 + 3600, 730);
    expect(() => querySeries(h.handle.db, h.handle.catalog, 'nope', null, w)).toThrow(expect.objectContaining({ code: 'P2M_ERR_UNKNOWN_DEVICE', field: 'device_id' }));
    expect(() => querySeries(h.handle.db, h.handle.catalog, 'pdu-01', ['bogus'], w)).toThrow(expect.objectContaining({ field: 'series' }));
  });
});
