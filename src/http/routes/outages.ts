import { z } from 'zod';
import { P2mError } from '../../core/errors.js';
import type { HttpApp, HttpContext } from '../context.js';
import { errorResponse, outagesQuery, outageView, statisticsQuery, statisticsView } from '../schemas.js';
import { outageJson, statisticsJson } from '../views/power.js';

// PowerMon-compatible outage records and statistics (SPEC §14.4, §11.5, §11.7).

const TAG = ['outages'];

export function outageRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/outages',
    {
      schema: {
        tags: TAG,
        summary: 'Outages overlapping the last `hours`, newest first',
        querystring: outagesQuery,
        response: { 200: z.array(outageView), 400: errorResponse },
      },
    },
    async (req) => (ctx.outages?.list(req.query.hours, req.query.kind) ?? []).map(outageJson),
  );

  app.get(
    '/api/statistics',
    {
      schema: {
        tags: TAG,
        summary: 'Uptime and outage statistics over the last `hours`',
        querystring: statisticsQuery,
        response: { 200: statisticsView, 400: errorResponse, 503: errorResponse },
      },
    },
    async (req) => {
      // Without the engine there is no outage record to count: say so rather than report 100 %.
      if (!ctx.outages) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'outage detection is off (outage.enabled: false)');
      return statisticsJson(ctx.outages.statistics(req.query.hours));
    },
  );
}
