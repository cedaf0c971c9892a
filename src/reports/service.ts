import type { Config } from '../config/schema.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage, P2mError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DeviceRegistryPort } from '../core/ports.js';
import type { GenerateRequest, GenerateResult, ReportDataPort, ReportFormat, ReportsPort } from '../core/reports.js';
import { buildReport, hasEnergyData, type DeviceMeta, type ReportModel } from './model.js';
import { listReports, openReport, reportExists, writeReport } from './files.js';
import { renderHtml } from './html.js';
import { isDeviceId, reportFilename } from './naming.js';
import { renderPdf } from './pdf.js';
import { backfillPeriods, duePeriods, hasEnded, lastComplete, nextRunAt, parsePeriod, periodBounds, periodDates, previousPeriod, type ReportPeriod } from './periods.js';

// The reports service (SPEC §13.7): builds a PDF and an HTML file per device and period from the
// history (ReportDataPort), on request (REST, CLI: the files are replaced) and on a schedule —
// 00:30 local on Monday (the week before) and on the 1st (the month before), plus a back-fill of
// the last 8 weeks and 3 months shortly after start. Scheduled work skips a report whose files
// exist (idempotent) and a period without energy data (no file). It runs off the hot path: one
// report per timer turn (the poller runs between reports), and with a time-of-use tariff the
// per-day costs yield between days. Timers come only from the Clock; waits are capped at 6 h so a
// month-long wait never overflows a timer and a clock jump is noticed.

export interface ReportsServiceOptions {
  config: Pick<Config, 'reports' | 'timezone' | 'energy' | 'devices' | 'web'>;
  logger: Logger;
  clock: Clock;
  data: ReportDataPort;
  /** Live identity and outlet names; null in the CLI (the config's label is used). */
  registry: DeviceRegistryPort | null;
  /** Back-fill delay after start(), ms (default 120 s: after the daily energy job's first run). */
  startDelayMs?: number;
  /** Compress PDF page streams (default true; tests read them). */
  compressPdf?: boolean;
}

export interface RunResult {
  generated: number;
  skipped: number;
  empty: number;
  errors: number;
}

export interface ReportsService extends ReportsPort {
  start(): void;
  stop(): Promise<void>;
  /** The back-fill now (skips existing files), resolved when done (CLI, tests). */
  backfill(): Promise<RunResult>;
  /** Resolves once the scheduled queue is empty and no report is being written. */
  idle(): Promise<void>;
}

const MAX_WAIT_MS = 6 * 3_600_000;
const FORMATS: readonly ReportFormat[] = ['pdf', 'html'];

interface Job {
  deviceId: string;
  period: ReportPeriod;
}

