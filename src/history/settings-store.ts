import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { stmt, type Db } from './db.js';

// Runtime settings (SPEC §14.2 PUT /api/config) in the `settings` table, one row per dotted key,
// the value as JSON. Keys carry the `config:` prefix so the table can hold other settings later.

const PREFIX = 'config:';

export type SavedSettings = Record<string, unknown>;

export class SettingsStore {
  constructor(private readonly db: () => Db) {}

  all(): SavedSettings {
    return rowsToSettings(stmt(this.db(), 'SELECT key, value FROM settings WHERE key LIKE ?').all(`${PREFIX}%`) as Row[]);
  }

  /** Saves every value in one transaction; `null` removes a key (back to the file's value). */
  save(values: Record<string, unknown>, nowS: number): void {
    const db = this.db();
    const put = stmt(db, 'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
    const del = stmt(db, 'DELETE FROM settings WHERE key = ?');
    db.transaction(() => {
      for (const [k, v] of Object.entries(values)) {
        if (v === null) del.run(PREFIX + k);
        else put.run(PREFIX + k, JSON.stringify(v), Math.floor(nowS));
      }
    })();
  }
}

interface Row {
  key: string;
  value: string;
}

function rowsToSettings(rows: Row[]): SavedSettings {
  const out: SavedSettings = {};
  for (const r of rows) {
    try {
      out[r.key.slice(PREFIX.length)] = JSON.parse(r.value) as unknown;
    } catch {
      // A hand-edited row that is not JSON: skipped here, as an invalid value is skipped at load.
    }
  }
  return out;
}

/**
 * The saved settings of the database at `path`, read before the app starts (the config layer of
 * SPEC §3.1). No file, or a database from before the settings table: none. Read-only: never
 * creates or migrates anything; a locked or unreadable file counts as none (start-up reports it).
 */
export function readSavedSettings(path: string): SavedSettings {
  if (path === ':memory:' || !existsSync(path)) return {};
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 200 });
    return rowsToSettings(db.prepare('SELECT key, value FROM settings WHERE key LIKE ?').all(`${PREFIX}%`) as Row[]);
  } catch {
    return {};
  } finally {
    db?.close();
  }
}
