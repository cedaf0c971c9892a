import type { EnergyDay } from '../../src/core/ports.js';
import type { OutageRecord } from '../../src/core/power.js';
import { buildReport, type ReportInput, type ReportModel } from '../../src/reports/model.js';
import { weekPeriod } from '../../src/reports/periods.js';

// A small, fully known report input (SPEC §13.7) shared by the pure report tests.

export function dayRow(date: string, source: 1 | 2 | null, outlet: number | null, kwh: number, extra: Partial<EnergyDay> = {}): EnergyDay {
  return { date, device_id: 'pdu-01', source, outlet, kwh, peak_power_w: null, avg_power_w: null, samples: 86_400, ...extra };
}

export function outage(id: number, started: number, ended: number | null, cause: string | null): OutageRecord {
  return {
    id, kind: 'power', started_at: started, ended_at: ended, duration_seconds: ended === null ? null : ended - started, is_ongoing: ended === null, cause,
    scope: null, confidence: null, switches_affected: [], outlets_shed: {}, evidence: {},
  };
}

/** Week 2026-06-01: Mon 10 kWh (A 6, B 4), Tue 2.5 kWh (A only), no data from Wed; outlets 1 and 3. */
export function fixtureInput(over: Partial<ReportInput> = {}): ReportInput {
  const rows = [
    dayRow('2026-06-01', null, null, 10, { peak_power_w: 900, avg_power_w: 416.7 }),
    dayRow('2026-06-01', 1, null, 6),
    dayRow('2026-06-01', 2, null, 4),
    dayRow('2026-06-02', null, null, 2.5, { peak_power_w: 1200, avg_power_w: 104.2 }),
    dayRow('2026-06-02', 1, null, 2.5),
    dayRow('2026-06-01', null, 1, 3),
    dayRow('2026-06-01', 1, 1, 2),
    dayRow('2026-06-01', 2, 1, 1),
    dayRow('2026-06-02', null, 1, 1),
    dayRow('2026-06-02', 1, 1, 1),
    dayRow('2026-06-01', null, 3, 0.5),
  ];
  return {
    device: { id: 'pdu-01', name: 'Rack <A> & "B"', model: 'PDU44001', serial: 'NA123', firmware: '1.2.3' },
    period: weekPeriod('2026-06-01'),
    rows,
    previousRows: [dayRow('2026-05-25', null, null, 10)],
    costs: new Map([['2026-06-01', 2.5], ['2026-06-02', 0.625]]),
    currency: 'EUR',
    outages: [outage(2, 1_780_400_000, null, null), outage(1, 1_780_300_000, 1_780_303_725, 'utility_lost')],
    outletNames: new Map([[1, 'NAS']]),
    generatedAt: 1_780_900_000,
    tz: 'UTC',
    publicUrl: '',
    ...over,
  };
}

export function fixtureModel(over: Partial<ReportInput> = {}): ReportModel {
  return buildReport(fixtureInput(over));
}
