import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fileStamp } from '../core/calendar.js';
import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { HistoryOpenError } from '../history/db.js';
import { DbHandle } from '../history/handle.js';
import { PowerStore } from '../history/power-store.js';
import { VERSION } from '../app.js';
import { parseCommandArgs, type CliIO } from './io.js';
import { formatIssues } from '../config/index.js';
import { loadFromProcess } from './config-args.js';
import { CLI_BUSY_MS } from './store.js';

// `power2mqtt backup` / `restore` (issue 10, SPEC §17): a full restore point of one installation —
// the history database through SQLite's online backup API (consistent while the service writes),
// the config file and rules.json as they are (secrets included: keep the folder private). Unlike
// GET /api/system/backup (what users made at runtime, no secrets), this brings back everything.

export const BACKUP_USAGE = `usage: power2mqtt backup [--config FILE] [--out DIR]

Writes DIR/power2mqtt-backup-YYYYMMDD-HHMMSS/ (DIR defaults to .) with power2mqtt.db (SQLite online
backup: safe while the service runs), the config file, rules.json and MANIFEST.json.
The folder holds secrets (communities, password hashes): keep it private.
Exit codes: 0 ok, 1 failure, 2 bad arguments or config.
`;

export const RESTORE_USAGE = `usage: power2mqtt restore BACKUP_DIR [--config FILE] [--force]

Puts the database, config file and rules.json of a backup folder back where the current config
says they live; each file it replaces is kept beside it as *.before-restore. Stop the service first:
a database written in the last 2 minutes counts as in use and is refused unless --force.
Exit codes: 0 ok, 1 failure (backup unreadable or damaged, service running), 2 bad arguments or config.
`;

const MANIFEST = 'MANIFEST.json';
const IN_USE_S = 120;

interface Manifest {
  format: 'power2mqtt-full-backup';
  version: string;
  created_at: string;
  files: { database: string; config: string | null; rules: string | null };
  sources: { database: string; config: string | null; rules: string | null };
}

export async function backupCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, BACKUP_USAGE, { args: argv, options: { config: { type: 'string' }, out: { type: 'string', default: '.' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const loaded = loadFromProcess(values.config);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  const dbPath = resolve(loaded.config.history.path);
  if (!existsSync(dbPath)) {
    io.err(`no history database at ${dbPath}: nothing to back up yet (history.path sets where)\n`);
    return 1;
  }
  const now = new Date(new RealClock().now());
  const dir = resolve(values.out, `power2mqtt-backup-${fileStamp(now.getTime())}`);
  let handle: DbHandle | null = null;
  try {
    mkdirSync(dir, { recursive: true });
    handle = new DbHandle(dbPath, CLI_BUSY_MS);
    await handle.db.backup(join(dir, 'power2mqtt.db'));
    const rulesPath = resolve(loaded.config.rules.path);
    const files: Manifest['files'] = { database: 'power2mqtt.db', config: null, rules: null };
    if (loaded.file) {
      copyFileSync(loaded.file, join(dir, 'config.yaml'));
      files.config = 'config.yaml';
    }
    if (existsSync(rulesPath)) {
      copyFileSync(rulesPath, join(dir, 'rules.json'));
      files.rules = 'rules.json';
    }
    const manifest: Manifest = {
      format: 'power2mqtt-full-backup', version: VERSION, created_at: now.toISOString(), files,
      sources: { database: dbPath, config: loaded.file, rules: files.rules ? rulesPath : null },
    };
    writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    io.out(`backup written to ${dir} (${Object.values(files).filter(Boolean).join(', ')}); it holds secrets: keep it private\n`);
    return 0;
  } catch (err) {
    io.err(`backup failed: ${err instanceof HistoryOpenError ? err.message : errorMessage(err)}\n`);
    return 1;
  } finally {
    handle?.close();
  }
}

/** The manifest of a backup folder, or the reason it is not one. */
function readManifest(dir: string): Manifest | string {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return `${dir} is not a power2mqtt backup folder (no ${MANIFEST}; make one with power2mqtt backup)`;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<Manifest>;
    if (m.format !== 'power2mqtt-full-backup' || !m.files?.database) return `${file} is not a power2mqtt backup manifest`;
    return m as Manifest;
  } catch (err) {
    return `${file} cannot be read: ${errorMessage(err)}`;
  }
}

/** The backup's database must be a whole, readable SQLite file before anything is replaced. */
function checkDatabase(path: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const r = db.pragma('quick_check', { simple: true });
    return r === 'ok' ? null : `the backup's database is damaged (quick_check: ${String(r)})`;
  } catch (err) {
    return `the backup's database cannot be opened: ${errorMessage(err)}`;
  } finally {
    db?.close();
  }
}

/** Seconds since the running service last wrote (heartbeat or sample); null: never, or no file. */
function secondsSinceWrite(dbPath: string, nowS: number): number | null {
  if (!existsSync(dbPath)) return null;
  const handle = new DbHandle(dbPath, CLI_BUSY_MS);
  try {
    const seen = new PowerStore(handle).lastSeen();
    return seen === null ? null : nowS - seen;
  } finally {
    handle.close();
  }
}

/** Replace `target` with `source`, keeping the old file as *.before-restore (and dropping its WAL files). */
function put(source: string, target: string, sqlite: boolean): void {
  mkdirSync(resolve(target, '..'), { recursive: true });
  if (existsSync(target)) renameSync(target, `${target}.before-restore`);
  if (sqlite) for (const ext of ['-wal', '-shm']) rmSync(`${target}${ext}`, { force: true });
  const tmp = `${target}.restoring`;
  copyFileSync(source, tmp);
  renameSync(tmp, target);
}

export function restoreCommand(argv: string[], io: CliIO): number {
  const parsed = parseCommandArgs(io, RESTORE_USAGE, { args: argv, allowPositionals: true, options: { config: { type: 'string' }, force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`name one backup folder\n${RESTORE_USAGE}`);
    return 2;
  }
  const dir = resolve(positionals[0] as string);
  const manifest = readManifest(dir);
  if (typeof manifest === 'string') {
    io.err(`${manifest}\n`);
    return 1;
  }
  const loaded = loadFromProcess(values.config);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  const dbPath = resolve(loaded.config.history.path);
  const damaged = checkDatabase(join(dir, manifest.files.database));
  if (damaged) {
    io.err(`${damaged}: nothing was restored\n`);
    return 1;
  }
  try {
    const age = secondsSinceWrite(dbPath, new RealClock().now() / 1000);
    if (age !== null && age < IN_USE_S && !values.force) {
      io.err(`${dbPath} was written ${Math.max(0, Math.round(age))} s ago: stop power2mqtt first (or add --force if it is not running)\n`);
      return 1;
    }
    const restored: string[] = [];
    put(join(dir, manifest.files.database), dbPath, true);
    restored.push(`database → ${dbPath}`);
    if (manifest.files.config) {
      const target = loaded.file ?? resolve('config.yaml');
      put(join(dir, manifest.files.config), target, false);
      restored.push(`config → ${target}`);
    }
    if (manifest.files.rules) {
      const target = resolve(loaded.config.rules.path);
      put(join(dir, manifest.files.rules), target, false);
      restored.push(`rules → ${target}`);
    }
    io.out(`restored from ${basename(dir)} (made ${manifest.created_at} by ${manifest.version}):\n${restored.map((r) => `  ${r}`).join('\n')}\nreplaced files are kept as *.before-restore\n`);
    return 0;
  } catch (err) {
    io.err(`restore failed: ${err instanceof HistoryOpenError ? err.message : errorMessage(err)}\n`);
    return 1;
  }
}
