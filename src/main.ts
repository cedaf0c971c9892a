#!/usr/bin/env node
import { checkConfigCommand } from './cli/check-config.js';
import { cleanupCommand } from './cli/cleanup.js';
import { exportCommand } from './cli/export.js';
import { processIO, type CliIO } from './cli/io.js';
import { hashPasswordCommand } from './cli/hash-password.js';
import { mockPduCommand } from './cli/mock-pdu.js';
import { mqttCredentialsCommand } from './cli/mqtt-credentials.js';
import { probeCommand } from './cli/probe.js';
import { reportCommand } from './cli/report.js';
import { notifyCommand } from './cli/notify.js';
import { runCommand } from './cli/run.js';
import { statsCommand } from './cli/stats.js';
import { switchCommand } from './cli/switch.js';
import { tokenCommand } from './cli/token.js';
import { VERSION } from './app.js';
import { errorMessage } from './core/errors.js';

const USAGE = `power2mqtt ${VERSION} — CyberPower PDUs to MQTT, Home Assistant and history

usage: power2mqtt <command> [options]

commands:
  run [--config FILE]          start the service (default; no config file = demo mode)
  check-config [--config FILE] validate and print the effective config (secrets masked); exit 2 on error
  probe HOST [--community C] [--port P] [--profile cps-mib|original] [--json]
                               print a PDU's identity, capabilities and one decoded sample
  mock-pdu [--port 1161] [--count N] [--bind 127.0.0.1]
                               run N simulated PDU44001 SNMP agents
  export [--device ID] [--kind banks|outlets|energy] [--range 1h…60d | --start S --end E] [--raw]
                               stream history as CSV to stdout
  report generate --device ID --type weekly|monthly [--period P] | report list [--device ID]
                               weekly/monthly energy reports (PDF and HTML)
  switch add NAME IP_OR_URL [--role sensor|control] [--group G] [--inactive]
  switch list | switch test [ID…] | switch remove ID
                               HTTP probe targets ("switches") for outage detection
  stats [--hours 720] [--json] site uptime, outages and per-switch uptime
  cleanup [--days N]           delete old power checks and run history retention now
  notify test NAME             send a test notification to webhook NAME
  hash-password                read a password on stdin, print its scrypt hash for the config file
  token create NAME [--scope read|control|admin] [--expires-days N]
  token list | token revoke ID API tokens for REST/WebSocket clients (the token is printed once)
  mqtt-credentials [--config FILE]
                               print the embedded broker's generated user and password

power2mqtt <command> --help shows the options of one command.
`;

type Command = (argv: string[], io: CliIO) => number | Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  run: runCommand,
  'check-config': checkConfigCommand,
  probe: probeCommand,
  'mock-pdu': mockPduCommand,
  'hash-password': hashPasswordCommand,
  export: exportCommand,
  'mqtt-credentials': mqttCredentialsCommand,
  switch: switchCommand,
  stats: statsCommand,
  cleanup: cleanupCommand,
  notify: notifyCommand,
  token: tokenCommand,
  report: reportCommand,
};

/** Commands that print their own usage for --help. */
const OWN_HELP: ReadonlySet<string> = new Set(['probe', 'mock-pdu', 'export', 'switch', 'stats', 'cleanup', 'notify', 'token', 'report']);

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
    io.out(USAGE);
    return 0;
  }
  return command(args, io);
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
