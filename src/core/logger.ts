import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'power2mqtt' },
      redact: { paths: REDACT_PATHS, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous stdout: lines stay in order and none is lost at process.exit. Nothing logs
    // per sample above debug, so the cost of sync writes does not reach the hot path.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
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
