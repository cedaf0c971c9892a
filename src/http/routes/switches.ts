import { z } from 'zod';
import { P2mError } from '../../core/errors.js';
import type { SwitchChange, SwitchesPort } from '../../core/ports.js';
import type { SwitchInput, SwitchTarget } from '../../core/power.js';
import type { HttpApp, HttpContext } from '../context.js';
import {
  checkView, deletedView, errorResponse, powerChecksQuery, switchCreateBody, switchesListQuery, switchIdParams, switchPatchBody,
  switchView, type SwitchPatchBody,
} from '../schemas.js';
import { checkJson, switchJson, type SwitchJson } from '../views/power.js';

// PowerMon-compatible switch targets and their checks (SPEC §14.4, §11.1). The REST names
// `ip_address` / `is_active` are the model's `ip` / `active`; both spellings are accepted in.

const TAG = ['switches'];

/** Model field → the name REST clients sent it as. */
const REST_FIELD: Record<string, string> = { ip: 'ip_address', active: 'is_active' };

/** A path id: digits = numeric id, anything else = a name. */
export function switchRef(id: string): number | string {
  return /^\d+$/.test(id) ? Number(id) : id;
}

function toInput(b: SwitchPatchBody): Partial<SwitchInput> {
  const input: Partial<SwitchInput> = {};
  if (b.name !== undefined) input.name = b.name;
  if (b.url !== undefined) input.url = b.url;
  const ip = b.ip_address ?? b.ip;
  if (ip !== undefined) input.ip = ip;
  if (b.role !== undefined) input.role = b.role;
  const active = b.is_active ?? b.active;
  if (active !== undefined) input.active = active;
  if (b.group !== undefined) input.group = b.group;
  return input;
}

function unwrap(change: SwitchChange): SwitchTarget {
  if (change.ok) return change.target;
  const field = change.field === undefined ? undefined : (REST_FIELD[change.field] ?? change.field);
  throw new P2mError(change.code, change.error, field);
}

function requireSwitches(ctx: HttpContext): SwitchesPort {
  if (!ctx.switches) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'switch probes are not running');
  return ctx.switches;
}

function viewOf(port: SwitchesPort, target: SwitchTarget): SwitchJson {
  const status = port.get(target.id);
  return switchJson(status ?? { target, state: 'unknown', last_check: null, last_up_at: null, stale: false });
}

function notFound(id: string): P2mError {
  return new P2mError('P2M_ERR_NOT_FOUND', `id: no switch "${id}"`, 'id');
}

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 503: errorResponse };

export function switchRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });
  app.get(
    '/api/switches',
    { schema: { tags: TAG, summary: 'Switch targets with their last check', querystring: switchesListQuery, response: { 200: z.array(switchView), 400: errorResponse } } },
    async (req) => {
      const all = ctx.switches?.list() ?? [];
      const active = req.query.active;
      return all.filter((s) => active === undefined || s.target.active === active).map(switchJson);
    },
  );

  app.post(
    '/api/switches',
    { schema: { tags: TAG, summary: 'Add a runtime switch target', body: switchCreateBody, response: { 201: switchView, ...errors } } },
    async (req, reply) => {
      const port = requireSwitches(ctx);
      const target = unwrap(port.add({ ...toInput(req.body), name: req.body.name }));
      log.info({ switch_id: target.id, name: target.name }, 'switch added');
      return reply.code(201).send(viewOf(port, target));
    },
  );

  app.get(
    '/api/switches/:id',
    { schema: { tags: TAG, summary: 'One switch target', params: switchIdParams, response: { 200: switchView, 404: errorResponse } } },
    async (req) => {
      const status = ctx.switches?.get(switchRef(req.params.id)) ?? null;
      if (!status) throw notFound(req.params.id);
      return switchJson(status);
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/switches/:id',
      schema: {
        tags: TAG,
        summary: 'Change a runtime switch target (409 for config-file targets, and for a rename while a watchdog targets it)',
        params: switchIdParams,
        body: switchPatchBody,
        response: { 200: switchView, ...errors },
      },
      handler: async (req) => {
        const port = requireSwitches(ctx);
        const target = unwrap(port.update(switchRef(req.params.id), toInput(req.body)));
        log.info({ switch_id: target.id }, 'switch changed');
        return viewOf(port, target);
      },
    });
  }

  app.delete(
    '/api/switches/:id',
    { schema: { tags: TAG, summary: 'Remove a runtime switch target (its checks are kept; 409 while a watchdog targets it)', params: switchIdParams, response: { 200: deletedView, ...errors } } },
    async (req) => {
      const port = requireSwitches(ctx);
      const target = unwrap(port.remove(switchRef(req.params.id)));
      log.info({ switch_id: target.id, name: target.name }, 'switch removed');
      return { id: target.id, deleted: true as const };
    },
  );

  app.post(
    '/api/switches/:id/check',
    { schema: { tags: TAG, summary: 'Probe one target now (stored like any check)', params: switchIdParams, response: { 200: checkView, 404: errorResponse, 503: errorResponse } } },
    async (req) => {
      const port = requireSwitches(ctx);
      const r = await port.check(switchRef(req.params.id));
      if (!r.ok) throw new P2mError(r.code, r.error, 'id');
      return checkJson(r.check);
    },
  );

  app.get(
    '/api/power-checks',
    { schema: { tags: TAG, summary: 'Stored checks, newest first', querystring: powerChecksQuery, response: { 200: z.array(checkView), 400: errorResponse } } },
    async (req) => {
      if (!ctx.checks) return [];
      const { hours, switch_id, limit } = req.query;
      const since = ctx.clock.now() / 1000 - hours * 3600;
      const checks = ctx.checks.listChecks({ since, limit, ...(switch_id !== undefined ? { switchId: switch_id } : {}) });
      return checks.map(checkJson);
    },
  );
}
