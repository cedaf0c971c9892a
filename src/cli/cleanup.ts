import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { RetentionJob } from '../history/retention.js';
import { parseCommandArgs, type CliIO } from './io.js';
import { openCliStore } from './store.js';

export const CLEANUP_USAGE = `usage: power2mqtt cleanup [--config FILE] [--days N]

Deletes power checks older than N days (default switches.check_retention_days) and runs the history
retention now (raw samples, rollups, events, closed outages; SPEC §13.3). Safe while the service runs.
Exit codes: 0 ok, 1 failure, 2 bad arguments.
`;

/** `power2mqtt cleanup` (SPEC §17). */
export async function cleanupCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, CLEANUP_USAGE, { args: argv, options: { config: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    io.err(`--days must be a whole number from 1 to 3650 (got "${values.days}")\n`);
    return 2;
  }
  const opened = openCliStore(values.config, io, { create: false });
  if (!opened.ok) return opened.code;
  const { config, handle } = opened;
  try {
    const job = new RetentionJob({
      handle, clock: new RealClock(), logger: silentLogger(), rawRetentionDays: config.history.raw_retention_days,
      retentionDays: config.history.retention_days, checkRetentionDays: days ?? config.switches.check_retention_days,
    });
    const r = await job.runOnce();
    const d = r.deleted;
    io.out(
      `deleted: ${d.power_checks} power checks (older than ${days ?? config.switches.check_retention_days} days), ` +
        `${d.raw_tail + d.raw_chunk} raw rows, ${d.rollup} rollups, ${d.events} events, ${d.outages} outages; ` +
        `${r.vacuumedPages} pages vacuumed${r.error ? `; stopped early: ${r.error} (run it again)` : ''}\n`,
    );
    return r.error ? 1 : 0;
  } catch (err) {
    io.err(`cleanup failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    handle.close();
  }
}
