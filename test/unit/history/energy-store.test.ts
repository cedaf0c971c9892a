// Stored energy against brute force over exactly the numbers fed through the real writer (tail
// rows and compacted hour blocks both take part): SPEC §13.1 energy_daily/monthly, §13.5.
import { afterEach, describe, expect, it } from 'vitest';
import { P2mError } from '../../../src/core/errors.js';
import type { Capability, PduSnapshot } from '../../../src/core/types.js';
import { dayBounds, monthRowsFromDays, type EnergyDayRow } from '../../../src/history/energy/index.js';
import { EnergyJob, nextRunAt } from '../../../src/history/energy-job.js';
import { computeDay, dailyRows, missingDays, monthlyRows, recomputeMonths, upsertDays } from '../../../src/history/energy-store.js';
import { energySummary, type SummaryTariff } from '../../../src/history/energy-summary.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ALL_CAPABILITIES } from '../../support/pdu-snapshot.js';
import { tempHistory, varyingSnapshot, type TempHistory } from '../../support/history.js';

const utc = (iso: string): number => Date.parse(iso) / 1000;
const NO_COUNTER: Capability[] = ALL_CAPABILITIES.filter((c) => c !== 'bank_energy');

/** One poll: time, PDU power (W), active source, outlet powers. */
type Fed = { ts: number; power: number; source: 1 | 2; outlets: number[] };

/** Bank powers per poll index; gaps [start, seconds]; counterResetAt: a cumulative kWh counter (0.1 steps, from the true energy) is fed and reset to 0 there. */
type Plan = { start: string; end: string; pollS: number; power: (i: number) => [number, number]; gaps?: Array<[string, number]>; switchToB?: string; counterResetAt?: string; caps?: Capability[] };

/** Feeds the plan through the real writer; returns every fed sample and every slot's true power. */
async function run(h: TempHistory, p: Plan): Promise<{ fed: Fed[]; slots: Fed[] }> {
  const fed: Fed[] = [];
  const slots: Fed[] = [];
  let cum = 0;
  let atReset = 0;
  const reset = p.counterResetAt ? utc(p.counterResetAt) : Infinity;
  for (let i = 0; ; i++) {
    const ts = h.clock.now() / 1000;
    if (ts >= utc(p.end)) break;
    const [b1, b2] = p.power(i);
    const snap: PduSnapshot = varyingSnapshot(i, { capabilities: p.caps ?? NO_COUNTER });
    snap.banks[1]!.power = b1;
    snap.banks[2]!.power = b2;
    snap.totals.power = b1 + b2;
    for (const o of Object.values(snap.outlets)) o.energy = null;
    const source = p.switchToB && ts >= utc(p.switchToB) ? 2 : 1;
    snap.ats!.current_source = source === 2 ? 'B' : 'A';
    const s: Fed = { ts, power: b1 + b2, source, outlets: Object.values(snap.outlets).map((o) => o.power as number) };
    slots.push(s);
    cum += ((b1 + b2) * p.pollS) / 3_600_000;
    if (ts >= reset && atReset === 0) atReset = cum - ((b1 + b2) * p.pollS) / 3_600_000;
    snap.totals.energy = p.counterResetAt ? Math.floor((cum - atReset + (ts >= reset ? 0 : 1234.5)) * 10 + 1e-9) / 10 : null;
    const inGap = (p.gaps ?? []).some(([g, len]) => ts >= utc(g) && ts < utc(g) + len);
    if (inGap) await h.clock.advance(p.pollS * 1000);
    else {
      fed.push(s);
      await h.feed(snap, p.pollS);
    }
    if (i % 30 === 0) h.writer.commit();
  }
  h.writer.commit();
  h.writer.compactAll();
  return { fed, slots };
}

/** SPEC §13.5 integration by hand: (prev, cur] at cur's power and source, dt ≤ maxGap, clipped. */
function brute(samples: Fed[], pick: (s: Fed) => number, start: number, end: number, maxGap: number, source: 1 | 2 | null) {
  let ws = 0;
  let secs = 0;
  let n = 0;
  let peak: number | null = null;
  let prev: number | null = null;
  for (const s of samples) {
    const mine = source === null || s.source === source;
    if (mine && s.ts >= start && s.ts < end) {
      n++;
      peak = Math.max(peak ?? -Infinity, pick(s));
    }
    if (prev !== null && s.ts - prev <= maxGap && mine) {
      const a = Math.max(prev, start);
      const b = Math.min(s.ts, end);
      if (b > a) {
        ws += pick(s) * (b - a);
        secs += b - a;
      }
    }
    prev = s.ts;
  }
  return { kwh: ws / 3_600_000, samples: n, peak, avg: secs > 0 ? ws / secs : null };
}

