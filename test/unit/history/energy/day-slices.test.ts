// A device-day computed in slices (the daily job spreads one over many timer turns) against the
// same day at once, from tail rows and from compacted blocks; the job's small turns; the tou
// cost cache following raw retention (SPEC §13.5).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../../src/core/logger.js';
import { dayBounds, hybridEnergy, type EnergyDayRow, type HybridPoint } from '../../../../src/history/energy/index.js';
import { EnergyJob } from '../../../../src/history/energy-job.js';
import { DayComputation, computeDay, dailyRows, monthlyRows } from '../../../../src/history/energy-store.js';
import { energySummary, type SummaryTariff } from '../../../../src/history/energy-summary.js';
import { readRaw } from '../../../../src/history/raw.js';
import { ALL_CAPABILITIES } from '../../../support/pdu-snapshot.js';
import { tempHistory, varyingSnapshot, type TempHistory } from '../../../support/history.js';

const utc = (iso: string): number => Date.parse(iso) / 1000;
const START = '2026-11-23T23:50:03Z';
const END = '2026-11-25T00:10:03Z';

/**
 * Polls every 10 s from START to END: counters step (PDU every ~0.1 kWh, outlets every 600 polls),
 * source B from 14:00, a 10-minute gap at 04:00, null total power at 06:00 (bank sum used instead).
 * compact false: every sample stays a tail row.
 */
async function feed(h: TempHistory, compact: boolean): Promise<void> {
  let kwh = 1234.5;
  for (let i = 0; ; i++) {
    const ts = h.clock.now() / 1000;
    if (ts >= utc(END)) break;
    const snap = varyingSnapshot(i, { capabilities: ALL_CAPABILITIES });
    const power = snap.totals.power as number;
    kwh += (power * 10) / 3_600_000;
    snap.totals.energy = Math.floor(kwh * 10) / 10;
    snap.ats!.current_source = ts >= utc('2026-11-24T14:00:03Z') ? 'B' : 'A';
    if (ts >= utc('2026-11-24T06:00:03Z') && ts < utc('2026-11-24T06:05:03Z')) snap.totals.power = null;
    if (ts >= utc('2026-11-24T04:00:03Z') && ts < utc('2026-11-24T04:10:03Z')) await h.clock.advance(10_000);
    else await h.feed(snap, 10);
    if (i % 30 === 0) h.writer.commit({ compact });
  }
  h.writer.commit({ compact });
  if (compact) h.writer.compactAll();
}

/** The day stepped to the end; returns its rows and how many slices it took. */
function sliced(h: TempHistory, date: string, sliceS: number): { rows: EnergyDayRow[]; slices: number } {
  const day = new DayComputation(h.handle.catalog, 'pdu-01', date, 'UTC', sliceS);
  let slices = 1;
  while (day.step(h.handle.db, h.handle.catalog)) slices++;
  return { rows: day.rows(), slices };
}

let h: TempHistory | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

describe('DayComputation', () => {
  it('gives the same rows whatever the slicing, from tail rows or compacted blocks, as the array functions', async () => {
    h = tempHistory({ startMs: Date.parse(START), pollIntervalS: 10 });
    await feed(h, false);
    const { db, catalog } = h.handle;
    expect((db.prepare('SELECT count(*) AS n FROM raw_chunk').get() as { n: number }).n).toBe(0);
    const whole = sliced(h, '2026-11-24', Infinity);
    expect(whole.slices).toBe(1);
    expect(whole.rows).toHaveLength(3 + 10 * 3);
    for (const sliceS of [7, 900, 3600]) expect(sliced(h, '2026-11-24', sliceS).rows, `slices of ${sliceS} s`).toEqual(whole.rows);
    expect(sliced(h, '2026-11-24', 3600).slices).toBe(26); // 24 hours and the maxGap edges on both sides
    const tailRows = (): number => (db.prepare('SELECT count(*) AS n FROM raw_tail').get() as { n: number }).n;
    for (let i = 0; i < 200 && tailRows() > 0; i++) h.writer.compactAll(); // one chunk (15 min) per call
    expect(tailRows()).toBe(0);
    expect(computeDay(db, catalog, 'pdu-01', '2026-11-24', 'UTC')).toEqual(whole.rows);
    expect(sliced(h, '2026-11-24', 600).rows).toEqual(whole.rows);

    // The all-source rows equal hybridEnergy over the day's points exactly (same sums, same order).
    const { start, end } = dayBounds('2026-11-24', 'UTC');
    const dev = catalog.findDev('pdu-01')!;
    const raw = readRaw(db, catalog, dev.id, start - 30, end + 31);
    const id = (name: string, n = 0): number => catalog.seriesOf(dev.id).find((r) => r.name === name && r.n === n)!.id;
    const col = (name: string, n = 0): Array<number | null> => raw.series.get(id(name, n)) ?? [];
    const scale = (name: string, n = 0): number => catalog.seriesOf(dev.id).find((r) => r.id === id(name, n))!.scale;
    const points = (power: (i: number) => number | null, energy: string, n = 0): HybridPoint[] =>
      raw.ts.map((ts, i) => {
        const c = col(energy, n)[i];
        const s = col('active_source')[i];
        return { ts, power: power(i), counter: c === null || c === undefined ? null : c / scale(energy, n), source: s === 1 || s === 2 ? s : null };
      });
    const total = (i: number): number | null => {
      const t = col('total_power')[i];
      if (t !== null && t !== undefined) return t / scale('total_power');
      return [1, 2].reduce<number | null>((sum, b) => (col('bank_power', b)[i] == null ? sum : (sum ?? 0) + (col('bank_power', b)[i] as number) / scale('bank_power', b)), null);
    };
    const opts = { maxGapS: 30, from: start, to: end };
    const pdu = hybridEnergy(points(total, 'total_energy'), opts);
    expect(pdu.method).toBe('hybrid');
    expect(whole.rows.find((r) => r.outlet === null && r.source === null)).toMatchObject({ kwh: pdu.kwh, samples: pdu.samples, peak_power_w: pdu.peak_power_w, avg_power_w: pdu.avg_power_w });
    expect(whole.rows.find((r) => r.outlet === null && r.source === 2)?.kwh).toBe(pdu.source_b_kwh);
    const outlet4 = hybridEnergy(points((i) => col('outlet_power', 4)[i] ?? null, 'outlet_energy', 4), opts);
    expect(outlet4.method).toBe('hybrid');
    expect(whole.rows.find((r) => r.outlet === 4 && r.source === null)?.kwh).toBe(outlet4.kwh);
  }, 60_000);
});

