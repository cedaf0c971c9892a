import { loadConfig, formatIssue, type LoadResult } from '../config/index.js';
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
 * The config as every command sees it (SPEC §3.1): defaults < file < runtime settings saved in the
 * database (PUT /api/config) < env < flags. The database path comes from the first pass.
 */
export function loadFromProcess(configPath: string | undefined): LoadResult {
  const opts = { configPath, env: process.env, cwd: process.cwd() };
  const first = loadConfig(opts);
  if (!first.ok) return first;
  const settings = readSavedSettings(first.config.history.path);
  return Object.keys(settings).length === 0 ? first : loadConfig({ ...opts, settings });
}

export function issuesText(result: Extract<LoadResult, { ok: false }>): string {
  const n = result.issues.length;
  const head = `power2mqtt: the configuration is invalid${result.file ? ` (${result.file})` : ''}: ${n} problem${n === 1 ? '' : 's'}`;
  return `${head}\n${result.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}\n`;
}
