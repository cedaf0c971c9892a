import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { P2mError } from '../../core/errors.js';
import type { CsvExport, HistoryKind, HistoryQueries } from '../../core/ports.js';
import type { HttpApp, HttpContext } from '../context.js';
import { resolveDevice } from '../resolve-device.js';
import { booleanQuery, deviceIdQuery, errorResponse } from '../schemas.js';

// Bank and outlet history (SPEC §14.2 `/api/history/banks` · `/outlets` (+ `.csv`), contracts of
// §13.4 and §13.6), read through the HistoryQueries port. Epoch seconds (original-bridge
// endpoints, §14.1). The store checks range/start/end again and names the field of any error.

/** SPEC §13.4 ranges (the store's RANGES; the store re-checks, so a drift cannot pass silently). */
export const HISTORY_RANGES = ['1h', '6h', '24h', '7d', '30d', '60d'] as const;

const CSV_TYPE = 'text/csv; charset=utf-8';

/** 400 when no device resolves: `{error, available_devices}` (SPEC §14.1). */
export const deviceErrorResponse = errorResponse.extend({ available_devices: z.array(z.string()).optional() });
export const historyErrors = { 400: deviceErrorResponse, 404: errorResponse, 503: errorResponse };

/** CSV responses in the OpenAPI document (the body is streamed, never serialised). */
export const csvResponse = { description: 'CSV (SPEC §13.6), sent as an attachment', content: { 'text/csv': { schema: z.string() } } };

export function historyPort(ctx: HttpContext): HistoryQueries {
  if (!ctx.history) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'history is not available (no history store)');
  return ctx.history;
}

export type DevicePick = { id: string } | { error: string; code: 'P2M_ERR_VALIDATION'; field: 'device_id'; available_devices: string[] };

/**
 * SPEC §14.1: `?device_id=` (a configured device, or one whose history is kept after removal;
 * else 404 naming device_id); else the only device; else the only cyberpower one; else a 400 body.
 */
export function pickDevice(ctx: HttpContext, history: HistoryQueries, deviceId: string | undefined): DevicePick {
  if (deviceId !== undefined) {
    if (ctx.registry.info(deviceId) || history.devices().includes(deviceId)) return { id: deviceId };
    throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `device_id: unknown device "${deviceId}"`, 'device_id');
  }
  const r = resolveDevice(ctx.registry, undefined);
  if (r.found) return { id: r.info.id };
  const error = r.available.length === 0 ? 'device_id: no device is configured' : `device_id: several devices (${r.available.join(', ')}): say which with ?device_id=`;
  return { error, code: 'P2M_ERR_VALIDATION', field: 'device_id', available_devices: r.available };
}

/** Streams the export from its line generator: headers first, then one line at a time. */
export function sendCsv(reply: FastifyReply, csv: CsvExport): FastifyReply {
  return reply
    .type(CSV_TYPE)
    .header('content-disposition', `attachment; filename="${csv.filename}"`)
    .send(Readable.from(csv.lines));
}

const epochParam = (field: string) =>
  z
    .string()
    .regex(/^\d{1,12}$/, `${field} must be epoch seconds (a whole number)`)
    .transform(Number)
    .optional()
    .describe(`epoch seconds; ${field === 'start' ? 'with end, takes precedence over range' : 'after start'}`);

const rangeQuery = {
  device_id: deviceIdQuery.optional(),
  range: z.enum(HISTORY_RANGES).optional().describe('window ending now (default 1h); start+end take precedence'),
  start: epochParam('start'),
  end: epochParam('end'),
};

const VIEWS: Readonly<Record<HistoryKind, { instance: 'bank' | 'outlet'; fields: readonly string[] }>> = {
  banks: { instance: 'bank', fields: ['voltage', 'current', 'power', 'apparent', 'pf'] },
  outlets: { instance: 'outlet', fields: ['current', 'power', 'energy'] },
};

function rowSchema(kind: HistoryKind): z.ZodObject<Record<string, z.ZodType<number | null>>> {
  const v = VIEWS[kind];
  const value = z.number().nullable();
  const shape: Record<string, z.ZodType<number | null>> = {
    bucket: z.number().describe('bucket start, epoch seconds'),
    [v.instance]: z.number().int(),
  };
  for (const f of v.fields) Object.assign(shape, { [f]: value, [`${f}_min`]: value, [`${f}_max`]: value });
  return z.object(shape);
}

export function historyRoutes(app: HttpApp, ctx: HttpContext): void {
  for (const kind of ['banks', 'outlets'] as const) {
    const instance = VIEWS[kind].instance;
    const filter = { [instance]: z.coerce.number().int().min(1).max(256).optional().describe(`only this ${instance}`) } as Record<'bank' | 'outlet', z.ZodOptional<z.ZodCoercedNumber>>;
    const querystring = z.object({ ...rangeQuery, ...filter });
    const csvQuery = querystring.extend({ raw: booleanQuery.optional().describe('1 s rows whatever the span (at most 7 days)') });
    const params = (q: z.output<typeof querystring>) => ({ range: q.range, start: q.start, end: q.end, instance: q[instance] });

    app.get(
      `/api/history/${kind}`,
      {
        schema: {
          tags: ['history'],
          summary: `${instance[0]?.toUpperCase()}${instance.slice(1)} history, bucketed by span (SPEC §13.4); header X-Bucket-Seconds`,
          querystring,
          response: { 200: z.array(rowSchema(kind)), ...historyErrors },
        },
      },
      async (req, reply) => {
        const history = historyPort(ctx);
        const device = pickDevice(ctx, history, req.query.device_id);
        if (!('id' in device)) return reply.code(400).send(device);
        const r = history.history(kind, device.id, params(req.query));
        // Up to 36,000 rows (10 outlets × 1 h of 1 s buckets): the rows are the store's own typed
        // objects, so they are written with JSON.stringify, not re-validated by the zod response
        // serializer (which took most of the request's time; docs/PERFORMANCE.md REST table).
        return reply.header('x-bucket-seconds', String(r.window.bucket)).type('application/json; charset=utf-8').serializer(JSON.stringify).send(r.rows);
      },
    );

    app.get(
      `/api/history/${kind}.csv`,
      {
        schema: {
          tags: ['history'],
          summary: `${instance[0]?.toUpperCase()}${instance.slice(1)} history as CSV (SPEC §13.6), streamed; header X-Bucket-Seconds`,
          querystring: csvQuery,
          response: { 200: csvResponse, ...historyErrors },
        },
      },
      async (req, reply) => {
        const history = historyPort(ctx);
        const device = pickDevice(ctx, history, req.query.device_id);
        if (!('id' in device)) return reply.code(400).send(device);
        const csv = history.historyCsv(kind, device.id, { ...params(req.query), raw: req.query.raw ?? false });
        return sendCsv(reply.header('x-bucket-seconds', String(csv.window.bucket)), csv);
      },
    );
  }
}
