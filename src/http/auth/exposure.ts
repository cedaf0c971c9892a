import { isIP } from 'node:net';
import type { AuthRole } from '../../core/auth.js';
import type { WebConfig } from '../../config/schema.js';

// Who may reach the web server (SPEC §16.1, §16.3), decided once per start from the config and
// the number of users stored in SQLite. Pure: tested with any bind without listening on it.

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`; any other name may resolve anywhere. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export interface ConfigUser {
  username: string;
  password_hash: string;
  role: AuthRole;
}

/** `web.auth.users` plus the shorthand `username`/`password_hash` admin (SPEC §16.1). */
export function configUsers(web: WebConfig): ConfigUser[] {
  const users: ConfigUser[] = web.auth.users.map((u) => ({ username: u.username, password_hash: u.password_hash, role: u.role }));
  if (web.auth.password_hash !== '') users.push({ username: web.auth.username, password_hash: web.auth.password_hash, role: 'admin' });
  return users;
}

/**
 * - `auth`: users exist (config or SQLite): every route but the public ones needs credentials.
 * - `open`: no users on a loopback bind (the demo), or `allow_unauthenticated_remote` (with a
 *   warning at every start): no credentials asked; CSRF and Host checks still apply.
 * - `locked`: no users on any other bind: 401 for everything but health and the login/setup
 *   endpoints until the first admin is created with the setup code printed in the log.
 */
export type ExposureDecision = { mode: 'auth' } | { mode: 'open'; warning: string | null } | { mode: 'locked'; message: string };

export type AuthMode = ExposureDecision['mode'];

export function exposureDecision(web: WebConfig, storedUsers = 0): ExposureDecision {
  if (configUsers(web).length > 0 || storedUsers > 0) return { mode: 'auth' };
  const where = `${web.bind}:${web.port}`;
  if (isLoopback(web.bind)) return { mode: 'open', warning: null };
  if (web.allow_unauthenticated_remote) {
    return {
      mode: 'open',
      warning:
        `web.allow_unauthenticated_remote is true: the API on ${where} (web.bind "${web.bind}") is open to the network without authentication. ` +
        'Fix: add users (web.auth.users with `power2mqtt hash-password`) and remove allow_unauthenticated_remote',
    };
  }
  return {
    mode: 'locked',
    message:
      `web server on ${where} is locked: web.bind "${web.bind}" is not a loopback address and no web user exists. ` +
      'Open the dashboard and create the first admin with this setup code (a new one at every start until an admin exists), ' +
      'or add users to web.auth.users (`power2mqtt hash-password`)',
  };
}
