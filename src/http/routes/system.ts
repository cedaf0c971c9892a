import { z } from 'zod';
import { fileStamp } from '../../core/calendar.js';
import { P2mError } from '../../core/errors.js';
import type { BackupDocument, SystemPort } from '../../core/system.js';
import { backupSections, type BackupSources } from '../backup.js';
import type { HttpApp, HttpContext } from '../context.js';
import { errorResponse } from '../schemas.js';
import { systemInfoView } from '../views/pdus.js';

// System endpoints (SPEC §14.2 `/api/system/*`): info, the in-memory log, backup and restore of
// what users made at runtime, and an in-process restart. Logs and backups show hosts, names and
// failed sign-ins, so they need the admin role (a departure from "read routes accept viewer").

const TAG = ['system'];
const BACKUP_FORMAT = 'power2mqtt-backup';
const BACKUP_VERSION = 1;

const logsQuery = z.object({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('lowest level shown'),
  search: z.string().max(200).default('').describe('case-insensitive text anywhere in the line'),
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
});
const logsView = z.object({ logs: z.array(z.record(z.string(), z.unknown())), count: z.number().int() });

const backupView = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.number().int(),
  created_at: z.string(),
  app_version: z.string(),
  sections: z.record(z.string(), z.unknown()),
});
const restoreBody = z.object({
  format: z.literal(BACKUP_FORMAT, { error: `format must be "${BACKUP_FORMAT}" (a file from GET /api/system/backup)` }),
  version: z.number().int().min(1).max(BACKUP_VERSION, { error: `version: this build reads backups up to version ${BACKUP_VERSION}` }),
  created_at: z.string().optional(),
  app_version: z.string().optional(),
  sections: z.record(z.string(), z.unknown()),
});
const brokerUserView = z.object({
  username: z.string(), password: z.string(), file: z.string(), bind: z.string(), port: z.number().int(),
});
const restoreView = z.object({ ok: z.literal(true), restored: z.array(z.string()), counts: z.record(z.string(), z.number().int()) });

export function requireSystem(ctx: HttpContext): SystemPort {
  if (!ctx.system) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'system functions are not available');
  return ctx.system;
}

export function systemRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });
  const admin = { access: 'admin' as const };
  const sources = (): BackupSources => ({
    registry: ctx.registry, deviceState: ctx.deviceState ?? null, switches: ctx.switches, rules: ctx.rules, watchdogs: ctx.watchdogs ?? null, settings: ctx.settings ?? null,
  });

  app.get(
    '/api/system/info',
    { config: { access: 'read' }, schema: { tags: TAG, summary: 'Version, uptime and counts', response: { 200: systemInfoView } } },
    async () => ({
      version: ctx.version,
      node_version: process.version,
      uptime_seconds: Math.round(process.uptime()),
      pdu_count: ctx.registry.list().length,
      switch_count: ctx.switches?.list().length ?? 0,
      demo: ctx.config.demo.enabled,
      restart_required: ctx.settings?.restartRequired() ?? [],
    }),
  );

  app.get(
    '/api/system/logs',
    { config: admin, schema: { tags: TAG, summary: 'Recent log lines from memory (log.buffer), newest first', querystring: logsQuery, response: { 200: logsView, 503: errorResponse } } },
    async (req) => {
      const logs = requireSystem(ctx).logs(req.query);
      return { logs, count: logs.length };
    },
  );

  app.get(
    '/api/system/backup',
    { config: admin, schema: { tags: TAG, summary: 'Runtime devices, switches, rules, watchdogs, outlet names and settings as a JSON file (no secrets)', response: { 200: backupView } } },
    async (_req, reply) => {
      const now = new Date(ctx.clock.now());
      const doc: BackupDocument = {
        format: BACKUP_FORMAT, version: BACKUP_VERSION, created_at: now.toISOString(), app_version: ctx.version,
        sections: Object.fromEntries(backupSections(sources()).map((s) => [s.name, s.export()])),
      };
      void reply.header('content-disposition', `attachment; filename="power2mqtt-backup-${fileStamp(now.getTime())}.json"`);
      return doc;
    },
  );

  app.post(
    '/api/system/restore',
    { config: admin, schema: { tags: TAG, summary: 'Bring back a backup: objects are added or updated, none removed', body: restoreBody, response: { 200: restoreView, 400: errorResponse } } },
    async (req) => {
      const sections = backupSections(sources());
      const known = new Map(sections.map((s) => [s.name, s]));
      for (const name of Object.keys(req.body.sections)) {
        if (!known.has(name)) {
          throw new P2mError('P2M_ERR_VALIDATION', `sections.${name}: not a section of this build (known: ${[...known.keys()].join(', ')})`, `sections.${name}`);
        }
      }
      const restored: string[] = [];
      const counts: Record<string, number> = {};
      for (const s of sections) {
        if (!Object.hasOwn(req.body.sections, s.name)) continue;
        const r = await s.restore(req.body.sections[s.name]);
        if (!r.ok) {
          const done = restored.length > 0 ? ` (restored before the error: ${restored.join(', ')})` : '';
          throw new P2mError('P2M_ERR_VALIDATION', `${r.error}${done}`, r.field);
        }
        restored.push(s.name);
        counts[s.name] = r.count;
      }
      log.info({ restored, counts }, 'backup restored');
      return { ok: true as const, restored, counts };
    },
  );

  app.get(
    '/api/system/mqtt-credentials',
    {
      config: admin,
      schema: {
        tags: TAG, summary: 'The embedded broker\'s generated user and password, for MQTT clients such as Home Assistant (SPEC §16.3)',
        response: { 200: brokerUserView, 404: errorResponse, 503: errorResponse },
      },
    },
    async (_req, reply) => {
      const user = requireSystem(ctx).brokerCredentials();
      if (!user) {
        throw new P2mError(
          'P2M_ERR_NOT_FOUND',
          'the embedded broker has no generated user: it is off, bound to loopback, or mqtt.embedded.users / allow_anonymous is set (use those credentials)',
        );
      }
      void reply.header('cache-control', 'no-store');
      return user;
    },
  );

  app.post(
    '/api/system/restart',
    { config: admin, schema: { tags: TAG, summary: 'Restart the service in-process after 500 ms (saved settings take effect)', response: { 200: z.object({ ok: z.literal(true) }), 503: errorResponse } } },
    async () => {
      const r = requireSystem(ctx).restart();
      if (!r.ok) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', r.error);
      log.warn('restart requested over the API');
      return { ok: true as const };
    },
  );
}
