import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, inspectDb, ROOT, startAppChild, waitFor, writeConfig, type AppChild } from '../../support/kill9.js';
import { expectServiceThroughFault, runStorageFault } from '../../support/storage-fault.js';

// Database locked by another process: a separate node process opens the app's database with
// better-sqlite3 and holds a write lock (BEGIN EXCLUSIVE; in WAL mode readers go on, writers get
// SQLITE_BUSY) for 6 s — 300 times the service's busy_timeout of 20 ms (SPEC §13.2). Nothing mocked.

// The locker: takes the lock, says so, and commits when told to (or after 30 s at the latest).
const LOCKER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 5000 });
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
const release = () => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); process.exit(0); };
process.stdin.on('data', release);
setTimeout(release, 30000);
`;

function startLocker(dbPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', LOCKER, dbPath], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('locked')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`locker exited (${code}) before locking`)));
    setTimeout(() => reject(new Error('locker: no lock within 10 s')), 10_000);
  });
}

describe('history database locked by another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2m-locked-'));
  let app: AppChild | null = null;
  let locker: ChildProcess | null = null;
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(async () => {
    locker?.kill('SIGKILL');
    await app?.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps polling and publishing, logs once, counts, reports degraded, and writes every held sample after the release', async () => {
    writeConfig(dir);
    app = await startAppChild(dir);
    let lockerExit: Promise<number | null> = Promise.resolve(null);
    const r = await runStorageFault(app, {
      async begin() {
        locker = await startLocker(app!.dbPath);
        const l = locker;
        lockerExit = new Promise((resolve) => l.on('exit', (code) => resolve(code)));
      },
      async end() {
        locker?.stdin?.write('go\n');
        expect(await lockerExit).toBe(0);
      },
    }, 6000);
    console.log(`[db-locked] during: ${r.samplesDuring.length} samples, ${r.mqttDuring} MQTT messages, write errors ${r.writeErrorsBefore} → ${r.writeErrorsDuring} → ${r.writeErrorsAfter}; ` +
      `error lines ${JSON.stringify(r.errorLines.map((l) => [l.module, l.msg, l.code]))}; stored after ${r.storedAfter.length}/${r.samplesDuring.length}; health after ${r.healthAfter.status}`);

    expectServiceThroughFault(r, app!.pid);
    const writeFailed = r.errorLines.filter((l) => l.msg === 'history: write failed, batch held for retry');
    expect(writeFailed).toHaveLength(1);
    expect(String(writeFailed[0]?.code)).toMatch(/^SQLITE_BUSY/);
    // Every other writer that met the lock logged it once too, not once per attempt.
    const perMessage = new Map<string, number>();
    for (const l of r.errorLines) perMessage.set(String(l.msg), (perMessage.get(String(l.msg)) ?? 0) + 1);
    expect([...perMessage.values()].every((n) => n === 1), JSON.stringify([...perMessage])).toBe(true);
    // After the release every sample taken while locked is in the file, and the errors stop.
    expect(r.storedAfter).toEqual(r.samplesDuring);
    expect(r.droppedBatchesAfter).toBe(0);
    const errorsNow = r.writeErrorsAfter;
    const seenFrom = inspectDb(app.dbPath, 'demo-pdu', 0, 2 ** 31).ts.length;
    await waitFor('new samples written after the release', () => inspectDb(app!.dbPath, 'demo-pdu', 0, 2 ** 31).ts.length >= seenFrom + 2, 10_000, 250);
    expect(Number(/^power2mqtt_history_write_errors_total (\S+)$/m.exec(await (await fetch(`${app.webUrl}/metrics`)).text())?.[1])).toBe(errorsNow);

    expect(await app.stop()).toBe(0);
    expect(inspectDb(app.dbPath, 'demo-pdu', 0, 0).integrity).toBe('ok');
  }, 60_000);
});
