import { P2mError } from '../../core/errors.js';
import type { DemoPort } from '../../core/ports.js';
import type { HttpApp, HttpContext } from '../context.js';
import { demoResultView, demoScenarioBody, demoScenariosView, errorResponse } from '../schemas.js';

// Demo scenarios (SPEC §8): only while the demo runs; 404 otherwise, as if the route did not exist.

const TAG = ['demo'];

function requireDemo(ctx: HttpContext): DemoPort {
  if (!ctx.demo) throw new P2mError('P2M_ERR_NOT_FOUND', 'demo mode is not enabled (demo.enabled: false)');
  return ctx.demo;
}

export function demoRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });
  app.get(
    '/api/demo/scenarios',
    { schema: { tags: TAG, summary: 'Scenario names (demo mode only)', response: { 200: demoScenariosView, 404: errorResponse } } },
    async () => ({ scenarios: requireDemo(ctx).scenarios() }),
  );

  app.post(
    '/api/demo/scenario',
    {
      schema: {
        tags: TAG,
        summary: 'Run a scenario: {name, ...parameters} (demo mode only)',
        body: demoScenarioBody,
        response: { 200: demoResultView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const demo = requireDemo(ctx);
      const { name: given, action, ...params } = req.body;
      const name = (given ?? action ?? '').trim();
      const field = given !== undefined ? 'name' : 'action';
      const known = demo.scenarios();
      if (!known.includes(name)) {
        throw new P2mError('P2M_ERR_VALIDATION', `${field}: unknown scenario "${name}" (one of: ${known.join(', ')})`, field);
      }
      const r = await demo.run(name, params);
      if (!r.ok) throw new P2mError('P2M_ERR_VALIDATION', r.error, r.field);
      log.info({ scenario: name }, 'demo scenario run');
      return { ok: true as const, scenario: name, detail: r.detail };
    },
  );
}
