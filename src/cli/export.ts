import { RealClock } from '../core/clock.js';
import { P2mError, errorMessage } from '../core/errors.js';
import { CSV_COLUMNS, csvLines } from '../history/csv.js';
import { localDay } from '../history/energy/index.js';
import { HistoryStore } from '../history/store.js';
import { parseCommandArgs, type CliIO } from './io.js';
import { openCliStore } from './store.js';

export const EXPORT_USAGE = `usage: power2mqtt export [--config FILE] [--device ID] [--kind banks|outlets|energy]
                         [--range 1h|6h|24h|7d|30d|60d | --start S --end E] [--raw] [--outlet N | --bank N]

Streams history as CSV to stdout (SPEC §13.6). --start/--end are epoch seconds (energy: YYYY-MM-DD,
default the last 30 days). --raw: 1 s rows whatever the span (up to 7 days). The service may keep
running: the database is read through SQLite's WAL. Exit codes: 0 ok, 1 no database, 2 bad arguments.
`;

function pickDevice(store: HistoryStore, wanted: string | undefined): string {
  const devices = store.devices();
  if (wanted !== undefined) return wanted;
  if (devices.length === 1) return devices[0] as string;
  if (devices.length === 0) throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', 'the history database has no devices yet', 'device');
  throw new P2mError('P2M_ERR_VALIDATION', `several devices have history (${devices.join(', ')}): choose one with --device`, 'device');
}

async function write(io: CliIO, lines: AsyncIterable<string>): Promise<void> {
  for await (const line of lines) io.out(line);
}

/** `power2mqtt export`: bank/outlet history or daily energy as CSV on stdout. */
export async function exportCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, EXPORT_USAGE, {
    args: argv,
    options: {
      config: { type: 'string' }, device: { type: 'string' }, kind: { type: 'string', default: 'banks' }, range: { type: 'string' },
      start: { type: 'string' }, end: { type: 'string' }, raw: { type: 'boolean', default: false }, outlet: { type: 'string' },
      bank: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const kind = values.kind;
  if (kind !== 'banks' && kind !== 'outlets' && kind !== 'energy') {
    io.err(`--kind must be banks, outlets or energy (got "${kind}")\n${EXPORT_USAGE}`);
    return 2;
  }
  const opened = openCliStore(values.config, io, { create: false });
  if (!opened.ok) return opened.code;
  const { handle } = opened;
  try {
    const { history, energy, timezone } = opened.config;
    const clock = new RealClock();
    const store = new HistoryStore(handle, { retentionDays: history.retention_days, clock, writer: null, tariff: energy.tariff, timezone });
    const device = pickDevice(store, values.device);
    if (kind === 'energy') {
      // Default: the last 30 local days (energy days are dates in `timezone`).
      const nowS = clock.now() / 1000;
      const end = values.end ?? localDay(nowS, timezone);
      const start = values.start ?? localDay(nowS - 29 * 86_400, timezone);
      await write(io, csvLines(CSV_COLUMNS.energy_daily, store.energyDaily({ device_id: device, start, end })));
    } else {
      const instanceArg = kind === 'banks' ? values.bank : values.outlet;
      const instance = instanceArg === undefined ? undefined : Number(instanceArg);
      await write(io, store.csv(kind, device, { range: values.range, start: values.start, end: values.end, raw: values.raw, instance }));
    }
    return 0;
  } catch (err) {
    if (err instanceof P2mError) {
      io.err(`${err.field ? `--${err.field}: ` : ''}${err.message}\n`);
      return 2;
    }
    io.err(`export failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    handle.close();
  }
}
