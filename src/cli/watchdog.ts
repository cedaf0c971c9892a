import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { StoredWatchdogState } from '../core/ports.js';
import type { Watchdog, WatchdogCheck } from '../core/watchdog.js';
import { probeUrl, tcpConnect } from '../devices/switch/probe.js';
import { PowerStore } from '../history/power-store.js';
import { WatchdogSqlStore } from '../history/watchdog-store.js';
import { statusOf } from '../watchdog/decide.js';
import { parseTarget } from '../core/watchdog-target.js';
import { judge } from '../watchdog/target.js';
import { parseWatchdog } from '../watchdog/validate.js';
import { parseCommandArgs, pickSubcommand, type CliIO } from './io.js';
import { openCliStore, table } from './store.js';

export const WATCHDOG_USAGE = `usage: power2mqtt watchdog <list|test|reset> [--config FILE] …

  watchdog list [--json]  name, device, outlet, target, state, cycles (SPEC §12.7)
  watchdog test NAME [--json]
                          check the watchdog's target once now and print the result; switches nothing
  watchdog reset NAME     clear gave_up and the cycle count (the running service applies it at its next check)

Works on the database of the running service (history.path). Exit codes: 0 ok, 1 failure
(unknown watchdog, no database), 2 bad arguments.
`;

interface Known {
  w: Watchdog | null;
  name: string;
  source: string;
  state: StoredWatchdogState | null;
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** Config-file watchdogs, runtime ones from the database, and state rows of others (e.g. the demo's). */
function known(config: readonly Watchdog[], store: WatchdogSqlStore): Known[] {
  const states = store.loadStates();
  const out: Known[] = config.map((w) => ({ w, name: w.name, source: 'config', state: states.get(w.name) ?? null }));
  for (const body of store.runtimeWatchdogs()) {
    const p = parseWatchdog(body);
    if (p.ok && !out.some((k) => k.name === p.watchdog.name)) out.push({ w: p.watchdog, name: p.watchdog.name, source: 'runtime', state: states.get(p.watchdog.name) ?? null });
  }
  for (const [name, state] of states) if (!out.some((k) => k.name === name)) out.push({ w: null, name, source: 'demo/other', state });
  return out;
}

async function checkOnce(w: Watchdog, power: PowerStore, tlsErrors: 'up' | 'down', clock: RealClock): Promise<WatchdogCheck> {
  const t = parseTarget(w.target);
  if (!t.ok) return { result: 'down', response_time: null, error: `target: ${t.message}` };
  if (t.target.kind === 'switch') {
    const { name } = t.target;
    const sw = power.listSwitches().find((s) => s.name === name);
    const c = sw ? power.latestChecks().get(sw.id) : undefined;
    if (!sw) return { result: 'down', response_time: null, error: `no switch named "${name}"` };
    if (!c) return { result: 'down', response_time: null, error: `switch "${name}" has not been probed yet` };
    return { result: c.result, response_time: c.response_time, error: c.result === 'down' ? c.error_message : null };
  }
  const p = t.target.kind === 'url'
    ? await probeUrl(t.target.url, { timeoutMs: w.timeout_ms, tlsErrors, clock })
    : await tcpConnect(t.target.host, t.target.port, { timeoutMs: w.timeout_ms, clock });
  const result = judge(t.target, p);
  return { result, response_time: p.response_time, error: result === 'down' ? (p.error_message ?? `connection not accepted (${p.reason})`) : null };
}

/** `power2mqtt watchdog …` (SPEC §17). */
export async function watchdogCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, WATCHDOG_USAGE, {
    args: argv, allowPositionals: true,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const picked = pickSubcommand(io, WATCHDOG_USAGE, 'watchdog', positionals, ['list', 'test', 'reset'] as const);
  if (typeof picked === 'number') return picked;
  const { sub, rest } = picked;
  if (sub !== 'list' && rest.length !== 1) {
    io.err(`watchdog ${sub} needs one NAME\n${WATCHDOG_USAGE}`);
    return 2;
  }
  const opened = openCliStore(values.config, io, { create: false });
  if (!opened.ok) return opened.code;
  try {
    const store = new WatchdogSqlStore(opened.handle);
    const all = known(opened.config.watchdogs, store);
    const clock = new RealClock();
    const nowS = clock.now() / 1000;
    if (sub === 'list') {
      const rows = all.map((k) => {
        const s = k.state ? statusOf(k.state, nowS, k.w?.window_h ?? 6) : null;
        return {
          name: k.name, source: k.source, device: k.w?.device || '-', outlet: k.w?.outlet ?? null, target: k.w?.target ?? '-',
          state: s?.state ?? 'ok', reason: s?.reason ?? null, cycles: s?.cycles ?? 0, last_cycle_at: s?.last_cycle_at ?? null,
        };
      });
      if (values.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) io.out('no watchdogs: add one under `watchdogs:` in the config file, or POST /api/watchdogs\n');
      else {
        io.out(table(
          ['NAME', 'SOURCE', 'DEVICE', 'OUTLET', 'TARGET', 'STATE', 'CYCLES', 'LAST CYCLE'],
          rows.map((r) => [r.name, r.source, r.device, r.outlet === null ? '-' : String(r.outlet), r.target, r.reason ? `${r.state} (${r.reason})` : r.state, String(r.cycles), iso(r.last_cycle_at)]),
        ));
      }
      return 0;
    }
    const name = rest[0] as string;
    const k = all.find((x) => x.name === name);
    if (!k) {
      io.err(`no watchdog named "${name}" (known: ${all.map((x) => x.name).join(', ') || 'none'})\n`);
      return 1;
    }
    if (sub === 'reset') {
      store.requestReset(name, nowS);
      io.out(`watchdog ${name}: gave_up and the cycle count cleared (the running service applies it at its next check)\n`);
      return 0;
    }
    if (!k.w) {
      io.err(`watchdog "${name}" is not in the config file or the database (the demo's exists only while the demo runs): use POST /api/watchdogs/${name}/test\n`);
      return 1;
    }
    const check = await checkOnce(k.w, new PowerStore(opened.handle), opened.config.switches.tls_errors, clock);
    if (values.json) io.out(`${JSON.stringify({ name, ...check }, null, 2)}\n`);
    else {
      const rt = check.response_time === null ? '' : ` in ${Math.round(check.response_time)} ms`;
      io.out(`${name}: ${k.w.target} ${check.result}${rt}${check.error ? ` (${check.error})` : ''}\n`);
    }
    return 0;
  } catch (err) {
    io.err(`watchdog ${sub} failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    opened.handle.close();
  }
}
