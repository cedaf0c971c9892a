import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, inspectDb, startAppChild, writeConfig, type AppChild } from '../../support/kill9.js';
import { requires, type Availability } from '../../support/requires.js';
import { expectServiceThroughFault, runStorageFault } from '../../support/storage-fault.js';

// Disk full, caused for real without root: the running app's RLIMIT_FSIZE is lowered from outside
// with prlimit(1) (allowed for a process of the same user) to 0 bytes. The kernel then refuses
// every write to a regular file, with EFBIG instead of ENOSPC, so SQLite says SQLITE_IOERR_WRITE
// where a full disk gives SQLITE_FULL — as on a full copy-on-write file system (btrfs, ZFS: common
// on NAS boxes), where overwriting a block needs a free one too. (A limit at the WAL's size, as
// this test used first, only bites when the WAL has to grow: since WAL checkpoints run every 2 s
// in a worker thread, SQLite mostly rewrites the WAL from its start, and on ext4 a full disk then
// costs nothing until the WAL or the database must grow; the fault then came late or not at all.) The writer holds and retries both the same way (SPEC §13.2). Node ignores SIGXFSZ, so
// the process lives on (checked: a write past `ulimit -f` gives EFBIG in node). A tmpfs of a few KB would give ENOSPC
// itself but needs mount privileges CI may not have. Raising the limit again is "space comes back".
// The buffer bound (600 batches, oldest dropped and counted) is covered with SQLITE_FULL from
// PRAGMA max_page_count in test/unit/history/writer.test.ts; 600 s of fault do not fit here.

function prlimitAvailable(): Availability {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'pipe' });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `prlimit (util-linux) not runnable: ${(err as Error).message}` };
  }
}

const softFsize = (pid: number): string =>
  execFileSync('prlimit', ['--pid', String(pid), '--fsize', '--raw', '--noheadings', '--output=SOFT'], { encoding: 'utf8' }).trim();

if (requires('prlimit', prlimitAvailable())) {
  describe('disk full under the running app (RLIMIT_FSIZE 0: no write to any file succeeds)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2m-diskfull-'));
    let app: AppChild | null = null;
    beforeAll(() => ensureBuilt(), 120_000);
    afterAll(async () => {
      await app?.kill9();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps polling and publishing, logs once, counts, reports degraded, and writes the held samples when space is back', async () => {
      writeConfig(dir);
      app = await startAppChild(dir);
      const pid = app.pid;
      const original = softFsize(pid);
      let limit = 0;
      const r = await runStorageFault(app, {
        async begin() {
          limit = 0;
          execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:`]);
          expect(softFsize(pid)).toBe(String(limit));
        },
        async end() {
          execFileSync('prlimit', ['--pid', String(pid), `--fsize=${original}:`]);
        },
            // 11 s: past the 10th failed commit (the writer reopens its connection, SPEC §13.2, and says
      // so once more) and over two checks of the demo watchdog (every 5 s), whose failed state
      // saves were logged at every check before (src/watchdog/runtime.ts now logs once per streak).
      }, 11_000);
      console.log(`[disk-full] limit ${limit} B; during: ${r.samplesDuring.length} samples, ${r.mqttDuring} MQTT messages, write errors ${r.writeErrorsBefore} → ${r.writeErrorsDuring} → ${r.writeErrorsAfter}; ` +
        `error lines ${JSON.stringify(r.errorLines.map((l) => [l.module, l.msg, l.code]))}; stored after ${r.storedAfter.length}/${r.samplesDuring.length}; health after ${r.healthAfter.status}`);

      // The process lives on, keeps polling and publishing; failed commits counted (/metrics), /api/health 503.
      expectServiceThroughFault(r, pid);
      // Logged at the first failure and again at the 10th (the reopen), never per sample; the
      // other writers (switch checks, watchdog state) log once per streak.
      const writeFailed = r.errorLines.filter((l) => l.msg === 'history: write failed, batch held for retry');
      const failures = writeFailed.map((l) => l.failures);
      expect([[1], [1, 10]]).toContainEqual(failures);
      if (r.writeErrorsDuring - r.writeErrorsBefore >= 11) expect(failures).toEqual([1, 10]);
      expect(String(writeFailed[0]?.code)).toMatch(/^SQLITE_(FULL|IOERR)/);
      const others = new Map<string, number>();
      for (const l of r.errorLines) if (l.module !== 'history') others.set(String(l.msg), (others.get(String(l.msg)) ?? 0) + 1);
      // Switch checks and the watchdog save every few seconds: each says so once. A rule that fires
      // in the window (the demo's rules, timing-dependent) adds its own lines, once each as well.
      expect(Object.fromEntries(others)).toMatchObject({ 'power checks not stored': 1, 'watchdog state not saved': 1 });
      for (const [msg, n] of others) expect(n, msg).toBe(1);
      expect(r.errorLines.filter((l) => l.module === 'history' && l.msg !== 'history: write failed, batch held for retry')).toEqual([]);
      // Space back: every sample of the fault window is written (well within the buffer's bound).
      expect(r.storedAfter).toEqual(r.samplesDuring);
      expect(r.droppedBatchesAfter).toBe(0);

      expect(await app.stop()).toBe(0);
      expect(inspectDb(app.dbPath, 'demo-pdu', 0, 0).integrity).toBe('ok');
    }, 60_000);
  });
}
