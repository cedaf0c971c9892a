// End to end with the whole app in demo mode: a simulated Kasa HS300 strip (legacy protocol on
// 127.0.0.1) → MQTT topics → Home Assistant discovery payloads (validated like the PDU's) →
// history rows → a rule that switches outlet 2 off when outlet 1 draws over a threshold.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { DEMO_PLUG_ID, DEMO_STRIP_ID } from '../../../src/devices/plug/demo.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { checkDiscoveryPayload } from '../../support/ha-discovery-schema.js';

const clock = new RealClock();
const RULE = { name: 'strip-shed-2', device: DEMO_STRIP_ID, condition: 'outlet_power_above', input: 1, threshold: 100, outlet: 2, action: 'off', delay: 0, restore: false };
let t: TestApp;
let client: MqttClient;
let rulesDir: string;
const last = new Map<string, string>();

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = clock.monotonic() + ms;
  while (!cond()) {
    if (clock.monotonic() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await clock.sleep(25);
  }
}

beforeAll(async () => {
  rulesDir = mkdtempSync(join(tmpdir(), 'p2m-plug-rules-'));
  const rulesPath = join(rulesDir, 'rules.json');
  writeFileSync(rulesPath, JSON.stringify([RULE]));
  t = await startTestApp({ demo: { plugs: true }, rules: { path: rulesPath, watch: false }, history: { commit_interval_ms: 200 } });
  client = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
  client.on('message', (topic, payload) => last.set(topic, payload.toString()));
  await client.subscribeAsync(['pdu/#', 'homeassistant/#']);
  const first = [`pdu/${DEMO_STRIP_ID}/outlet/6/state`, `pdu/${DEMO_STRIP_ID}/availability`, `pdu/${DEMO_STRIP_ID}/device`, `pdu/${DEMO_STRIP_ID}/total/power`, `pdu/${DEMO_PLUG_ID}/outlet/1/power`];
  await until(() => first.every((k) => last.has(k)), 10_000, 'first plug states');
}, 30_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
  rmSync(rulesDir, { recursive: true, force: true });
});

