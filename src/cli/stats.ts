import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { OutageRecord, PowerStatistics } from '../core/power.js';
import { PowerStore } from '../history/power-store.js';
import { powerStatistics } from '../outage/statistics.js';
import { parseCommandArgs, type CliIO } from './io.js';
import { openCliStore, table } from './store.js';

export const STATS_USAGE = `usage: power2mqtt stats [--config FILE] [--hours 720] [--json]

Site uptime, outages and per-switch uptime over the last --hours (SPEC §11.7), from the database of
the running service. Exit codes: 0 ok, 1 no database, 2 bad arguments.
`;

function duration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));

export function statsText(s: PowerStatistics, outages: OutageRecord[]): string {
  const lines = [
    `window:            last ${s.window_hours} h`,
    `site uptime:       ${s.uptime_percentage.toFixed(3)} %`,
    `power outages:     ${s.total_outages} (total ${duration(s.total_outage_seconds)}, mean ${duration(s.average_outage_seconds)}, longest ${duration(s.longest_outage_seconds)})`,
    `ongoing outage:    ${s.ongoing_outage ? `since ${iso(s.ongoing_outage.started_at)} (${s.ongoing_outage.cause ?? '?'})` : 'none'}`,
    `switches:          ${s.active_switches} active of ${s.total_switches}`,
    '',
  ];
  const sw = s.switches.length
    ? table(
        ['ID', 'NAME', 'UPTIME %', 'CHECKS', 'AVG MS', 'LAST CHECK'],
        s.switches.map((x) => [
          String(x.id), x.name, x.uptime_percentage === null ? '-' : x.uptime_percentage.toFixed(3), String(x.checks),
          x.avg_response_time_ms === null ? '-' : String(Math.round(x.avg_response_time_ms)), iso(x.last_check_at),
        ]),
      )
    : 'no switches\n';
  const out = outages.length
    ? `\n${table(
        ['ID', 'KIND', 'STARTED', 'ENDED', 'DURATION', 'CAUSE', 'SCOPE', 'CONFIDENCE'],
        outages.map((o) => [
          String(o.id), o.kind, iso(o.started_at), o.is_ongoing ? 'ongoing' : iso(o.ended_at), o.duration_seconds === null ? '-' : duration(o.duration_seconds),
          o.cause ?? '-', o.scope ?? '-', o.confidence ?? '-',
        ]),
      )}`
    : '\nno outages or network faults in the window\n';
  return `${lines.join('\n')}\n${sw}${out}`;
}

/** `power2mqtt stats` (SPEC §17). */
export async function statsCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, STATS_USAGE, {
    args: argv,
    options: { config: { type: 'string' }, hours: { type: 'string', default: '720' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const hours = Number(values.hours);
  if (!Number.isInteger(hours) || hours < 1 || hours > 87_600) {
    io.err(`--hours must be a whole number from 1 to 87600 (got "${values.hours}")\n`);
    return 2;
  }
  const opened = openCliStore(values.config, io, { create: false });
  if (!opened.ok) return opened.code;
  try {
    const store = new PowerStore(opened.handle);
    const now = new RealClock().now() / 1000;
    const since = now - hours * 3600;
    const power = store.listOutages({ since, kind: 'power', limit: 1000 });
    const stats = powerStatistics({ hours, now, outages: power, switches: store.listSwitches(), checkStats: store.checkStats(since, now + 1) });
    const all = store.listOutages({ since, limit: 1000 });
    io.out(values.json ? `${JSON.stringify({ ...stats, outages: all }, null, 2)}\n` : statsText(stats, all));
    return 0;
  } catch (err) {
    io.err(`stats failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    opened.handle.close();
  }
}
