// Switch probes and outage detection over MQTT (SPEC §9.3, §10.3, §11) on the whole app in demo
// mode: the embedded aedes broker, the simulated PDU and the real HTTP switch simulator, observed
// with mqtt.js. The demo scenarios cut and restore the power.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutageRecord, OutageStatus } from '../../../src/core/power.js';
import { checkDiscoveryPayload } from '../../support/ha-discovery-schema.js';
import { startTestApp, type TestApp } from '../../support/app.js';

interface Msg {
  topic: string;
  payload: string;
  retain: boolean;
}

let t: TestApp;
let client: MqttClient;
const last = new Map<string, string>();
const seen: Msg[] = [];
/** Switch id by name (demo-switch-1..3, demo-gateway). */
const ids = new Map<string, number>();

const outageState = (): OutageStatus => JSON.parse(last.get('pdu/bridge/outage') ?? 'null') as OutageStatus;

/** The retained messages a new subscriber gets for `filter` (a fresh connection, closed again). */
async function retained(filter: string, expected: number): Promise<Map<string, Msg>> {
  const c = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
  const got = new Map<string, Msg>();
  try {
    c.on('message', (topic, payload, packet) => got.set(topic, { topic, payload: payload.toString(), retain: packet.retain }));
    await c.subscribeAsync(filter);
    await vi.waitFor(() => expect(got.size).toBeGreaterThanOrEqual(expected), { timeout: 5000, interval: 20 });
  } finally {
    await c.endAsync();
  }
  return got;
}

