import { loadConfig, type LoadResult } from '../config/index.js';
import { readSavedSettings } from '../history/settings-store.js';

/** `--config F` anywhere in argv; returns the path and the remaining arguments. */
export function takeConfigFlag(argv: string[]): { configPath: string | undefined; rest: string[]; error?: string } {
  const rest: string[] = [];
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--config' || a === '-c') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('-')) return { configPath, rest, error: `${a} needs a file path` };
      configPath = v;
      i++;
    } else if (a.startsWith('--config=')) {
      configPath = a.slice('--config='.length);
    } else {
      rest.push(a);
    }
  }
  return { configPath, rest };
}

/**
 * `--set KEY=VALUE` (repeatable; `--set=KEY=VALUE` too) anywhere in argv: config overrides above
 * the environment (SPEC §3.1). Returns them by dotted key (the last one of a key wins) and the rest.
 */
export function takeSetFlags(argv: string[]): { sets: Record<string, string>; rest: string[]; error?: string } {
  const sets: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    let pair: string | undefined;
    if (a === '--set') pair = argv[++i];
    else if (a.startsWith('--set=')) pair = a.slice('--set='.length);
    else {
      rest.push(a);
      continue;
    }
    const eq = pair?.indexOf('=') ?? -1;
    if (pair === undefined || eq <= 0) return { sets, rest, error: `--set needs KEY=VALUE with a dotted config key, e.g. --set web.port=9090 (got ${pair === undefined ? 'nothing' : `"${pair}"`})` };
    sets[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { sets, rest };
}

/** The `--set` flags of this process's command (main.ts takes them before the command runs). */
let cliSets: Record<string, string> = {};
export function useCliSets(sets: Record<string, string>): void {
  cliSets = { ...sets };
}

/**
 * The config as every command sees it (SPEC §3.1): defaults < file < runtime settings saved in the
 * database (PUT /api/config) < env < `--set` flags. The database path comes from the first pass.
 */
export function loadFromProcess(configPath: string | undefined): LoadResult {
  const opts = { configPath, env: process.env, cwd: process.cwd(), cli: cliSets };
  const first = loadConfig(opts);
  if (!first.ok) return first;
  const settings = readSavedSettings(first.config.history.path);
  return Object.keys(settings).length === 0 ? first : loadConfig({ ...opts, settings });
}

