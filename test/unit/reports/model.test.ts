// The report's content as numbers (SPEC §13.7): cards, daily rows, per-outlet rows, outages.
import { describe, expect, it } from 'vitest';
import { dayParts, hasEnergyData } from '../../../src/reports/model.js';
import { dayRow, fixtureModel, outage } from '../../support/report-fixture.js';

describe('report model', () => {
  it.each([
    ['no rows', [], false],
    ['a PDU row with samples', [dayRow('2026-06-01', null, null, 0)], true],
    ['a counter-only PDU row (kWh, no samples)', [dayRow('2026-06-01', null, null, 1.5, { samples: 0 })], true],
    ['an empty PDU row', [dayRow('2026-06-01', null, null, 0, { samples: 0 })], false],
    ['only outlet rows', [dayRow('2026-06-01', null, 2, 1)], false],
    ['only a per-source row', [dayRow('2026-06-01', 1, null, 1)], false],
  ])('has data: %s → %s', (_name, rows, want) => {
    expect(hasEnergyData(rows)).toBe(want);
  });

  it('sums the summary cards: totals per source, peak, cost and the change vs the previous period', () => {
    expect(fixtureModel().cards).toEqual({ total_kwh: 12.5, source_a_kwh: 8.5, source_b_kwh: 4, peak_w: 1200, cost: 3.125, change_pct: 25 });
  });

  it.each([
    ['no prices', { costs: new Map([['2026-06-01', null]]) }, 'cost', null],
    ['no previous data', { previousRows: [] }, 'change_pct', null],
    ['a previous period of 0 kWh', { previousRows: [dayRow('2026-05-25', null, null, 0)] }, 'change_pct', null],
    ['less than before', { previousRows: [dayRow('2026-05-25', null, null, 25)] }, 'change_pct', -50],
  ] as const)('card with %s', (_name, over, key, want) => {
    expect(fixtureModel(over).cards[key]).toBe(want);
  });

  it('lists every day of the period, days without rows as null', () => {
    const days = fixtureModel().days;
    expect(days.map((d) => d.date)).toEqual(['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07']);
    expect(days[0]).toEqual({ date: '2026-06-01', total_kwh: 10, a_kwh: 6, b_kwh: 4, peak_w: 900, avg_w: 416.7 });
    expect(days[1]).toEqual({ date: '2026-06-02', total_kwh: 2.5, a_kwh: 2.5, b_kwh: 0, peak_w: 1200, avg_w: 104.2 });
    expect(days[2]).toEqual({ date: '2026-06-03', total_kwh: null, a_kwh: null, b_kwh: null, peak_w: null, avg_w: null });
  });

  it('sums outlets over the period with their share of the PDU total and their names', () => {
    expect(fixtureModel().outlets).toEqual([
      { outlet: 1, name: 'NAS', kwh: 4, a_kwh: 3, b_kwh: 1, share: 32 },
      { outlet: 3, name: '', kwh: 0.5, a_kwh: 0, b_kwh: 0, share: 4 },
    ]);
  });

  it('lists outages oldest first; an ongoing one has no end nor duration, a missing cause reads unknown', () => {
    expect(fixtureModel().outages).toEqual([
      { start: 1_780_300_000, end: 1_780_303_725, duration_s: 3725, cause: 'utility_lost' },
      { start: 1_780_400_000, end: null, duration_s: null, cause: 'unknown' },
    ]);
    expect(fixtureModel({ outages: [outage(1, 5, 6, 'x')] }).outages).toHaveLength(1);
  });

  it.each([
    [{ total_kwh: 10, a_kwh: 6, b_kwh: 4 }, [6, 4, 0]],
    [{ total_kwh: 10, a_kwh: 6, b_kwh: 0 }, [6, 0, 4]],
    [{ total_kwh: 0.3, a_kwh: 0.1, b_kwh: 0.2 }, [0.1, 0.2, 0]],
    [{ total_kwh: null, a_kwh: null, b_kwh: null }, [0, 0, 0]],
  ])('daily chart parts of %j are %j (A, B, unknown source)', (d, want) => {
    expect(dayParts({ date: '2026-06-01', peak_w: null, avg_w: null, ...d })).toEqual(want);
  });
});
