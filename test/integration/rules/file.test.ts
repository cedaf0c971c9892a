import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock, RealClock } from '../../../src/core/clock.js';
import { createLogger, silentLogger } from '../../../src/core/logger.js';
import {
  ensureDemoRules, MISSING_HASH, readRulesFile, RulesFileWatcher, writeRulesFile, type RulesFileResult, type RulesFileWatcherOptions,
} from '../../../src/rules/file.js';

// rules.json on real files in a temp dir (SPEC §12.6). Watcher tests use the real clock and real
// fs.watch events; every wait is bounded, and "nothing happened" waits a fixed, short time.

let dir = '';
let file = '';
const watchers: RulesFileWatcher[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-rules-'));
  file = join(dir, 'rules.json');
});
afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const WAIT = { timeout: 5000, interval: 20 };

function watcher(over: Partial<RulesFileWatcherOptions> = {}): { w: RulesFileWatcher; seen: RulesFileResult[] } {
  const seen: RulesFileResult[] = [];
  const w = new RulesFileWatcher({ path: file, clock: new RealClock(), logger: silentLogger(), onChange: (r) => seen.push(r), ...over });
  watchers.push(w);
  return { w, seen };
}
const names = (r: RulesFileResult | undefined): unknown => (r?.ok ? (r.json as Array<{ name: string }>).map((x) => x.name) : r);

