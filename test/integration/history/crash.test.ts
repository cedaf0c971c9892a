import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DbHandle } from '../../../src/history/handle.js';
import { readRaw } from '../../../src/history/raw.js';

// kill -9 of a process in the middle of writing (tail inserts and chunk compaction both running)
// leaves a database that opens, passes integrity_check and holds everything reported committed.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(join(tmpdir(), 'p2m-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runAndKill(path: string, start: number, afterCommits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/support/history-child.mjs'), path, String(start)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = -1;
    let seen = 0;
    let buf = '';
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^committed (\d+)$/.exec(l);
        if (m) {
          committed = Number(m[1]);
          if (++seen === afterCommits) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(limit);
      if (signal !== 'SIGKILL') reject(new Error(`child ended without kill (${signal})`));
      else resolve(committed);
    });
  });
}

describe('kill -9 mid-write', () => {
  it('opens cleanly, passes integrity_check and keeps every committed second', async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const path = join(dir, 'crash.db');
    // Samples a day in the past: every chunk is due at once, so compaction runs while killed.
    const start = Math.floor(Date.now() / 1000) - 86_400;
    for (const [round, commits] of [[0, 120], [1, 75]] as const) {
      const committed = await runAndKill(path, start + round * 100_000, commits);
      expect(committed).toBeGreaterThan(start);
      const db = new Database(path);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      const h = new DbHandle(path, 5000);
      const dev = h.catalog.findDev('crash-pdu')!;
      const raw = readRaw(h.db, h.catalog, dev.id, start + round * 100_000, committed + 1);
      // Every second up to the last reported commit is there, once.
      expect(raw.ts.length).toBe(committed - (start + round * 100_000) + 1);
      expect(new Set(raw.ts).size).toBe(raw.ts.length);
      expect((h.db.prepare('SELECT count(*) c FROM raw_chunk WHERE dev = ?').get(dev.id) as { c: number }).c).toBeGreaterThan(0);
      h.close();
    }
  }, 60_000);
});
