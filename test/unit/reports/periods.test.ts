// Report periods and their schedule (SPEC §13.7): weeks Monday–Sunday and calendar months in the
// configured zone, 00:30 local on Monday / the 1st, back-fill of 8 weeks and 3 months.
import { describe, expect, it } from 'vitest';
import { zonedEpoch } from '../../../src/core/calendar.js';
import {
  addMonths, backfillPeriods, duePeriods, hasEnded, lastComplete, monthPeriod, nextRunAt, parsePeriod, periodBounds, periodDates, previousPeriod, weekPeriod,
} from '../../../src/reports/periods.js';

const TZ = 'Europe/Berlin';
const at = (date: string, hh: number, mm = 0): number => zonedEpoch(date, hh * 3600 + mm * 60, TZ);
const BOTH = { weekly: true, monthly: true };

describe('periods', () => {
  it.each([
    ['2026-06-01', '2026-06-01', '2026-06-07'],
    ['2026-06-03', '2026-06-01', '2026-06-07'],
    ['2026-06-07', '2026-06-01', '2026-06-07'],
    ['2027-01-01', '2026-12-28', '2027-01-03'],
  ])('the week of %s is %s – %s', (date, start, end) => {
    expect(weekPeriod(date)).toMatchObject({ type: 'weekly', period: start, start, end });
  });

  it.each([
    ['2024-02', '2024-02-29', 'February 2024', 29],
    ['2026-02', '2026-02-28', 'February 2026', 28],
    ['2026-12', '2026-12-31', 'December 2026', 31],
  ])('month %s ends %s (%s, %i days)', (month, end, label, days) => {
    const p = monthPeriod(month);
    expect(p).toMatchObject({ type: 'monthly', period: month, start: `${month}-01`, end, label });
    expect(periodDates(p)).toHaveLength(days);
  });

  it.each([
    ['2026-01', -1, '2025-12'],
    ['2026-03', -3, '2025-12'],
    ['2026-11', 2, '2027-01'],
  ])('addMonths(%s, %i) = %s', (m, n, want) => expect(addMonths(m, n)).toBe(want));

  it('the previous period of a week and of a month', () => {
    expect(previousPeriod(weekPeriod('2026-06-01')).period).toBe('2026-05-25');
    expect(previousPeriod(monthPeriod('2026-01')).period).toBe('2025-12');
  });

  it('parses a weekly period from any date of the week and a monthly one from YYYY-MM', () => {
    expect(parsePeriod('weekly', '2026-06-05').period).toBe('2026-06-01');
    expect(parsePeriod('monthly', '2026-06').end).toBe('2026-06-30');
    for (const [type, bad] of [['weekly', '2026-06'], ['weekly', '2026-02-30'], ['monthly', '2026-13'], ['monthly', '2026-06-01']] as const) {
      expect(() => parsePeriod(type, bad), `${type} ${bad}`).toThrow(RangeError);
    }
  });

  it('bounds a week across the DST change by local midnights (167 h in spring)', () => {
    const b = periodBounds(weekPeriod('2026-03-23'), TZ); // Sunday 2026-03-29 loses an hour
    expect(b.start).toBe(at('2026-03-23', 0));
    expect(b.end - b.start).toBe(167 * 3600);
  });

  it('a period has ended only from the local midnight after its last day', () => {
    const w = weekPeriod('2026-06-01');
    expect(hasEnded(w, at('2026-06-07', 23, 59), TZ)).toBe(false);
    expect(hasEnded(w, at('2026-06-08', 0), TZ)).toBe(true);
  });

  it('the last complete week and month', () => {
    expect(lastComplete('weekly', at('2026-06-08', 0, 30), TZ).period).toBe('2026-06-01');
    expect(lastComplete('weekly', at('2026-06-07', 23), TZ).period).toBe('2026-05-25');
    expect(lastComplete('monthly', at('2026-06-01', 0, 30), TZ).period).toBe('2026-05');
  });

  it('back-fills the last 8 weeks and 3 months, newest first, as enabled', () => {
    const all = backfillPeriods(at('2026-06-10', 12), TZ, BOTH);
    expect(all.filter((p) => p.type === 'weekly').map((p) => p.period)).toEqual([
      '2026-06-01', '2026-05-25', '2026-05-18', '2026-05-11', '2026-05-04', '2026-04-27', '2026-04-20', '2026-04-13',
    ]);
    expect(all.filter((p) => p.type === 'monthly').map((p) => p.period)).toEqual(['2026-05', '2026-04', '2026-03']);
    expect(backfillPeriods(at('2026-06-10', 12), TZ, { weekly: false, monthly: true })).toHaveLength(3);
    expect(backfillPeriods(at('2026-06-10', 12), TZ, { weekly: false, monthly: false })).toEqual([]);
  });
});

describe('schedule', () => {
  it.each([
    ['Sunday 23:00 → Monday 00:30', at('2026-06-07', 23), BOTH, at('2026-06-08', 0, 30)],
    ['Monday 00:30 exactly → the next Monday', at('2026-06-08', 0, 30), BOTH, at('2026-06-15', 0, 30)],
    ['Monday 00:29 → that Monday', at('2026-06-08', 0, 29), BOTH, at('2026-06-08', 0, 30)],
    ['a Wednesday → the next Monday', at('2026-06-24', 12), BOTH, at('2026-06-29', 0, 30)],
    ['a 1st before the next Monday comes first', at('2026-06-30', 12), BOTH, at('2026-07-01', 0, 30)],
    ['monthly only → the 1st', at('2026-06-02', 12), { weekly: false, monthly: true }, at('2026-07-01', 0, 30)],
    ['weekly only skips the 1st', at('2026-06-30', 12), { weekly: true, monthly: false }, at('2026-07-06', 0, 30)],
  ])('%s', (_name, now, cfg, want) => {
    expect(nextRunAt(now, TZ, cfg)).toBe(want);
  });

  it('never runs when both are off', () => {
    expect(nextRunAt(at('2026-06-02', 12), TZ, { weekly: false, monthly: false })).toBeNull();
  });

  it('runs the week before on a Monday and the month before on the 1st (both on Monday 2026-06-01)', () => {
    expect(duePeriods(at('2026-06-01', 0, 30), TZ, BOTH).map((p) => `${p.type} ${p.period}`)).toEqual(['weekly 2026-05-25', 'monthly 2026-05']);
    expect(duePeriods(at('2026-06-08', 0, 30), TZ, BOTH).map((p) => p.period)).toEqual(['2026-06-01']);
    expect(duePeriods(at('2026-07-01', 0, 30), TZ, BOTH).map((p) => p.period)).toEqual(['2026-06']);
    expect(duePeriods(at('2026-06-01', 0, 30), TZ, { weekly: false, monthly: false })).toEqual([]);
    expect(duePeriods(at('2026-06-03', 0, 30), TZ, BOTH)).toEqual([]);
  });
});
