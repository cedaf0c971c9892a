// Helpers of the web-authentication tests: cheap password hashes, a real SQLite auth store in a
// temp dir, log capture, and cookie/header plumbing for inject() and fetch().
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/core/logger.js';
import { AuthSqlStore } from '../../src/history/auth-store.js';
import { DbHandle } from '../../src/history/handle.js';

/**
 * A valid §16.1 hash at a low cost (N=1024, p=1): verification reads the parameters from the
 * string, so tests need not pay the production cost for every login.
 */
export function fastHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 64, { N: 1024, r: 8, p: 1 });
  return `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export const PASSWORDS = { admin: 'admin-pass-1', operator: 'operator-pass-1', viewer: 'viewer-pass-1' } as const;

/** Three config-file users, one per role (SPEC §16.1). */
export function configUsersInput() {
  return [
    { username: 'ada', password_hash: fastHash(PASSWORDS.admin), role: 'admin' as const },
    { username: 'otto', password_hash: fastHash(PASSWORDS.operator), role: 'operator' as const },
    { username: 'vera', password_hash: fastHash(PASSWORDS.viewer), role: 'viewer' as const },
  ];
}

export interface TempAuthDb {
  path: string;
  handle: DbHandle;
  store: AuthSqlStore;
  /** Another connection to the same file (a restart, or the CLI). */
  reopen(): { handle: DbHandle; store: AuthSqlStore };
  cleanup(): void;
}

export function tempAuthDb(): TempAuthDb {
  const dir = mkdtempSync(join(tmpdir(), 'p2m-auth-'));
  const path = join(dir, 'power2mqtt.db');
  const handles: DbHandle[] = [];
  const open = () => {
    const handle = new DbHandle(path, 5000);
    handles.push(handle);
    return { handle, store: new AuthSqlStore(handle) };
  };
  const first = open();
  return {
    path, ...first, reopen: open,
    cleanup() {
      for (const h of handles) h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The production logger (with its redaction) writing JSON lines into `lines`. */
export function capturedLogger(level: 'info' | 'debug' = 'info'): { logger: Logger; lines: Array<Record<string, unknown>>; text(): string } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger(level, sink), lines, text: () => raw.join('') };
}

/** The setup code from the locked server's warning line. */
export function setupCodeFrom(lines: Array<Record<string, unknown>>): string {
  const line = lines.find((l) => l.level === 40 && /Setup code: /.test(String(l.msg)));
  const m = /Setup code: ([A-Z0-9-]+)$/.exec(String(line?.msg ?? ''));
  if (!m) throw new Error('no setup code in the log');
  return m[1] as string;
}

/** `p2m_session=…` from a response's Set-Cookie header(s), or null. */
export function sessionCookie(setCookie: string | string[] | undefined | null): string | null {
  const all = setCookie === undefined || setCookie === null ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  for (const c of all) {
    const m = /^p2m_session=([^;]*)/.exec(c);
    if (m) return `p2m_session=${m[1]}`;
  }
  return null;
}
