// Energy cost: flat and time-of-use tariffs in an IANA zone, DST included (SPEC §13.5).
import { describe, expect, it } from 'vitest';
import type { TariffConfig } from '../../../../src/config/schema.js';
import { dayBounds, zonedEpoch } from '../../../../src/core/calendar.js';
import { costOf, hasPrices, priceAt, type Tariff } from '../../../../src/history/energy/tariff.js';

type Day = TariffConfig['periods'][number]['days'][number];
const ALL: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const period = (start: string, end: string, price: number, days: Day[] = ALL, name = 'p'): Tariff['periods'][number] => ({
  name, days, start, end, price_per_kwh: price,
});
const tou = (base: number, ...periods: Tariff['periods']): Tariff => ({ type: 'tou', price_per_kwh: base, periods });
const flat = (price: number): Tariff => ({ type: 'flat', price_per_kwh: price, periods: [] });

const BER = 'Europe/Berlin';
const NYC = 'America/New_York';
/** Local wall time 'YYYY-MM-DDTHH:MM' in `tz` as epoch seconds. */
const at = (local: string, tz = BER): number => {
  const [date = '', hm = ''] = local.split('T');
  const [h = 0, m = 0] = hm.split(':').map(Number);
  return zonedEpoch(date, h * 3600 + m * 60, tz);
};

// Weekdays 17–21 peak, every night 22–06 cheap, 0.30 otherwise.
const homeTariff = tou(0.3, period('17:00', '21:00', 0.4, ['mon', 'tue', 'wed', 'thu', 'fri'], 'peak'), period('22:00', '06:00', 0.1, ALL, 'night'));

describe('hasPrices', () => {
  it.each([
    ['flat 0', flat(0), false],
    ['flat 0.3', flat(0.3), true],
    ['tou all 0', tou(0, period('00:00', '06:00', 0)), false],
    ['tou 0 outside, priced period', tou(0, period('00:00', '06:00', 0.2)), true],
  ])('%s → %s', (_name, tariff, priced) => {
    expect(hasPrices(tariff)).toBe(priced);
  });

  it('accepts the config type as is', () => {
    const cfg: TariffConfig = { type: 'flat', price_per_kwh: 0.25, currency: 'EUR', periods: [] };
    expect(priceAt(cfg, 0, 'UTC')).toBe(0.25);
  });
});

describe('priceAt', () => {
  it.each([
    ['Wed 18:00 is peak', '2026-11-25T18:00', 0.4],
    ['Wed 17:00 (start inclusive)', '2026-11-25T17:00', 0.4],
    ['Wed 21:00 (end exclusive)', '2026-11-25T21:00', 0.3],
    ['Sat 18:00 (days filter)', '2026-11-28T18:00', 0.3],
    ['Wed 22:00 night', '2026-11-25T22:00', 0.1],
    ['Thu 03:00 night (after midnight)', '2026-11-26T03:00', 0.1],
    ['Thu 06:00 (end exclusive)', '2026-11-26T06:00', 0.3],
    ['Sun 12:00 outside every period', '2026-11-29T12:00', 0.3],
  ])('%s', (_name, local, price) => {
    expect(priceAt(homeTariff, at(local), BER)).toBe(price);
  });

  // 22:00–06:00 on 'fri' only: the window opens Friday 22:00 and runs into Saturday.
  const friNight = tou(0.3, period('22:00', '06:00', 0.1, ['fri']));
  it.each([
    ['Fri 23:00 (evening part)', '2026-11-27T23:00', 0.1],
    ['Sat 02:00 (Friday’s period after midnight)', '2026-11-28T02:00', 0.1],
    ['Fri 02:00 (would be Thursday’s period)', '2026-11-27T02:00', 0.3],
    ['Sat 23:00 (Saturday not listed)', '2026-11-28T23:00', 0.3],
  ])('wrapping period: %s', (_name, local, price) => {
    expect(priceAt(friNight, at(local), BER)).toBe(price);
  });

  it('reads start == end as a whole day and lets the first listed period win', () => {
    const t = tou(0.3, period('00:00', '00:00', 0.05, ['sun']), period('10:00', '12:00', 0.9));
    expect(priceAt(t, at('2026-11-29T11:00'), BER)).toBe(0.05);
    expect(priceAt(t, at('2026-11-29T23:59'), BER)).toBe(0.05);
    expect(priceAt(t, at('2026-11-30T11:00'), BER)).toBe(0.9);
  });

  it('evaluates periods in the given zone', () => {
    const t = at('2026-11-25T18:00'); // 17:00 UTC, 12:00 in New York
    expect([priceAt(homeTariff, t, BER), priceAt(homeTariff, t, 'UTC'), priceAt(homeTariff, t, NYC)]).toEqual([0.4, 0.4, 0.3]);
  });
});

