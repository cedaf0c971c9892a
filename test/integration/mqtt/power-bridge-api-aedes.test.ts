// The bridge request API for switch targets (SPEC §9.3 `switch/add`, `switch/remove`) on the whole
// app in demo mode with the embedded aedes broker: responses, the retained state topic and the HA
// entity of an added switch, refusals naming the field, and config-defined targets kept.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSwitchSimulator, type SwitchSimulator } from '../../../src/devices/switch/simulator.js';
import { checkDiscoveryPayload } from '../../support/ha-discovery-schema.js';
import { startTestApp, type TestApp } from '../../support/app.js';

interface Msg {
  topic: string;
  payload: string;
  retain: boolean;
}
type Json = Record<string, unknown>;

let t: TestApp;
let client: MqttClient;
/** An extra answering switch on 127.0.0.1 to add at runtime. */
let extra: SwitchSimulator;
const last = new Map<string, string>();
const seen: Msg[] = [];

/** Publish a bridge request and wait (bounded) for its response. */
async function request(action: string, payload: string | Json): Promise<Json> {
  const before = seen.length;
  const responseTopic = `pdu/bridge/response/${action}`;
  await client.publishAsync(`pdu/bridge/request/${action}`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  let res: Msg | undefined;
  await vi.waitFor(
    () => {
      res = seen.slice(before).find((m) => m.topic === responseTopic);
      expect(res, responseTopic).toBeDefined();
    },
    { timeout: 5000, interval: 20 },
  );
  expect(res!.retain).toBe(false);
  return JSON.parse(res!.payload) as Json;
}

const names = (): string[] => t.app.switches!.list().map((s) => s.target.name);
const DEMO = ['demo-switch-1', 'demo-switch-2', 'demo-switch-3', 'demo-gateway'];

beforeAll(async () => {
  [t, extra] = await Promise.all([startTestApp({ switches: { interval_s: 1, timeout_ms: 300 } }), startSwitchSimulator({ count: 1, bind: '127.0.0.1' })]);
  client = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
  client.on('message', (topic, payload, packet) => {
    last.set(topic, payload.toString());
    seen.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(['pdu/bridge/#', 'homeassistant/+/+/config']);
  await vi.waitFor(() => expect(JSON.parse(last.get('pdu/bridge/info') ?? '{}').switches?.up).toBe(4), { timeout: 15_000, interval: 50 });
}, 30_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
  await extra?.close();
});

describe('switch/add (SPEC §9.3)', () => {
  let id = 0;

  it('adds a runtime target: ok response with the stored switch and the transaction', async () => {
    const url = extra.switches[0]!.url;
    const r = await request('switch/add', { name: 'extra-plug', url: `${url}status#x`, role: 'sensor', transaction: 'add-1' });
    expect(r).toMatchObject({
      status: 'ok', transaction: 'add-1',
      data: { name: 'extra-plug', url: `${url}status`, ip: '127.0.0.1', role: 'sensor', active: true, source: 'runtime' },
    });
    expect(r.error).toBeUndefined();
    id = (r.data as { id: number }).id;
    expect(id).toBe(5); // after the four demo targets
    expect(names()).toEqual([...DEMO, 'extra-plug']);
  });

  it('its retained state topic appears and turns up at the next probe; its HA entity and the info count follow', async () => {
    await vi.waitFor(() => expect(last.get(`pdu/bridge/switches/${id}/state`)).toBe('up'), { timeout: 10_000, interval: 50 });
    const topic = `homeassistant/binary_sensor/power2mqtt_switch_${id}/config`;
    await vi.waitFor(() => expect(last.get(topic)).toBeTruthy(), { timeout: 5000, interval: 50 });
    const cfg = JSON.parse(last.get(topic)!) as Json;
    expect(checkDiscoveryPayload('binary_sensor', topic, cfg)).toEqual([]);
    expect(cfg).toMatchObject({ name: 'Switch extra-plug', state_topic: `pdu/bridge/switches/${id}/state`, device_class: 'connectivity' });
    await vi.waitFor(() => expect(JSON.parse(last.get('pdu/bridge/info')!).switches).toMatchObject({ total: 5, up: 5 }), { timeout: 5000, interval: 50 });
  });

  it('ip form: http://{ip}/ with role control, inactive', async () => {
    const r = await request('switch/add', { name: 'by-ip', ip: `127.0.0.1:${extra.switches[0]!.port}`, role: 'control', active: false });
    expect(r).toMatchObject({ status: 'ok', data: { name: 'by-ip', url: `http://127.0.0.1:${extra.switches[0]!.port}/`, role: 'control', active: false } });
  });

  it.each([
    [{ name: 'no-address' }, /^url: a switch needs a url \(e\.g\. http:\/\/192\.168\.1\.20\/\) or an ip/],
    [{ name: 'bad-scheme', url: 'ftp://127.0.0.1/' }, /^url: must start with http:\/\/ or https:\/\//],
    [{ name: 'bad-port', url: 'http://127.0.0.1:99999/' }, /^url: is not a valid URL/],
    [{ name: 'bad-ip', ip: '127.0.0.1/x' }, /^ip: must be only a host or host:port/],
    [{ name: '', ip: '127.0.0.1' }, /^name: must not be empty/],
    [{ url: 'http://127.0.0.1/' }, /^name: must not be empty/],
    [{ name: 'bad-role', ip: '127.0.0.1', role: 'boss' }, /^role: must be "sensor" or "control"/],
    [{ name: 'EXTRA-PLUG', ip: '127.0.0.1' }, /^name "EXTRA-PLUG" is already used by another switch: pick another name$/],
    ['{"name":', /^invalid JSON/],
  ])('%j: error response naming the field, nothing added', async (payload, error) => {
    const r = await request('switch/add', payload);
    expect(r.status).toBe('error');
    expect(String(r.error)).toMatch(error);
    expect(String(r.error)).not.toMatch(/^(\w+): \1:/); // the field is named once
    expect(names()).toEqual([...DEMO, 'extra-plug', 'by-ip']);
  });

  it('the bridge keeps running after the refusals', async () => {
    expect(await request('health_check', {})).toMatchObject({ status: 'ok' });
    expect(last.get('pdu/bridge/state')).toBe('online');
    expect(await request('switch/add', { name: 'second', url: extra.switches[0]!.url })).toMatchObject({ status: 'ok', data: { name: 'second' } });
  });
});

describe('switch/remove (SPEC §9.3)', () => {
  const idOf = (name: string): number => t.app.switches!.get(name)!.target.id;

  it('removes a runtime target by id: ok {id}; its retained state and HA entity are cleared', async () => {
    const id = idOf('extra-plug');
    await vi.waitFor(() => expect(last.get(`homeassistant/binary_sensor/power2mqtt_switch_${id}/config`)).toBeTruthy(), { timeout: 5000, interval: 50 });
    const r = await request('switch/remove', { id, transaction: 'rm-1' });
    expect(r).toEqual({ status: 'ok', data: { id }, transaction: 'rm-1' });
    expect(names()).not.toContain('extra-plug');
    await vi.waitFor(
      () => {
        expect(last.get(`pdu/bridge/switches/${id}/state`)).toBe('');
        expect(last.get(`homeassistant/binary_sensor/power2mqtt_switch_${id}/config`)).toBe('');
      },
      { timeout: 5000, interval: 50 },
    );
    // cleared for good: a new subscriber gets no retained state
    const c = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
    const got: string[] = [];
    c.on('message', (topic) => got.push(topic));
    await c.subscribeAsync(['pdu/bridge/switches/+/state']);
    // every remaining target's retained state arrives (in one batch with any other retained one)
    const remaining = t.app.switches!.list().map((s) => `pdu/bridge/switches/${s.target.id}/state`);
    await vi.waitFor(() => expect(got).toEqual(expect.arrayContaining(remaining)), { timeout: 5000, interval: 20 });
    await c.endAsync();
    expect(got).not.toContain(`pdu/bridge/switches/${id}/state`);
  });

  it('removes by name', async () => {
    const id = idOf('by-ip');
    expect(await request('switch/remove', { id: 'by-ip' })).toMatchObject({ status: 'ok', data: { id } });
    expect(names()).toEqual([...DEMO, 'second']);
  });

  it.each([
    [{ id: 'demo-switch-1' }, /switch "demo-switch-1" is defined in the config file/],
    [{ id: 'demo-gateway' }, /switch "demo-gateway" is defined in the config file/],
    [{ id: 'nope' }, /no switch "nope"/],
    [{}, /field "id" is required/],
    [{ id: true }, /field "id" is required/],
  ])('%j is refused, nothing removed', async (payload, error) => {
    const r = await request('switch/remove', payload);
    expect(r.status).toBe('error');
    expect(String(r.error)).toMatch(error);
    expect(names()).toEqual([...DEMO, 'second']);
  });

  it('a config/demo target refused by id keeps its state topic and entity', async () => {
    const id = idOf('demo-switch-2');
    expect(await request('switch/remove', { id })).toMatchObject({ status: 'error', error: expect.stringMatching(/defined in the config file/) });
    expect(last.get(`pdu/bridge/switches/${id}/state`)).toBe('up');
    expect(last.get(`homeassistant/binary_sensor/power2mqtt_switch_${id}/config`)).toBeTruthy();
  });
});
