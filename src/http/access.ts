import type { FastifyRequest } from 'fastify';

// What a route asks of its caller (SPEC §14.1, §16.1 roles and token scopes). A route states it in
// its options, `config: { access }`; a route that states nothing gets defaultAccess() when it is
// added (auth/plugin.ts, an onRoute hook), so every route has one. The authentication layer reads
// it with declaredAccess() in its request hook.

/** `public`: no credentials ever; `read` | `control` | `admin`: a session or token whose scope covers it. */
export type RouteAccess = 'public' | 'read' | 'control' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The access the matched route declared (or was given by default), or null (no route matched). */
export function declaredAccess(req: FastifyRequest): RouteAccess | null {
  return req.routeOptions.config.access ?? null;
}

const STRICTNESS: Readonly<Record<RouteAccess, number>> = { public: 0, read: 1, control: 2, admin: 3 };

/** The JSON API, the WebSocket and /metrics; any other GET route serves the dashboard's static files. */
const DATA_ROUTE = /^\/(api\/|api$|ws$|metrics$)/;

function accessOf(method: string, url: string): RouteAccess {
  const m = method.toUpperCase();
  // The dashboard's static files are public (SPEC §14.1): the login and first-run pages load from them.
  if ((m === 'GET' || m === 'HEAD') && !DATA_ROUTE.test(url)) return 'public';
  if (m === 'GET' || m === 'HEAD') return 'read';
  // CORS preflights carry no credentials by design (fetch spec).
  if (m === 'OPTIONS') return 'public';
  // Dry-runs evaluate and send nothing (SPEC §14.1).
  if (m === 'POST' && /\/dry-run$/.test(url)) return 'read';
  return 'admin';
}

/**
 * The access of a route that declares none (SPEC §14.1): reads (GET and rule dry-runs) need
 * `read`; every other method `admin` (outlet commands declare `control`, public routes `public`);
 * GET routes outside /api/, /ws and /metrics (the dashboard's static files) are public.
 * For a route of several methods, the strictest.
 */
export function defaultAccess(method: string | readonly string[], url: string): RouteAccess {
  const methods = typeof method === 'string' ? [method] : method;
  let access: RouteAccess = 'public';
  for (const m of methods) {
    const a = accessOf(m, url);
    if (STRICTNESS[a] > STRICTNESS[access]) access = a;
  }
  return methods.length === 0 ? 'admin' : access;
}
