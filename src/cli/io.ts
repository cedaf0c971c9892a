import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../core/errors.js';

/** Output of a CLI command, injectable so commands are testable without a subprocess. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/**
 * `parseArgs` with the commands' shared conventions: a parse error prints the reason and the usage
 * (exit 2), `--help` prints the usage (exit 0). Returns the parsed arguments, or the exit code when
 * the command is already done. The options must include `help: { type: 'boolean', short: 'h' }`.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(io: CliIO, usage: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    io.err(`${errorMessage(err)}\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    io.out(usage);
    return 0;
  }
  return parsed;
}

/**
 * The first positional of a command with subcommands (`token list`, `switch add …`): missing → the
 * usage on stderr, exit 2; not one of `known` → `unknown <command> command "<x>"` and the usage,
 * exit 2. Otherwise the subcommand and the positionals after it.
 */
export function pickSubcommand<S extends string>(io: CliIO, usage: string, command: string, positionals: readonly string[], known: readonly S[]): { sub: S; rest: string[] } | number {
  const [sub, ...rest] = positionals;
  if (sub === undefined) {
    io.err(usage);
    return 2;
  }
  if (!(known as readonly string[]).includes(sub)) {
    io.err(`unknown ${command} command "${sub}"\n${usage}`);
    return 2;
  }
  return { sub: sub as S, rest };
}
