import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorMessage } from '../core/errors.js';
import { registerAuth } from './auth/plugin.js';
import { redactUrl } from './auth/guards.js';
import { authRoutes } from './auth/routes.js';
import type { HttpApp, HttpContext } from './context.js';
import { frameworkErrorHandler, installErrorHandlers } from './errors.js';
import { applyResponseHeaders } from './headers.js';
import { registerOpenApi } from './openapi.js';
import { controlRoutes } from './routes/control.js';
import { demoRoutes } from './routes/demo.js';
import { energyRoutes } from './routes/energy.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes } from './routes/history.js';
import { metricsRoutes } from './routes/metrics.js';
import { outageRoutes } from './routes/outages.js';
import { reportRoutes } from './routes/reports.js';
import { pduRoutes } from './routes/pdus.js';
import { ruleRoutes } from './routes/rules.js';
import { watchdogRoutes } from './routes/watchdogs.js';
import { statusRoutes } from './routes/status.js';
import { switchRoutes } from './routes/switches.js';
import { systemRoutes } from './routes/system.js';
import { configRoutes } from './routes/config.js';
import { registerStatic } from './static.js';
import { registerWebSocket } from './ws/route.js';

// The web server (SPEC §14, §16): built without listening so tests drive it with inject()
// (fastify/demo), and a service that listens on web.bind:web.port under the exposure rule.

/** Request bodies above this answer 413 (SPEC §16.3: 1 MB). */
export const BODY_LIMIT = 1024 * 1024;

export { SECURITY_HEADERS } from './headers.js';
export { exposureDecision, isLoopback, type ExposureDecision } from './auth/exposure.js';

/** One line per request at debug (fastify's default is two at info); errors are logged by errors.ts. */
class DebugRequestLog extends LogController {
  override incomingRequest(): void {}
  override routeNotFound(): void {}
  override requestCompleted(_err: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    req.log.debug({ method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  }
}

export async function buildHttpServer(ctx: HttpContext): Promise<FastifyInstance> {
  const log = ctx.logger.child({ module: 'http' });
  const app: HttpApp = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    logController: new DebugRequestLog(),
    bodyLimit: BODY_LIMIT,
    // One hop, not "trust every hop": the client is the address the proxy in front appended (the
    // last X-Forwarded-For entry). With `true`, fastify takes the first entry, which the client
    // writes itself, so a new fake address per try would dodge the login rate limit (SPEC §16.3).
    // (A function: this fastify treats a numeric hop count as "trust nothing".)
    trustProxy: ctx.config.web.trust_proxy ? (_addr: string, hop: number) => hop === 0 : false,
    frameworkErrors: frameworkErrorHandler(BODY_LIMIT),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonParser(app);
  installErrorHandlers(app, log, BODY_LIMIT);

  app.addHook('onSend', async (req, reply, payload) => {
    applyResponseHeaders(reply, req.url);
    return payload;
  });

  // Before any route: every route gets its access level, and the Host/CSRF/credential checks run first.
  const auth = await registerAuth(app, ctx);
  await registerOpenApi(app, ctx.version);
  await registerWebSocket(app, ctx);
  healthRoutes(app, ctx);
  authRoutes(app, ctx, auth);
  metricsRoutes(app, ctx);
  statusRoutes(app, ctx);
  controlRoutes(app, ctx);
  switchRoutes(app, ctx);
  outageRoutes(app, ctx);
  ruleRoutes(app, ctx);
  watchdogRoutes(app, ctx);
  eventRoutes(app, ctx);
  historyRoutes(app, ctx);
  energyRoutes(app, ctx);
  reportRoutes(app, ctx);
  demoRoutes(app, ctx);
  pduRoutes(app, ctx);
  systemRoutes(app, ctx);
  configRoutes(app, ctx);
  // Last: the dashboard's catch-all GET route (SPEC §18).
  await registerStatic(app);
  return app as unknown as FastifyInstance;
}

/**
 * JSON bodies through fastify's own parser (prototype-poisoning guard included), except that an
 * empty body counts as absent: SPEC §14.1 lets body-less mutations be sent with or without one.
 */
function installJsonParser(app: HttpApp): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(req, text, done);
  });
}

// ---- the service ----

export interface HttpService {
  /**
   * Listens on web.bind:web.port; a non-loopback bind without users starts locked (SPEC §16.3, the
   * setup code is logged). A disabled web server (web.enabled: false) starts nothing.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Where it listens once started (port resolved when web.port is 0). */
  address(): { host: string; port: number } | null;
}

export function createHttpService(ctx: HttpContext): HttpService {
  const web = ctx.config.web;
  const log = ctx.logger.child({ module: 'http' });
  let app: FastifyInstance | null = null;
  let bound: { host: string; port: number } | null = null;

  return {
    async start() {
      if (app) return;
      if (!web.enabled) {
        log.info('web server disabled (web.enabled: false)');
        return;
      }
      const built = await buildHttpServer(ctx);
      try {
        await built.listen({ host: web.bind, port: web.port });
      } catch (err) {
        await built.close();
        throw new Error(`web server cannot listen on ${web.bind}:${web.port} (web.bind, web.port): ${errorMessage(err)}`);
      }
      const addr = built.server.address();
      bound = addr !== null && typeof addr === 'object' ? { host: addr.address, port: addr.port } : { host: web.bind, port: web.port };
      app = built;
    },
    async stop() {
      const running = app;
      app = null;
      bound = null;
      if (running) await running.close();
    },
    address() {
      return bound;
    },
  };
}
