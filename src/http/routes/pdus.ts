import { P2mError } from '../../core/errors.js';
import { cidrContains, parseCidr } from '../../core/cidr.js';
import type { PduToolsPort } from '../../core/pdu-tools.js';
import type { DeviceInfo, RuntimeDeviceSpec } from '../../core/ports.js';
import type { HttpApp, HttpContext } from '../context.js';
import { errorResponse, pduStatusSchema } from '../schemas.js';
import { pduStatusView } from '../views/pdu-status.js';
import {
  DISCOVER_DEFAULTS, DISCOVER_MAX_SUBNETS, discoverBody, discoverView, okView, pduCreateBody, pduDeletedView, pduIdParams, pduItem, pduListView, pduUpdateBody,
  testConnectionBody, testConnectionView,
} from '../views/pdus.js';

// PDU devices over REST (SPEC §14.2 `/api/pdus…`): the same registry port as MQTT `device/add`,
// `device/options` and `device/remove` (§9.3), so runtime devices are persisted and config-file
// devices are read-only (409). Removal is announced on the bus (`device.removed`), where the MQTT
// bridge clears the device's retained topics and HA configs (§10.4). Discovery and the connection
// test (§7.9) go through the PDU tools port.

const TAG = ['pdus'];

function requireTools(ctx: HttpContext): PduToolsPort {
  if (!ctx.pduTools) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'PDU discovery and connection tests are not available');
  return ctx.pduTools;
}

/** A device that exists and was added at runtime; 404 / 409 (config-file device) otherwise. */
function runtimeDevice(ctx: HttpContext, id: string): DeviceInfo {
  const info = ctx.registry.info(id);
  if (!info) throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `id: unknown device "${id}"`, 'id');
  if (info.fromConfig) {
    throw new P2mError('P2M_ERR_READ_ONLY', `id: device "${id}" is defined in the config file (edit the file and restart to change it)`, 'id');
  }
  return info;
}

/** A registry refusal → 400 naming the field its message starts with (validateRuntimeDevice's "field: …"). */
function refused(error: string, field?: string): P2mError {
  if (error === 'runtime devices are not available') return new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', error);
  return new P2mError('P2M_ERR_VALIDATION', error, field ?? /^([a-z_]+):/.exec(error)?.[1]);
}