describe('costOf', () => {
  it('flat: kWh × price, null when the price is 0', () => {
    expect(costOf(flat(0.3), [{ from: 0, to: 10, kwh: 2 }, { from: 10, to: 20, kwh: 1 }], BER)).toBeCloseTo(0.9, 12);
    expect(costOf(flat(0), [{ from: 0, to: 10, kwh: 2 }], BER)).toBeNull();
    expect(costOf(tou(0, period('00:00', '06:00', 0)), [{ from: 0, to: 10, kwh: 2 }], BER)).toBeNull();
  });

  it.each([
    ['inside one period', '2026-11-25T18:00', '2026-11-25T19:00', 1, 0.4],
    ['split at the peak start', '2026-11-25T16:30', '2026-11-25T17:30', 1, 0.35],
    ['split at the night start', '2026-11-25T21:30', '2026-11-25T22:30', 1, 0.2],
    ['across midnight inside the night', '2026-11-25T23:00', '2026-11-26T01:00', 2, 0.2],
    ['a whole weekday', '2026-11-25T00:00', '2026-11-26T00:00', 24, 8 * 0.1 + 4 * 0.4 + 12 * 0.3],
    ['a whole Saturday', '2026-11-28T00:00', '2026-11-29T00:00', 24, 8 * 0.1 + 16 * 0.3],
  ])('tou %s', (_name, from, to, kwh, cost) => {
    expect(costOf(homeTariff, [{ from: at(from), to: at(to), kwh }], BER)).toBeCloseTo(cost, 9);
  });

  it('prices a zero-length interval at its start', () => {
    const t = at('2026-11-25T18:00');
    expect(costOf(homeTariff, [{ from: t, to: t, kwh: 2 }], BER)).toBeCloseTo(0.8, 12);
  });

  // 1 kWh per real hour over a whole local day; the cost is the number of real hours priced 1.
  it.each([
    ['Berlin spring: 01:00–04:00 lasts 2 h', BER, '2026-03-29', period('01:00', '04:00', 1), 2],
    ['Berlin autumn: 01:00–04:00 lasts 4 h', BER, '2026-10-25', period('01:00', '04:00', 1), 4],
    ['Berlin autumn: 00:00–02:30 is hit twice (3 h)', BER, '2026-10-25', period('00:00', '02:30', 1), 3],
    ['Berlin spring: the skipped hour costs nothing', BER, '2026-03-29', period('02:00', '03:00', 1), 0],
    ['New York spring: 00:00–03:00 lasts 2 h', NYC, '2026-03-08', period('00:00', '03:00', 1), 2],
    ['New York autumn: 01:00–02:00 lasts 2 h', NYC, '2026-11-01', period('01:00', '02:00', 1), 2],
    ['New York autumn: night 22:00–06:00 of Saturday', NYC, '2026-11-01', period('22:00', '06:00', 1, ['sat']), 7],
  ])('DST %s', (_name, tz, date, p, hours) => {
    const day = dayBounds(date, tz);
    const kwh = (day.end - day.start) / 3600;
    expect(costOf(tou(0, p), [{ from: day.start, to: day.end, kwh }], tz)).toBeCloseTo(hours, 9);
  });

  it('matches minute-by-minute pricing over a DST week', () => {
    const tariff = tou(0.2, period('02:15', '02:45', 0.7), period('22:00', '06:00', 0.1, ['fri', 'sat']), homeTariff.periods[0] as Tariff['periods'][number]);
    const from = at('2026-10-19T00:00');
    const to = at('2026-10-26T00:00');
    let brute = 0;
    for (let t = from; t < to; t += 60) brute += (priceAt(tariff, t, BER) * 60) / (to - from);
    expect(costOf(tariff, [{ from, to, kwh: 1 }], BER)).toBeCloseTo(brute, 9);
  });

  it('rejects a non-finite interval', () => {
    expect(() => costOf(homeTariff, [{ from: 0, to: Number.POSITIVE_INFINITY, kwh: 1 }], BER)).toThrow(RangeError);
  });
});
