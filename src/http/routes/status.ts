import { z } from 'zod';
import type { HttpApp, HttpContext } from '../context.js';
import { resolveDevice } from '../resolve-device.js';
import { errorResponse, statusQuery, statusView } from '../schemas.js';
import { pduStatusView } from '../views/pdu-status.js';
import { isoFromSeconds, outageJson, switchJson } from '../views/power.js';

// GET /api/status (SPEC §14.3): one object carrying both heritages' keys. Part B (PowerMon power
// status) always; Part A (the original's PDU status) when a device resolves (§14.1) — without
// `device_id` and no single device, Part A is left out and the answer is still 200.

type PowerStatus = z.output<typeof statusView>;

function powerStatus(ctx: HttpContext): PowerStatus {
  const statuses = ctx.switches?.list() ?? [];
  const counts = ctx.switches?.counts() ?? { total: 0, up: 0, down: 0 };
  const outage = ctx.outages?.status() ?? null;
  let lastCheck: number | null = null;
  for (const s of statuses) {
    const at = s.last_check?.checked_at;
    if (at !== undefined && (lastCheck === null || at > lastCheck)) lastCheck = at;
  }
  return {
    power_status: outage ? outage.state : null,
    current_outage: outage?.outage ? outageJson(outage.outage) : null,
    switches_total: counts.total,
    switches_online: counts.up,
    switches_offline: counts.down,
    switches: statuses.map(switchJson),
    last_check_at: lastCheck === null ? null : isoFromSeconds(lastCheck),
    pdus: ctx.registry.list().map((d) => d.id),
  };
}

export function statusRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/status',
    {
      schema: {
        tags: ['status'],
        summary: 'PDU status (original keys, when a device resolves) and power status (PowerMon keys)',
        querystring: statusQuery,
        response: { 200: statusView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const device = resolveDevice(ctx.registry, req.query.device_id);
      const partB = powerStatus(ctx);
      if (!device.found) return partB;
      const snapshot = ctx.registry.snapshot(device.info.id);
      return { ...partB, ...pduStatusView(snapshot, device.info, ctx.clock.now() / 1000, ctx.health.details?.().subsystems.mqtt ?? null) };
    },
  );
}
