import type { HttpApp, HttpContext } from '../context.js';
import { systemInfoView } from '../views/pdus.js';

// GET /api/system/info (SPEC §14.2): version, runtime and counts. Nothing needs a restart until
// settings can be changed at runtime (PUT /api/config), so restart_required is empty.

export function systemInfoRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/system/info',
    { config: { access: 'read' }, schema: { tags: ['system'], summary: 'Version, uptime and counts', response: { 200: systemInfoView } } },
    async () => ({
      version: ctx.version,
      node_version: process.version,
      uptime_seconds: Math.round(process.uptime()),
      pdu_count: ctx.registry.list().length,
      switch_count: ctx.switches?.list().length ?? 0,
      demo: ctx.config.demo.enabled,
      restart_required: [],
    }),
  );
}
