// The reports service (SPEC §13.7) on a fake clock with an in-memory data port and a temp folder:
// the start-up back-fill, the 00:30 Monday / 1st schedule, idempotence, reports.enabled, and the
// input checks of on-demand generation.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, resolveConfig, type ConfigInput } from '../../../src/config/index.js';
import { zonedEpoch } from '../../../src/core/calendar.js';
import { FakeClock } from '../../../src/core/clock.js';
import { P2mError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { EnergyDay } from '../../../src/core/ports.js';
import type { ReportDataPort } from '../../../src/core/reports.js';
import { createReportsService, type ReportsService } from '../../../src/reports/service.js';
import { dayRow } from '../../support/report-fixture.js';

const TZ = 'UTC';
const utc = (date: string, hh = 0, mm = 0): number => zonedEpoch(date, hh * 3600 + mm * 60, TZ) * 1000;

let dir: string;
let clock: FakeClock;
let svc: ReportsService | null = null;
let rows: EnergyDay[];
const calls = { energyDays: 0 };

const data: ReportDataPort = {
  devices: () => ['pdu-01'],
  energyDays(deviceId, start, end) {
    calls.energyDays++;
    return rows.filter((r) => r.device_id === deviceId && r.date >= start && r.date <= end);
  },
  dayCost: () => 1,
  outages: () => [],
  outletNames: () => [],
};

function service(config: ConfigInput = {}, startDelayMs = 1000): ReportsService {
  const parsed = configSchema.parse({ timezone: TZ, ...config, reports: { path: join(dir, 'reports'), ...(config.reports ?? {}) } });
  svc = createReportsService({ config: resolveConfig(parsed, { fileLoaded: true }), logger: silentLogger(), clock, data, registry: null, startDelayMs });
  return svc;
}

const files = (): string[] => {
  try {
    return readdirSync(join(dir, 'reports', 'pdu-01')).sort();
  } catch {
    return [];
  }
};

/** Advance the fake clock by `ms`, then keep firing due timers while real file I/O settles (bounded). */
async function run(ms: number): Promise<void> {
  await clock.advance(ms);
  let idle = false;
  void svc!.idle().then(() => (idle = true));
  for (const until = Date.now() + 10_000; !idle; ) {
    expect(Date.now(), 'reports still being written after 10 s').toBeLessThan(until);
    await clock.advance(0);
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-reports-'));
  clock = new FakeClock(utc('2026-06-10', 12)); // a Wednesday
  rows = [];
  calls.energyDays = 0;
});
afterEach(async () => {
  await svc?.stop();
  svc = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('back-fill at start-up', () => {
  it('writes the reports of the last weeks and months that have data, after the start delay, and no file for the others', async () => {
    rows = [dayRow('2026-05-26', null, null, 4), dayRow('2026-04-20', null, null, 2)];
    const s = service();
    s.start();
    await run(999);
    expect(files()).toEqual([]);
    await run(1);
    expect(files()).toEqual([
      'monthly-2026-04.html', 'monthly-2026-04.pdf', 'monthly-2026-05.html', 'monthly-2026-05.pdf',
      'weekly-2026-04-20.html', 'weekly-2026-04-20.pdf', 'weekly-2026-05-25.html', 'weekly-2026-05-25.pdf',
    ]);
  });

  it('is idempotent: existing files are kept as they are and not rebuilt', async () => {
    rows = [dayRow('2026-05-26', null, null, 4)];
    const s = service();
    expect(await s.backfill()).toEqual({ generated: 2, skipped: 0, empty: 9, errors: 0 });
    const mtimes = files().map((f) => statSync(join(dir, 'reports', 'pdu-01', f)).mtimeMs);
    calls.energyDays = 0;
    expect(await s.backfill()).toEqual({ generated: 0, skipped: 2, empty: 9, errors: 0 });
    expect(files().map((f) => statSync(join(dir, 'reports', 'pdu-01', f)).mtimeMs)).toEqual(mtimes);
    expect(calls.energyDays).toBe(9); // only the periods without files were looked at
  });

  it('does nothing automatically with reports.enabled: false, and follows reports.weekly / monthly', async () => {
    rows = [dayRow('2026-05-26', null, null, 4)];
    service({ reports: { enabled: false } }).start();
    await run(8 * 86_400_000);
    expect(files()).toEqual([]);
    expect(calls.energyDays).toBe(0);
    await svc!.stop();
    expect(await service({ reports: { weekly: false } }).backfill()).toMatchObject({ generated: 1 });
    expect(files()).toEqual(['monthly-2026-05.html', 'monthly-2026-05.pdf']);
  });
});

describe('schedule', () => {
  it('writes the previous week at 00:30 on Monday, not before', async () => {
    clock = new FakeClock(utc('2026-06-14', 23)); // Sunday
    const s = service({ reports: { monthly: false } }, 0);
    s.start();
    await run(0); // back-fill: nothing has data yet
    rows = [dayRow('2026-06-10', null, null, 3)];
    await run(utc('2026-06-15', 0, 29) - clock.now());
    expect(files()).toEqual([]);
    await run(60_000);
    expect(files()).toEqual(['weekly-2026-06-08.html', 'weekly-2026-06-08.pdf']);
  });

  it('writes the previous month at 00:30 on the 1st, across a month-long wait', async () => {
    clock = new FakeClock(utc('2026-06-02', 12));
    const s = service({ reports: { weekly: false } }, 0);
    s.start();
    await run(0);
    rows = [dayRow('2026-06-20', null, null, 3)];
    await run(utc('2026-07-01', 0, 31) - clock.now());
    expect(files()).toEqual(['monthly-2026-06.html', 'monthly-2026-06.pdf']);
  });

  it('leaves no timer behind after stop()', async () => {
    const s = service();
    s.start();
    await run(2000);
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    await s.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('generate on request', () => {
  it('writes both files of the default period (the last complete week), replacing existing ones', async () => {
    rows = [dayRow('2026-06-03', null, null, 4)];
    const s = service();
    expect(await s.generate({ device_id: 'pdu-01', type: 'weekly' })).toEqual({ ok: true, filenames: ['weekly-2026-06-01.pdf', 'weekly-2026-06-01.html'] });
    const before = statSync(join(dir, 'reports', 'pdu-01', 'weekly-2026-06-01.html')).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await s.generate({ device_id: 'pdu-01', type: 'weekly', period: '2026-06-05' });
    expect(statSync(join(dir, 'reports', 'pdu-01', 'weekly-2026-06-01.html')).mtimeMs).toBeGreaterThan(before);
  });

  it('with a time-of-use tariff, yields on the clock between the days it prices', async () => {
    rows = ['2026-06-01', '2026-06-02', '2026-06-03'].map((d) => dayRow(d, null, null, 1));
    const s = service({ energy: { tariff: { type: 'tou', price_per_kwh: 0.1, periods: [{ name: 'peak', start: '17:00', end: '21:00', price_per_kwh: 0.4 }] } } });
    let done = false;
    const pending = s.generate({ device_id: 'pdu-01', type: 'weekly' }).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // waiting for a clock turn after the first day
    for (let i = 0; i < 3; i++) await clock.advance(0);
    expect(await pending).toMatchObject({ ok: true });
  });

  it('answers ok:false and writes nothing when the period has no data', async () => {
    const r = await service().generate({ device_id: 'pdu-01', type: 'monthly', period: '2026-01' });
    expect(r).toEqual({ ok: false, error: expect.stringContaining('no energy data') });
    expect(files()).toEqual([]);
  });

  it.each([
    [{ device_id: '../x', type: 'weekly' }, 'P2M_ERR_VALIDATION', 'device_id'],
    [{ device_id: 'ghost', type: 'weekly' }, 'P2M_ERR_UNKNOWN_DEVICE', 'device_id'],
    [{ device_id: 'pdu-01', type: 'weekly', period: '2026-06' }, 'P2M_ERR_VALIDATION', 'period'],
    [{ device_id: 'pdu-01', type: 'monthly', period: '2026-06-01' }, 'P2M_ERR_VALIDATION', 'period'],
    [{ device_id: 'pdu-01', type: 'weekly', period: '2026-06-10' }, 'P2M_ERR_VALIDATION', 'period'], // this week: not ended
    [{ device_id: 'pdu-01', type: 'monthly', period: '2026-06' }, 'P2M_ERR_VALIDATION', 'period'],
  ] as const)('refuses %j (%s naming %s)', async (req, code, field) => {
    const err = await service().generate(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(P2mError);
    expect(err).toMatchObject({ code, field });
    expect(files()).toEqual([]);
  });
});