beforeAll(async () => {
  t = await startTestApp({ switches: { interval_s: 1, timeout_ms: 300 } });
  for (const s of t.app.switches!.list()) ids.set(s.target.name, s.target.id);
  client = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
  client.on('message', (topic, payload, packet) => {
    last.set(topic, payload.toString());
    seen.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(['pdu/bridge/#', 'homeassistant/+/+/config']);
  // Every demo switch answered once.
  await vi.waitFor(
    () => {
      for (const id of ids.values()) expect(last.get(`pdu/bridge/switches/${id}/state`)).toBe('up');
    },
    { timeout: 15_000, interval: 50 },
  );
}, 30_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
});

describe('bridge power topics after start (SPEC §9.3)', () => {
  it('the demo switches are the probe targets: demo-switch-1..3 (sensor) and demo-gateway (control)', () => {
    expect([...ids.keys()]).toEqual(['demo-switch-1', 'demo-switch-2', 'demo-switch-3', 'demo-gateway']);
    expect(t.app.switches!.list().map((s) => [s.target.role, s.target.source])).toEqual([
      ['sensor', 'config'], ['sensor', 'config'], ['sensor', 'config'], ['control', 'config'],
    ]);
  });

  it('retained pdu/bridge/outage says normal, with no open and no previous outage', async () => {
    // Published after the outage engine's first decision, which can come after the switch states.
    await vi.waitFor(() => expect(last.has('pdu/bridge/outage')).toBe(true), { timeout: 10_000, interval: 50 });
    const s = outageState();
    expect(s).toMatchObject({ state: 'normal', outage: null, last: null });
    expect(typeof s.ts).toBe('number');
    const got = await retained('pdu/bridge/outage', 1);
    const m = got.get('pdu/bridge/outage')!;
    expect(m.retain).toBe(true);
    expect(JSON.parse(m.payload)).toMatchObject({ state: 'normal', outage: null, last: null });
  });

  it('retained pdu/bridge/switches/{id}/state is up for every demo switch', async () => {
    const got = await retained('pdu/bridge/switches/+/state', ids.size);
    for (const id of ids.values()) {
      expect(got.get(`pdu/bridge/switches/${id}/state`)).toMatchObject({ payload: 'up', retain: true });
    }
    expect(got.size).toBe(ids.size);
  });

  it('bridge/info counts the switches and carries the verdict', async () => {
    await vi.waitFor(() => expect(JSON.parse(last.get('pdu/bridge/info') ?? '{}').switches).toEqual({ total: 4, up: 4, down: 0, unknown: 0, stale: 0 }), {
      timeout: 5000, interval: 50,
    });
    expect(JSON.parse(last.get('pdu/bridge/info')!).outage_state).toBe('normal');
  });
});

describe('Home Assistant discovery of the bridge device (SPEC §10.3)', () => {
  const config = (component: string, uid: string): Record<string, unknown> => {
    const topic = `homeassistant/${component}/${uid}/config`;
    const raw = last.get(topic);
    expect(raw, topic).toBeTruthy();
    const p = JSON.parse(raw!) as Record<string, unknown>;
    expect(checkDiscoveryPayload(component, topic, p), topic).toEqual([]);
    return p;
  };

  it('"Mains power": binary_sensor of device class power on pdu/bridge/outage, OFF only in an outage', () => {
    const p = config('binary_sensor', 'power2mqtt_grid_power');
    expect(p).toMatchObject({
      name: 'Mains power', unique_id: 'power2mqtt_grid_power', device_class: 'power', state_topic: 'pdu/bridge/outage',
      payload_on: 'ON', payload_off: 'OFF', device: { identifiers: ['power2mqtt_bridge'] },
    });
    expect(p.value_template).toMatch(/'OFF' if value_json\.state == 'outage' else 'ON'/);
  });

  it('"Last outage duration": duration sensor in s from pdu/bridge/outage last', () => {
    const p = config('sensor', 'power2mqtt_last_outage_duration');
    expect(p).toMatchObject({
      name: 'Last outage duration', device_class: 'duration', unit_of_measurement: 's', state_topic: 'pdu/bridge/outage',
      device: { identifiers: ['power2mqtt_bridge'] },
    });
    expect(p.value_template).toBe("{{ value_json.last.duration_seconds if value_json.last else 'None' }}");
  });

  it('one connectivity binary_sensor per switch on its state topic, and the "Switches up" count', () => {
    for (const [name, id] of ids) {
      const p = config('binary_sensor', `power2mqtt_switch_${id}`);
      expect(p).toMatchObject({
        name: `Switch ${name}`, device_class: 'connectivity', state_topic: `pdu/bridge/switches/${id}/state`, payload_on: 'up', payload_off: 'down',
      });
    }
    const up = config('sensor', 'power2mqtt_switches_up');
    expect(up).toMatchObject({ state_topic: 'pdu/bridge/info', value_template: '{{ value_json.switches.up }}' });
  });

  it('every bridge-device config passes the HA schema check and has a unique id', () => {
    const bridge = [...last.entries()].filter(([k, v]) => k.startsWith('homeassistant/') && v !== '' && k.includes('/power2mqtt_'));
    // status, mains power, last duration, switches up + one per switch + the demo watchdog's state, cycles, reset (SPEC §10.3)
    expect(bridge.length).toBe(4 + ids.size + 3);
    const uids = new Set<string>();
    for (const [topic, payload] of bridge) {
      const p = JSON.parse(payload) as { unique_id: string };
      expect(checkDiscoveryPayload(topic.split('/')[1]!, topic, p), topic).toEqual([]);
      uids.add(p.unique_id);
    }
    expect(uids.size).toBe(bridge.length);
  });
});

describe('a power cut in the demo (SPEC §11.3-§11.5)', () => {
  const events = (from: number): Array<{ type: string; outage: OutageRecord | null; ts: number; retain: boolean }> =>
    seen.slice(from).filter((m) => m.topic === 'pdu/bridge/outage/event').map((m) => ({ ...JSON.parse(m.payload), retain: m.retain }));

  it('all_down: pdu/bridge/outage turns outage, outage/event "opened" with the open power record', async () => {
    const from = seen.length;
    expect(await t.app.demo!.run('all_down', {})).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(outageState().state).toBe('outage'), { timeout: 15_000, interval: 50 });
    const s = outageState();
    expect(s.outage).toMatchObject({ kind: 'power', is_ongoing: true, ended_at: null, duration_seconds: null });
    await vi.waitFor(() => expect(events(from).map((e) => e.type)).toContain('opened'), { timeout: 5000, interval: 50 });
    const opened = events(from).find((e) => e.type === 'opened')!;
    expect(opened.retain).toBe(false);
    expect(opened.outage).toMatchObject({ id: s.outage!.id, kind: 'power', is_ongoing: true });
    expect(typeof opened.ts).toBe('number');
    // the sensor switches go silent, the gateway (on a UPS) keeps answering
    await vi.waitFor(
      () => {
        for (const n of ['demo-switch-1', 'demo-switch-2', 'demo-switch-3']) expect(last.get(`pdu/bridge/switches/${ids.get(n)}/state`)).toBe('down');
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(last.get(`pdu/bridge/switches/${ids.get('demo-gateway')}/state`)).toBe('up');
    await vi.waitFor(() => expect(JSON.parse(last.get('pdu/bridge/info')!).outage_state).toBe('outage'), { timeout: 5000, interval: 50 });
  }, 30_000);

  it('all_up: closed with a duration; the retained state is normal again with the record as last', async () => {
    const open = outageState().outage!;
    const from = seen.length;
    expect(await t.app.demo!.run('all_up', {})).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(outageState().state).toBe('normal'), { timeout: 20_000, interval: 50 });
    await vi.waitFor(() => expect(events(from).map((e) => e.type)).toContain('closed'), { timeout: 5000, interval: 50 });
    const closed = events(from).find((e) => e.type === 'closed')!;
    expect(closed.retain).toBe(false);
    expect(closed.outage).toMatchObject({ id: open.id, kind: 'power', is_ongoing: false, started_at: open.started_at });
    const rec = closed.outage!;
    expect(rec.ended_at).toBeGreaterThan(rec.started_at);
    expect(rec.duration_seconds).toBe(Math.round(rec.ended_at! - rec.started_at));
    expect(rec.duration_seconds).toBeGreaterThanOrEqual(1);

    const s = outageState();
    expect(s.outage).toBeNull();
    expect(s.last).toMatchObject({ id: open.id, duration_seconds: rec.duration_seconds, is_ongoing: false });
    const got = await retained('pdu/bridge/outage', 1);
    expect(JSON.parse(got.get('pdu/bridge/outage')!.payload)).toMatchObject({ state: 'normal', outage: null, last: { id: open.id } });
    await vi.waitFor(
      () => {
        for (const id of ids.values()) expect(last.get(`pdu/bridge/switches/${id}/state`)).toBe('up');
      },
      { timeout: 10_000, interval: 50 },
    );
  }, 40_000);
});
