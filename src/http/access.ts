import type { FastifyRequest } from 'fastify';

// What a route asks of its caller once web authentication exists (SPEC §16.1 roles and token
// scopes). A route states it in its options, `config: { access }`; the authentication layer
// reads it with declaredAccess() in its request hook. Without authentication nothing is checked.

/** `public`: no credentials ever; `read` | `control` | `admin`: a session or token whose scope covers it. */
export type RouteAccess = 'public' | 'read' | 'control' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The access the matched route declared, or null when it declared none. */
export function declaredAccess(req: FastifyRequest): RouteAccess | null {
  return req.routeOptions.config.access ?? null;
}
