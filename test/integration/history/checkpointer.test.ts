import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { WalCheckpointer } from '../../../src/history/checkpointer.js';
import { DbHandle } from '../../../src/history/handle.js';
import { capturedLogger } from '../../support/auth.js';

// The WAL checkpoint worker on a real SQLite file: the service's commits stop checkpointing
// (the database file does not change while they run), the worker's PASSIVE checkpoint moves the
// WAL into the file, the next write starts the WAL over, and a worker that dies hands the
// checkpoints back to SQLite on the main thread. Timers run on a FakeClock; the worker is real.

let dir = '';
let handle: DbHandle;
let cp: WalCheckpointer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-ckpt-'));
  handle = new DbHandle(join(dir, 'h.db'), 20);
  handle.db.exec('CREATE TABLE blob_t (id INTEGER PRIMARY KEY, b BLOB)');
});

afterEach(async () => {
  await cp?.stop();
  cp = undefined;
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Commit `pages` ~4 KB rows in transactions of 20 (more than SQLite's 1000-page default threshold). */
function writePages(pages: number): void {
  const ins = handle.db.prepare('INSERT INTO blob_t (b) VALUES (?)');
  const tx = handle.db.transaction((n: number) => {
    for (let i = 0; i < n; i++) ins.run(Buffer.alloc(3900, i & 255));
  });
  for (let done = 0; done < pages; done += 20) tx(20);
}

const autocheckpoint = (): number => handle.db.pragma('wal_autocheckpoint', { simple: true }) as number;
const fileSize = (): number => statSync(handle.path).size;

function start(clock = new FakeClock(0)): { clock: FakeClock; lines: Array<Record<string, unknown>> } {
  const { logger, lines } = capturedLogger();
  cp = new WalCheckpointer({ handle, clock, logger, intervalMs: 5000 });
  cp.start();
  return { clock, lines };
}

describe('WalCheckpointer', () => {
  it('moves the WAL into the file off the service connection, which no longer checkpoints itself', async () => {
    const { lines } = start();
    const first = await cp!.runOnce();
    expect(first).not.toBeNull();
    expect(autocheckpoint()).toBe(10_000);
    expect(lines.filter((l) => l.msg === 'WAL checkpoints run in a worker thread')).toEqual([
      expect.objectContaining({ level: 30, module: 'checkpoint', interval_ms: 5000 }),
    ]);
    const before = fileSize();
    writePages(1500);
    // With SQLite's default the commit crossing 1000 pages would have copied them into the file.
    expect(fileSize()).toBe(before);
    const r = await cp!.runOnce();
    expect(r).not.toBeNull();
    expect(r!.busy).toBe(0);
    expect(r!.log).toBeGreaterThanOrEqual(1500);
    expect(r!.checkpointed).toBe(r!.log);
    expect(fileSize()).toBeGreaterThan(before + 1400 * 4096);
    // Everything was checkpointed, so the next commit writes the WAL from its start again.
    writePages(20);
    const again = await cp!.runOnce();
    expect(again!.log).toBeLessThan(100);
    expect(cp!.stats()).toMatchObject({ runs: 3, stopped: null });
    expect(cp!.stats().maxLog).toBe(r!.log);
  });

  it('runs every interval on the injected clock', async () => {
    const { clock } = start();
    await vi.waitFor(() => expect(autocheckpoint()).toBe(10_000)); // the worker said ready
    writePages(100);
    expect(cp!.stats().runs).toBe(0);
    await clock.advance(5000);
    await vi.waitFor(() => expect(cp!.stats().runs).toBe(1));
    await clock.advance(4999);
    expect(cp!.stats().runs).toBe(1);
    await clock.advance(1);
    await vi.waitFor(() => expect(cp!.stats().runs).toBe(2));
    expect(cp!.stats().maxLog).toBeGreaterThanOrEqual(100);
  });

  it('sets the threshold again on a reopened service connection', async () => {
    start();
    await cp!.runOnce();
    handle.reopen();
    expect(autocheckpoint()).toBe(1000);
    expect(await cp!.runOnce()).not.toBeNull();
    expect(autocheckpoint()).toBe(10_000);
  });

  it('hands checkpoints back to SQLite when the worker dies, and says so once', async () => {
    const { lines } = start();
    await cp!.runOnce();
    // A fault that cannot be caused from outside: the thread ends.
    await (cp as unknown as { worker: Worker }).worker.terminate();
    await vi.waitFor(() => expect(cp!.stats().stopped).toMatch(/exited/));
    expect(autocheckpoint()).toBe(1000);
    expect(await cp!.runOnce()).toBeNull();
    const before = fileSize();
    writePages(1100);
    expect(fileSize()).toBeGreaterThan(before); // SQLite's own checkpoint ran in a commit
    const warned = lines.filter((l) => String(l.msg).includes('checkpoint worker stopped'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, module: 'checkpoint' });
  });

  it('does not let a worker that never closes hold up the shutdown', async () => {
    const { clock, lines } = start();
    await cp!.runOnce();
    const w = (cp as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => w.once('exit', resolve));
    // A fault that cannot be caused from outside (a hung fsync): the 'close' never arrives.
    w.postMessage = () => undefined;
    let stopped = false;
    const stopping = cp!.stop().then(() => (stopped = true));
    await clock.advance(1999);
    expect(stopped).toBe(false);
    await clock.advance(1);
    await stopping;
    expect(lines.filter((l) => String(l.msg).includes('did not stop in time'))).toHaveLength(1);
    await exited; // terminated
  });

  it('closes its connection on stop, so the service close checkpoints and removes the WAL', async () => {
    start();
    await cp!.runOnce();
    writePages(200);
    expect(existsSync(`${handle.path}-wal`)).toBe(true);
    await cp!.stop();
    expect(await cp!.runOnce()).toBeNull();
    handle.close();
    expect(existsSync(`${handle.path}-wal`)).toBe(false);
  });
});