/** Drop absent keys: the registry merges what it is given. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 503: errorResponse };

export function pduRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });
  const read = { access: 'read' as const };
  const admin = { access: 'admin' as const };

  app.get(
    '/api/pdus',
    { config: read, schema: { tags: TAG, summary: 'Every PDU with its (redacted) settings, identity and polling state', response: { 200: pduListView } } },
    async () => {
      const now = ctx.clock.now() / 1000;
      const pdus = ctx.registry.list().flatMap((d) => {
        const info = ctx.registry.info(d.id);
        return info ? [pduItem(info, ctx.registry.snapshot(d.id), ctx.pduTools?.describe(d.id) ?? null, now)] : [];
      });
      return { pdus, count: pdus.length };
    },
  );

  app.post(
    '/api/pdus',
    { config: admin, schema: { tags: TAG, summary: 'Add a runtime PDU or metered plug (kind): polled at once, kept across restarts', body: pduCreateBody, response: { 201: okView, ...errors } } },
    async (req, reply) => {
      const { id, ...fields } = req.body;
      if (id && ctx.registry.info(id)) throw new P2mError('P2M_ERR_CONFLICT', `id: device "${id}" already exists`, 'id');
      const r = ctx.registry.addDevice(defined({ ...fields, id }) as RuntimeDeviceSpec);
      if (!r.ok) throw refused(r.error, r.field);
      log.info({ device_id: r.info.id, kind: r.info.kind, host: r.info.host }, 'device added');
      return reply.code(201).send({ device_id: r.info.id, ok: true as const });
    },
  );

  app.put(
    '/api/pdus/:id',
    { config: admin, schema: { tags: TAG, summary: 'Change a runtime PDU and restart its poller (409 for config-file PDUs)', params: pduIdParams, body: pduUpdateBody, response: { 200: okView, ...errors } } },
    async (req) => {
      const { id } = req.params;
      runtimeDevice(ctx, id);
      const { id: _ignored, ...fields } = req.body;
      const r = await ctx.registry.updateDevice(id, defined(fields) as Partial<RuntimeDeviceSpec>);
      if (!r.ok) throw refused(r.error);
      log.info({ device_id: id, changed: Object.keys(defined(fields)) }, 'pdu changed');
      return { device_id: id, ok: true as const };
    },
  );

  app.delete(
    '/api/pdus/:id',
    { config: admin, schema: { tags: TAG, summary: 'Remove a runtime PDU; its MQTT topics and HA entities are cleared, history kept', params: pduIdParams, response: { 200: pduDeletedView, ...errors } } },
    async (req) => {
      const { id } = req.params;
      runtimeDevice(ctx, id);
      const r = await ctx.registry.removeDevice(id);
      if (!r.ok) throw refused(r.error);
      ctx.bus.emit('device.removed', { device_id: id, ts: ctx.clock.now() / 1000 });
      log.info({ device_id: id }, 'pdu removed');
      return { device_id: id, deleted: true as const };
    },
  );

  app.get(
    '/api/pdus/:id/status',
    { config: read, schema: { tags: TAG, summary: 'PDU status object (SPEC §14.3 part A)', params: pduIdParams, response: { 200: pduStatusSchema, 404: errorResponse } } },
    async (req) => {
      const info = ctx.registry.info(req.params.id);
      if (!info) throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `id: unknown device "${req.params.id}"`, 'id');
      return pduStatusView(ctx.registry.snapshot(info.id), info, ctx.clock.now() / 1000);
    },
  );

  app.post(
    '/api/pdus/test-connection',
    { config: admin, schema: { tags: TAG, summary: 'Read one agent\'s ePDU identity (bounded; never changes anything)', body: testConnectionBody, response: { 200: testConnectionView, 400: errorResponse, 503: errorResponse } } },
    async (req) => requireTools(ctx).testConnection(req.body),
  );

  app.post(
    '/api/pdus/discover',
    { config: admin, schema: { tags: TAG, summary: `Scan up to ${DISCOVER_MAX_SUBNETS} IPv4 subnets (each /24 or narrower) for ePDUs`, body: discoverBody, response: { 200: discoverView, 400: errorResponse, 503: errorResponse } } },
    async (req) => {
      const tools = requireTools(ctx);
      const body: { subnets?: string[]; community: string; port: number; timeout_ms: number } = req.body ?? DISCOVER_DEFAULTS;
      const interfaces = tools.interfaces();
      const subnets = body.subnets ?? [...new Set(interfaces.map((i) => i.subnet))].slice(0, DISCOVER_MAX_SUBNETS);
      const r = await tools.discover({ subnets, community: body.community, port: body.port, timeout_ms: body.timeout_ms });
      const configured = new Set<string>();
      for (const d of ctx.registry.list()) {
        const cfg = tools.describe(d.id)?.config;
        const port = typeof cfg?.port === 'number' ? cfg.port : 161;
        configured.add(`${d.host}:${port}`);
        if (typeof cfg?.host === 'string') configured.add(`${cfg.host}:${port}`);
      }
      const discovered = r.discovered.map((p) => ({ ...p, already_configured: configured.has(`${p.host}:${p.port}`) }));
      log.info({ subnets, hosts: r.hosts_scanned, found: discovered.length, complete: r.complete }, 'pdu discovery');
      return {
        interfaces: interfaces.map((i) => {
          const net = parseCidr(i.subnet);
          return { ...i, pdu_count: net ? discovered.filter((p) => cidrContains(net, p.host)).length : 0 };
        }),
        discovered, subnets, hosts_scanned: r.hosts_scanned, complete: r.complete,
      };
    },
  );
}
