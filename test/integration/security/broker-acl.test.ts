// The embedded broker's authentication and ACL in the real app (SPEC §16.3): mqtt.embedded.users
// set, so clients must sign in and only the bridge's own client may publish state. A watcher
// subscribed to `#` proves a forged publish never reaches anyone, and fresh subscribers prove the
// retained state is unchanged; commands and bridge requests from the same client do work.
// (Generated credentials on an exposed bind: transport-aedes.test.ts, with the `exposed` override.)
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mayPublish } from '../../../src/mqtt/acl.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { fastHash } from '../../support/auth.js';
import { captureLogs, type LogCapture } from '../../support/security-secrets.js';

const HA = { username: 'homeassistant', password: 'ha-broker-pass-1' };
let t: TestApp;
let logs: LogCapture;
let watcher: MqttClient;
const seen: Array<{ topic: string; payload: string; retain: boolean }> = [];
const clients: MqttClient[] = [];

async function connect(opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await connectAsync(t.mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts });
  clients.push(c);
  return c;
}

/**
 * Retained payloads of `topics` as a new subscriber gets them: waits until every topic in `expect`
 * has arrived, then a short grace for any other (a forged retained message would arrive then too).
 */
async function retained(topics: string[], expected: string[]): Promise<Record<string, string | null>> {
  const c = await connect(HA);
  const got: Record<string, string | null> = Object.fromEntries(topics.map((x) => [x, null]));
  c.on('message', (topic, payload, packet) => {
    if (packet.retain && topic in got) got[topic] = payload.toString();
  });
  await c.subscribeAsync(topics, { qos: 1 });
  await vi.waitFor(() => expect(expected.filter((x) => got[x] === null)).toEqual([]), { timeout: 5000, interval: 10 });
  await new Promise((r) => setTimeout(r, 200));
  await c.endAsync();
  return got;
}

const refusals = (needle: string): number =>
  logs.text().split('\n').filter((l) => l.includes('publish refused') && l.includes(needle)).length;

beforeAll(async () => {
  logs = captureLogs();
  t = await startTestApp({ mqtt: { embedded: { users: [{ username: HA.username, password_hash: fastHash(HA.password) }] } } }, { logger: logs.logger });
  watcher = await connect({ ...HA, clientId: 'acl-watcher' });
  watcher.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await watcher.subscribeAsync('#', { qos: 1 });
  await vi.waitFor(() => {
    expect(seen.some((m) => m.topic === 'pdu/demo-pdu/outlet/1/state')).toBe(true);
    expect(seen.some((m) => /^homeassistant\/switch\/cyberpdu_[^/]+_outlet_1\/config$/.test(m.topic))).toBe(true);
  }, { timeout: 20_000, interval: 50 });
}, 40_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await t?.stop();
});

describe('sign-in (SPEC §16.3: users configured → no anonymous clients)', () => {
  it('refuses anonymous clients, wrong passwords and unknown users; logs a repeated refusal once', async () => {
    await expect(connect()).rejects.toThrow(/Not authorized/i);
    for (let i = 0; i < 5; i++) await expect(connect({ username: HA.username, password: `wrong-${i}` })).rejects.toThrow(/Bad username or password/i);
    await expect(connect({ username: 'mallory', password: HA.password })).rejects.toThrow(/Bad username or password/i);
    const lines = logs.text().split('\n').filter((l) => l.includes('refused a client') && l.includes('"username":"homeassistant"'));
    expect(lines).toHaveLength(1);
  });
});

