import { createReadStream } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { P2mError } from '../../core/errors.js';
import type { ReportsPort } from '../../core/reports.js';
import type { HttpApp, HttpContext } from '../context.js';
import { deviceIdQuery, errorResponse } from '../schemas.js';

// Energy reports (SPEC §14.2 `/api/reports`, `/api/reports/generate`,
// `/api/reports/download/{device_id}/{filename}`; files of §13.7) through the ReportsPort. The
// download checks both path parts against the naming pattern before touching the disk (400), so
// nothing outside the reports folder can be named; a valid name without a file is 404.

const TAG = ['reports'];

const fileView = z.object({
  filename: z.string(),
  device_id: z.string(),
  report_type: z.enum(['weekly', 'monthly']),
  period: z.string().describe('weekly: its Monday YYYY-MM-DD; monthly: YYYY-MM'),
  format: z.enum(['pdf', 'html']),
  size_bytes: z.number().int(),
  created: z.number().describe('epoch seconds (file modification time)'),
});

const generateBody = z.object({
  device_id: z.string().min(1).max(64),
  type: z.enum(['weekly', 'monthly']),
  period: z.string().max(16).optional().describe('weekly: a date of the week YYYY-MM-DD; monthly: YYYY-MM (default: the last complete one)'),
});

const failed = errorResponse.extend({ ok: z.literal(false).optional() });

const CONTENT_TYPES = { pdf: 'application/pdf', html: 'text/html; charset=utf-8' } as const;
/** The HTML report needs its inline styles; it has no script and loads nothing. */
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function reportsPort(ctx: HttpContext): ReportsPort {
  if (!ctx.reports) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'reports are not available (no history store)');
  return ctx.reports;
}

export function reportRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/reports',
    {
      config: { access: 'read' },
      schema: {
        tags: TAG, summary: 'Stored report files, newest period first (SPEC §13.7)', querystring: z.object({ device_id: deviceIdQuery.optional() }),
        response: { 200: z.object({ reports: z.array(fileView), count: z.number().int() }), 400: errorResponse, 503: errorResponse },
      },
    },
    async (req) => {
      const reports = await reportsPort(ctx).list(req.query.device_id);
      return { reports, count: reports.length };
    },
  );

  app.post(
    '/api/reports/generate',
    {
      config: { access: 'admin' },
      schema: {
        tags: TAG, summary: 'Build the PDF and HTML report of one device and period now (replacing them); 400 when the period has no data', body: generateBody,
        response: { 200: z.object({ ok: z.literal(true), filenames: z.tuple([z.string(), z.string()]) }), 400: failed, 404: errorResponse, 503: errorResponse },
      },
    },
    async (req, reply) => {
      const r = await reportsPort(ctx).generate(req.body);
      if (!r.ok) return reply.code(400).send({ ok: false, error: r.error, code: 'P2M_ERR_VALIDATION' });
      return r;
    },
  );

  app.get(
    '/api/reports/download/:device_id/:filename',
    {
      config: { access: 'read' },
      schema: {
        tags: TAG, summary: 'One report file (PDF or HTML); the name must match weekly-YYYY-MM-DD / monthly-YYYY-MM .pdf / .html',
        params: z.object({ device_id: z.string().max(256), filename: z.string().max(256) }),
        response: {
          200: { description: 'the report', content: { 'application/pdf': { schema: z.string() }, 'text/html': { schema: z.string() } } },
          400: errorResponse, 404: errorResponse, 503: errorResponse,
        },
      },
      // After the server-wide headers (route hooks run last): the HTML report's own policy.
      onSend: async (_req, reply, payload) => {
        if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', HTML_CSP);
        return payload;
      },
    },
    async (req, reply) => {
      const { device_id: deviceId, filename } = req.params;
      const file = await reportsPort(ctx).download(deviceId, filename);
      if (!file) throw new P2mError('P2M_ERR_NOT_FOUND', `no report ${filename} for device ${deviceId}`, 'filename');
      // A stream, not a serialised body (as the CSV exports).
      return (reply as FastifyReply)
        .type(CONTENT_TYPES[file.format])
        .header('content-length', String(file.size))
        .header('content-disposition', `inline; filename="${deviceId}-${filename}"`)
        .send(createReadStream(file.path));
    },
  );
}