describe('EnergyJob turns', () => {
  it('spreads a backfill over many small timer turns and stores what runOnce stores', async () => {
    h = tempHistory({ startMs: Date.parse(START), pollIntervalS: 10 });
    await feed(h, true);
    await h.clock.advance(Date.parse('2026-11-25T00:30:00Z') - h.clock.now());
    const arm = vi.spyOn(h.clock, 'setTimeout');
    const job = new EnergyJob({ clock: h.clock, logger: silentLogger(), handle: h.handle, tz: 'UTC', rawRetentionDays: 30, startDelayMs: 1000, sliceBudgetMs: 0 });
    job.start();
    await h.clock.advance(1000);
    job.stop();
    // One unit per turn: plan the device, then per day its 26 hour slices and the store, then the months.
    const yields = arm.mock.calls.filter(([, ms]) => ms === 0).length;
    expect(yields).toBeGreaterThanOrEqual(2 * 26);
    const { db } = h.handle;
    const read = (): unknown => [dailyRows(db, { start: '2026-11-01', end: '2026-11-30' }), monthlyRows(db, { start: '2026-11', end: '2026-11' })];
    const stepped = read();
    expect((stepped as [EnergyDayRow[]])[0].map((r) => r.date)).toContain('2026-11-24');
    db.exec('DELETE FROM energy_daily; DELETE FROM energy_monthly');
    expect(new EnergyJob({ clock: h.clock, logger: silentLogger(), handle: h.handle, tz: 'UTC', rawRetentionDays: 30 }).runOnce()).toMatchObject({ days: 2, errors: 0 });
    expect(read()).toEqual(stepped);
  }, 60_000);
});

describe('energySummary tou cache', () => {
  it('prices a closed day by its raw profile while raw data exists, at price_per_kwh once it is gone', async () => {
    h = tempHistory({ startMs: Date.parse(START), pollIntervalS: 10 });
    await feed(h, true);
    const { db, catalog } = h.handle;
    new EnergyJob({ clock: h.clock, logger: silentLogger(), handle: h.handle, tz: 'UTC', rawRetentionDays: 30 }).runOnce();
    const tou: SummaryTariff = { type: 'tou', price_per_kwh: 0.3, currency: 'EUR', periods: [{ name: 'night', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '12:00', price_per_kwh: 0.1 }] };
    const nowS = utc('2026-11-25T00:09:00Z');
    const closed = (): { kwh: number; cost: number } => {
      const s = energySummary(db, catalog, 'pdu-01', tou, 'UTC', nowS);
      return { kwh: s.all_time.total_kwh - s.today.total_kwh, cost: (s.all_time.cost as number) - (s.today.cost as number) };
    };
    const profiled = closed();
    expect(profiled.cost / profiled.kwh).toBeGreaterThan(0.15);
    expect(profiled.cost / profiled.kwh).toBeLessThan(0.25);
    expect(closed()).toEqual(profiled); // cached: the same numbers again
    db.prepare('DELETE FROM raw_chunk WHERE t0 < ?').run(utc('2026-11-25T00:00:00Z')); // retention took both closed days
    const flat = closed();
    expect(flat.kwh).toBeCloseTo(profiled.kwh, 9);
    expect(flat.cost).toBeCloseTo(flat.kwh * 0.3, 9);
  }, 60_000);
});
