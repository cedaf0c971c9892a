import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../core/errors.js';
import { HistoryOpenError } from '../history/db.js';
import { DbHandle } from '../history/handle.js';
import type { CliIO } from './io.js';
import { formatIssues } from '../config/index.js';
import { loadFromProcess } from './config-args.js';

// CLI commands work on the service's SQLite file directly (SPEC §17): safe while it runs (WAL),
// waiting up to 5 s for a lock where the service waits 20 ms.

export const CLI_BUSY_MS = 5000;

export type OpenedStore = { ok: true; config: Config; handle: DbHandle } | { ok: false; code: number };

/**
 * Load the config and open its database. `create`: make the file when missing (commands that
 * store something, e.g. `switch add` before the first run); otherwise a missing file is exit 1.
 */
export function openCliStore(configPath: string | undefined, io: CliIO, opts: { create: boolean }): OpenedStore {
  const loaded = loadFromProcess(configPath);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return { ok: false, code: 2 };
  }
  const path = resolve(loaded.config.history.path);
  if (!opts.create && !existsSync(path)) {
    io.err(`no history database at ${path}: power2mqtt creates it when it runs (history.path sets where)\n`);
    return { ok: false, code: 1 };
  }
  try {
    return { ok: true, config: loaded.config, handle: new DbHandle(path, CLI_BUSY_MS) };
  } catch (err) {
    io.err(`${err instanceof HistoryOpenError ? err.message : errorMessage(err)}\n`);
    return { ok: false, code: 1 };
  }
}

/** Rows as aligned text columns. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
