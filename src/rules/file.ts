import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, watch, writeSync,
  type FSWatcher,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

// rules.json on disk (SPEC §12.6): the source of truth for the rule set. API changes rewrite it
// atomically (a crash leaves the old or the new file, never half of one) and a hand edit is
// noticed by watching its directory, because editors save by writing a new file and renaming it
// over the old one, which a watch on the file itself would lose.

export type RulesFileResult = { ok: true; json: unknown; hash: string; missing: boolean } | { ok: false; error: string };

/** The hash reported for a missing file, so "still missing" is not seen as a change. */
export const MISSING_HASH = 'missing';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A read with the key the watcher deduplicates on: the content hash, also for invalid content. */
interface KeyedRead {
  result: RulesFileResult;
  key: string;
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(pos, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

/** V8 names a character position (Node 20) or also line and column (newer); people want the latter. */
function jsonError(path: string, text: string, err: unknown): string {
  const msg = errorMessage(err);
  const lc = /\(line (\d+) column (\d+)\)/.exec(msg);
  const pos = /at position (\d+)/.exec(msg);
  const at = lc
    ? { line: Number(lc[1]), column: Number(lc[2]) }
    : lineColumn(text, pos ? Number(pos[1]) : text.length); // "Unexpected end of JSON input": the end
  const what = msg.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
  return (
    `${path} is not valid JSON at line ${at.line}, column ${at.column}: ${what}. ` +
    'Fix the file there (a trailing comma, a missing comma or an unquoted name are the usual causes); it must hold a JSON array of rule objects'
  );
}

function readKeyed(path: string): KeyedRead {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return { result: { ok: true, json: [], hash: MISSING_HASH, missing: true }, key: MISSING_HASH };
    const error = `${path} cannot be read (${errorMessage(err)}): check that it is a file readable by this user, or set rules.path`;
    return { result: { ok: false, error }, key: `error:${code}` };
  }
  const hash = sha256(buf);
  // Some Windows editors start UTF-8 files with a byte-order mark, which JSON.parse refuses.
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { result: { ok: false, error: `${path} is empty: write [] for no rules, or delete the file` }, key: hash };
  try {
    return { result: { ok: true, json: JSON.parse(text) as unknown, hash, missing: false }, key: hash };
  } catch (err) {
    return { result: { ok: false, error: jsonError(path, text, err) }, key: hash };
  }
}

/** Read and parse rules.json. A missing file is no rules (`[]`, missing: true), not an error. */
export function readRulesFile(path: string): RulesFileResult {
  return readKeyed(path).result;
}

/** Write `data` to `path` through a temp file in the same directory (rename is atomic only there). */
function writeAtomic(path: string, data: string | Buffer): void {
  const dir = dirname(resolve(path));
  mkdirSync(dir, { recursive: true });
  let mode: number | null = null;
  try {
    mode = statSync(path).mode & 0o7777; // keep permissions someone set on purpose (e.g. 0600)
  } catch {
    // new file: the default mode under the umask
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    if (mode !== null) fchmodSync(fd, mode);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd); // the content is on disk before the rename makes it the file
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    // Persist the rename itself; not possible on every platform (Windows), hence best effort.
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // the file is complete either way; only its name may be older after a power cut
  }
}

/** Write the rules as pretty JSON, atomically; returns the sha256 hash of the bytes written. */
export function writeRulesFile(path: string, rules: unknown[]): string {
  const text = `${JSON.stringify(rules, null, 2)}\n`;
  writeAtomic(path, text);
  return sha256(text);
}

/** Demo (SPEC §8): copy the example to `path` when nothing is there yet; true when it copied. */
export function ensureDemoRules(path: string, examplePath: string): boolean {
  try {
    lstatSync(path); // lstat: a dangling symlink is the user's, not a missing file
    return false;
  } catch {
    // missing: copy below
  }
  let content: Buffer;
  try {
    content = readFileSync(examplePath);
  } catch (err) {
    throw new Error(`demo rules example ${examplePath} cannot be read (${errorMessage(err)}): reinstall power2mqtt, or create ${path} yourself`);
  }
  writeAtomic(path, content);
  return true;
}

