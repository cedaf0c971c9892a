import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryOpenError, openHistoryDb, schemaVersion } from '../../../src/history/db.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/history/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'p2m-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => join(dir, `t${n++}.db`);

describe('opening the history database', () => {
  it('creates an empty database at the latest version with WAL, NORMAL sync and incremental auto-vacuum', () => {
    const db = openHistoryDb(join(dir, 'sub', 'dir', 'new.db'), { busyTimeoutMs: 20 });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2); // INCREMENTAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(20);
    db.close();
  });

  it('migrates a database of every earlier version forward and keeps its data', () => {
    for (const m of MIGRATIONS.slice(0, -1)) {
      const path = file();
      const old = openHistoryDb(path, { busyTimeoutMs: 20, migrateTo: m.version });
      expect(schemaVersion(old)).toBe(m.version);
      old.prepare("INSERT INTO hist_device (device_id) VALUES ('kept')").run();
      old.close();
      const db = openHistoryDb(path, { busyTimeoutMs: 20 });
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT device_id FROM hist_device').all()).toEqual([{ device_id: 'kept' }]);
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
      db.close();
    }
  });

  it('migrations are numbered 1..N without holes', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuses a database written by a newer version, naming the file and the fix', () => {
    const path = file();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openHistoryDb(path, { busyTimeoutMs: 20 })).toThrow(HistoryOpenError);
    expect(() => openHistoryDb(path, { busyTimeoutMs: 20 })).toThrow(new RegExp(`${path}.*newer than this power2mqtt`));
  });

  it('a file that is not SQLite is a clear error, not a stack trace', () => {
    const path = file();
    writeFileSync(path, 'this is not a database, it is a text file that is long enough to have a header. '.repeat(20));
    expect(() => openHistoryDb(path, { busyTimeoutMs: 20 })).toThrow(/is not a readable SQLite database.*restore it from a backup/);
  });

  it('a path under a regular file (cannot be a directory) is a clear error', () => {
    const f = file();
    writeFileSync(f, 'x');
    expect(() => openHistoryDb(join(f, 'h.db'), { busyTimeoutMs: 20 })).toThrow(HistoryOpenError);
    expect(() => openHistoryDb(join(f, 'h.db'), { busyTimeoutMs: 20 })).toThrow(/cannot be opened for writing.*history\.path/);
  });
});
