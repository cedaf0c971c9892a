// The app against an external broker: Debian mosquitto started by the test on a free port
// (SPEC §9; issue: same behaviour against both brokers, broker restart mid-run).
import mqtt, { type MqttClient } from 'mqtt';
import { RealClock } from '../../../src/core/clock.js';
import { createSimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { requires } from '../../support/requires.js';
import { mosquittoAvailable, mosquittoPub, startMosquitto, type MosquittoHandle } from '../../support/mosquitto.js';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(requires('Debian mosquitto', mosquittoAvailable()))('bridge against Debian mosquitto', () => {
  let broker: MosquittoHandle;
  let t: TestApp;
  let watcher: MqttClient;
  const last = new Map<string, string>();
  const seen: Array<{ topic: string; payload: string }> = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    // A stale retained command left on the broker (SPEC §9.1): must never switch the outlet.
    const pub = await mosquittoPub(['-h', '127.0.0.1', '-p', String(broker.port), '-r', '-t', 'pdu/demo-pdu/outlet/5/command', '-m', 'off']);
    expect(pub.code).toBe(0);
    t = await startTestApp({ mqtt: { url: broker.url, protocol_version: 5, reconnect_min_s: 1, reconnect_max_s: 2 } });
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 200 });
    watcher.on('message', (topic, payload) => {
      last.set(topic, payload.toString());
      seen.push({ topic, payload: payload.toString() });
    });
    await watcher.subscribeAsync(['pdu/#', 'homeassistant/#']);
    await until(() => last.get('pdu/demo-pdu/outlet/10/state') === 'on', 8000, 'first states');
  }, 30_000);

  afterAll(async () => {
    await watcher?.endAsync();
    await t?.stop();
    await broker?.stop();
  });

  it('uses the external broker (no embedded one), MQTT 5, and ignores the stale retained command', async () => {
    expect(t.app.broker).toBeNull();
    expect(last.get('pdu/bridge/state')).toBe('online');
    await new Promise((r) => setTimeout(r, 500));
    expect(t.app.simulator!.outletState(5)).toBe('on');
    expect(last.get('pdu/demo-pdu/outlet/5/state')).toBe('on');
  });

  it('command round trip with mosquitto_pub', async () => {
    const before = seen.length;
    const r = await mosquittoPub(['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'pdu/demo-pdu/outlet/6/command', '-m', 'off']);
    expect(r.code).toBe(0);
    await until(() => seen.slice(before).some((m) => m.topic === 'pdu/demo-pdu/outlet/6/command/response'), 3000, 'response');
    expect(JSON.parse(seen.slice(before).find((m) => m.topic.endsWith('6/command/response'))!.payload)).toMatchObject({ success: true });
    expect(t.app.simulator!.outletState(6)).toBe('off');
  });

  it('broker killed and restarted: the bridge reconnects, republishes retained state and discovery, commands work again', async () => {
    await broker.restart(); // kill -9: every retained message is gone (persistence off)
    last.clear();
    await until(() => watcher.connected, 10_000, 'watcher reconnect');
    await watcher.subscribeAsync(['pdu/#', 'homeassistant/#']);
    await until(() => last.get('pdu/bridge/state') === 'online', 10_000, 'bridge online again');
    await until(() => last.has('pdu/demo-pdu/outlet/1/state') && last.has('pdu/demo-pdu/input/voltage'), 5000, 'full state republished');
    await until(() => [...last.keys()].filter((k) => k.startsWith('homeassistant/')).length > 80, 5000, 'discovery republished');
    expect(last.get('pdu/demo-pdu/outlet/6/state')).toBe('off');
    const before = seen.length;
    await mosquittoPub(['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'pdu/demo-pdu/outlet/6/command', '-m', 'on']);
    await until(() => seen.slice(before).some((m) => m.topic === 'pdu/demo-pdu/outlet/6/command/response'), 3000, 'response after restart');
    expect(t.app.simulator!.outletState(6)).toBe('on');
  }, 40_000);
});

describe.runIf(requires('Debian mosquitto', mosquittoAvailable()))('bridge with broker credentials', () => {
  it('connects with mqtt.username / mqtt.password; a wrong password is logged, retried, never crashes', async () => {
    const broker = await startMosquitto({ users: { bridge: 's3cret-pw' } });
    try {
      const good = await startTestApp({ mqtt: { url: broker.url, username: 'bridge', password: 's3cret-pw' } });
      await until(() => good.app.mqtt!.client.connected, 5000, 'connected');
      await good.stop();
      const bad = await startTestApp({ mqtt: { url: broker.url, username: 'bridge', password: 'wrong', reconnect_min_s: 1 } });
      await new Promise((r) => setTimeout(r, 1500));
      expect(bad.app.mqtt!.client.connected).toBe(false);
      expect(bad.app.registry.list()[0]!.state).toBe('healthy'); // polling goes on without a broker
      await bad.stop();
    } finally {
      await broker.stop();
    }
  }, 20_000);
});

describe.runIf(requires('Debian mosquitto', mosquittoAvailable()))('discovery clean-up at start-up (SPEC §10.4)', () => {
  it('clears our stale configs and the original bridge legacy ones; keeps foreign configs; homeassistant: false publishes none', async () => {
    const broker = await startMosquitto();
    const pub = (topic: string, payload: string) => mosquittoPub(['-h', '127.0.0.1', '-p', String(broker.port), '-r', '-t', topic, '-m', payload]);
    const stale = 'homeassistant/sensor/cyberpdu_GONE123_input_voltage/config';
    const legacy = 'homeassistant/sensor/demo-pdu_ats_voltage_sensitivity/config';
    const foreign = 'homeassistant/sensor/zigbee_lamp_power/config';
    await pub(stale, JSON.stringify({ unique_id: 'cyberpdu_GONE123_input_voltage', state_topic: 'pdu/gone/input/voltage', name: 'x' }));
    await pub(legacy, JSON.stringify({ unique_id: 'demo-pdu_ats_voltage_sensitivity', state_topic: 'pdu/demo-pdu/ats/voltage_sensitivity' }));
    await pub(foreign, JSON.stringify({ unique_id: 'zigbee_lamp_power', state_topic: 'zigbee2mqtt/lamp' }));
    const t = await startTestApp({ mqtt: { url: broker.url } });
    const watcher = await mqtt.connectAsync(broker.url);
    try {
      const last = new Map<string, string>();
      watcher.on('message', (topic, payload) => last.set(topic, payload.toString()));
      await watcher.subscribeAsync('homeassistant/#');
      await until(() => last.get(stale) === '' && last.get(legacy) === '', 8000, 'stale and legacy configs cleared');
      expect(last.get(foreign)).toContain('zigbee_lamp_power');
      expect([...last.entries()].filter(([k, v]) => k.includes('cyberpdu_DEMO0001') && v !== '').length).toBeGreaterThan(80);
    } finally {
      await watcher.endAsync();
      await t.stop();
    }
    await broker.stop();
  }, 30_000);

  it('per-device homeassistant: false publishes no configs for that PDU, while the other gets its entities', async () => {
    const broker = await startMosquitto();
    const sim = await createSimulatedPdu({ port: 0, clock: new RealClock(), serial: 'NOHA0001' });
    const t = await startTestApp({
      mqtt: { url: broker.url },
      demo: { enabled: true },
      devices: [{ id: 'quiet', host: '127.0.0.1', port: sim.port, homeassistant: false }],
    });
    const watcher = await mqtt.connectAsync(broker.url);
    try {
      const last = new Map<string, string>();
      watcher.on('message', (topic, payload) => last.set(topic, payload.toString()));
      await watcher.subscribeAsync(['homeassistant/#', 'pdu/#']);
      await until(() => last.get('pdu/quiet/outlet/1/state') === 'on' && [...last.keys()].some((k) => k.includes('cyberpdu_DEMO0001')), 8000, 'both polled');
      await new Promise((r) => setTimeout(r, 500));
      expect([...last.keys()].filter((k) => k.includes('NOHA0001'))).toEqual([]);
      expect([...last.keys()].filter((k) => k.includes('cyberpdu_DEMO0001')).length).toBeGreaterThan(80);
    } finally {
      await watcher.endAsync();
      await t.stop();
      await sim.close();
      await broker.stop();
    }
  }, 30_000);
});
