import { formatCheckConfig } from '../config/index.js';
import type { CliIO } from './io.js';
import { loadFromProcess, takeConfigFlag } from './config-args.js';

/** `power2mqtt check-config [--config F]` (SPEC §4.1, §17). */
export function checkConfigCommand(argv: string[], io: CliIO): number {
  const args = takeConfigFlag(argv);
  if (args.error || args.rest.length > 0) {
    io.err(`${args.error ?? `unexpected argument "${args.rest[0]}"`}\nusage: power2mqtt check-config [--config FILE]\n`);
    return 2;
  }
  const { text, exitCode } = formatCheckConfig(loadFromProcess(args.configPath));
  (exitCode === 0 ? io.out : io.err)(text);
  return exitCode;
}
