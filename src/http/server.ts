import { isIP } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebConfig } from '../config/schema.js';
import { errorMessage } from '../core/errors.js';
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
import { ruleRoutes } from './routes/rules.js';
import { statusRoutes } from './routes/status.js';
import { switchRoutes } from './routes/switches.js';
import { registerWebSocket } from './ws/route.js';

// The web server (SPEC §14, §16): built without listening so tests drive it with inject()
// (fastify/demo), and a service that listens on web.bind:web.port under the exposure rule.

/** Request bodies above this answer 413 (SPEC §16.3: 1 MB). */
export const BODY_LIMIT = 1024 * 1024;

export { SECURITY_HEADERS } from './headers.js';

/** One line per request at debug (fastify's default is two at info); errors are logged by errors.ts. */
class DebugRequestLog extends LogController {
  override incomingRequest(): void {}
  override routeNotFound(): void {}
  override requestCompleted(_err: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  }
}

export async function buildHttpServer(ctx: HttpContext): Promise<FastifyInstance> {
  const log = ctx.logger.child({ module: 'http' });
  const app: HttpApp = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    logController: new DebugRequestLog(),
    bodyLimit: BODY_LIMIT,
    trustProxy: ctx.config.web.trust_proxy,
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

  await registerOpenApi(app, ctx.version);
  await registerWebSocket(app, ctx);
  healthRoutes(app, ctx);
  metricsRoutes(app, ctx);
  statusRoutes(app, ctx);
  controlRoutes(app, ctx);
  switchRoutes(app, ctx);
  outageRoutes(app, ctx);
  ruleRoutes(app, ctx);
  eventRoutes(app, ctx);
  historyRoutes(app, ctx);
  energyRoutes(app, ctx);
  demoRoutes(app, ctx);
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

// ---- exposure (SPEC §16.3) ----

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`; any other name may resolve anywhere. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export type ExposureDecision = { action: 'ok' } | { action: 'warn'; message: string } | { action: 'refuse'; message: string };

/**
 * Whether the configured bind may be served. Authentication is not built yet, so users in the
 * config cannot protect anything: beyond loopback they make the start fail rather than give a
 * false sense of safety.
 */
export function exposureDecision(web: WebConfig): ExposureDecision {
  const authConfigured = web.auth.users.length > 0 || web.auth.password_hash !== '';
  const where = `web.bind "${web.bind}"`;
  if (isLoopback(web.bind)) {
    if (!authConfigured) return { action: 'ok' };
    return {
      action: 'warn',
      message: `web.auth users are configured but web authentication is not implemented yet: the API on ${web.bind}:${web.port} is open to every local client`,
    };
  }
  if (authConfigured) {
    return {
      action: 'refuse',
      message:
        `web authentication is not implemented yet: ${where} is not a loopback address and the web.auth users configured would not protect it. ` +
        'Fix: set web.bind: 127.0.0.1 (and publish it through a reverse proxy that authenticates) until web authentication is available',
    };
  }
  if (web.allow_unauthenticated_remote) {
    return { action: 'warn', message: `web.allow_unauthenticated_remote is true: the API on ${web.bind}:${web.port} is open to the network without authentication` };
  }
  return {
    action: 'refuse',
    message:
      `refusing to serve the API without authentication on ${where}, which is not a loopback address. ` +
      'Fix: set web.bind: 127.0.0.1 (and publish it through a reverse proxy that authenticates), ' +
      'or set web.allow_unauthenticated_remote: true to accept an open API on the network',
  };
}

// ---- the service ----

export interface HttpService {
  /** Refuses (rejects) an unsafe exposure; a disabled web server (web.enabled: false) starts nothing. */
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
      const decision = exposureDecision(web);
      if (decision.action === 'refuse') throw new Error(decision.message);
      if (decision.action === 'warn') log.warn(decision.message);
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
