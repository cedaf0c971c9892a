import type { Config } from '../../config/schema.js';
import type { RouteAccess } from '../access.js';
import type { HttpApp, HttpContext } from '../context.js';
import { createMetrics } from '../metrics.js';

// GET /metrics (SPEC §19) in the Prometheus text format. `metrics.enabled: false` → no route (404).
// Not in the OpenAPI document, which describes the JSON API under /api.

/**
 * What /metrics asks of its caller (SPEC §16.3): with authentication on, credentials of at least
 * `read` scope, unless `metrics.require_auth: false` opens it.
 */
export function metricsAccess(metrics: Config['metrics']): RouteAccess {
  return metrics.require_auth ? 'read' : 'public';
}

export function metricsRoutes(app: HttpApp, ctx: HttpContext): void {
  if (!ctx.config.metrics.enabled) return;
  const metrics = createMetrics(ctx);
  app.addHook('onClose', async () => metrics.close());
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { access: metricsAccess(ctx.config.metrics) } },
    async (_req, reply) => {
      const text = await metrics.text();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
    },
  );
}