export function createReportsService(opts: ReportsServiceOptions): ReportsService {
  const { config, clock, data, registry } = opts;
  const tz = config.timezone;
  const root = config.reports.path;
  const log = opts.logger.child({ module: 'reports' });
  const nowS = (): number => clock.now() / 1000;
  const pause = (): Promise<void> => clock.sleep(0);
  const queue: Job[] = [];
  let timer: TimerHandle | undefined;
  let worker: TimerHandle | undefined;
  let inflight: Promise<void> | null = null;
  let running = false;
  let plannedRun: number | null = null;
  const waiters: Array<() => void> = [];
  let tally: RunResult = { generated: 0, skipped: 0, empty: 0, errors: 0 };

  function deviceMeta(id: string): DeviceMeta {
    const info = registry?.info(id) ?? null;
    const identity = registry?.snapshot(id)?.identity ?? null;
    const label = config.devices.find((d) => d.id === id)?.label ?? '';
    return {
      id, name: info?.label || label || identity?.name || id, model: info?.model || identity?.model || null,
      serial: info?.serial || identity?.serial || null, firmware: identity?.firmware_main || null,
    };
  }

  function outletNames(id: string): Map<number, string> {
    const names = new Map<number, string>();
    for (const [n, o] of Object.entries(registry?.snapshot(id)?.outlets ?? {})) if (o.name_override || o.name) names.set(Number(n), o.name_override || o.name);
    for (const o of data.outletNames(id)) names.set(o.outlet, o.name);
    return names;
  }

  /** The report's content, or null when the period has no energy data. */
  async function model(deviceId: string, period: ReportPeriod): Promise<ReportModel | null> {
    const rows = data.energyDays(deviceId, period.start, period.end);
    if (!hasEnergyData(rows)) return null;
    const prev = previousPeriod(period);
    const costs = new Map<string, number | null>();
    const slow = config.energy.tariff.type === 'tou';
    for (const date of periodDates(period)) {
      if (!rows.some((r) => r.date === date && r.outlet === null)) continue;
      costs.set(date, data.dayCost(deviceId, date));
      if (slow) await pause(); // a tou day is priced from its raw samples: let the poller run
    }
    const b = periodBounds(period, tz);
    return buildReport({
      device: deviceMeta(deviceId), period, rows, previousRows: data.energyDays(deviceId, prev.start, prev.end), costs, currency: config.energy.tariff.currency,
      outages: data.outages(b.start, b.end), outletNames: outletNames(deviceId), generatedAt: Math.floor(nowS()), tz, publicUrl: config.web.public_url,
    });
  }

  async function write(m: ReportModel, formats: readonly ReportFormat[]): Promise<void> {
    for (const f of formats) {
      const bytes = f === 'html' ? renderHtml(m) : await renderPdf(m, { compress: opts.compressPdf ?? true });
      await writeReport(root, m.device.id, reportFilename(m.period.type, m.period.period, f), bytes);
    }
  }

  /** Scheduled/back-fill unit: the missing files of one report, if the period has data. */
  async function ensure(job: Job): Promise<keyof RunResult> {
    const name = (f: ReportFormat): string => reportFilename(job.period.type, job.period.period, f);
    const missing: ReportFormat[] = [];
    for (const f of FORMATS) if (!(await reportExists(root, job.deviceId, name(f)))) missing.push(f);
    if (missing.length === 0) return 'skipped';
    const m = await model(job.deviceId, job.period);
    if (!m) return 'empty';
    await write(m, missing);
    log.info({ device_id: job.deviceId, type: job.period.type, period: job.period.period, formats: missing }, 'report generated');
    return 'generated';
  }

  function enqueue(periods: readonly ReportPeriod[]): void {
    if (!config.reports.enabled) return;
    for (const deviceId of data.devices().filter(isDeviceId)) for (const period of periods) queue.push({ deviceId, period });
    kick();
  }

  function kick(): void {
    if (!running || worker !== undefined || inflight) return;
    worker = clock.setTimeout(() => {
      worker = undefined;
      const job = queue.shift();
      if (!job) {
        if (tally.generated > 0 || tally.errors > 0) log.info({ ...tally }, 'reports: run finished');
        for (const w of waiters.splice(0)) w();
        tally = { generated: 0, skipped: 0, empty: 0, errors: 0 };
        return;
      }
      inflight = ensure(job)
        .then((r) => void tally[r]++)
        .catch((err: unknown) => {
          tally.errors++;
          log.error({ device_id: job.deviceId, period: job.period.period, type: job.period.type, error: errorMessage(err) }, 'report generation failed');
        })
        .finally(() => {
          inflight = null;
          kick(); // the next report on a fresh timer turn
        });
    }, 0);
  }

  function arm(): void {
    if (!running) return;
    const now = nowS();
    if (plannedRun !== null && plannedRun <= now) {
      enqueue(duePeriods(plannedRun, tz, config.reports));
      plannedRun = null;
    }
    plannedRun ??= nextRunAt(now, tz, config.reports);
    const wait = plannedRun === null ? MAX_WAIT_MS : Math.min(MAX_WAIT_MS, (plannedRun - now) * 1000);
    timer = clock.setTimeout(arm, Math.max(0, wait));
  }

  return {
    start() {
      if (running) return;
      running = true;
      plannedRun = null;
      timer = clock.setTimeout(() => {
        enqueue(backfillPeriods(nowS(), tz, config.reports));
        arm();
      }, opts.startDelayMs ?? 120_000);
    },

    async stop() {
      running = false;
      clock.clearTimeout(timer);
      clock.clearTimeout(worker);
      timer = worker = undefined;
      queue.length = 0;
      await inflight;
      for (const w of waiters.splice(0)) w();
    },

    async backfill() {
      const result: RunResult = { generated: 0, skipped: 0, empty: 0, errors: 0 };
      for (const deviceId of data.devices().filter(isDeviceId)) {
        for (const period of backfillPeriods(nowS(), tz, config.reports)) {
          try {
            result[await ensure({ deviceId, period })]++;
          } catch (err) {
            result.errors++;
            log.error({ device_id: deviceId, period: period.period, error: errorMessage(err) }, 'report generation failed');
          }
        }
      }
      return result;
    },

    idle() {
      if (!inflight && worker === undefined && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },

    list: (deviceId) => listReports(root, deviceId),

    async generate(req: GenerateRequest): Promise<GenerateResult> {
      if (!isDeviceId(req.device_id)) throw new P2mError('P2M_ERR_VALIDATION', 'device_id must be 1-64 characters of A-Z a-z 0-9 _ -', 'device_id');
      if (!registry?.info(req.device_id) && !data.devices().includes(req.device_id)) {
        throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `device_id: unknown device "${req.device_id}"`, 'device_id');
      }
      let period: ReportPeriod;
      try {
        period = req.period === undefined ? lastComplete(req.type, nowS(), tz) : parsePeriod(req.type, req.period);
      } catch {
        throw new P2mError('P2M_ERR_VALIDATION', `period must be ${req.type === 'weekly' ? 'a date YYYY-MM-DD' : 'a month YYYY-MM'} (got ${JSON.stringify(req.period)})`, 'period');
      }
      if (!hasEnded(period, nowS(), tz)) throw new P2mError('P2M_ERR_VALIDATION', `period ${period.label} has not ended yet: reports cover complete periods`, 'period');
      const m = await model(req.device_id, period);
      if (!m) return { ok: false, error: `no energy data for ${req.device_id} in ${period.type} period ${period.label}: no report written` };
      await write(m, FORMATS);
      return { ok: true, filenames: [reportFilename(period.type, period.period, 'pdf'), reportFilename(period.type, period.period, 'html')] };
    },

    download: (deviceId, filename) => openReport(root, deviceId, filename),
  };
}
