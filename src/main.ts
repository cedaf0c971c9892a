#!/usr/bin/env node
import { checkConfigCommand } from './cli/check-config.js';
import { cleanupCommand } from './cli/cleanup.js';
import { discoverCommand } from './cli/discover.js';
import { exportCommand } from './cli/export.js';
import { processIO, type CliIO } from './cli/io.js';
import { HASH_PASSWORD_USAGE, hashPasswordCommand } from './cli/hash-password.js';
import { mockPduCommand } from './cli/mock-pdu.js';
import { mqttCredentialsCommand } from './cli/mqtt-credentials.js';
import { probeCommand } from './cli/probe.js';
import { reportCommand } from './cli/report.js';
import { notifyCommand } from './cli/notify.js';
import { runCommand } from './cli/run.js';
import { backupCommand, restoreCommand } from './cli/backup.js';
import { healthcheckCommand } from './cli/healthcheck.js';
import { statsCommand } from './cli/stats.js';
import { switchCommand } from './cli/switch.js';
import { tokenCommand } from './cli/token.js';
import { watchdogCommand } from './cli/watchdog.js';
import { VERSION } from './app.js';
import { errorMessage } from './core/errors.js';
import { takeSetFlags, useCliSets } from './cli/config-args.js';

const USAGE = `power2mqtt ${VERSION} — CyberPower PDUs to MQTT, Home Assistant and history

usage: power2mqtt <command> [options]

commands:
  run [--config FILE]          start the service (default; no config file = demo mode)
  check-config [--config FILE] validate and print the effective config (secrets masked); exit 2 on error
  healthcheck [--config FILE]  ask the running service's /api/health on this host: exit 0 healthy, 1 not
  probe HOST [--community C] [--port P] [--profile cps-mib|original] [--json]
                               print a PDU's identity, capabilities and one decoded sample
  discover [--subnet CIDR]… [--community C] [--plugs]
                               find PDUs (SNMP) and, with --plugs, Kasa, Shelly and Tasmota plugs
  mock-pdu [--port 1161] [--count N] [--bind 127.0.0.1]
                               run N simulated PDU44001 SNMP agents
  export [--device ID] [--kind banks|outlets|energy] [--range 1h…60d | --start S --end E] [--raw]
                               stream history as CSV to stdout
  report generate --device ID --type weekly|monthly [--period P] | report list [--device ID]
                               weekly/monthly energy reports (PDF and HTML)
  switch add NAME IP_OR_URL [--role sensor|control] [--group G] [--inactive]
  switch list | switch test [ID…] | switch remove ID
                               HTTP probe targets ("switches") for outage detection
  watchdog list | watchdog test NAME | watchdog reset NAME
                               outlet watchdogs: state, one check of the target, clear gave_up
  stats [--hours 720] [--json] site uptime, outages and per-switch uptime
  cleanup [--days N]           delete old power checks and run history retention now
  backup [--out DIR]           full restore point: database (online backup), config file, rules.json
  restore BACKUP_DIR [--force] put a backup's files back (stop the service first)
  notify test NAME             send a test notification to webhook NAME
  hash-password                read a password on stdin, print its scrypt hash for the config file
  token create NAME [--scope read|control|admin] [--expires-days N]
  token list | token revoke ID API tokens for REST/WebSocket clients (the token is printed once)
  mqtt-credentials [--config FILE]
                               print the embedded broker's generated user and password

Every command that reads the config also takes --set KEY=VALUE (repeatable): a config value above
file, saved settings and environment, e.g. --set web.port=9090 --set log.level=debug.

power2mqtt <command> --help shows the options of one command.

exit codes: 0 done · 1 failed at run time (start-up failed, not healthy, device unreachable, …) ·
2 bad usage or invalid configuration (every problem is printed with its key and the fix) ·
3 probe: the agent answered but is not a CyberPower ePDU
`;

/** Usage of the commands that do not print their own. */
const HELP: Readonly<Record<string, string>> = {
  run: `usage: power2mqtt run [--config FILE] [--set KEY=VALUE]…

Starts the service. The config is --config FILE, else $POWER2MQTT_CONFIG, else ./config.yaml; with
none of them it runs the demo. Runtime settings saved with PUT /api/config apply above the file,
POWER2MQTT_* variables above those, --set flags (e.g. --set web.port=9090) above everything. SIGTERM/SIGINT stop it cleanly (exit 0); POST
/api/system/restart restarts it in this process. Exit 1: start-up failed; 2: invalid config.
`,
  'check-config': `usage: power2mqtt check-config [--config FILE] [--set KEY=VALUE]…

Validates the config as \`run\` would load it and prints the effective values, secrets as "***",
each with its origin (default, file, runtime, env, cli). Exit 0 valid, 2 invalid (every problem listed).
`,
  healthcheck: `usage: power2mqtt healthcheck [--config FILE]

Asks the running service's GET /api/health on this host (web.bind/web.port of the same config).
Exit 0 when it answers 200 (healthy), 1 otherwise. The container's HEALTHCHECK.
`,
  'hash-password': HASH_PASSWORD_USAGE,
  'mqtt-credentials': `usage: power2mqtt mqtt-credentials [--config FILE]

Prints the user and password the embedded broker generated for itself when it listens on a
non-loopback address without configured users (kept in the data directory). Exit 1 when none exist.
`,
};

type Command = (argv: string[], io: CliIO) => number | Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  run: runCommand,
  'check-config': checkConfigCommand,
  healthcheck: healthcheckCommand,
  probe: probeCommand,
  discover: discoverCommand,
  'mock-pdu': mockPduCommand,
  'hash-password': hashPasswordCommand,
  export: exportCommand,
  'mqtt-credentials': mqttCredentialsCommand,
  switch: switchCommand,
  watchdog: watchdogCommand,
  stats: statsCommand,
  cleanup: cleanupCommand,
  backup: backupCommand,
  restore: restoreCommand,
  notify: notifyCommand,
  token: tokenCommand,
  report: reportCommand,
};

/** Commands that read the config: they take --set (SPEC §3.1's top layer). */
const READS_CONFIG: ReadonlySet<string> = new Set([
  'run', 'check-config', 'healthcheck', 'mqtt-credentials', 'export', 'report', 'switch', 'watchdog', 'stats', 'cleanup', 'backup', 'restore', 'notify', 'token',
]);

/** Commands that print their own usage for --help. */
const OWN_HELP: ReadonlySet<string> = new Set(['probe', 'discover', 'mock-pdu', 'export', 'switch', 'watchdog', 'stats', 'cleanup', 'backup', 'restore', 'notify', 'token', 'report']);

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  // No command, or options only: `run` (so `power2mqtt --config f` works).
  const name = first === undefined || first.startsWith('-') ? 'run' : first;
  const args = name === first ? rest : argv;
  const command = COMMANDS[name];
  if (!command) {
    io.err(`power2mqtt: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (!OWN_HELP.has(name) && (args.includes('--help') || args.includes('-h'))) {
    io.out(HELP[name] ?? USAGE);
    return 0;
  }
  if (!READS_CONFIG.has(name)) return command(args, io);
  const set = takeSetFlags(args);
  if (set.error) {
    io.err(`power2mqtt ${name}: ${set.error}
`);
    return 2;
  }
  useCliSets(set.sets);
  return command(set.rest, io);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A programmer error reached the top: one readable line, the stack only at debug.
    process.stderr.write(`power2mqtt: ${errorMessage(err)}\n`);
    // (POWER2MQTT_* variables are config keys, so the switch for the stack is plain DEBUG.)
    if (process.env.DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exit(1);
  },
);
