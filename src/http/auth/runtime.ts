import { ROLE_SCOPE, newApiToken, newSessionId, newSetupCode, secretHash, setupCodeMatches, type AuthRole, type TokenScope } from '../../core/auth.js';
import type { Clock } from '../../core/clock.js';
import { P2mError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { hashPassword, verifyPassword } from '../../core/password.js';
import type { ApiTokenInfo, AuthStore } from '../../core/ports.js';
import type { WebConfig } from '../../config/schema.js';
import { configUsers, exposureDecision, type AuthMode, type ConfigUser, type ExposureDecision } from './exposure.js';

// The state of web authentication for one run of the web server (SPEC §16): the exposure mode,
// users (config file, read-only, then SQLite), sessions with sliding expiry, API tokens and the
// setup code of a locked server. Time comes from the injected clock; storage from the AuthStore port.

/** Who a request is: a signed-in user (session cookie) or an API token. */
export interface Identity {
  via: 'session' | 'token';
  scope: TokenScope;
  /** Session: its user. */
  username: string | null;
  role: AuthRole | null;
  /** Session: SHA-256 of its id. */
  sessionHash: string | null;
  /** Token: its id. */
  tokenId: number | null;
}

/** What the request hook found, for the routes (req.p2mAuth). */
export interface RequestAuth {
  mode: AuthMode;
  identity: Identity | null;
}

export interface KnownUser extends ConfigUser {
  source: 'config' | 'stored';
}

export type SetupResult = { ok: true; user: KnownUser; session: { id: string; expiresAt: number } } | { ok: false; reason: 'not-locked' | 'bad-code' | 'exists' };

/** Sent when the username is unknown, so that a miss costs as much as a wrong password. */
const DUMMY_HASH = `scrypt$16384$8$5$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`;

/** Do not rewrite last_used_at more often than this (one write per token per minute at most). */
const TOKEN_TOUCH_S = 60;

export interface AuthRuntimeDeps {
  web: WebConfig;
  /** null: no database (nobody can sign in, tokens are unknown). */
  store: AuthStore | null;
  clock: Clock;
  logger: Logger;
}

export class AuthRuntime {
  readonly decision: ExposureDecision;
  readonly timeoutS: number;
  private readonly fromConfig: ConfigUser[];
  private stored: KnownUser[] = [];
  private code: string | null = null;

  constructor(private readonly d: AuthRuntimeDeps) {
    this.timeoutS = d.web.auth.session_timeout_s;
    this.fromConfig = configUsers(d.web);
    this.reloadStoredUsers();
    this.decision = exposureDecision(d.web, this.stored.length);
    const log = d.logger;
    if (this.decision.mode === 'locked') {
      this.code = newSetupCode();
      // Printed once per start (SPEC §16.3): the operator reads it from the log.
      log.warn(`${this.decision.message}. Setup code: ${this.code}`);
    } else if (this.decision.mode === 'open' && this.decision.warning) {
      log.warn(this.decision.warning);
    }
    if (this.decision.mode === 'auth' && !d.store) log.warn('web users are configured but there is no database: nobody can sign in (sessions and tokens live in SQLite)');
  }

  nowS(): number {
    return Math.floor(this.d.clock.now() / 1000);
  }

  /** `auth` once any user exists (also a first admin created while running), else the mode decided at start. */
  mode(): AuthMode {
    if (this.fromConfig.length > 0 || this.stored.length > 0) return 'auth';
    return this.decision.mode;
  }

  /** Config users first: a stored user of the same name is shadowed. */
  user(username: string): KnownUser | null {
    const c = this.fromConfig.find((u) => u.username === username);
    if (c) return { ...c, source: 'config' };
    return this.stored.find((u) => u.username === username) ?? null;
  }

  /** The default login name when the form sends none: the shorthand user (`web.auth.username`). */
  defaultUsername(): string {
    return this.d.web.auth.username;
  }

  /** The user when the password matches; every miss (unknown user included) costs one scrypt. */
  async checkPassword(username: string, password: string): Promise<KnownUser | null> {
    const u = this.user(username);
    const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH);
    return ok && u ? u : null;
  }

  /** A new session for the user; the id goes into the cookie, its hash into SQLite. */
  startSession(username: string): { id: string; expiresAt: number } {
    const store = this.requireStore();
    const now = this.nowS();
    const id = newSessionId();
    const expiresAt = now + this.timeoutS;
    this.quietly('expired sessions not deleted', () => store.deleteExpiredSessions(now));
    store.createSession(secretHash(id), username, now, expiresAt);
    return { id, expiresAt };
  }

  endSession(sessionHash: string): void {
    this.quietly('session not deleted', () => this.d.store?.deleteSession(sessionHash));
  }

  /**
   * The identity of a session cookie, sliding its expiry (§16.2). `renewed` is the new expiry
   * when it moved (the cookie is then sent again); writes happen at most every `slack` seconds.
   */
  fromSession(cookieValue: string): { identity: Identity; renewed: number | null } | null {
    const store = this.d.store;
    if (!store || cookieValue === '') return null;
    const hash = secretHash(cookieValue);
    const now = this.nowS();
    const s = store.session(hash, now);
    if (!s) return null;
    const u = this.user(s.username);
    if (!u) {
      // The user was removed from the config: the session dies with it.
      this.endSession(hash);
      return null;
    }
    const identity: Identity = { via: 'session', scope: ROLE_SCOPE[u.role], username: u.username, role: u.role, sessionHash: hash, tokenId: null };
    const slack = Math.min(60, Math.max(1, Math.floor(this.timeoutS / 10)));
    const next = now + this.timeoutS;
    if (next - s.expires_at < slack) return { identity, renewed: null };
    const moved = this.quietly('session not extended', () => {
      store.extendSession(hash, next);
      return true;
    });
    return { identity, renewed: moved ? next : null };
  }

  /** The identity of an API token; unknown, revoked and expired tokens are null. */
  fromToken(token: string): Identity | null {
    const store = this.d.store;
    if (!store || token === '') return null;
    const t = store.tokenByHash(secretHash(token));
    const now = this.nowS();
    if (!t || (t.expires_at !== null && t.expires_at <= now)) return null;
    if (t.last_used_at === null || now - t.last_used_at >= TOKEN_TOUCH_S) this.quietly('token use not recorded', () => store.touchToken(t.id, now));
    return { via: 'token', scope: t.scope, username: null, role: null, sessionHash: null, tokenId: t.id };
  }

  createToken(name: string, scope: TokenScope, expiresInDays: number | null): { info: ApiTokenInfo; token: string } {
    const store = this.requireStore();
    const token = newApiToken();
    const now = this.nowS();
    const info = store.createToken({ name, scope, tokenHash: secretHash(token), now, expiresAt: expiresInDays === null ? null : now + expiresInDays * 86_400 });
    return { info, token };
  }

  listTokens(): ApiTokenInfo[] {
    return this.d.store?.listTokens() ?? [];
  }

  revokeToken(id: number): boolean {
    return this.d.store?.revokeToken(id) ?? false;
  }

  /** §16.3 first-run setup: the code of this start, only while locked; creates the first admin. */
  async setup(code: string, username: string, password: string): Promise<SetupResult> {
    const mode = this.mode();
    if (mode === 'auth') return { ok: false, reason: 'exists' };
    if (mode === 'open' || this.code === null) return { ok: false, reason: 'not-locked' };
    if (!setupCodeMatches(code, this.code)) return { ok: false, reason: 'bad-code' };
    const store = this.requireStore();
    const hash = await hashPassword(password);
    if (!store.createFirstAdmin(username, hash, this.nowS())) {
      this.reloadStoredUsers();
      return { ok: false, reason: 'exists' };
    }
    this.code = null;
    this.reloadStoredUsers();
    this.d.logger.info({ username }, 'first admin created: web authentication is on');
    const user = this.user(username) as KnownUser;
    return { ok: true, user, session: this.startSession(username) };
  }

  /** A stored user's new password; its other sessions end (the caller's, if given, stays). */
  async setPassword(username: string, password: string, keepSessionHash: string | null): Promise<void> {
    const store = this.requireStore();
    store.setPassword(username, await hashPassword(password), this.nowS());
    store.deleteUserSessions(username, keepSessionHash ?? '');
    this.reloadStoredUsers();
  }

  private reloadStoredUsers(): void {
    const rows = this.d.store?.listUsers() ?? [];
    this.stored = rows.map((r) => ({ username: r.username, password_hash: r.password_hash, role: r.role, source: 'stored' as const }));
  }

  private requireStore(): AuthStore {
    if (!this.d.store) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'no database: web users, sessions and tokens live in SQLite (history.path)');
    return this.d.store;
  }

  /** Bookkeeping writes (sliding, last use, cleanup) must not fail a request: a busy database skips them. */
  private quietly<T>(what: string, fn: () => T): T | null {
    try {
      return fn();
    } catch (err) {
      this.d.logger.debug({ error: errorMessage(err) }, what);
      return null;
    }
  }
}
