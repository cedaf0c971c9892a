import type { FastifyReply } from 'fastify';
import { scopeCovers, type TokenScope } from '../../core/auth.js';
import { P2mError } from '../../core/errors.js';
import type { ApiTokenInfo } from '../../core/ports.js';
import type { HttpApp, HttpContext } from '../context.js';
import { errorResponse } from '../schemas.js';
import type { AuthLayer } from './plugin.js';
import type { KnownUser } from './runtime.js';
import {
  authStatusView, loginBody, loginView, okView, passwordBody, setupBody, setupView, tokenCreateBody, tokenCreatedView, tokenDeletedView,
  tokenIdParams, tokenView,
} from './schemas.js';

// The auth endpoints (SPEC §14.5). Login, logout, status and setup are public (the request hook
// still applies the Host and CSRF checks); failed logins, setup codes and current passwords are
// rate-limited per client IP; tokens are admin business; a password change is open to any
// signed-in user for their own password, and to admins for another stored user's.

const TAG = ['auth'];
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 409: errorResponse, 429: errorResponse, 503: errorResponse };

function iso(s: number | null): string | null {
  return s === null ? null : new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

function tokenJson(t: ApiTokenInfo) {
  return { id: t.id, name: t.name, scope: t.scope, created_at: iso(t.created_at) as string, last_used_at: iso(t.last_used_at), expires_at: iso(t.expires_at) };
}

function tooMany(reply: FastifyReply, retryAfterS: number): never {
  void reply.header('retry-after', String(retryAfterS));
  throw new P2mError('P2M_ERR_RATE_LIMITED', `too many failed attempts from this address: retry in ${retryAfterS} s`);
}

function configOwned(u: KnownUser): P2mError {
  return new P2mError('P2M_ERR_CONFLICT', `user "${u.username}" is defined in the config file: set its password_hash there (power2mqtt hash-password)`, 'username');
}

export function authRoutes(app: HttpApp, ctx: HttpContext, layer: AuthLayer): void {
  const { runtime, limiter } = layer;
  const log = ctx.logger.child({ module: 'auth' });

  /** Runs a guess (password, setup code) under the per-IP limit; `failed` tells whether it counts. */
  async function guarded<T>(req: Parameters<typeof limiter.begin>[0], reply: FastifyReply, guess: () => Promise<T>, failed: (r: T) => boolean): Promise<T> {
    const attempt = await limiter.begin(req);
    if (!attempt.ok) {
      log.warn({ ip: req.ip, url: req.routeOptions.url }, 'auth attempts rate-limited');
      return tooMany(reply, attempt.retryAfterS);
    }
    let result: { r: T } | null = null;
    try {
      result = { r: await guess() };
      return result.r;
    } finally {
      await attempt.end(result !== null && failed(result.r));
    }
  }

  app.post(
    '/api/auth/login',
    { config: { access: 'public' }, schema: { tags: TAG, summary: 'Sign in: sets the session cookie', body: loginBody, response: { 200: loginView, ...errors } } },
    async (req, reply) => {
      const username = req.body.username ?? runtime.defaultUsername();
      const user = await guarded(req, reply, () => runtime.checkPassword(username, req.body.password), (u) => u === null);
      if (!user) {
        log.info({ username, ip: req.ip }, 'sign-in failed');
        throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'Invalid credentials');
      }
      const previous = req.p2mAuth?.identity?.sessionHash;
      if (previous) runtime.endSession(previous);
      const s = runtime.startSession(user.username);
      layer.setSessionCookie(req, reply, s.id, runtime.timeoutS);
      log.info({ username: user.username, role: user.role, ip: req.ip }, 'signed in');
      return { ok: true as const, username: user.username, role: user.role };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: 'public' }, schema: { tags: TAG, summary: 'Sign out: ends the session, clears the cookie', response: { 200: okView, 403: errorResponse } } },
    async (req, reply) => {
      const session = req.p2mAuth?.identity?.sessionHash;
      if (session) runtime.endSession(session);
      layer.clearSessionCookie(req, reply);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/status',
    { config: { access: 'public' }, schema: { tags: TAG, summary: 'Whether auth is on, setup is needed, and who is signed in', response: { 200: authStatusView } } },
    async (req) => {
      const mode = runtime.mode();
      const id = req.p2mAuth?.identity ?? null;
      return {
        auth_enabled: mode !== 'open', setup_required: mode === 'locked', authenticated: id !== null,
        ...(id?.username ? { username: id.username } : {}), ...(id?.role ? { role: id.role } : {}), ...(id ? { scope: id.scope } : {}),
      };
    },
  );

  app.post(
    '/api/auth/setup',
    {
      config: { access: 'public' },
      schema: { tags: TAG, summary: 'First run of a locked server: the setup code from the log creates the first admin', body: setupBody, response: { 201: setupView, ...errors } },
    },
    async (req, reply) => {
      const mode = runtime.mode();
      if (mode === 'auth') throw new P2mError('P2M_ERR_CONFLICT', 'an admin exists: sign in instead');
      if (mode === 'open') throw new P2mError('P2M_ERR_CONFLICT', 'setup is only needed while the server is locked (a non-loopback web.bind without users)');
      const { setup_code, username, password } = req.body;
      const r = await guarded(req, reply, () => runtime.setup(setup_code, username, password), (x) => !x.ok && x.reason === 'bad-code');
      if (!r.ok) {
        if (r.reason === 'bad-code') {
          log.warn({ ip: req.ip }, 'wrong setup code');
          throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'setup_code: wrong setup code (see the log of this start)', 'setup_code');
        }
        throw new P2mError('P2M_ERR_CONFLICT', r.reason === 'exists' ? 'an admin exists: sign in instead' : 'the server is not locked');
      }
      layer.setSessionCookie(req, reply, r.session.id, runtime.timeoutS);
      log.info({ username, ip: req.ip }, 'first admin created by the setup page');
      return reply.code(201).send({ ok: true as const, username: r.user.username, role: 'admin' as const });
    },
  );

  app.post(
    '/api/auth/password',
    // Any signed-in user (SPEC §14.1): the own-password form; the other form is checked for admin below.
    { config: { access: 'read' }, schema: { tags: TAG, summary: 'Change your password, or (admins) another stored user\'s', body: passwordBody, response: { 200: okView, 404: errorResponse, ...errors } } },
    async (req, reply) => {
      const { current_password: current, username, new_password: next } = req.body;
      const id = req.p2mAuth?.identity ?? null;
      if ((current === undefined) === (username === undefined)) {
        throw new P2mError('P2M_ERR_VALIDATION', 'send current_password (your own password) or username (admins: another user\'s), not both', 'body');
      }
      if (current !== undefined) {
        if (id?.via !== 'session' || !id.username) throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'sign in to change your own password (API tokens have none)');
        const self = runtime.user(id.username) as KnownUser;
        if (self.source === 'config') throw configOwned(self);
        const ok = await guarded(req, reply, () => runtime.checkPassword(self.username, current), (u) => u === null);
        if (!ok) throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'current_password: wrong password', 'current_password');
        await runtime.setPassword(self.username, next, id.sessionHash);
        log.info({ username: self.username }, 'password changed');
        return { ok: true as const };
      }
      if (runtime.mode() !== 'open' && !(id && scopeCovers(id.scope, 'admin'))) {
        throw new P2mError('P2M_ERR_FORBIDDEN', 'only admins set another user\'s password');
      }
      const target = runtime.user(username as string);
      if (!target) throw new P2mError('P2M_ERR_NOT_FOUND', `username: no user "${username}"`, 'username');
      if (target.source === 'config') throw configOwned(target);
      await runtime.setPassword(target.username, next, id?.username === target.username ? id.sessionHash : null);
      log.info({ username: target.username, by: id?.username ?? (id ? `token ${id.tokenId}` : null) }, 'password set by an admin');
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/tokens',
    { config: { access: 'admin' }, schema: { tags: TAG, summary: 'API tokens (never the secrets)', response: { 200: tokenView.array(), ...errors } } },
    async () => runtime.listTokens().map(tokenJson),
  );

  app.post(
    '/api/auth/tokens',
    { config: { access: 'admin' }, schema: { tags: TAG, summary: 'Create an API token: the token is shown once', body: tokenCreateBody, response: { 201: tokenCreatedView, ...errors } } },
    async (req, reply) => {
      // A token made while anyone may ask would outlive that state and grant access once auth is on.
      if (runtime.mode() === 'open') throw new P2mError('P2M_ERR_CONFLICT', 'API tokens need web authentication: add a web user first (or use `power2mqtt token create`)');
      const { name, scope, expires_in_days } = req.body;
      const { info, token } = runtime.createToken(name, scope as TokenScope, expires_in_days ?? null);
      log.info({ id: info.id, name, scope, by: req.p2mAuth?.identity?.username ?? null }, 'API token created');
      return reply.code(201).send({ ...tokenJson(info), token });
    },
  );

  app.delete(
    '/api/auth/tokens/:id',
    { config: { access: 'admin' }, schema: { tags: TAG, summary: 'Revoke an API token', params: tokenIdParams, response: { 200: tokenDeletedView, 404: errorResponse, ...errors } } },
    async (req) => {
      if (!runtime.revokeToken(req.params.id)) throw new P2mError('P2M_ERR_NOT_FOUND', `id: no token ${req.params.id}`, 'id');
      log.info({ id: req.params.id }, 'API token revoked');
      return { id: req.params.id, deleted: true as const };
    },
  );
}
