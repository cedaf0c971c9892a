import swagger from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { RouteAccess } from './access.js';
import { SESSION_COOKIE } from './auth/plugin.js';
import type { HttpApp } from './context.js';

// /api/openapi.json (SPEC §14.2): generated from the routes' zod schemas through the type
// provider's transform, so validation, types and documentation have one source. Must be
// registered before the routes, which it collects as they are added.

export const OPENAPI_PATH = '/api/openapi.json';

/** Who may call a route (SPEC §14.1, §16): the role or token scope each access level needs. */
const ACCESS_TEXT: Record<RouteAccess, string> = {
  public: 'open, even when authentication is on',
  read: 'when authentication is on: any signed-in user (viewer and up) or a token of scope read and up',
  control: 'when authentication is on: role operator or admin, or a token of scope control or admin',
  admin: 'when authentication is on: role admin, or a token of scope admin',
};

type TransformArgs = Parameters<typeof jsonSchemaTransform>[0];

/** The zod transform, plus each route's access as `security` and the `x-access` extension. */
function withAccess(args: TransformArgs): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(args);
  const access = (args.route.config as { access?: RouteAccess } | undefined)?.access ?? 'admin';
  const schema = out.schema as Record<string, unknown>;
  schema.security = access === 'public' ? [] : [{ bearerAuth: [] }, { cookieAuth: [] }];
  schema['x-access'] = access;
  const summary = typeof schema.description === 'string' ? `${schema.description}\n\n` : '';
  schema.description = `${summary}Access: ${ACCESS_TEXT[access]}.`;
  return out;
}

export async function registerOpenApi(app: HttpApp, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'power2mqtt',
        version,
        description:
          'REST API of power2mqtt: PDU status and control, history and energy, switch probes and outages (PowerMon-compatible), ' +
          'rules, reports, runtime settings and system functions. With authentication off (the loopback default) no credentials ' +
          'are needed; with it on, every route but the public ones needs a session cookie or a bearer token (SPEC §16).',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token (power2mqtt token create, or POST /api/auth/tokens)' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'session from POST /api/auth/login; state changes also need a same-origin request (CSRF)' },
        },
      },
    },
    transform: withAccess,
  });
  app.get(
    OPENAPI_PATH,
    { schema: { tags: ['system'], summary: 'This OpenAPI 3.1 document' } },
    async () => app.swagger(),
  );
}
