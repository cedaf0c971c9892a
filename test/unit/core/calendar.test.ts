// Local calendar arithmetic in IANA zones, DST days included (SPEC §4.2 timezone, §13.5).
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayBounds,
  daysBetween,
  localDay,
  localMonth,
  localParts,
  monthBounds,
  weekStart,
  zonedEpoch,
} from '../../../src/core/calendar.js';

const utc = (iso: string): number => Date.parse(iso) / 1000;

describe('dayBounds', () => {
  it.each([
    ['Europe/Berlin', '2026-01-15', '2026-01-14T23:00:00Z', 24],
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00Z', 23],
    ['Europe/Berlin', '2026-10-25', '2026-10-24T22:00:00Z', 25],
    ['Europe/Berlin', '2026-07-01', '2026-06-30T22:00:00Z', 24],
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00Z', 23],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00Z', 25],
    ['America/New_York', '2026-12-31', '2026-12-31T05:00:00Z', 24],
    ['UTC', '2026-03-29', '2026-03-29T00:00:00Z', 24],
    ['UTC', '2028-02-29', '2028-02-29T00:00:00Z', 24],
  ])('%s %s starts at %s and lasts %i h', (tz, date, startIso, hours) => {
    const b = dayBounds(date, tz);
    expect(b.start).toBe(utc(startIso));
    expect((b.end - b.start) / 3600).toBe(hours);
    expect(localDay(b.start, tz)).toBe(date);
    expect(localDay(b.end - 1, tz)).toBe(date);
    expect(localDay(b.end, tz)).toBe(addDays(date, 1));
  });

  it('starts a day at its first existing instant when local midnight is skipped (America/Santiago)', () => {
    // Chile springs forward at 24:00 → 01:00 local; 2026-09-06 00:00 does not exist.
    const b = dayBounds('2026-09-06', 'America/Santiago');
    expect(localParts(b.start, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 0 });
    expect(localDay(b.start - 1, 'America/Santiago')).toBe('2026-09-05');
    expect((b.end - b.start) / 3600).toBe(23);
  });
});

describe('zonedEpoch', () => {
  it.each([
    ['skipped 02:30 resolves to the transition (03:00 CEST)', '2026-03-29', 9000, '2026-03-29T01:00:00Z'],
    ['repeated 02:30 resolves to the earlier (CEST) instant', '2026-10-25', 9000, '2026-10-25T00:30:00Z'],
    ['ordinary wall time', '2026-06-01', 12 * 3600, '2026-06-01T10:00:00Z'],
  ])('%s', (_name, date, sec, iso) => {
    expect(zonedEpoch(date, sec, 'Europe/Berlin')).toBe(utc(iso));
  });
});

describe('monthBounds', () => {
  it.each([
    ['Europe/Berlin', '2026-03', '2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z'],
    ['Europe/Berlin', '2026-12', '2026-11-30T23:00:00Z', '2026-12-31T23:00:00Z'],
    ['America/New_York', '2026-11', '2026-11-01T04:00:00Z', '2026-12-01T05:00:00Z'],
    ['UTC', '2028-02', '2028-02-01T00:00:00Z', '2028-03-01T00:00:00Z'],
  ])('%s %s', (tz, month, startIso, endIso) => {
    expect(monthBounds(month, tz)).toEqual({ start: utc(startIso), end: utc(endIso) });
  });
});

describe('localDay / localMonth', () => {
  it.each([
    ['2026-03-31T22:30:00Z', 'Europe/Berlin', '2026-04-01', '2026-04'],
    ['2026-03-31T22:30:00Z', 'America/New_York', '2026-03-31', '2026-03'],
    ['2026-03-31T22:30:00Z', 'UTC', '2026-03-31', '2026-03'],
    ['2027-01-01T04:59:59Z', 'America/New_York', '2026-12-31', '2026-12'],
  ])('%s in %s is %s', (iso, tz, day, month) => {
    expect(localDay(utc(iso), tz)).toBe(day);
    expect(localMonth(utc(iso), tz)).toBe(month);
  });

  it('truncates fractional seconds', () => {
    expect(localDay(utc('2026-03-31T21:59:59Z') + 0.999, 'Europe/Berlin')).toBe('2026-03-31');
  });

  it("uses the process zone for ''", () => {
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    const t = utc('2026-06-15T23:30:00Z');
    expect(localDay(t, '')).toBe(localDay(t, zone));
  });
});

describe('weekStart', () => {
  it.each([
    ['Tuesday', '2026-11-24T12:00:00Z', 'Europe/Berlin', '2026-11-22T23:00:00Z'],
    ['Sunday of spring DST', '2026-03-29T12:00:00Z', 'Europe/Berlin', '2026-03-22T23:00:00Z'],
    ['Monday 00:00 itself', '2026-03-29T22:00:00Z', 'Europe/Berlin', '2026-03-29T22:00:00Z'],
    ['Sunday late evening (UTC already Monday)', '2026-11-02T03:00:00Z', 'America/New_York', '2026-10-26T04:00:00Z'],
    ['UTC Sunday', '2026-11-29T23:59:59Z', 'UTC', '2026-11-23T00:00:00Z'],
  ])('%s', (_name, iso, tz, mondayIso) => {
    expect(weekStart(utc(iso), tz)).toBe(utc(mondayIso));
    expect(localParts(weekStart(utc(iso), tz), tz)).toMatchObject({ weekday: 0, hour: 0, minute: 0 });
  });
});

describe('daysBetween / addDays', () => {
  it('lists dates inclusively across month and leap-year ends', () => {
    expect(daysBetween('2028-02-27', '2028-03-01')).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
    expect(daysBetween('2026-12-31', '2027-01-01')).toEqual(['2026-12-31', '2027-01-01']);
    expect(daysBetween('2026-05-05', '2026-05-05')).toEqual(['2026-05-05']);
    expect(daysBetween('2026-05-06', '2026-05-05')).toEqual([]);
  });

  it('adds negative days', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('input validation', () => {
  it.each([
    ['2026-02-30', () => dayBounds('2026-02-30', 'UTC')],
    ['2026-1-05', () => dayBounds('2026-1-05', 'UTC')],
    ['2026-13-01', () => daysBetween('2026-13-01', '2026-12-31')],
    ['x', () => daysBetween('2026-01-01', 'x')],
    ['2026-00', () => monthBounds('2026-00', 'UTC')],
    ['2026-3', () => monthBounds('2026-3', 'UTC')],
  ])('rejects %s with a RangeError naming it', (value, call) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(value);
  });

  it('rejects a non-finite instant and an unknown zone', () => {
    expect(() => localDay(Number.NaN, 'UTC')).toThrow(RangeError);
    expect(() => localDay(0, 'Mars/Olympus')).toThrow(RangeError);
  });
});
