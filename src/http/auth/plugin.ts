import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopeCovers } from '../../core/auth.js';
import { P2mError } from '../../core/errors.js';
import { declaredAccess, defaultAccess, type RouteAccess } from '../access.js';
import type { HttpApp, HttpContext } from '../context.js';
import { allowedHostNames, csrfAllowed, hostAllowed, isStateChanging } from './guards.js';
import { attemptLimiter, type AttemptLimiter } from './limiter.js';
import { AuthRuntime, type Identity, type RequestAuth } from './runtime.js';

// Authentication and request security of the web server (SPEC §14.1, §16): registered before any
// route, so that every route gets an access level (declared, or defaultAccess()) and one request
// hook checks, in order: Host (421, DNS rebinding), credentials (an invalid bearer token is 401),
// CSRF (403, also with authentication off), then the route's access (401 without credentials or
// while locked, 403 for a scope too small). `/api/health` skips the Host check.

export const SESSION_COOKIE = 'p2m_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every routed request. */
    p2mAuth: RequestAuth | null;
  }
}

/** What the auth routes need beside the context. */
export interface AuthLayer {
  runtime: AuthRuntime;
  limiter: AttemptLimiter;
  setSessionCookie(req: FastifyRequest, reply: FastifyReply, id: string, maxAgeS: number): void;
  clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void;
}

const BEARER = /^Bearer +(\S+) *$/i;

export async function registerAuth(app: HttpApp, ctx: HttpContext): Promise<AuthLayer> {
  const web = ctx.config.web;
  const runtime = new AuthRuntime({ web, store: ctx.auth ?? null, clock: ctx.clock, logger: ctx.logger.child({ module: 'auth' }) });

  // First: the routes added by the plugins below (the CORS preflight route) get their access too.
  app.addHook('onRoute', (route) => {
    const access: RouteAccess = route.config?.access ?? defaultAccess(route.method, route.url ?? route.path);
    route.config = { ...(route.config ?? {}), access };
  });
  await app.register(cookie);
  // No CORS headers at all unless origins are listed (SPEC §16.3; the original sent `*`). Cookies
  // are SameSite=Strict, so cross-origin callers authenticate with bearer tokens.
  if (web.cors_origins.length > 0) {
    await app.register(cors, {
      origin: web.cors_origins, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600,
    });
  }
  await app.register(rateLimit, { global: false });
  app.decorateRequest('p2mAuth', null);

  const cookieBase = (req: FastifyRequest) => ({
    path: '/', httpOnly: true, sameSite: 'strict' as const,
    secure: web.auth.secure_cookie === 'auto' ? req.protocol === 'https' : web.auth.secure_cookie,
  });
  const layer: AuthLayer = {
    runtime,
    limiter: attemptLimiter(app, web.auth.login_max_attempts, web.auth.login_window_s),
    setSessionCookie(req, reply, id, maxAgeS) {
      void reply.setCookie(SESSION_COOKIE, id, { ...cookieBase(req), maxAge: maxAgeS });
    },
    clearSessionCookie(req, reply) {
      void reply.clearCookie(SESSION_COOKIE, cookieBase(req));
    },
  };

  const hostNames = allowedHostNames(web);
  const trustedOrigins = web.public_url === '' ? [] : [new URL(web.public_url).origin];

  /** Bearer header (or `?token=` on /ws, SPEC §15) → token identity; else the session cookie. */
  function identify(req: FastifyRequest, reply: FastifyReply, needsAuth: boolean): Identity | null {
    const header = req.headers.authorization;
    let token = typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
    if (token === null && req.routeOptions.url === '/ws') {
      const q = (req.query as Record<string, unknown> | undefined)?.token;
      if (typeof q === 'string') token = q;
    }
    if (token !== null) {
      const id = runtime.fromToken(token);
      if (!id && needsAuth) throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'invalid, revoked or expired API token');
      return id;
    }
    const sid = req.cookies[SESSION_COOKIE];
    if (sid === undefined) return null;
    const s = runtime.fromSession(sid);
    if (!s) {
      layer.clearSessionCookie(req, reply);
      return null;
    }
    if (s.renewed !== null) layer.setSessionCookie(req, reply, sid, s.renewed - runtime.nowS());
    return s.identity;
  }

  // A refused WebSocket handshake (401/403/421) is answered on the raw socket @fastify/websocket
  // took from the HTTP server; its own clean-up hook (a later onRequest) never ran, so the socket
  // is closed here, or it would stay open and hold up the server's close.
  app.addHook('onResponse', async (req) => {
    const socket = req.raw.socket as Socket | undefined;
    if (req.headers.upgrade !== undefined && socket && !socket.destroyed) socket.destroy();
  });

  app.addHook('onRequest', async (req, reply) => {
    const access = declaredAccess(req);
    // Both the Host header and (with trust_proxy) X-Forwarded-Host must pass: a DNS-rebinding page
    // is same-origin with its name and may add X-Forwarded-Host itself, which req.host prefers.
    const hostOk = hostAllowed(req.headers.host, hostNames) && (req.host === req.headers.host || hostAllowed(req.host, hostNames));
    if (req.routeOptions.url !== '/api/health' && !hostOk) {
      throw new P2mError('P2M_ERR_UNKNOWN_HOST', 'this Host name is not served here (DNS-rebinding guard): add it to web.allowed_hosts or set web.public_url', 'host');
    }
    const mode = runtime.mode();
    const needsAuth = access !== null && access !== 'public';
    const identity = identify(req, reply, needsAuth);
    // A WebSocket handshake is a GET, but a page from any site may open one and read what it
    // says: it is held to the same rule as a state-changing request.
    const upgrade = typeof req.headers.upgrade === 'string' && req.headers.upgrade.toLowerCase() === 'websocket';
    if ((isStateChanging(req.method) || upgrade) && identity?.via !== 'token') {
      const ok = csrfAllowed({ secFetchSite: req.headers['sec-fetch-site'], origin: req.headers.origin, host: req.host, scheme: req.protocol }, trustedOrigins);
      if (!ok) throw new P2mError('P2M_ERR_FORBIDDEN', 'cross-site request refused (CSRF guard): use the dashboard itself, or an API token');
    }
    req.p2mAuth = { mode, identity };
    if (!needsAuth || mode === 'open') return;
    if (mode === 'locked') {
      throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'the web server is locked: create the first admin with the setup code printed in the log (POST /api/auth/setup)');
    }
    if (!identity) throw new P2mError('P2M_ERR_AUTH_REQUIRED', 'sign in (POST /api/auth/login) or send an API token (Authorization: Bearer …)');
    if (!scopeCovers(identity.scope, access)) {
      const who = identity.role ? `role ${identity.role}` : `token scope ${identity.scope}`;
      throw new P2mError('P2M_ERR_FORBIDDEN', `needs ${access} access; ${who} does not cover it`);
    }
  });
  return layer;
}
