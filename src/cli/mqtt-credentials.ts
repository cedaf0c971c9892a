import { dirname, resolve } from 'node:path';
import { readGeneratedCredentials } from '../mqtt/broker.js';
import type { CliIO } from './io.js';
import { formatIssues } from '../config/index.js';
import { loadFromProcess, takeConfigFlag } from './config-args.js';

/** `power2mqtt mqtt-credentials`: the embedded broker's generated user (SPEC §16.3), for Home Assistant. */
export function mqttCredentialsCommand(argv: string[], io: CliIO): number {
  const args = takeConfigFlag(argv);
  if (args.error || args.rest.length > 0) {
    io.err(`${args.error ?? `unexpected argument "${args.rest[0]}"`}\nusage: power2mqtt mqtt-credentials [--config FILE]\n`);
    return 2;
  }
  const loaded = loadFromProcess(args.configPath);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  const dataDir = resolve(dirname(loaded.config.history.path));
  const creds = readGeneratedCredentials(dataDir);
  if (!creds) {
    io.err(
      `no generated broker credentials in ${dataDir}: they are created only when the embedded broker binds to a ` +
        `non-loopback address (mqtt.embedded.bind) without mqtt.embedded.users\n`,
    );
    return 1;
  }
  io.out(`username: ${creds.username}\npassword: ${creds.password}\n(from ${creds.file})\n`);
  return 0;
}
