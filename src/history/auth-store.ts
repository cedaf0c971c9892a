import { AUTH_ROLES, TOKEN_SCOPES, type AuthRole, type TokenScope } from '../core/auth.js';
import { P2mError } from '../core/errors.js';
import type { ApiTokenInfo, AuthStore, StoredSession, StoredUser } from '../core/ports.js';
import { stmt as prepared } from './db.js';
import type { DbHandle } from './handle.js';

// Runtime users, sessions and API tokens (SPEC §13.1 `users`, `sessions`, `api_tokens`,
// migration 5) behind the AuthStore port: the web server and `power2mqtt token …` use this,
// never SQL. Secrets arrive hashed; this file never sees a password, session id or token.

const TOKEN_COLUMNS = 'id, name, scope, created_at, last_used_at, expires_at';

function checkText(field: string, v: string, max: number): void {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new P2mError('P2M_ERR_VALIDATION', `${field} must be 1-${max} characters`, field);
  }
}

function checkHash(field: string, v: string): void {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw new P2mError('P2M_ERR_VALIDATION', `${field} must be a SHA-256 hex digest`, field);
}

function checkTime(field: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new P2mError('P2M_ERR_VALIDATION', `${field} must be epoch seconds (got ${String(v)})`, field);
}

function asRole(v: string): AuthRole {
  // A row written by hand with an unknown role grants the least.
  return (AUTH_ROLES as readonly string[]).includes(v) ? (v as AuthRole) : 'viewer';
}

function asScope(v: string): TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(v) ? (v as TokenScope) : 'read';
}

type TokenRow = Omit<ApiTokenInfo, 'scope'> & { scope: string };

const tokenInfo = (r: TokenRow): ApiTokenInfo => ({ ...r, scope: asScope(r.scope) });

export class AuthSqlStore implements AuthStore {
  constructor(private readonly handle: DbHandle) {}

  private get db() {
    return this.handle.db;
  }

  listUsers(): StoredUser[] {
    const rows = prepared(this.db, 'SELECT username, password_hash, role, created_at, updated_at FROM users ORDER BY username').all() as Array<
      Omit<StoredUser, 'role'> & { role: string }
    >;
    return rows.map((r) => ({ ...r, role: asRole(r.role) }));
  }

  createFirstAdmin(username: string, passwordHash: string, now: number): boolean {
    checkText('username', username, 64);
    checkText('password_hash', passwordHash, 1024);
    checkTime('now', now);
    const db = this.db;
    // IMMEDIATE: two concurrent setups (the service and, say, a second process) cannot both see "no admin".
    return db
      .transaction(() => {
        const admin = prepared(db, "SELECT 1 FROM users WHERE role = 'admin' LIMIT 1").get();
        if (admin) return false;
        prepared(db, 'INSERT OR REPLACE INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
          username, passwordHash, 'admin', now, now,
        );
        return true;
      })
      .immediate();
  }

  setPassword(username: string, passwordHash: string, now: number): boolean {
    checkText('password_hash', passwordHash, 1024);
    checkTime('now', now);
    return prepared(this.db, 'UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?').run(passwordHash, now, username).changes > 0;
  }

  createSession(idHash: string, username: string, now: number, expiresAt: number): void {
    checkHash('session', idHash);
    checkText('username', username, 64);
    checkTime('now', now);
    checkTime('expires_at', expiresAt);
    prepared(this.db, 'INSERT INTO sessions (id_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(idHash, username, now, expiresAt);
  }

  session(idHash: string, now: number): StoredSession | null {
    const row = prepared(this.db, 'SELECT username, created_at, expires_at FROM sessions WHERE id_hash = ?').get(idHash) as StoredSession | undefined;
    return row && row.expires_at > now ? row : null;
  }

  extendSession(idHash: string, expiresAt: number): void {
    checkTime('expires_at', expiresAt);
    prepared(this.db, 'UPDATE sessions SET expires_at = ? WHERE id_hash = ?').run(expiresAt, idHash);
  }

  deleteSession(idHash: string): void {
    prepared(this.db, 'DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  deleteUserSessions(username: string, keepIdHash = ''): number {
    return prepared(this.db, 'DELETE FROM sessions WHERE username = ? AND id_hash != ?').run(username, keepIdHash).changes;
  }

  deleteExpiredSessions(now: number): number {
    return prepared(this.db, 'DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  createToken(t: { name: string; scope: TokenScope; tokenHash: string; now: number; expiresAt: number | null }): ApiTokenInfo {
    checkText('name', t.name, 64);
    if (!TOKEN_SCOPES.includes(t.scope)) throw new P2mError('P2M_ERR_VALIDATION', `scope must be one of ${TOKEN_SCOPES.join(', ')}`, 'scope');
    checkHash('token', t.tokenHash);
    checkTime('now', t.now);
    if (t.expiresAt !== null) checkTime('expires_at', t.expiresAt);
    const db = this.db;
    return db
      .transaction(() => {
        if (prepared(db, 'SELECT 1 FROM api_tokens WHERE name = ?').get(t.name)) {
          throw new P2mError('P2M_ERR_CONFLICT', `name: a token named "${t.name}" exists (revoke it first)`, 'name');
        }
        const id = Number(
          prepared(db, 'INSERT INTO api_tokens (name, scope, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
            t.name, t.scope, t.tokenHash, t.now, t.expiresAt,
          ).lastInsertRowid,
        );
        return tokenInfo(prepared(db, `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as TokenRow);
      })
      .immediate();
  }

  listTokens(): ApiTokenInfo[] {
    return (prepared(this.db, `SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY id`).all() as TokenRow[]).map(tokenInfo);
  }

  tokenByHash(tokenHash: string): ApiTokenInfo | null {
    const row = prepared(this.db, `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?`).get(tokenHash) as TokenRow | undefined;
    return row ? tokenInfo(row) : null;
  }

  touchToken(id: number, now: number): void {
    prepared(this.db, 'UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  revokeToken(id: number): boolean {
    return prepared(this.db, 'DELETE FROM api_tokens WHERE id = ?').run(id).changes > 0;
  }
}