describe('reading and writing rules.json', () => {
  it('writes pretty JSON with a trailing newline atomically: no temp file left, hash stable and matching the bytes', () => {
    const rules = [{ name: 'a', condition: 'outage_active', outlet: '1-3', action: 'off' }];
    const h1 = writeRulesFile(file, rules);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(rules, null, 2)}\n`);
    expect(h1).toBe(sha(text));
    expect(readdirSync(dir)).toEqual(['rules.json']);
    expect(writeRulesFile(file, rules)).toBe(h1);
    expect(readRulesFile(file)).toEqual({ ok: true, json: rules, hash: h1, missing: false });
    expect(writeRulesFile(file, [])).not.toBe(h1);
    expect(readdirSync(dir)).toEqual(['rules.json']);
  });

  it('creates the directory, and keeps the permissions of an existing file', () => {
    const nested = join(dir, 'a', 'b', 'rules.json');
    writeRulesFile(nested, []);
    expect(readRulesFile(nested)).toMatchObject({ ok: true, json: [] });
    chmodSync(nested, 0o600);
    writeRulesFile(nested, [{ name: 'x' }]);
    expect(statSync(nested).mode & 0o777).toBe(0o600);
  });

  it('a failed write leaves the old file and no temp file', () => {
    writeRulesFile(file, [{ name: 'kept' }]);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => writeRulesFile(file, [circular])).toThrow();
    expect(() => writeRulesFile(file, [10n])).toThrow();
    expect(names(readRulesFile(file))).toEqual(['kept']);
    expect(readdirSync(dir)).toEqual(['rules.json']);
  });

  it('a missing file is no rules, not an error', () => {
    expect(readRulesFile(file)).toEqual({ ok: true, json: [], hash: MISSING_HASH, missing: true });
    expect(readRulesFile(join(dir, 'no', 'such', 'dir', 'rules.json'))).toMatchObject({ ok: true, missing: true });
  });

  it('invalid JSON names the file, line and column, with a hint', () => {
    writeFileSync(file, '[\n  {"name": "a",}\n]\n');
    const r = readRulesFile(file);
    expect(r.ok).toBe(false);
    const error = r.ok ? '' : r.error;
    expect(error).toContain(file);
    expect(error).toMatch(/line 2, column 16/);
    expect(error).toMatch(/trailing comma/);

    writeFileSync(file, '[\n  {"name": "a"}');
    expect(readRulesFile(file)).toMatchObject({ ok: false, error: expect.stringMatching(/line 2, column 16/) });
    writeFileSync(file, '  \n');
    expect(readRulesFile(file)).toMatchObject({ ok: false, error: expect.stringMatching(/is empty: write \[\] for no rules/) });
  });

  it('accepts a UTF-8 byte-order mark; a directory in its place is a read error naming the fix', () => {
    writeFileSync(file, '\uFEFF[{"name": "bom"}]');
    expect(names(readRulesFile(file))).toEqual(['bom']);
    rmSync(file);
    mkdirSync(file);
    expect(readRulesFile(file)).toMatchObject({ ok: false, error: expect.stringMatching(/cannot be read.*rules\.path/) });
  });
});

describe('ensureDemoRules', () => {
  it('copies the example once, creating the directory, and never overwrites', () => {
    const example = join(dir, 'rules.json.example');
    writeFileSync(example, '[{"name": "demo"}]\n');
    const target = join(dir, 'data', 'rules.json');
    expect(ensureDemoRules(target, example)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('[{"name": "demo"}]\n');
    writeFileSync(target, '[]\n');
    expect(ensureDemoRules(target, example)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('[]\n');
    expect(readdirSync(join(dir, 'data'))).toEqual(['rules.json']);
  });

  it('a missing example is a clear error when there is something to copy', () => {
    expect(() => ensureDemoRules(file, join(dir, 'nope.example'))).toThrow(/nope\.example cannot be read/);
    writeFileSync(file, '[]');
    expect(ensureDemoRules(file, join(dir, 'nope.example'))).toBe(false);
  });
});

describe('RulesFileWatcher (real fs.watch, real clock)', () => {
  it('reports an external write once, after the debounce', async () => {
    writeFileSync(file, '[]');
    const { w, seen } = watcher();
    w.noteHash(sha('[]'));
    await pause(50);
    writeFileSync(file, '[{"name": "ext"}]');
    await pause(200);
    expect(seen).toHaveLength(0); // still inside the 500 ms debounce
    await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
    expect(names(seen[0])).toEqual(['ext']);
    expect(seen[0]).toMatchObject({ ok: true, hash: sha('[{"name": "ext"}]'), missing: false });
    await pause(700);
    expect(seen).toHaveLength(1);
  });

  it('a burst of 5 writes gives one callback with the last content', async () => {
    const { seen } = watcher({ debounceMs: 300 });
    await pause(50);
    for (let i = 1; i <= 5; i++) {
      writeFileSync(file, JSON.stringify([{ name: `v${i}` }]));
      await pause(20);
    }
    await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
    expect(names(seen[0])).toEqual(['v5']);
    await pause(600);
    expect(seen).toHaveLength(1);
  });

  it('our own write (noteHash) is not reported; a later external one is', async () => {
    const { w, seen } = watcher({ debounceMs: 200 });
    await pause(50);
    w.noteHash(writeRulesFile(file, [{ name: 'ours' }]));
    await pause(600);
    expect(seen).toHaveLength(0);
    writeFileSync(file, '[{"name": "theirs"}]');
    await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
    expect(names(seen[0])).toEqual(['theirs']);
  });

  it('sees a replace by rename (editor save), and ignores other files in the directory', async () => {
    writeFileSync(file, '[]');
    const { w, seen } = watcher({ debounceMs: 200 });
    w.noteHash(sha('[]'));
    await pause(50);
    writeFileSync(join(dir, 'notes.txt'), 'unrelated');
    writeFileSync(join(dir, '.rules.json.swp'), 'vim swap');
    await pause(500);
    expect(seen).toHaveLength(0);
    const tmp = join(dir, '4913');
    writeFileSync(tmp, '[{"name": "renamed"}]');
    renameSync(tmp, file);
    await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
    expect(names(seen[0])).toEqual(['renamed']);
  });

  it('reports invalid content and a deleted file (no rules), each once', async () => {
    writeFileSync(file, '[]');
    const { w, seen } = watcher({ debounceMs: 200 });
    w.noteHash(sha('[]'));
    await pause(50);
    writeFileSync(file, '[{');
    await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
    expect(seen[0]).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON at line 1/) });
    writeFileSync(file, '[{'); // same bad content again: nothing new to say
    await pause(500);
    expect(seen).toHaveLength(1);
    rmSync(file);
    await vi.waitFor(() => expect(seen).toHaveLength(2), WAIT);
    expect(seen[1]).toEqual({ ok: true, json: [], hash: MISSING_HASH, missing: true });
  });

  it('close() stops reporting, also a change already being debounced', async () => {
    const { w, seen } = watcher({ debounceMs: 200 });
    await pause(50);
    writeFileSync(file, '[{"name": "late"}]');
    await pause(50);
    w.close();
    await pause(500);
    expect(seen).toHaveLength(0);
  });

  it('an onChange that throws is logged, never thrown from the watch callback', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (l: string) => void lines.push(l) });
    let calls = 0;
    const onChange = (): void => {
      calls++;
      throw new Error('boom');
    };
    watcher({ debounceMs: 100, logger, onChange });
    await pause(50);
    writeFileSync(file, '[1]');
    await vi.waitFor(() => expect(lines.some((l) => l.includes('boom'))).toBe(true), WAIT);
    writeFileSync(file, '[2]');
    await vi.waitFor(() => expect(calls).toBe(2), WAIT);
  });
});

describe('RulesFileWatcher re-arming (fake clock)', () => {
  it('retries a failing directory watch a bounded number of times, warning once', async () => {
    writeFileSync(join(dir, 'blocker'), 'a file where the directory should be');
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = createLogger('debug', { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) });
    const clock = new FakeClock();
    const seen: RulesFileResult[] = [];
    const w = new RulesFileWatcher({ path: join(dir, 'blocker', 'rules.json'), clock, logger, onChange: (r) => seen.push(r), maxRetries: 3, retryMs: 100 });
    watchers.push(w);
    await clock.advance(60_000);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['rules file watch failed; retrying']);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([expect.stringMatching(/no longer watched.*POST \/api\/rules\/reload/)]);
    expect(clock.pendingTimers()).toBe(0);
    expect(seen).toHaveLength(0);
  });

  it('re-arms once the directory can be watched, and reads once to catch up', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'not a directory yet');
    const clock = new FakeClock();
    const seen: RulesFileResult[] = [];
    const w = new RulesFileWatcher({ path: join(blocker, 'rules.json'), clock, logger: silentLogger(), onChange: (r) => seen.push(r), retryMs: 1000 });
    watchers.push(w);
    rmSync(blocker);
    mkdirSync(blocker);
    writeFileSync(join(blocker, 'rules.json'), '[{"name": "while-blind"}]');
    await clock.advance(1000); // re-armed, catch-up read scheduled
    await clock.advance(500);
    expect(seen.map(names)).toEqual([['while-blind']]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
