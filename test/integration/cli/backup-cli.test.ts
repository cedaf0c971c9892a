// `power2mqtt backup` / `restore` (issue 10) in-process on a real SQLite file written by the running
// demo app: the online backup while the service writes, then a restore after it stopped.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupCommand, restoreCommand } from '../../../src/cli/backup.js';
import type { CliIO } from '../../../src/cli/io.js';
import { startTestApp, type TestApp } from '../../support/app.js';

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

let dir: string;
let config: string;
let t: TestApp;
let backupDir = '';

const switchRows = (db: string): number => {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM switches').get() as { n: number }).n;
  } finally {
    d.close();
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-backup-'));
  const db = join(dir, 'power2mqtt.db');
  const rules = join(dir, 'rules.json');
  config = join(dir, 'config.yaml');
  writeFileSync(config, `history:\n  path: ${db}\nrules:\n  path: ${rules}\n`);
  t = await startTestApp({ history: { path: db }, rules: { path: rules } });
  await vi.waitFor(() => expect(t.app.registry.snapshot('demo-pdu')).not.toBeNull(), { timeout: 8000, interval: 50 });
  expect(t.app.switches!.add({ name: 'before-backup', ip: '127.0.0.1:9' }).ok).toBe(true);
}, 30_000);

afterAll(async () => {
  await t?.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('power2mqtt backup', () => {
  it('copies the live database (online backup), the config file and rules.json, with a manifest', async () => {
    const io = captureIO();
    expect(await backupCommand(['--config', config, '--out', join(dir, 'backups')], io)).toBe(0);
    backupDir = /backup written to (\S+) /.exec(io.stdout)?.[1] ?? '';
    expect(backupDir).toMatch(/power2mqtt-backup-\d{8}-\d{6}$/);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'MANIFEST.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'power2mqtt-full-backup', files: { database: 'power2mqtt.db', config: 'config.yaml', rules: 'rules.json' } });
    expect(readFileSync(join(backupDir, 'config.yaml'), 'utf8')).toBe(readFileSync(config, 'utf8'));
    expect(switchRows(join(backupDir, 'power2mqtt.db'))).toBe(switchRows(t.config.history.path));
    expect(io.stdout).toMatch(/holds secrets/);
  });

  it('names a missing database and bad arguments', async () => {
    const io = captureIO();
    const other = join(dir, 'other.yaml');
    writeFileSync(other, `history:\n  path: ${join(dir, 'nope.db')}\n`);
    expect(await backupCommand(['--config', other], io)).toBe(1);
    expect(io.stderr).toMatch(/no history database at .*nope\.db/);
    expect(await backupCommand(['--frobnicate'], captureIO())).toBe(2);
  });
});

describe('power2mqtt restore', () => {
  it('refuses while the service writes, then restores after it stopped, keeping the replaced files', async () => {
    expect(t.app.switches!.add({ name: 'after-backup', ip: '127.0.0.1:9' }).ok).toBe(true);
    const busy = captureIO();
    expect(restoreCommand([backupDir, '--config', config], busy)).toBe(1);
    expect(busy.stderr).toMatch(/stop power2mqtt first/);

    await t.stop();
    const before = switchRows(t.config.history.path);
    // The database was written seconds ago: still "in use" by the rule, so --force after a real stop.
    const io = captureIO();
    expect(restoreCommand([backupDir, '--config', config, '--force'], io)).toBe(0);
    expect(io.stdout).toMatch(/database → .*power2mqtt\.db/);
    expect(switchRows(t.config.history.path)).toBe(before - 1); // the switch added after the backup is gone
    expect(existsSync(`${t.config.history.path}.before-restore`)).toBe(true);
    expect(existsSync(`${config}.before-restore`)).toBe(true);
  });

  it('refuses a folder that is not a backup, and a damaged database, changing nothing', () => {
    const io = captureIO();
    expect(restoreCommand([dir, '--config', config], io)).toBe(1);
    expect(io.stderr).toMatch(/not a power2mqtt backup folder/);
    writeFileSync(join(backupDir, 'power2mqtt.db'), 'not a database');
    const bad = captureIO();
    expect(restoreCommand([backupDir, '--config', config, '--force'], bad)).toBe(1);
    expect(bad.stderr).toMatch(/cannot be opened|damaged/);
    expect(bad.stderr).toMatch(/nothing was restored/);
    expect(restoreCommand([], captureIO())).toBe(2);
  });
});
