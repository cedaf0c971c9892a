import { pino, type Logger, type DestinationStream } from 'pino';
import { errorMessage } from './errors.js';

export type { Logger } from 'pino';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Keys whose values never reach a log line, at any depth pino can address. */
const REDACT_PATHS = [
  'password',
  '*.password',
  'password_hash',
  '*.password_hash',
  'community',
  '*.community',
  'write_community',
  '*.write_community',
  'auth_key',
  '*.auth_key',
  'priv_key',
  '*.priv_key',
  'secret',
  '*.secret',
  'token',
  '*.token',
  // Credentials of web requests (SPEC §16): never in a request or error line.
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'current_password',
  'new_password',
  '*.current_password',
  '*.new_password',
];

/**
 * The root logger. `ring` keeps the last lines for `GET /api/system/logs` (SPEC §19). Changing the
 * root's `level` later (PUT /api/config `log.level`) reaches every child made without a level of its own.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream, ring?: LogRing): Logger {
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level,
      base: { app: 'power2mqtt' },
      redact: { paths: REDACT_PATHS, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous stdout: lines stay in order and none is lost at process.exit. Nothing logs
    // per sample above debug, so the cost of sync writes does not reach the hot path.
    // The streams take every level: the logger's own level is the one filter.
    ring && ring.capacity > 0 ? pino.multistream([{ level: 'trace', stream: out }, { level: 'trace', stream: ring }]) : out,
  );
}

const LEVEL_NUMBER: Record<LogLevel | 'fatal', number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_NAME = new Map(Object.entries(LEVEL_NUMBER).map(([k, v]) => [v, k]));

export interface LogQuery {
  /** Lowest level returned. */
  level: LogLevel;
  /** Case-insensitive text anywhere in the line; '' = all. */
  search: string;
  limit: number;
}

/**
 * The last `capacity` log lines in memory, as written (parsed only when asked for), newest first
 * on query. A pino destination stream: it receives each line the logger emits.
 */
export class LogRing {
  private readonly lines: Array<{ level: number; line: string }> = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  write(line: string): void {
    if (this.capacity <= 0) return;
    // `"level":30` is the first key pino writes; a cheap scan instead of a parse per line.
    const m = /"level":(\d+)/.exec(line);
    const entry = { level: m ? Number(m[1]) : 30, line };
    if (this.lines.length < this.capacity) this.lines.push(entry);
    else this.lines[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  query(q: LogQuery): Array<Record<string, unknown>> {
    const min = LEVEL_NUMBER[q.level];
    const needle = q.search.toLowerCase();
    const out: Array<Record<string, unknown>> = [];
    const n = this.lines.length;
    for (let i = 1; i <= n && out.length < q.limit; i++) {
      const e = this.lines[(this.next - i + n) % n] as { level: number; line: string };
      if (e.level < min || (needle !== '' && !e.line.toLowerCase().includes(needle))) continue;
      try {
        const { time, level, ...rest } = JSON.parse(e.line) as Record<string, unknown>;
        out.push({ ts: time, level: LEVEL_NAME.get(level as number) ?? String(level), ...rest });
      } catch {
        out.push({ ts: null, level: LEVEL_NAME.get(e.level) ?? 'info', msg: e.line.trim() });
      }
    }
    return out;
  }
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Logs a repeated condition once per change: the first occurrence of a key logs,
 * repeats of the same key are silent until a different key (or clear()) comes.
 */
export class OncePerState {
  constructor(private last: string | undefined = undefined) {}

  changed(key: string): boolean {
    if (key === this.last) return false;
    this.last = key;
    return true;
  }

  clear(): void {
    this.last = undefined;
  }
}

/**
 * A store write that keeps failing (disk full, database locked by another process) logs once per
 * streak: the first failure at error with its message, then nothing until a write succeeds again,
 * which logs once at info with how many failed. So a full disk makes two lines, not one a second,
 * and the caller keeps going (the live view never depends on the database).
 */
export class FailureStreak {
  private failed = 0;

  constructor(
    private readonly log: Logger,
    private readonly failedMsg: string,
    private readonly recoveredMsg: string,
  ) {}

  /** fn's result, or null when it threw; `fields` go into the failure line. */
  run<T>(fn: () => T, fields: Record<string, unknown> = {}): T | null {
    try {
      const out = fn();
      if (this.failed > 0) this.log.info({ ...fields, failed: this.failed }, this.recoveredMsg);
      this.failed = 0;
      return out;
    } catch (err) {
      if (this.failed++ === 0) this.log.error({ ...fields, error: errorMessage(err) }, this.failedMsg);
      return null;
    }
  }
}
