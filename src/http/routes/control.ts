import { z } from 'zod';
import { type ErrorCode, ERRORS } from '../../core/errors.js';
import type { DeviceInfo, FieldResult } from '../../core/ports.js';
import { OUTLET_ACTIONS } from '../../core/types.js';
import type { HttpApp, HttpContext } from '../context.js';
import { DeviceChoiceError } from '../errors.js';
import { resolveDevice } from '../resolve-device.js';
import { errorResponse, statusQuery } from '../schemas.js';

// Outlet and device control (SPEC §14.2, original-bridge endpoints): the same registry command
// queue as MQTT and rules, origin `rest`. A failed SET answers 502 `{ok:false, error}`; a
// protected outlet without `force: true` 409; a capability the PDU lacks 501.

const TAG = ['control'];
const outletParams = z.object({ n: z.coerce.number().int().min(1).max(256).describe('outlet number') });
// A refused command answers `{ok:false, error, code}` (the original's shape); input errors
// found before it (validation, unknown device) the server's `{error, code, field}`.
const okFalse = z.object({ ok: z.literal(false), error: z.string(), code: z.string().nullable() });
const failure = z.object({
  ok: z.literal(false).optional(), error: z.string(), code: z.string().nullable().optional(), field: z.string().optional(),
  available_devices: z.array(z.string()).optional(),
});
const errors = { 400: failure, 404: failure, 409: failure, 501: failure, 502: failure, 503: failure };

const commandBody = z.strictObject({
  action: z.enum(OUTLET_ACTIONS).describe('on, off, reboot, delayon, delayoff, delayreboot or cancel'),
  force: z.boolean().optional().describe('needed to switch off or reboot a protected outlet (SPEC §12.2)'),
});

const FIELDS = ['name', 'location', 'contact'] as const;

/** The device of a device-scoped request, or 400 naming device_id with the choices (SPEC §14.1). */
function deviceOf(ctx: HttpContext, deviceId: string | undefined): DeviceInfo {
  const r = resolveDevice(ctx.registry, deviceId);
  if (r.found) return r.info;
  throw new DeviceChoiceError(r.available);
}

/** HTTP status of a failed command or SET; SNMP failures are 502 whatever else they say. */
function failureStatus(code: string | null): number {
  if (code === 'P2M_ERR_NOT_SUPPORTED') return 501;
  if (code !== null && code in ERRORS && code !== 'P2M_ERR_SNMP') return ERRORS[code as ErrorCode].http;
  return 502;
}

function fieldFailure(r: FieldResult): { status: number; body: z.output<typeof okFalse> } {
  return { status: failureStatus(r.code), body: { ok: false, error: r.error ?? 'failed', code: r.code } };
}

