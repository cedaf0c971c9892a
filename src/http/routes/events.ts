import { z } from 'zod';
import { P2mError } from '../../core/errors.js';
import type { HttpApp, HttpContext } from '../context.js';
import { errorResponse } from '../schemas.js';
import { eventJson, eventsQuery, eventView } from '../views/rules.js';

// Stored events of every kind, newest first (SPEC §14.2 `/api/events`): automation events of the
// rules engine merged with system, outage and probe events, as the original bridge listed them.

export function eventRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['rules'],
        summary: 'Stored events (automation, system, outage, probe), newest first',
        querystring: eventsQuery,
        response: { 200: z.array(eventView), 400: errorResponse, 503: errorResponse },
      },
    },
    async (req) => {
      if (!ctx.events) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'event history is not available (no history store)');
      const { device_id, limit, kind, type, since } = req.query;
      return ctx.events
        .listEvents({
          limit,
          ...(device_id !== undefined ? { deviceId: device_id } : {}),
          ...(kind !== undefined ? { kind } : {}),
          ...(type !== undefined ? { type } : {}),
          ...(since !== undefined ? { since } : {}),
        })
        .map(eventJson);
    },
  );
}
