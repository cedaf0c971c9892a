import { EventBus } from '../core/bus.js';
import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { PowerCheck, SwitchInput, SwitchStatus } from '../core/power.js';
import { Scheduler } from '../core/scheduler.js';
import { createSwitchService, type SwitchService } from '../devices/switch/service.js';
import { PowerStore } from '../history/power-store.js';
import { WatchdogSqlStore } from '../history/watchdog-store.js';
import { switchInUse } from '../core/watchdog-target.js';
import { parseCommandArgs, pickSubcommand, type CliIO } from './io.js';
import { openCliStore, table } from './store.js';

export const SWITCH_USAGE = `usage: power2mqtt switch <add|list|test|remove> [--config FILE] …

  switch add NAME IP_OR_URL [--role sensor|control] [--group G] [--inactive]
                       add a probe target (PowerMon add-switch); IP_OR_URL: 192.168.1.20, host:8080
                       or http(s)://host[:port]/path
  switch list [--json] id, name, url, role, active, group, last result
  switch test [ID|NAME …] [--json]
                       probe now (every active switch when none is named), print each result and
                       time, and store the checks like the service does
  switch remove ID|NAME
                       remove a runtime switch (config-file switches are changed in the file)

Works on the database of the running service (history.path); changes reach it at its next cycle.
Exit codes: 0 ok, 1 failure (not found, no database), 2 bad arguments.
`;

function when(ts: number | null | undefined): string {
  return ts === null || ts === undefined ? '-' : new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}

function checkText(c: PowerCheck | null): string {
  if (!c) return 'never checked';
  const rt = c.response_time === null ? '' : ` ${Math.round(c.response_time)} ms`;
  const what = c.http_status !== null ? `HTTP ${c.http_status}` : c.reason;
  return `${c.result} (${what}${rt})${c.result === 'down' && c.error_message ? `: ${c.error_message}` : ''}`;
}

function listText(all: SwitchStatus[]): string {
  if (all.length === 0) return 'no switches yet: add one with `power2mqtt switch add NAME IP_OR_URL`\n';
  return table(
    ['ID', 'NAME', 'URL', 'ROLE', 'ACTIVE', 'GROUP', 'SOURCE', 'STATE', 'LAST CHECK'],
    all.map((s) => [
      String(s.target.id), s.target.name, s.target.url, s.target.role, s.target.active ? 'yes' : 'no', s.target.group || '-', s.target.source,
      s.state, s.last_check ? `${when(s.last_check.checked_at)} ${checkText(s.last_check)}` : '-',
    ]),
  );
}

async function run(sub: SwitchSub, positionals: string[], values: Record<string, string | boolean | undefined>, svc: SwitchService, io: CliIO): Promise<number> {
  switch (sub) {
    case 'add': {
      const [name, where] = positionals;
      if (name === undefined || where === undefined || positionals.length > 2) {
        io.err(`switch add needs NAME and IP_OR_URL\n${SWITCH_USAGE}`);
        return 2;
      }
      const role = values.role;
      if (role !== undefined && role !== 'sensor' && role !== 'control') {
        io.err(`--role must be sensor or control (got "${String(role)}")\n`);
        return 2;
      }
      // Anything with a scheme or a path is a URL (so "ftp://…" or "host/status" get the URL's
      // advice); a bare host or host:port is an ip.
      const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(where) || where.includes('/');
      const input: SwitchInput = {
        name, ...(isUrl ? { url: where } : { ip: where }), active: !values.inactive,
        ...(role ? { role } : {}), ...(typeof values.group === 'string' ? { group: values.group } : {}),
      };
      const r = svc.add(input);
      if (!r.ok) {
        // Errors that already start with their field ("url: …", "name \"x\" is already used") name it once (as REST does).
        io.err(`switch not added: ${r.field && !r.error.startsWith(r.field) ? `${r.field}: ` : ''}${r.error}\n`);
        return r.code === 'P2M_ERR_VALIDATION' ? 2 : 1;
      }
      io.out(`added switch ${r.target.id} "${r.target.name}" ${r.target.url} (${r.target.role}${r.target.active ? '' : ', inactive'})\n`);
      return 0;
    }
    case 'list': {
      const all = svc.list();
      io.out(values.json ? `${JSON.stringify(all, null, 2)}\n` : listText(all));
      return 0;
    }
    case 'test': {
      const targets = positionals.length ? positionals : svc.list().filter((s) => s.target.active).map((s) => String(s.target.id));
      if (targets.length === 0) {
        io.err('no active switches to test\n');
        return 1;
      }
      const results = await Promise.all(targets.map(async (t) => ({ t, r: await svc.check(t) })));
      let failed = 0;
      const rows: string[][] = [];
      for (const { t, r } of results) {
        if (!r.ok) {
          failed++;
          rows.push([t, '-', 'not found', r.error]);
          continue;
        }
        const s = svc.get(r.check.switch_id);
        rows.push([String(r.check.switch_id), s?.target.name ?? t, checkText(r.check), s?.target.url ?? '']);
      }
      io.out(values.json ? `${JSON.stringify(results.map(({ r }) => (r.ok ? r.check : r)), null, 2)}\n` : table(['ID', 'NAME', 'RESULT', 'URL'], rows));
      return failed ? 1 : 0;
    }
    case 'remove': {
      const [id] = positionals;
      if (id === undefined || positionals.length > 1) {
        io.err(`switch remove needs one ID or NAME\n${SWITCH_USAGE}`);
        return 2;
      }
      const r = svc.remove(id);
      if (!r.ok) {
        io.err(`switch not removed: ${r.error}\n`);
        return 1;
      }
      io.out(`removed switch ${r.target.id} "${r.target.name}" (its checks stay until retention)\n`);
      return 0;
    }
  }
}

const SWITCH_SUBCOMMANDS = ['add', 'list', 'test', 'remove'] as const;
type SwitchSub = (typeof SWITCH_SUBCOMMANDS)[number];

/** `power2mqtt switch …` (SPEC §17, PowerMon's add-switch/list/test/remove). */
export async function switchCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, SWITCH_USAGE, {
    args: argv, allowPositionals: true,
    options: {
      config: { type: 'string' }, role: { type: 'string' }, group: { type: 'string' }, inactive: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const picked = pickSubcommand(io, SWITCH_USAGE, 'switch', positionals, SWITCH_SUBCOMMANDS);
  if (typeof picked === 'number') return picked;
  const { sub, rest } = picked;
  const opened = openCliStore(values.config, io, { create: sub === 'add' });
  if (!opened.ok) return opened.code;
  const clock = new RealClock();
  const svc = createSwitchService({
    settings: opened.config.switches, fixedTargets: [], store: new PowerStore(opened.handle), clock, scheduler: new Scheduler(clock),
    bus: new EventBus(), logger: silentLogger(),
  });
  // As in the service: a switch a watchdog targets (config file or stored) is not removed or renamed.
  const stored = new WatchdogSqlStore(opened.handle).runtimeWatchdogs().filter(
    (w): w is { name: string; target: string } => typeof (w as { name?: unknown }).name === 'string' && typeof (w as { target?: unknown }).target === 'string',
  );
  svc.guardNames((name) => switchInUse(name, [...opened.config.watchdogs, ...stored]));
  try {
    svc.load();
    return await run(sub, rest, values, svc, io);
  } catch (err) {
    io.err(`switch ${sub} failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    opened.handle.close();
  }
}
