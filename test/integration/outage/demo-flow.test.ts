// The issue-6 flow as a user runs it, on the whole app in demo mode: the real simulated PDU (SNMP
// over UDP), real HTTP switch simulators, the real SQLite file and the real web server. Demo
// scenarios cause a LAN fault, a power cut and a utility-feed loss; the verdicts, records and
// durations are read back over REST (SPEC §8, §11, §14.4).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

type Json = Record<string, unknown>;

let t: TestApp;

async function api(path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${t.webUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Json };
}

async function scenario(name: string, params: Json = {}): Promise<void> {
  const r = await api('/api/demo/scenario', { name, ...params });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function waitForStatus(state: string): Promise<Json> {
  let last: Json = {};
  await expect
    .poll(
      async () => {
        last = (await api('/api/status')).body;
        return last.power_status;
      },
      { timeout: 15_000, interval: 200 },
    )
    .toBe(state);
  return last;
}

beforeAll(async () => {
  t = await startTestApp({ switches: { interval_s: 1, timeout_ms: 400 } });
  expect(t.webUrl).not.toBeNull();
  // Every demo switch answered once before the scenarios start.
  await vi.waitFor(async () => expect((await api('/api/status')).body.switches_online).toBe(4), { timeout: 15_000, interval: 200 });
}, 30_000);
afterAll(() => t?.stop());

describe('demo: outage detection end to end', () => {
  it('starts normal with the demo switches and the gateway as a control target', async () => {
    const s = (await api('/api/status')).body;
    expect(s.power_status).toBe('normal');
    expect(s.current_outage).toBeNull();
    const roles = (s.switches as Json[]).map((x) => `${String(x.name)}:${String(x.role)}`);
    expect(roles).toEqual(['demo-switch-1:sensor', 'demo-switch-2:sensor', 'demo-switch-3:sensor', 'demo-gateway:control']);
  });

  it('calls a dead LAN a network fault, not a power outage, and closes it when the LAN is back', async () => {
    await scenario('lan_down');
    const during = await waitForStatus('network_fault');
    expect((during.current_outage as Json).kind).toBe('network');
    await scenario('all_up');
    await waitForStatus('normal');
    const all = (await api('/api/outages?hours=1&kind=all')).body as unknown as Json[];
    const fault = all.find((o) => o.kind === 'network');
    expect(fault).toBeDefined();
    expect(fault?.is_ongoing).toBe(false);
    expect(fault?.duration_seconds).toBeGreaterThanOrEqual(1);
    expect(all.filter((o) => o.kind === 'power')).toEqual([]);
  }, 40_000);

  it('calls a switch quorum with the gateway up a site power outage, back-dated, with a duration', async () => {
    const before = Date.now() / 1000;
    await scenario('all_down');
    const during = await waitForStatus('outage');
    const open = during.current_outage as Json;
    expect(open).toMatchObject({ kind: 'power', scope: 'site', is_ongoing: true });
    expect(open.switches_affected).toEqual([1, 2, 3]);
    // Back-dated to the first failing cycle: not before the scenario, and not as late as now.
    const started = Date.parse(String(open.started_at)) / 1000;
    expect(started).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    await scenario('all_up');
    await waitForStatus('normal');
    const power = (await api('/api/outages?hours=1')).body as unknown as Json[];
    expect(power).toHaveLength(1);
    const rec = power[0] as Json;
    expect(rec.is_ongoing).toBe(false);
    expect(rec.started_at).toBe(open.started_at);
    const ended = Date.parse(String(rec.ended_at)) / 1000;
    expect(rec.duration_seconds).toBe(Math.round(ended - started));
    expect(rec.duration_seconds).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('opens an outage scoped to feed A on the first poll that sees source A lost, while every switch answers', async () => {
    await scenario('fail_source', { source: 'A' });
    const during = await waitForStatus('outage');
    expect(during.current_outage).toMatchObject({ kind: 'power', cause: 'utility_source_lost', scope: 'source_a', switches_affected: [] });
    await scenario('restore_source', { source: 'A' });
    await waitForStatus('normal');
    const stats = (await api('/api/statistics?hours=1')).body;
    expect(stats.total_outages).toBe(2);
    expect(stats.ongoing_outage).toBeNull();
    const power = (await api('/api/outages?hours=1')).body as unknown as Json[];
    expect(stats.total_outage_seconds).toBe(power.reduce((a, o) => a + Number(o.duration_seconds), 0));
  }, 40_000);

  it('rejects an unknown scenario and a bad parameter naming the field, and keeps running', async () => {
    const unknown = await api('/api/demo/scenario', { name: 'meteor' });
    expect(unknown.status).toBe(400);
    const bad = await api('/api/demo/scenario', { name: 'fail_source', source: 'C' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('source');
    expect((await api('/api/health')).status).toBe(200);
  });
});