function expectRow(row: EnergyDayRow | undefined, want: ReturnType<typeof brute>, tol = 1e-9): void {
  expect(row).toBeDefined();
  expect(row!.kwh).toBeCloseTo(want.kwh, -Math.log10(tol));
  expect(row!.samples).toBe(want.samples);
  expect(row!.peak_power_w).toBe(want.peak);
  expect(row!.avg_power_w).toBeCloseTo(want.avg as number, 6);
}

const find = (rows: EnergyDayRow[], source: 1 | 2 | null, outlet: number | null): EnergyDayRow | undefined =>
  rows.find((r) => r.source === source && r.outlet === outlet);

let h: TempHistory | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

const MIXED: Plan = {
  start: '2026-11-23T23:50:03Z', end: '2026-11-25T00:10:03Z', pollS: 10,
  power: (i) => [1000 + 13 * (i % 11), 1100 + 7 * (i % 5)],
  gaps: [['2026-11-24T04:00:03Z', 600]], switchToB: '2026-11-24T14:00:03Z',
};

describe('computeDay', () => {
  it('matches brute-force integration for the PDU and every metered outlet, per source, with a gap and an ATS switch', async () => {
    h = tempHistory({ startMs: Date.parse(MIXED.start), pollIntervalS: 10 });
    const { fed } = await run(h, MIXED);
    const { start, end } = dayBounds('2026-11-24', 'UTC');
    const rows = computeDay(h.handle.db, h.handle.catalog, 'pdu-01', '2026-11-24', 'UTC');
    expect(rows).toHaveLength(3 + 10 * 3);
    for (const source of [null, 1, 2] as const) {
      expectRow(find(rows, source, null), brute(fed, (s) => s.power, start, end, 30, source));
      for (let n = 1; n <= 10; n++) expectRow(find(rows, source, n), brute(fed, (s) => s.outlets[n - 1] as number, start, end, 30, source));
    }
    const all = find(rows, null, null)!;
    // The 10-minute gap contributes nothing; A + B = all (every sample has a source).
    const withGap = brute(fed, (s) => s.power, start, end, 1e9, null);
    expect(withGap.kwh - all.kwh).toBeGreaterThan(0.3);
    expect(find(rows, 1, null)!.kwh + find(rows, 2, null)!.kwh).toBeCloseTo(all.kwh, 9);
    // The interval straddling midnight is split: adjacent days add up to the whole integration.
    const before = computeDay(h.handle.db, h.handle.catalog, 'pdu-01', '2026-11-23', 'UTC');
    const after = computeDay(h.handle.db, h.handle.catalog, 'pdu-01', '2026-11-25', 'UTC');
    const whole = brute(fed, (s) => s.power, -Infinity, Infinity, 30, null);
    expect(find(before, null, null)!.kwh + all.kwh + find(after, null, null)!.kwh).toBeCloseTo(whole.kwh, 9);
    expect(computeDay(h.handle.db, h.handle.catalog, 'pdu-01', '2026-11-26', 'UTC')).toEqual([]);
    expect(computeDay(h.handle.db, h.handle.catalog, 'nope', '2026-11-24', 'UTC')).toEqual([]);
  }, 60_000);

  it('takes the counter where it steps (bridging a gap) and survives a counter reset', async () => {
    h = tempHistory({ startMs: Date.parse(MIXED.start), pollIntervalS: 10 });
    const { fed, slots } = await run(h, { ...MIXED, counterResetAt: '2026-11-24T08:00:03Z', caps: [...ALL_CAPABILITIES] });
    const { start, end } = dayBounds('2026-11-24', 'UTC');
    const rows = computeDay(h.handle.db, h.handle.catalog, 'pdu-01', '2026-11-24', 'UTC');
    const all = find(rows, null, null)!;
    // True energy: every slot including the gap the device kept counting through.
    const truth = brute(slots, (s) => s.power, start, end, 30, null);
    const integrated = brute(fed, (s) => s.power, start, end, 30, null);
    expect(Math.abs(all.kwh - truth.kwh)).toBeLessThan(0.02);
    expect(truth.kwh - integrated.kwh).toBeGreaterThan(0.3);
    expect(all.samples).toBe(integrated.samples);
    expect(all.peak_power_w).toBe(integrated.peak);
    expect(Math.abs(find(rows, 2, null)!.kwh - brute(slots, (s) => s.power, start, end, 30, 2).kwh)).toBeLessThan(0.02);
    expect(find(rows, 1, null)!.kwh + find(rows, 2, null)!.kwh).toBeCloseTo(all.kwh, 9);
  }, 60_000);

  it('gives 23 h and 25 h days across DST in Europe/Berlin and stays additive across midnight', async () => {
    h = tempHistory({ startMs: Date.parse('2026-03-28T21:00:00Z'), pollIntervalS: 60 });
    const flat: Plan = { start: '2026-03-28T21:00:00Z', end: '2026-03-30T00:00:00Z', pollS: 60, power: () => [400, 600] };
    await run(h, flat);
    await h.clock.advance(Date.parse('2026-10-24T20:00:00Z') - h.clock.now());
    await run(h, { ...flat, start: '2026-10-24T20:00:00Z', end: '2026-10-26T01:00:00Z' });
    const day = (d: string): EnergyDayRow => find(computeDay(h!.handle.db, h!.handle.catalog, 'pdu-01', d, 'Europe/Berlin'), null, null)!;
    expect(day('2026-03-29')).toMatchObject({ samples: 23 * 60, peak_power_w: 1000, avg_power_w: 1000 });
    expect(day('2026-03-29').kwh).toBeCloseTo(23, 9);
    expect(day('2026-10-25').kwh).toBeCloseTo(25, 9);
    expect(day('2026-10-25').samples).toBe(25 * 60);
    // Local 22:00 → midnight on the 28th (the interval ending at midnight included), then the 30th
    // from midnight (that interval belongs to the 29th) to 01:59.
    expect(day('2026-03-28').kwh).toBeCloseTo(2, 9);
    expect(day('2026-03-30').kwh).toBeCloseTo(2 - 1 / 60, 9);

    const nowS = utc('2026-10-26T12:00:00Z');
    expect(missingDays(h.handle.db, 'pdu-01', 'Europe/Berlin', nowS, 400)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25']);
    upsertDays(h.handle.db, computeDay(h.handle.db, h.handle.catalog, 'pdu-01', '2026-03-29', 'Europe/Berlin'));
    expect(missingDays(h.handle.db, 'pdu-01', 'Europe/Berlin', nowS, 400)).not.toContain('2026-03-29');
    // Only days wholly inside raw retention; today never.
    expect(missingDays(h.handle.db, 'pdu-01', 'Europe/Berlin', nowS, 200)).toEqual(['2026-10-24', '2026-10-25']);
    expect(missingDays(h.handle.db, 'pdu-01', 'Europe/Berlin', utc('2026-10-27T12:00:00Z'), 400)).toContain('2026-10-26');
    expect(missingDays(h.handle.db, 'other', 'Europe/Berlin', nowS, 400)).toEqual([]);
  }, 60_000);
});

describe('daily/monthly rows', () => {
  const row = (date: string, kwh: number, extra: Partial<EnergyDayRow> = {}): EnergyDayRow => ({
    date, device_id: 'pdu-01', source: null, outlet: null, kwh, peak_power_w: 100, avg_power_w: 50, samples: 10, ...extra,
  });

  it('upserts days (replacing the whole day), recomputes months from them and reads them back in order', () => {
    h = tempHistory();
    const db = h.handle.db;
    upsertDays(db, [row('2026-11-01', 1), row('2026-11-01', 0.4, { source: 2 }), row('2026-11-02', 2), row('2026-10-31', 5), row('2026-11-02', 0.5, { outlet: 3 })]);
    upsertDays(db, [row('2026-11-01', 1.5), row('2026-11-01', 0.6, { source: 1 })]);
    const nov = dailyRows(db, { start: '2026-11-01', end: '2026-11-30' });
    expect(nov.map((r) => [r.date, r.source, r.outlet, r.kwh])).toEqual([
      ['2026-11-01', null, null, 1.5], ['2026-11-01', 1, null, 0.6], ['2026-11-02', null, null, 2], ['2026-11-02', null, 3, 0.5],
    ]);
    const months = recomputeMonths(db, 'pdu-01', ['2026-11', '2026-10']);
    expect(months).toEqual(monthRowsFromDays(dailyRows(db, { start: '2026-10-01', end: '2026-11-30', device_id: 'pdu-01' })));
    expect(monthlyRows(db, { start: '2026-10', end: '2026-11' })).toEqual(months);
    upsertDays(db, [row('2026-11-02', 3)]);
    recomputeMonths(db, 'pdu-01', ['2026-11']);
    const whole = monthlyRows(db, { start: '2026-11', end: '2026-11', device_id: 'pdu-01' }).filter((m) => m.source === null && m.outlet === null);
    expect(whole).toMatchObject([{ month: '2026-11', kwh: 4.5, days: 2 }]);
    expect(monthlyRows(db, { start: '2026-11', end: '2026-11', device_id: 'x' })).toEqual([]);
  });

  it.each([
    [{ start: '2026-11-1', end: '2026-11-30' }, 'start'],
    [{ start: '2026-11-01', end: '2026-02-30' }, 'end'],
    [{ start: '2026-11-05', end: '2026-11-01' }, 'end'],
  ])('rejects %j naming %s', (q, field) => {
    h = tempHistory();
    const db = h.handle.db;
    expect(() => dailyRows(db, q)).toThrow(expect.objectContaining({ name: 'P2mError', code: 'P2M_ERR_VALIDATION', field, message: expect.stringContaining(field) }));
  });

  it('validates months', () => {
    h = tempHistory();
    expect(() => monthlyRows(h!.handle.db, { start: '2026-13', end: '2026-12' })).toThrow(/start must be a month YYYY-MM/);
    expect(() => monthlyRows(h!.handle.db, { start: '2026-12', end: '2026-11' })).toThrow(P2mError);
  });
});

describe('EnergyJob', () => {
  it('backfills every missing day after start, recomputes months, then runs at 00:05 local', async () => {
    h = tempHistory({ startMs: Date.parse('2026-11-22T00:00:00Z'), pollIntervalS: 60 });
    const steady: Plan = { start: '2026-11-22T00:00:00Z', end: '2026-11-24T00:10:00Z', pollS: 60, power: () => [300, 300] };
    await run(h, steady);
    const job = new EnergyJob({ clock: h.clock, logger: silentLogger(), handle: h.handle, tz: 'UTC', rawRetentionDays: 60, startDelayMs: 1000, sliceBudgetMs: 0 });
    job.start();
    await h.clock.advance(1000);
    const db = h.handle.db;
    const whole = (d: string) => dailyRows(db, { start: d, end: d }).find((r) => r.source === null && r.outlet === null);
    expect(dailyRows(db, { start: '2026-11-01', end: '2026-11-30' }).map((r) => r.date).filter((d, i, a) => a.indexOf(d) === i)).toEqual(['2026-11-22', '2026-11-23']);
    expect(whole('2026-11-23')?.kwh).toBeCloseTo(14.4, 9);
    expect(monthlyRows(db, { start: '2026-11', end: '2026-11' }).find((r) => r.source === null && r.outlet === null)).toMatchObject({ days: 2 });
    expect(nextRunAt(h.clock.now() / 1000, 'UTC')).toBe(utc('2026-11-25T00:05:00Z'));
    expect(nextRunAt(utc('2026-03-29T00:04:00Z'), 'Europe/Berlin')).toBe(utc('2026-03-29T22:05:00Z'));
    await run(h, { ...steady, start: '2026-11-24T00:10:00Z', end: '2026-11-25T00:02:00Z' });
    expect(whole('2026-11-24')).toBeUndefined();
    await h.clock.advance(Date.parse('2026-11-25T00:05:00Z') - h.clock.now());
    expect(whole('2026-11-24')?.kwh).toBeCloseTo(14.4, 9);
    job.stop();
    expect(h.clock.pendingTimers()).toBe(0);
    expect(new EnergyJob({ clock: h.clock, logger: silentLogger(), handle: h.handle, tz: 'UTC', rawRetentionDays: 60 }).runOnce()).toEqual({ days: 0, months: 2, errors: 0 });
  }, 60_000);
});

describe('energySummary', () => {
  const nowS = utc('2026-11-25T12:00:00Z');
  const flat = (price: number): SummaryTariff => ({ type: 'flat', price_per_kwh: price, periods: [], currency: 'EUR' });
  const tou: SummaryTariff = { type: 'tou', price_per_kwh: 0.3, currency: 'EUR', periods: [{ name: 'night', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '12:00', price_per_kwh: 0.1 }] };

  it('combines stored days with today integrated live, per source, with flat and tou costs', async () => {
    h = tempHistory({ startMs: Date.parse('2026-11-20T00:00:00Z'), pollIntervalS: 60 });
    await run(h, { start: '2026-11-20T00:00:00Z', end: '2026-11-25T12:00:01Z', pollS: 60, power: () => [500, 700], switchToB: '2026-11-24T12:00:00Z' });
    const job = new EnergyJob({ clock: h.clock, logger: silentLogger(), handle: h.handle, tz: 'UTC', rawRetentionDays: 60 });
    expect(job.runOnce().days).toBe(5);
    const { db, catalog } = h.handle;
    upsertDays(db, [{ date: '2026-10-15', device_id: 'pdu-01', source: null, outlet: null, kwh: 10, peak_power_w: 500, avg_power_w: 400, samples: 100 }]);

    const s = energySummary(db, catalog, 'pdu-01', flat(0.25), 'UTC', nowS);
    expect(s.currency).toBe('EUR');
    expect(Object.keys(s)).toEqual(['currency', 'today', 'this_week', 'this_month', 'all_time']);
    // 1.2 kW: 28.8 kWh a day (the interval ending at the next midnight completes each day). The
    // switch sample (11-24 12:00) is B, so is the minute ending there: 11-24 has 14.38 A, 14.42 B.
    // The October row is source-less (only its total counts).
    const want = {
      today: [14.4, 0, 14.4],
      this_week: [72, 28.8 + 14.38, 14.42 + 14.4],
      this_month: [5 * 28.8 + 14.4, 4 * 28.8 + 14.38, 14.42 + 14.4],
      all_time: [10 + 5 * 28.8 + 14.4, 4 * 28.8 + 14.38, 14.42 + 14.4],
    } as const;
    for (const [k, [total, a, b]] of Object.entries(want)) {
      const w = s[k as keyof typeof want];
      expect(w.total_kwh, k).toBeCloseTo(total, 6);
      expect(w.source_a_kwh, k).toBeCloseTo(a, 6);
      expect(w.source_b_kwh, k).toBeCloseTo(b, 6);
      expect(w.cost, k).toBeCloseTo(total * 0.25, 6);
    }
    expect(energySummary(db, catalog, null, flat(0.25), 'UTC', nowS)).toEqual(s);
    expect(energySummary(db, catalog, 'pdu-01', flat(0), 'UTC', nowS).all_time.cost).toBeNull();
    expect(energySummary(db, catalog, 'nope', flat(0.25), 'UTC', nowS).all_time).toEqual({ total_kwh: 0, source_a_kwh: 0, source_b_kwh: 0, cost: 0 });

    // tou: 00:00–12:00 at 0.1, otherwise 0.3; the October day has no raw data left: priced at 0.3.
    const t = energySummary(db, catalog, 'pdu-01', tou, 'UTC', nowS);
    const fullDay = 14.4 * 0.1 + 14.4 * 0.3;
    expect(t.today.cost).toBeCloseTo(1.44, 6);
    expect(t.this_week.cost).toBeCloseTo(2 * fullDay + 1.44, 6);
    expect(t.this_month.cost).toBeCloseTo(5 * fullDay + 1.44, 6);
    expect(t.all_time.cost).toBeCloseTo((t.this_month.cost as number) + 10 * 0.3, 6);
  }, 60_000);

  it('prices tou periods at half hours on a DST day in Europe/Berlin exactly', async () => {
    h = tempHistory({ startMs: Date.parse('2026-03-28T22:00:00Z'), pollIntervalS: 60 });
    await run(h, { start: '2026-03-28T22:00:00Z', end: '2026-03-29T06:00:01Z', pollS: 60, power: () => [400, 600] });
    const morning: SummaryTariff = { type: 'tou', price_per_kwh: 0, currency: 'EUR', periods: [{ name: 'p', days: ['sun'], start: '06:30', end: '07:15', price_per_kwh: 1 }] };
    const s = energySummary(h.handle.db, h.handle.catalog, 'pdu-01', morning, 'Europe/Berlin', utc('2026-03-29T06:00:00Z'));
    expect(s.today.total_kwh).toBeCloseTo(7, 9); // 00:00–08:00 local is 7 h: 02:00–03:00 does not exist
    expect(s.today.cost).toBeCloseTo(0.75, 9);
  }, 60_000);
});
