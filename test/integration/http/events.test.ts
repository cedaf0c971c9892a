// GET /api/events (SPEC §14.2) against the whole real app: rule changes through the API leave
// automation events in SQLite, listed newest first with their filters; then the routes' answers
// when the rules engine or the event store is not there (inject on fake ports).
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../../src/http/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { fakeHttpContext } from '../../support/http-ports.js';
import { api, waitForActiveRules } from './rules-api.js';

interface EventJson {
  id: number;
  rule: string | null;
  source: string | null;
  kind: string;
  type: string;
  details: string | null;
  ts: number;
  device_id: string | null;
  system: boolean;
  data: unknown;
}

describe('GET /api/events on the real app', () => {
  let t: TestApp;
  let startedS: number;
  beforeAll(async () => {
    t = await startTestApp();
    await waitForActiveRules(t, 6);
    startedS = Math.floor(Date.now() / 1000);
    expect((await api(t, 'POST', '/api/rules', { name: 'ev-rule', condition: 'outage_active', outlet: 4, action: 'off' })).status).toBe(201);
    expect((await api(t, 'PUT', '/api/rules/ev-rule/toggle')).body).toEqual({ name: 'ev-rule', enabled: false });
  }, 40_000);
  afterAll(() => t?.stop());

  const events = async (query = ''): Promise<EventJson[]> => {
    const r = await api(t, 'GET', `/api/events${query}`);
    expect(r.status).toBe(200);
    return r.body as EventJson[];
  };

  it('lists the automation events of the API changes, newest first', async () => {
    const list = await events('?kind=automation');
    const mine = list.filter((e) => e.rule === 'ev-rule');
    expect(mine.map((e) => e.type)).toEqual(['toggled', 'created']);
    expect(mine[0]).toMatchObject({ source: 'rule:ev-rule', kind: 'automation', system: false, device_id: null, details: 'rule "ev-rule" disabled' });
    for (const e of list) {
      // Epoch seconds, as on every original-bridge endpoint (SPEC §14.1).
      expect(typeof e.ts).toBe('number');
      expect(e.ts).toBeGreaterThan(startedS - 60);
      expect(e.kind).toBe('automation');
    }
    // Newest first: ts never increases down the list, ids descend within one second.
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      expect(a.ts).toBeGreaterThanOrEqual(b.ts);
      if (a.ts === b.ts) expect(a.id).toBeGreaterThan(b.id);
    }
  });

  it('filters by type, device, kind and since, and honours limit', async () => {
    const created = await events('?type=created');
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.every((e) => e.type === 'created')).toBe(true);
    expect(created.map((e) => e.rule)).toContain('ev-rule');
    // API changes are bridge-wide (device_id null): a device filter leaves them out.
    expect((await events('?device_id=demo-pdu')).some((e) => e.rule === 'ev-rule')).toBe(false);
    const system = await events('?kind=system');
    expect(system.every((e) => e.system && e.kind === 'system')).toBe(true);
    expect(await events('?limit=1')).toHaveLength(1);
    const sinceIso = new Date((startedS - 5) * 1000).toISOString();
    expect((await events(`?kind=automation&since=${sinceIso}`)).filter((e) => e.rule === 'ev-rule')).toHaveLength(2);
    expect((await events(`?kind=automation&since=${startedS - 5}`)).filter((e) => e.rule === 'ev-rule')).toHaveLength(2);
    expect(await events(`?since=${startedS + 3600}`)).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=5000', 'limit'],
    ['limit=ten', 'limit'],
    ['kind=bogus', 'kind'],
    ['since=yesterday', 'since'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const r = await api(t, 'GET', `/api/events?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'P2M_ERR_VALIDATION', field });
  });
});

describe('without the rules engine and the event store', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await buildHttpServer(fakeHttpContext().ctx);
  });
  afterEach(() => app.close());

  it.each([
    ['GET', '/api/rules'],
    ['POST', '/api/rules'],
    ['GET', '/api/rules/x'],
    ['PUT', '/api/rules/x/toggle'],
    ['POST', '/api/rules/reload'],
    ['POST', '/api/rules/x/dry-run'],
    ['DELETE', '/api/rules/x'],
    ['GET', '/api/events'],
  ] as const)('%s %s answers 503', async (method, url) => {
    const body = method === 'POST' && url === '/api/rules' ? { name: 'x' } : undefined;
    const r = await app.inject({ method, url, ...(body ? { payload: body } : {}) });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'P2M_ERR_DEVICE_UNAVAILABLE', error: expect.stringMatching(/not running|not available/) });
  });
});
