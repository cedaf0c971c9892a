import type { HttpApp, HttpContext } from '../context.js';
import { healthView } from '../schemas.js';

// GET /api/health (SPEC §14.2): always open (no auth, §16.3); 200 when the process is polling and
// writing, 503 with the reasons otherwise (Docker HEALTHCHECK and monitors read the status code).

export function healthRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Process health: 200 healthy, 503 degraded with the issues',
        response: { 200: healthView, 503: healthView },
      },
    },
    async (_req, reply) => {
      const h = ctx.health.check();
      const body = {
        status: h.healthy ? ('healthy' as const) : ('degraded' as const), issues: h.issues, pdu_count: ctx.registry.list().length, ...ctx.health.details?.(),
      };
      return reply.code(h.healthy ? 200 : 503).send(body);
    },
  );
}