export function controlRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });

  app.post(
    '/api/outlets/:n/command',
    {
      // Operators may switch outlets (SPEC §16.1); every other change here is admin business.
      config: { access: 'control' },
      schema: {
        tags: TAG, summary: 'Switch one outlet (after the SET; 409 protected outlet without force)', params: outletParams, querystring: statusQuery,
        body: commandBody,
        response: { 200: z.object({ outlet: z.number(), action: z.string(), device_id: z.string(), ok: z.literal(true), state: z.string().nullable() }), ...errors },
      },
    },
    async (req, reply) => {
      const device = deviceOf(ctx, req.query.device_id);
      const { n } = req.params;
      const r = await ctx.registry.command(device.id, n, req.body.action, { origin: 'rest', ...(req.body.force ? { force: true } : {}) });
      log.info({ device_id: device.id, outlet: n, action: req.body.action, success: r.success, error: r.error }, 'outlet command');
      if (!r.success) return reply.code(failureStatus(r.code)).send({ ok: false, error: r.error ?? 'failed', code: r.code });
      return { outlet: n, action: req.body.action, device_id: device.id, ok: true as const, state: r.state };
    },
  );

  app.put(
    '/api/outlets/:n/name',
    {
      schema: {
        tags: TAG, summary: 'Local outlet name override ("" clears it; the PDU keeps its own)', params: outletParams, querystring: statusQuery,
        body: z.strictObject({ name: z.string().max(64) }),
        response: { 200: z.object({ outlet: z.number(), name: z.string(), ok: z.literal(true) }), ...errors },
      },
    },
    async (req, reply) => {
      const device = deviceOf(ctx, req.query.device_id);
      const r = ctx.registry.setOutletNameOverride(device.id, req.params.n, req.body.name);
      if (!r.success) {
        const f = fieldFailure(r);
        return reply.code(f.status).send(f.body);
      }
      return { outlet: req.params.n, name: r.value, ok: true as const };
    },
  );

  app.get(
    '/api/outlet-names',
    {
      schema: {
        tags: TAG, summary: 'Outlet names as shown everywhere (override, else the PDU name)', querystring: statusQuery,
        response: { 200: z.record(z.string(), z.string()), 400: failure, 404: errorResponse },
      },
    },
    async (req) => {
      const device = deviceOf(ctx, req.query.device_id);
      const snap = ctx.registry.snapshot(device.id);
      const names: Record<string, string> = {};
      for (const [n, o] of Object.entries(snap?.outlets ?? {})) names[n] = o.name_override ?? o.name;
      return names;
    },
  );

  for (const field of FIELDS) {
    const body = z.strictObject({ [field]: z.string().max(255) } as Record<(typeof FIELDS)[number], z.ZodString>);
    app.put(
      `/api/device/${field}`,
      {
        schema: {
          tags: TAG, summary: `Set the PDU's sys${field[0]?.toUpperCase()}${field.slice(1)} over SNMP`, querystring: statusQuery, body,
          response: { 200: z.object({ device_id: z.string(), [field]: z.string(), ok: z.literal(true) }), ...errors },
        },
      },
      async (req, reply) => {
        const device = deviceOf(ctx, req.query.device_id);
        const value = (req.body as Record<string, string>)[field] ?? '';
        const r = await ctx.registry.setDeviceField(device.id, field, value);
        log.info({ device_id: device.id, field, success: r.success, error: r.error }, 'device field set');
        if (!r.success) {
          const f = fieldFailure(r);
          return reply.code(f.status).send(f.body);
        }
        return { device_id: device.id, [field]: r.value, ok: true as const };
      },
    );
  }

  app.put(
    '/api/pdu/ats/preferred-source',
    {
      schema: {
        tags: TAG, summary: 'Preferred ATS source (501 without an ATS)', querystring: statusQuery,
        body: z.strictObject({ source: z.enum(['A', 'B', 'a', 'b']) }),
        response: { 200: z.object({ ok: z.literal(true), transport: z.literal('snmp'), source: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const device = deviceOf(ctx, req.query.device_id);
      const r = await ctx.registry.setPreferredSource(device.id, req.body.source.toUpperCase());
      log.info({ device_id: device.id, source: req.body.source, success: r.success, error: r.error }, 'preferred source set');
      if (!r.success) {
        const f = fieldFailure(r);
        return reply.code(f.status).send(f.body);
      }
      return { ok: true as const, transport: 'snmp' as const, source: r.value };
    },
  );

  app.put(
    '/api/pdu/ats/auto-transfer',
    {
      schema: {
        tags: TAG, summary: 'ATS automatic transfer on/off (profile original only: 501 otherwise; SET failure 502)', querystring: statusQuery,
        body: z.strictObject({ enabled: z.boolean() }),
        response: { 200: z.object({ ok: z.literal(true), transport: z.literal('snmp'), auto_transfer: z.enum(['on', 'off']) }), ...errors },
      },
    },
    async (req, reply) => {
      const device = deviceOf(ctx, req.query.device_id);
      const r = await ctx.registry.setAutoTransfer(device.id, req.body.enabled);
      log.info({ device_id: device.id, enabled: req.body.enabled, success: r.success, error: r.error }, 'ats auto transfer set');
      if (!r.success) {
        const f = fieldFailure(r);
        return reply.code(f.status).send(f.body);
      }
      return { ok: true as const, transport: 'snmp' as const, auto_transfer: req.body.enabled ? ('on' as const) : ('off' as const) };
    },
  );
}
