#!/usr/bin/env node
import { checkConfigCommand } from './cli/check-config.js';
import { exportCommand } from './cli/export.js';
import { processIO, type CliIO } from './cli/io.js';
import { hashPasswordCommand } from './cli/hash-password.js';
import { mockPduCommand } from './cli/mock-pdu.js';
import { mqttCredentialsCommand } from './cli/mqtt-credentials.js';
import { probeCommand } from './cli/probe.js';
import { runCommand } from './cli/run.js';
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
  hash-password                read a password on stdin, print its scrypt hash for the config file
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
};

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
  if (name !== 'probe' && name !== 'mock-pdu' && name !== 'export' && (args.includes('--help') || args.includes('-h'))) {
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
