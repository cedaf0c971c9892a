import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpApp, HttpContext } from '../context.js';
import { WsHub, type Admission, type WsHubOptions } from './hub.js';
import { MAX_FILTER_IDS, parseDeviceFilter } from './messages.js';

// `GET /ws` (SPEC §15) on the web server: @fastify/websocket upgrades the request after fastify's
// hooks ran (so a bad `?device_id=` answers 400 like REST, and authentication can refuse it the
// same way), then the hub takes the socket over. The route is left out of /api/openapi.json (the
// plugin hides WebSocket routes: OpenAPI cannot describe them); README.md documents it. The hub
// stops with the server: every client is closed with 1001 before fastify closes its listener.

/** Client → server frames are tiny (`{"type":"ping"}`); anything above this closes the socket (1009). */
const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

const wsQuery = z.object({
  device_id: z
    .string()
    .max(MAX_FILTER_IDS * 65)
    .transform((v, tx) => {
      const r = parseDeviceFilter(v);
      if (r.ok) return r.ids;
      tx.addIssue({ code: 'custom', message: r.error.replace(/^device_id: /, '') });
      return z.NEVER;
    })
    .optional()
    .describe('comma-separated device ids; absent = every device'),
  // Read by the auth hook (SPEC §15: browsers cannot set headers on a WebSocket); never logged.
  token: z.string().max(256).optional().describe('an API token, for clients that cannot send Authorization: Bearer'),
});

/**
 * Who may open `/ws` and what they are shown (SPEC §15). The auth hook already refused the
 * handshake without `read` credentials (401/403 before the upgrade); this is the second lock:
 * with authentication on, a socket without an identity is not admitted (null → closed 1008).
 */
export function admit(req: FastifyRequest, filter: ReadonlySet<string> | null): Admission | null {
  const auth = req.p2mAuth ?? null;
  const authEnabled = auth !== null && auth.mode !== 'open';
  // A locked server serves no socket at all (SPEC §16.3).
  if (authEnabled && (auth.identity === null || auth.mode === 'locked')) return null;
  return { filter, authEnabled };
}

export async function registerWebSocket(app: HttpApp, ctx: HttpContext, opts: WsHubOptions = {}): Promise<WsHub> {
  const hub = new WsHub(
    { bus: ctx.bus, clock: ctx.clock, logger: ctx.logger, registry: ctx.registry, rules: ctx.rules, outages: ctx.outages, version: ctx.version, demo: ctx.demo !== null },
    opts,
  );
  const log = ctx.logger.child({ module: 'ws' });
  // Before the plugin's own preClose (which closes sockets without a code): ours run first.
  app.addHook('preClose', async () => hub.close());
  await app.register(websocket, {
    options: { maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false },
    // A client that vanishes (ECONNRESET) is routine: debug, not error.
    errorHandler: (error, socket) => {
      log.debug({ error: error.message }, 'websocket error: socket dropped');
      socket.terminate();
    },
  });
  app.get('/ws', { websocket: true, schema: { querystring: wsQuery } }, (socket, req) => {
    const admission = admit(req, req.query.device_id ?? null);
    if (!admission) {
      socket.close(1008, 'authentication required');
      return;
    }
    hub.accept(socket, admission, req.raw.socket);
  });
  return hub;
}