describe('state topics belong to the bridge (SPEC §16.3)', () => {
  it('forged state, bridge, response and own-discovery publishes reach nobody and change no retained value', async () => {
    const ours = seen.find((m) => /^homeassistant\/switch\/cyberpdu_[^/]+_outlet_1\/config$/.test(m.topic))!.topic;
    const targets = [
      'pdu/demo-pdu/outlet/1/state', 'pdu/demo-pdu/availability', 'pdu/demo-pdu/input/voltage', 'pdu/demo-pdu/status',
      'pdu/demo-pdu/outlet/1/command/response', 'pdu/bridge/state', 'pdu/bridge/info', 'pdu/bridge/outage',
      'pdu/bridge/response/devices', ours, 'homeassistant/binary_sensor/power2mqtt_bridge_status/config', '$SYS/broker/uptime',
    ];
    const kept = ['pdu/demo-pdu/outlet/1/state', 'pdu/demo-pdu/availability', 'pdu/bridge/state', ours, 'homeassistant/binary_sensor/power2mqtt_bridge_status/config'];
    const readable = targets.filter((x) => !x.startsWith('$'));
    const before = await retained(readable, kept);
    expect(before['pdu/demo-pdu/availability']).toBe('online');
    expect(before[ours]).toContain('"unique_id"');
    for (const topic of targets) {
      const intruder = await connect({ ...HA, clientId: 'acl-intruder' });
      // HA's "delete entity" (empty retained config) is the forgery for a discovery topic.
      intruder.publish(topic, topic.endsWith('/config') ? '' : `FORGED ${topic}`, { qos: 1, retain: true });
      // MQTT 3.1.1 has no negative PUBACK (MQTT-3.3.5-2): aedes closes the connection instead.
      await vi.waitFor(() => expect(intruder.connected).toBe(false), { timeout: 5000, interval: 10 });
    }
    const after = await retained(readable, kept);
    // Measurements move on by themselves; what must hold: no forged value anywhere, and the
    // bridge-owned retained values (state, availability, discovery) as they were.
    expect(Object.entries(after).filter(([, v]) => v !== null && (v.includes('FORGED') || v === ''))).toEqual([]);
    for (const x of kept) expect(after[x], x).toBe(x.endsWith('/outlet/1/state') ? t.app.simulator!.outletState(1) : before[x]);
    expect(seen.filter((m) => m.payload.includes('FORGED') || (m.topic === ours && m.payload === ''))).toEqual([]);
    console.log(`[broker-acl] ${targets.length} forged publishes refused, watcher saw ${seen.length} real messages`);
  });

  it('a last will aimed at a state topic is refused too (the will is authorised like a publish)', async () => {
    const c = await connect({ ...HA, clientId: 'acl-will', will: { topic: 'pdu/demo-pdu/availability', payload: Buffer.from('FORGED will'), qos: 1, retain: true } });
    c.stream.destroy(); // an unclean end: the broker publishes the will, if allowed
    await vi.waitFor(() => expect(refusals('"clientId":"acl-will"')).toBe(1), { timeout: 5000, interval: 10 });
    expect((await retained(['pdu/demo-pdu/availability'], ['pdu/demo-pdu/availability']))['pdu/demo-pdu/availability']).toBe('online');
    expect(seen.filter((m) => m.payload.includes('FORGED'))).toEqual([]);
  });

  it('the refusal is logged once per client and topic, not per message', async () => {
    for (let i = 0; i < 4; i++) {
      const c = await connect({ ...HA, clientId: 'acl-repeat' });
      c.publish('pdu/demo-pdu/outlet/2/state', 'off', { qos: 1 });
      await vi.waitFor(() => expect(c.connected).toBe(false), { timeout: 5000, interval: 10 });
    }
    expect(refusals('"clientId":"acl-repeat"')).toBe(1);
  });

  it('the same client may publish commands, bridge requests, HA birth and other integrations\' discovery', async () => {
    const c = await connect({ ...HA, clientId: 'acl-ha' });
    await c.publishAsync('pdu/demo-pdu/outlet/3/command', 'off', { qos: 1 });
    await vi.waitFor(() => expect(t.app.simulator!.outletState(3)).toBe('off'), { timeout: 10_000 });
    await c.publishAsync('pdu/demo-pdu/outlet/3/command', 'on', { qos: 1 });
    await vi.waitFor(() => expect(t.app.simulator!.outletState(3)).toBe('on'), { timeout: 10_000 });
    await c.publishAsync('pdu/bridge/request/devices', JSON.stringify({ transaction: 'acl-1' }), { qos: 1 });
    await vi.waitFor(() => expect(seen.some((m) => m.topic === 'pdu/bridge/response/devices' && m.payload.includes('"acl-1"'))).toBe(true), { timeout: 10_000 });
    await c.publishAsync('homeassistant/sensor/zigbee_lamp_power/config', '{"name":"lamp"}', { qos: 1, retain: true });
    await c.publishAsync('homeassistant/sensor/zigbee_lamp_power/config', '', { qos: 1, retain: true });
    expect(c.connected).toBe(true);
  });

  it('mayPublish: own discovery configs (cyberpdu_/power2mqtt_, plugs kasa_/shelly_/tasmota_) are the bridge\'s; other discovery is free', () => {
    const opts = { acl: true, baseTopic: 'pdu', discoveryPrefix: 'ha' };
    const other = { bridge: false };
    expect(mayPublish('ha/switch/cyberpdu_NA1_outlet_1/config', other, opts)).toBe(false);
    expect(mayPublish('ha/sensor/power2mqtt_switches_up/config', other, opts)).toBe(false);
    expect(mayPublish('ha/sensor/cyberpdu_NA1/x/config', other, opts)).toBe(false); // node_id form
    for (const plug of ['kasa_8006AB_outlet_2', 'shelly_AA_BB_CC_00_11_22_outlet_1', 'tasmota_AABBCC001122_total_power']) {
      expect(mayPublish(`ha/switch/${plug}/config`, other, opts), plug).toBe(false);
    }
    expect(mayPublish('ha/switch/cyberpdu_NA1_outlet_1/config', { bridge: true }, opts)).toBe(true);
    expect(mayPublish('ha/switch/zigbee_lamp/config', other, opts)).toBe(true);
    expect(mayPublish('ha/status', other, opts)).toBe(true);
    expect(mayPublish('homeassistant/switch/cyberpdu_NA1_outlet_1/config', other, opts)).toBe(true); // not this prefix
    expect(mayPublish('ha/switch/cyberpdu_NA1_outlet_1/config', other, { ...opts, acl: false })).toBe(true);
  });
});
