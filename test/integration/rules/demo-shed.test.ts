// Issue 7 end to end on the whole app: the simulated PDU (real SNMP agent), the real poller, the
// rules engine, outlet SETs over SNMP, MQTT on the embedded broker and the SQLite events table.
// Source A's voltage drops → a rule sheds outlets 5-8 after its delay → the voltage returns → it
// restores them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AutomationEvent } from '../../../src/core/rules.js';
import { startTestApp, type TestApp } from '../../support/app.js';

const DELAY_S = 2;
const SHED = [5, 6, 7, 8];
const RULES = [
  { name: 'shed-on-feed-a-loss', condition: 'voltage_below', input: 1, threshold: 100, outlet: '5-8', action: 'off', restore: true, delay: DELAY_S },
];

let t: TestApp;
let dir: string;
let client: mqtt.MqttClient;
const mqttEvents: Array<Record<string, unknown>> = [];
const busEvents: AutomationEvent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-rules-e2e-'));
  const rulesPath = join(dir, 'rules.json');
  writeFileSync(rulesPath, JSON.stringify(RULES));
  t = await startTestApp({ rules: { path: rulesPath } });
  t.app.bus.on('automation', (e) => busEvents.push(e));
  const creds = t.app.broker?.bridgeCredentials;
  client = mqtt.connect(t.mqttUrl, { protocolVersion: 4, ...(creds ? { username: creds.username, password: creds.password } : {}) });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync('pdu/demo-pdu/automation/event');
  client.on('message', (_topic, payload) => mqttEvents.push(JSON.parse(payload.toString()) as Record<string, unknown>));
  // The first samples have been evaluated: the rule is active (outlet count known) and idle.
  await vi.waitFor(() => expect(t.app.rules?.list('demo-pdu')[0]?.state).toMatchObject({ phase: 'idle', inactive: null }), { timeout: 15_000 });
}, 40_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const simOutlets = (): string[] => SHED.map((n) => t.app.simulator?.outletState(n) ?? '?');

describe('rules end to end: shed on a source A voltage drop, restore when it returns', () => {
  it('sheds outlets 5-8 after its delay (poll ≤ 1 s + delay, 0.5 s slack for a loaded machine), and says so on MQTT and in the events table', async () => {
    expect(simOutlets()).toEqual(['on', 'on', 'on', 'on']);
    const cutAt = Date.now() / 1000;
    await t.app.demo?.run('fail_source', { source: 'A' });
    await vi.waitFor(() => expect(busEvents.find((e) => e.type === 'triggered')).toBeDefined(), { timeout: 15_000, interval: 50 });
    const fired = busEvents.find((e) => e.type === 'triggered') as AutomationEvent;
    // The drop is seen by the next 1 Hz poll (≤ 1 s), then the rule waits its delay.
    const afterCut = fired.ts - cutAt;
    expect(afterCut).toBeGreaterThanOrEqual(DELAY_S);
    expect(afterCut).toBeLessThanOrEqual(DELAY_S + 1.5);
    expect(fired).toMatchObject({ rule: 'shed-on-feed-a-loss', device_id: 'demo-pdu' });
    expect(fired.data?.outlets).toEqual(SHED);
    // The SETs reached the PDU itself.
    expect(simOutlets()).toEqual(['off', 'off', 'off', 'off']);
    expect([1, 2, 3, 4, 9, 10].map((n) => t.app.simulator?.outletState(n))).toEqual(Array(6).fill('on'));
    await vi.waitFor(() => expect(mqttEvents.some((e) => e.type === 'triggered' && e.rule === 'shed-on-feed-a-loss')).toBe(true), { timeout: 5000 });
    // Feed A is the demo's utility feed: a power outage is open, and the shed outlets join it.
    await vi.waitFor(() => expect(t.app.outages?.status().outage?.outlets_shed).toEqual({ 'demo-pdu': SHED }), { timeout: 5000 });
    const view = t.app.rules?.get('shed-on-feed-a-loss');
    expect(view?.state).toMatchObject({ phase: 'fired', triggered: true, execution_count: 1, last_error: null });
  }, 30_000);

  it('restores them when the voltage is back, with a restored event', async () => {
    await t.app.demo?.run('restore_source', { source: 'A' });
    await vi.waitFor(() => expect(busEvents.some((e) => e.type === 'restored')).toBe(true), { timeout: 15_000, interval: 50 });
    expect(simOutlets()).toEqual(['on', 'on', 'on', 'on']);
    await vi.waitFor(() => expect(mqttEvents.some((e) => e.type === 'restored')).toBe(true), { timeout: 5000 });
    expect(t.app.rules?.get('shed-on-feed-a-loss')?.state.phase).toBe('idle');
    const stored = t.app.history?.rules.listEvents({ limit: 10, kind: 'automation' }) ?? [];
    expect(stored.map((e) => e.type).slice(0, 2)).toEqual(['restored', 'triggered']);
    expect(stored[0]).toMatchObject({ source: 'rule:shed-on-feed-a-loss', device_id: 'demo-pdu' });
  }, 30_000);
});
