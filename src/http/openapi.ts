import swagger from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { HttpApp } from './context.js';

// /api/openapi.json (SPEC §14.2): generated from the routes' zod schemas through the type
// provider's transform, so validation, types and documentation have one source. Must be
// registered before the routes, which it collects as they are added.

export const OPENAPI_PATH = '/api/openapi.json';

export async function registerOpenApi(app: HttpApp, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'power2mqtt',
        version,
        description: 'REST API of power2mqtt: PDU status, switch probes and outages (PowerMon-compatible), demo scenarios.',
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get(
    OPENAPI_PATH,
    { schema: { tags: ['system'], summary: 'This OpenAPI 3.1 document' } },
    async () => app.swagger(),
  );
}