export interface RulesFileWatcherOptions {
  path: string;
  clock: Clock;
  logger: Logger;
  /** Called with the read result after a change settled; never for content we wrote or loaded. */
  onChange: (result: RulesFileResult) => void;
  /** Quiet time after the last event before reading (SPEC §12.6: 500 ms). */
  debounceMs?: number;
  /** Re-arm attempts after the directory watcher failed, before watching stops. */
  maxRetries?: number;
  /** First re-arm delay; doubled per consecutive failure, at most 30 s. */
  retryMs?: number;
}

export class RulesFileWatcher {
  private readonly dir: string;
  private readonly base: string;
  private readonly log: Logger;
  private fsw: FSWatcher | null = null;
  private debounce: TimerHandle | undefined;
  private retry: TimerHandle | undefined;
  private lastKey: string | null = null;
  private failures = 0;
  private warned = false;
  private closed = false;

  constructor(private readonly o: RulesFileWatcherOptions) {
    const abs = resolve(o.path);
    this.dir = dirname(abs);
    this.base = basename(abs);
    this.log = o.logger.child({ module: 'rules', path: abs });
    this.arm();
  }

  /** Content with this hash is ours (just written or loaded): a change to it is not reported. */
  noteHash(hash: string): void {
    this.lastKey = hash;
  }

  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.debounce);
    this.o.clock.clearTimeout(this.retry);
    this.stopWatching();
  }

  private arm(): void {
    if (this.closed) return;
    try {
      // The file may be created later (API write, demo copy): its directory must exist to be watched.
      mkdirSync(this.dir, { recursive: true });
      // persistent: false, so a forgotten watcher never keeps the process alive.
      const w = watch(this.dir, { persistent: false }, (_event, filename) => this.onEvent(filename));
      w.on('error', (err) => this.failed(err));
      this.fsw = w;
    } catch (err) {
      this.failed(err);
    }
  }

  private onEvent(filename: string | Buffer | null): void {
    try {
      // No name (some platforms): it may be ours; the hash check below drops it when unchanged.
      if (filename !== null && filename.toString() !== this.base) return;
      this.failures = 0;
      this.schedule();
    } catch (err) {
      this.log.error({ error: errorMessage(err) }, 'rules file event not handled');
    }
  }

  private schedule(): void {
    this.o.clock.clearTimeout(this.debounce);
    this.debounce = this.o.clock.setTimeout(() => this.settle(), this.o.debounceMs ?? 500);
  }

  private settle(): void {
    this.debounce = undefined;
    if (this.closed) return;
    try {
      const { result, key } = readKeyed(this.o.path);
      if (key === this.lastKey) return;
      this.lastKey = key;
      this.o.onChange(result);
    } catch (err) {
      this.log.error({ error: errorMessage(err) }, 'rules file change not handled');
    }
  }

  private stopWatching(): void {
    try {
      this.fsw?.close();
    } catch {
      // already broken; dropping it is all that is left
    }
    this.fsw = null;
  }

  private failed(err: unknown): void {
    this.stopWatching();
    if (this.closed) return;
    this.failures += 1;
    const max = this.o.maxRetries ?? 10;
    if (this.failures > max) {
      this.log.error({ error: errorMessage(err), attempts: max }, 'rules file no longer watched: edits need POST /api/rules/reload or a restart');
      return;
    }
    if (!this.warned) {
      this.warned = true; // once: a flapping directory must not flood the log
      this.log.warn({ error: errorMessage(err) }, 'rules file watch failed; retrying');
    }
    const delay = Math.min(30_000, (this.o.retryMs ?? 1000) * 2 ** (this.failures - 1));
    this.retry = this.o.clock.setTimeout(() => {
      this.retry = undefined;
      this.arm();
      // Changes made while nothing watched are caught by one read (dropped when unchanged).
      if (this.fsw) this.schedule();
    }, delay);
  }
}
