import { join, resolve } from 'node:path';
import { RealClock } from '../core/clock.js';
import { errorMessage, P2mError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { ReportFileInfo } from '../core/reports.js';
import { PowerStore } from '../history/power-store.js';
import { reportData } from '../history/report-data.js';
import { HistoryStore } from '../history/store.js';
import { listReports } from '../reports/files.js';
import { createReportsService } from '../reports/service.js';
import { formatIssues } from '../config/index.js';
import { loadFromProcess } from './config-args.js';
import { parseCommandArgs, type CliIO } from './io.js';
import { openCliStore, table } from './store.js';

export const REPORT_USAGE = `usage: power2mqtt report generate --device ID --type weekly|monthly [--period P] [--config FILE]
       power2mqtt report list [--device ID] [--json] [--config FILE]

generate  writes the PDF and HTML energy report of one device and period (SPEC §13.7) into
          reports.path/{device_id}/, replacing existing files. --period: weekly = any date of the
          week (YYYY-MM-DD), monthly = YYYY-MM; default the last complete week / month.
list      prints the stored report files.
Works on the database of the running service. Exit codes: 0 ok, 1 no data or no database,
2 bad arguments.
`;

const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

export function reportListText(files: readonly ReportFileInfo[]): string {
  if (files.length === 0) return 'no reports\n';
  return table(
    ['DEVICE', 'TYPE', 'PERIOD', 'FORMAT', 'BYTES', 'CREATED', 'FILE'],
    files.map((f) => [f.device_id, f.report_type, f.period, f.format, String(f.size_bytes), iso(f.created), f.filename]),
  );
}

async function generate(values: { config?: string; device?: string; type?: string; period?: string }, io: CliIO): Promise<number> {
  const type = values.type;
  if (values.device === undefined || (type !== 'weekly' && type !== 'monthly')) {
    io.err(`report generate needs --device ID and --type weekly|monthly\n${REPORT_USAGE}`);
    return 2;
  }
  const opened = openCliStore(values.config, io, { create: false });
  if (!opened.ok) return opened.code;
  const { config, handle } = opened;
  try {
    const clock = new RealClock();
    const store = new HistoryStore(handle, { retentionDays: config.history.retention_days, clock, writer: null, tariff: config.energy.tariff, timezone: config.timezone });
    const svc = createReportsService({ config, logger: silentLogger(), clock, data: reportData(store, new PowerStore(handle)), registry: null });
    const r = await svc.generate({ device_id: values.device, type, period: values.period });
    if (!r.ok) {
      io.err(`${r.error}\n`);
      return 1;
    }
    for (const f of r.filenames) io.out(`${join(resolve(config.reports.path), values.device, f)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof P2mError) {
      io.err(`${err.field ? `--${err.field === 'device_id' ? 'device' : err.field}: ` : ''}${err.message}\n`);
      return 2;
    }
    io.err(`report generation failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    handle.close();
  }
}

async function list(values: { config?: string; device?: string; json?: boolean }, io: CliIO): Promise<number> {
  const loaded = loadFromProcess(values.config);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  try {
    const files = await listReports(loaded.config.reports.path, values.device);
    io.out(values.json ? `${JSON.stringify({ reports: files, count: files.length }, null, 2)}\n` : reportListText(files));
    return 0;
  } catch (err) {
    io.err(`cannot read ${resolve(loaded.config.reports.path)}: ${errorMessage(err)}\n`);
    return 1;
  }
}

/** `power2mqtt report generate|list` (SPEC §13.7, §17). */
export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, REPORT_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' }, device: { type: 'string' }, type: { type: 'string' }, period: { type: 'string' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...extra] = positionals;
  if (extra.length > 0 || (sub !== 'generate' && sub !== 'list')) {
    io.err(`${sub === undefined ? 'report needs a subcommand' : `unknown report subcommand "${[sub, ...extra].join(' ')}"`}\n${REPORT_USAGE}`);
    return 2;
  }
  return sub === 'generate' ? generate(values, io) : list(values, io);
}