describe('a simulated HS300 strip through the whole bridge', () => {
  it('publishes per-outlet state/power/current/energy, input voltage, totals and the device JSON', () => {
    const base = `pdu/${DEMO_STRIP_ID}`;
    expect(last.get(`${base}/availability`)).toBe('online');
    expect(last.get(`${base}/outlet/1/state`)).toBe('on');
    expect(last.get(`${base}/outlet/2/power`)).toBe('120.0');
    expect(last.get(`${base}/outlet/2/current`)).toMatch(/^\d+\.\d$/);
    expect(last.get(`${base}/outlet/1/energy`)).toMatch(/^\d+\.\d$/);
    expect(last.get(`${base}/input/voltage`)).toBe('120.0');
    expect(last.get(`${base}/total/power`)).toBe('268.0');
    expect([...last.keys()].filter((k) => k.startsWith(`${base}/bank/`) || k.startsWith(`${base}/ats/`) || k.startsWith(`${base}/source/`))).toEqual([]);
    const device = JSON.parse(last.get(`${base}/device`)!);
    expect(device).toMatchObject({ device_id: DEMO_STRIP_ID, model: 'HS300(US)', transport: 'kasa', capabilities: ['outlet_metering'], outlet_count: 6 });
  });

  it('announces valid Home Assistant entities with the plug maker and model', async () => {
    // SPEC §10.1: a plug's unique_ids are `{kind}_{hardware id}_…`, for Kasa its deviceId (the simulator's: 40 hex digits).
    const hardwareId = t.app.registry.snapshot(DEMO_STRIP_ID)!.identity.hardware_id!;
    expect(hardwareId).toMatch(/^[0-9A-F]{40}$/);
    const stem = `kasa_${hardwareId}`;
    await until(() => last.has(`homeassistant/switch/${stem}_outlet_6/config`), 5000, 'strip discovery');
    expect([...last.keys()].filter((k) => k.startsWith('homeassistant/') && k.includes('cyberpdu_') && k.includes(hardwareId))).toEqual([]);
    const configs = [...last.entries()].filter(([k, v]) => k.startsWith('homeassistant/') && k.includes(`${stem}_`) && v !== '');
    const problems = configs.flatMap(([topic, payload]) => checkDiscoveryPayload(topic.split('/')[1]!, topic, JSON.parse(payload)).map((p) => `${topic}: ${p}`));
    expect(problems).toEqual([]);
    const sw = JSON.parse(last.get(`homeassistant/switch/${stem}_outlet_2/config`)!);
    expect(sw.unique_id ?? sw.uniq_id).toBe(`${stem}_outlet_2`);
    expect(sw.command_topic ?? sw.cmd_t).toBe(`pdu/${DEMO_STRIP_ID}/outlet/2/command`);
    const dev = sw.device ?? sw.dev;
    expect(dev.manufacturer ?? dev.mf).toBe('TP-Link');
    expect(dev.model ?? dev.mdl).toBe('HS300(US)');
    expect(dev.identifiers ?? dev.ids).toEqual([stem]);
    const suffixes = configs.map(([k]) => k.split('/')[2]!.replace(`${stem}_`, ''));
    expect(suffixes).toEqual(expect.arrayContaining(['outlet_1', 'outlet_1_power', 'outlet_1_current', 'outlet_1_energy', 'input_voltage', 'total_power']));
    expect(suffixes.some((s) => s.startsWith('bank_') || s.startsWith('ats_') || s.startsWith('source_') || s.startsWith('coldstart'))).toBe(false);
    // Kasa reports no frequency: no "Input Frequency" entity that would never get a value (SPEC §10.2).
    expect(suffixes).not.toContain('input_frequency');
  });

  it('stores outlet history rows for the plug', async () => {
    const queries = t.app.history!.queries;
    await until(() => queries.history('outlets', DEMO_STRIP_ID, { range: '1h' }).rows.length > 0, 8000, 'outlet history rows');
    const rows = queries.history('outlets', DEMO_STRIP_ID, { range: '1h', instance: 2 }).rows as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ outlet: 2 });
    expect(rows[0]!.power).toBeCloseTo(120, 0);
    // The Shelly polls every 2 s and may not have been written yet when the strip was.
    await until(() => queries.devices().includes(DEMO_PLUG_ID), 8000, 'Shelly history rows');
    expect(queries.devices()).toEqual(expect.arrayContaining([DEMO_STRIP_ID, DEMO_PLUG_ID]));
  });

  it('REST, /metrics and energy read the plugs like any device', async () => {
    const get = async (path: string): Promise<{ status: number; text: string }> => {
      const res = await fetch(`${t.webUrl}${path}`);
      return { status: res.status, text: await res.text() };
    };
    const pdus = await get('/api/pdus');
    expect(pdus.status).toBe(200);
    const list = JSON.parse(pdus.text) as unknown;
    expect(JSON.stringify(list)).toContain(DEMO_STRIP_ID);
    const status = await get(`/api/status?device_id=${DEMO_STRIP_ID}`);
    expect(status.status).toBe(200);
    expect(status.text).toContain('HS300');
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain(`power2mqtt_pdu_up{device="${DEMO_STRIP_ID}"} 1`);
    expect(metrics.text).toMatch(new RegExp(`outlet_power_watts\\{[^}]*device="${DEMO_STRIP_ID}"`));
    const energy = await get(`/api/energy/summary?device_id=${DEMO_PLUG_ID}`);
    expect(energy.status).toBe(200);
  });

  it('a rule switches outlet 2 off when outlet 1 draws over 100 W', async () => {
    const strip = t.app.demoPlugs!.strip;
    expect(strip.sim.outlets[1]!.on).toBe(true);
    strip.sim.setLoad(1, 150);
    await until(() => !strip.sim.outlets[1]!.on, 10_000, 'outlet 2 switched off by the rule');
    await until(() => last.get(`pdu/${DEMO_STRIP_ID}/outlet/2/state`) === 'off', 5000, 'outlet 2 state off on MQTT');
    expect(t.app.registry.snapshot(DEMO_STRIP_ID)!.outlets[2]!.state).toBe('off');
    expect(t.app.rules!.list().find((r) => r.name === RULE.name)).toMatchObject({ state: { execution_count: 1 } });
  });

  it('demo scenarios change a plug load, unplug it and plug it in again (its counter restarts: a new energy segment)', async () => {
    const resets: string[] = [];
    const off = t.app.bus.on('device.event', (e) => {
      if (e.type === 'counter_reset') resets.push(e.device_id);
    });
    const post = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${t.webUrl}/api/demo/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const list = (await (await fetch(`${t.webUrl}/api/demo/scenarios`)).json()) as { scenarios: string[] };
    expect(list.scenarios).toEqual(expect.arrayContaining(['plug_unplug', 'plug_replug', 'plug_load', 'plug_counter_reset', 'all_down']));
    expect((await post({ name: 'plug_load', device: 'nope', watts: 5 })).status).toBe(400);
    expect(await post({ name: 'plug_load', device: DEMO_PLUG_ID, watts: 250 })).toMatchObject({ status: 200, json: { ok: true } });
    await until(() => last.get(`pdu/${DEMO_PLUG_ID}/outlet/1/power`) === '250.0', 8000, 'new load on MQTT');
    expect(await post({ name: 'plug_unplug', device: DEMO_PLUG_ID })).toMatchObject({ status: 200 });
    await until(() => (t.app.registry.get(DEMO_PLUG_ID)?.pollFailures() ?? 0) >= 1, 8000, 'a failed poll');
    expect(await post({ name: 'plug_replug', device: DEMO_PLUG_ID })).toMatchObject({ status: 200 });
    await until(() => resets.includes(DEMO_PLUG_ID), 8000, 'counter reset seen');
    off();
    expect(t.app.registry.get(DEMO_PLUG_ID)!.healthState().consecutiveFailures).toBe(0);
  });
});
