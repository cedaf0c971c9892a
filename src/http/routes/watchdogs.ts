import { P2mError } from '../../core/errors.js';
import type { WatchdogChange, WatchdogsPort } from '../../core/ports.js';
import type { WatchdogView } from '../../core/watchdog.js';
import type { HttpApp, HttpContext } from '../context.js';
import { DetailedError } from '../errors.js';
import {
  watchdogBody, watchdogDeletedView, watchdogErrorResponse, watchdogNameParams, watchdogResetView, watchdogTestView, watchdogView,
} from '../views/watchdogs.js';

// Outlet watchdogs over REST (SPEC §14.2 `/api/watchdogs…`, §12.7). Runtime watchdogs are stored
// in SQLite; config-file ones are read-only (409). Bodies are checked by WatchdogsPort; a
// validation failure answers 400 naming the first issue's field, with every issue in `details`.

const TAG = ['watchdogs'];
const errors = { 400: watchdogErrorResponse, 404: watchdogErrorResponse, 409: watchdogErrorResponse, 503: watchdogErrorResponse };

function requireWatchdogs(ctx: HttpContext): WatchdogsPort {
  if (!ctx.watchdogs) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'outlet watchdogs are not running');
  return ctx.watchdogs;
}

function unwrap(change: WatchdogChange): WatchdogView {
  if (change.ok) return change.watchdog;
  const field = change.issues?.[0]?.field ?? (change.code === 'P2M_ERR_VALIDATION' ? undefined : 'name');
  throw change.issues && change.issues.length > 0 ? new DetailedError(change.code, change.error, field, change.issues) : new P2mError(change.code, change.error, field);
}

export function watchdogRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });

  app.get(
    '/api/watchdogs',
    { schema: { tags: TAG, summary: 'Every watchdog with its source and state', response: { 200: watchdogView.array(), 503: watchdogErrorResponse } } },
    async () => requireWatchdogs(ctx).list(),
  );

  app.post(
    '/api/watchdogs',
    { schema: { tags: TAG, summary: 'Add a runtime watchdog (stored in the database)', body: watchdogBody, response: { 201: watchdogView, ...errors } } },
    async (req, reply) => {
      const w = unwrap(requireWatchdogs(ctx).create(req.body));
      log.info({ watchdog: w.name }, 'watchdog created');
      return reply.code(201).send(w);
    },
  );

  app.get(
    '/api/watchdogs/:name',
    { schema: { tags: TAG, summary: 'One watchdog with its state', params: watchdogNameParams, response: { 200: watchdogView, 404: watchdogErrorResponse, 503: watchdogErrorResponse } } },
    async (req) => {
      const w = requireWatchdogs(ctx).get(req.params.name);
      if (!w) throw new P2mError('P2M_ERR_NOT_FOUND', `no watchdog named "${req.params.name}"`, 'name');
      return w;
    },
  );

  app.put(
    '/api/watchdogs/:name',
    {
      schema: {
        tags: TAG, summary: 'Replace a runtime watchdog (its name comes from the URL; its state starts over, nothing is switched)',
        params: watchdogNameParams, body: watchdogBody, response: { 200: watchdogView, ...errors },
      },
    },
    async (req) => {
      const w = unwrap(requireWatchdogs(ctx).update(req.params.name, req.body));
      log.info({ watchdog: w.name }, 'watchdog updated');
      return w;
    },
  );

  app.delete(
    '/api/watchdogs/:name',
    { schema: { tags: TAG, summary: 'Delete a runtime watchdog (nothing is switched)', params: watchdogNameParams, response: { 200: watchdogDeletedView, ...errors } } },
    async (req) => {
      const w = unwrap(requireWatchdogs(ctx).remove(req.params.name));
      log.info({ watchdog: w.name }, 'watchdog deleted');
      return { deleted: w.name };
    },
  );

  app.post(
    '/api/watchdogs/:name/reset',
    { schema: { tags: TAG, summary: 'Clear gave_up and the cycle count', params: watchdogNameParams, response: { 200: watchdogResetView, ...errors } } },
    async (req) => {
      const w = unwrap(requireWatchdogs(ctx).reset(req.params.name));
      log.info({ watchdog: w.name }, 'watchdog reset');
      return { name: w.name, state: w.state.state };
    },
  );

  app.post(
    '/api/watchdogs/:name/test',
    {
      // One check of the target: it changes no state, but it sends traffic to the target, so it
      // needs admin like POST /api/switches/{id}/check (a rule dry-run only reads).
      config: { access: 'admin' },
      schema: { tags: TAG, summary: 'Check the target once now; switches nothing', params: watchdogNameParams, response: { 200: watchdogTestView, 404: watchdogErrorResponse, 503: watchdogErrorResponse } },
    },
    async (req) => {
      const r = await requireWatchdogs(ctx).test(req.params.name);
      if (!r.ok) throw new P2mError(r.code, r.error, 'name');
      return { name: req.params.name, ...r.check };
    },
  );
}
