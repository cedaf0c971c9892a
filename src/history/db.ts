import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';

// Opening the one SQLite file (SPEC §13.1): WAL, synchronous=NORMAL, incremental auto-vacuum set
// before the first table, a short busy timeout for the service (§13.2: ≤ 20 ms, so the event loop
// never waits on a lock) and a long one for CLI commands, forward migrations at open.

export type Db = Database.Database;

export interface OpenOptions {
  /** 20 ms for the running service, 5000 ms for CLI commands (SPEC §13.2). */
  busyTimeoutMs: number;
  readonly?: boolean;
  /** Apply migrations only up to this version (tests of upgrades from an older database). */
  migrateTo?: number;
}

/** A database that cannot be used: the message names the file and what to do about it. */
export class HistoryOpenError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'HistoryOpenError';
  }
}

function sqliteCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

function explain(file: string, err: unknown): HistoryOpenError {
  const code = sqliteCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new HistoryOpenError(
      file,
      `history database ${file} is not a readable SQLite database (${msg}): restore it from a backup, or move it away to start a new history`,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new HistoryOpenError(
      file,
      `history database ${file} cannot be opened for writing (${msg}): check that the directory exists and is writable by this user, or set history.path`,
    );
  }
  return new HistoryOpenError(file, `history database ${file} cannot be opened (${msg})`);
}

function migrate(db: Db, file: string, upTo: number): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new HistoryOpenError(
      file,
      `history database ${file} has schema version ${current}, newer than this power2mqtt understands (${SCHEMA_VERSION}): ` +
        'run the newer power2mqtt that wrote it, or restore a backup made by this version',
    );
  }
  if (current === 0) {
    // Must precede the first table to take effect without a full VACUUM (SPEC §13.1).
    db.pragma('auto_vacuum = INCREMENTAL');
  }
  const pending = MIGRATIONS.filter((m: Migration) => m.version > current && m.version <= upTo);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/** Open (creating when missing) and migrate the history database. Throws HistoryOpenError. */
export function openHistoryDb(path: string, opts: OpenOptions): Db {
  const file = resolve(path);
  let db: Db | undefined;
  try {
    if (!opts.readonly) mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false, timeout: opts.busyTimeoutMs });
    if (!opts.readonly) {
      migrate(db, file, opts.migrateTo ?? SCHEMA_VERSION);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    } else {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v > SCHEMA_VERSION) throw new HistoryOpenError(file, `history database ${file} has schema version ${v}, newer than this power2mqtt (${SCHEMA_VERSION})`);
    }
    // Reading the schema proves the file is a database (a corrupt header only fails here).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof HistoryOpenError) throw err;
    throw explain(file, err);
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A statement prepared once per connection (preparing costs more than running small ones). */
export function stmt(db: Db, sql: string): Database.Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}
