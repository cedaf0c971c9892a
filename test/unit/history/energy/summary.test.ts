// Monthly rows from daily rows and the /api/energy/summary shape (SPEC §13.1, §13.5).
import { describe, expect, it } from 'vitest';
import { monthRowsFromDays, summarize, summaryPeriods, type EnergyDayRow, type EnergyPart } from '../../../../src/history/energy/summary.js';

const day = (date: string, kwh: number, peak: number | null, avg: number | null, samples: number, extra: Partial<EnergyDayRow> = {}): EnergyDayRow => ({
  date, device_id: 'pdu1', source: null, outlet: null, kwh, peak_power_w: peak, avg_power_w: avg, samples, ...extra,
});
const utc = (iso: string): number => Date.parse(iso) / 1000;

describe('monthRowsFromDays', () => {
  const rows: EnergyDayRow[] = [
    day('2026-11-02', 2, 500, 100, 100),
    day('2026-11-01', 1, 900, 400, 300),
    day('2026-11-03', 0.5, null, null, 0), // counter-only day: no power statistics
    day('2026-10-31', 4, 1200, 200, 50),
    day('2026-11-01', 0.6, 600, 50, 10, { source: 1 }),
    day('2026-11-01', 0.4, 300, 30, 10, { source: 2 }),
    day('2026-11-01', 0.2, 80, 20, 10, { outlet: 3 }),
    day('2026-11-01', 9, 9, 9, 9, { device_id: 'pdu0' }),
  ];

  it('sums kWh, takes the max peak, weights avg by samples and counts distinct days', () => {
    const whole = monthRowsFromDays(rows).find((r) => r.month === '2026-11' && r.device_id === 'pdu1' && r.source === null && r.outlet === null);
    expect(whole).toBeDefined();
    expect(whole?.kwh).toBeCloseTo(3.5, 12);
    expect(whole?.peak_power_w).toBe(900);
    expect(whole?.avg_power_w).toBeCloseTo((100 * 100 + 400 * 300) / 400, 12);
    expect(whole?.days).toBe(3);
  });

  it('groups by (month, device_id, source, outlet) in a stable order', () => {
    expect(monthRowsFromDays(rows).map((r) => [r.month, r.device_id, r.source, r.outlet, r.days])).toEqual([
      ['2026-10', 'pdu1', null, null, 1],
      ['2026-11', 'pdu0', null, null, 1],
      ['2026-11', 'pdu1', null, null, 3],
      ['2026-11', 'pdu1', null, 3, 1],
      ['2026-11', 'pdu1', 1, null, 1],
      ['2026-11', 'pdu1', 2, null, 1],
    ]);
  });

  it('keeps null statistics when no day has any', () => {
    expect(monthRowsFromDays([day('2026-11-03', 0.5, null, null, 0)])).toEqual([
      { month: '2026-11', device_id: 'pdu1', source: null, outlet: null, kwh: 0.5, peak_power_w: null, avg_power_w: null, days: 1 },
    ]);
  });

  it('rejects a malformed date', () => {
    expect(() => monthRowsFromDays([day('2026-11-31', 1, 1, 1, 1)])).toThrow(/2026-11-31/);
  });
});

describe('summaryPeriods', () => {
  it.each([
    // now, zone, today start, week start (Mon), month start
    ['2026-11-25T10:00:00Z', 'Europe/Berlin', '2026-11-24T23:00:00Z', '2026-11-22T23:00:00Z', '2026-10-31T23:00:00Z', '2026-11-25', '2026-11-23'],
    ['2026-11-02T03:00:00Z', 'America/New_York', '2026-11-01T04:00:00Z', '2026-10-26T04:00:00Z', '2026-11-01T04:00:00Z', '2026-11-01', '2026-10-26'],
    ['2026-03-01T00:00:00Z', 'UTC', '2026-03-01T00:00:00Z', '2026-02-23T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01', '2026-02-23'],
  ])('at %s in %s', (now, tz, todayIso, weekIso, monthIso, today, monday) => {
    const p = summaryPeriods(utc(now), tz);
    expect(p.today).toEqual({ from: utc(todayIso), to: utc(now), start_date: today, end_date: today });
    expect(p.this_week).toEqual({ from: utc(weekIso), to: utc(now), start_date: monday, end_date: today });
    expect(p.this_month).toEqual({ from: utc(monthIso), to: utc(now), start_date: `${today.slice(0, 7)}-01`, end_date: today });
    expect(p.all_time).toEqual({ from: null, to: utc(now), start_date: null, end_date: today });
  });
});

describe('summarize', () => {
  const part = (kwh: number, a: number, b: number, cost: number | null): EnergyPart => ({ kwh, source_a_kwh: a, source_b_kwh: b, cost });
  const today = part(1, 0.6, 0.4, 0.3);
  const closedDays = part(10, 6, 3, 3);

  it('adds the parts of each window and puts currency at the top level', () => {
    const s = summarize({ currency: 'EUR', priced: true, today: [today], this_week: [closedDays, today], this_month: [closedDays, today], all_time: [] });
    expect(s.currency).toBe('EUR');
    expect(s.today).toEqual({ total_kwh: 1, source_a_kwh: 0.6, source_b_kwh: 0.4, cost: 0.3 });
    expect(s.this_week.total_kwh).toBeCloseTo(11, 12);
    expect(s.this_week.source_b_kwh).toBeCloseTo(3.4, 12);
    expect(s.this_week.cost).toBeCloseTo(3.3, 12);
    expect(s.all_time).toEqual({ total_kwh: 0, source_a_kwh: 0, source_b_kwh: 0, cost: 0 });
  });

  it.each([
    ['unpriced tariff', false, [today], null],
    ['a part with unknown cost', true, [today, part(1, 0, 0, null)], null],
  ])('cost is null for %s', (_name, priced, parts, cost) => {
    const s = summarize({ currency: 'USD', priced, today: parts, this_week: parts, this_month: parts, all_time: parts });
    expect([s.today.cost, s.this_week.cost, s.this_month.cost, s.all_time.cost]).toEqual([cost, cost, cost, cost]);
    expect(s.today.total_kwh).toBeGreaterThan(0);
  });
});
