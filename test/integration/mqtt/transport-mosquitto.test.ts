// The bridge client against Debian's Mosquitto (an external broker, SPEC §9.1): will, reconnect
// with resubscription, latest-only retained buffering, clean session, MQTT 5.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createBridgeClient, type BridgeClient, type BridgeClientOptions } from '../../../src/mqtt/client.js';
import { mosquittoAvailable, mosquittoPub, startMosquitto, startTcpProxy, until, type MosquittoHandle } from '../../support/mosquitto.js';
import { requires } from '../../support/requires.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mosquitto(opts: Parameters<typeof startMosquitto>[0] = {}): Promise<MosquittoHandle> {
  const m = await startMosquitto(opts);
  cleanups.push(() => m.stop());
  return m;
}

/** A plain mqtt.js watcher connected straight to the broker. */
async function watcher(url: string, filter: string, opts: IClientOptions = {}): Promise<MqttClient & { got: Array<[string, string, boolean]> }> {
  const c = (await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000, ...opts })) as MqttClient & { got: Array<[string, string, boolean]> };
  c.got = [];
  c.on('message', (t, p, packet) => c.got.push([t, p.toString(), packet.retain]));
  cleanups.push(() => c.endAsync(true));
  await c.subscribeAsync(filter, { qos: 1 });
  return c;
}

type TestClient = BridgeClient & { got: Array<[string, string, boolean]>; connects: number; disconnects: string[] };

function bridge(url: string, over: Partial<BridgeClientOptions> = {}): TestClient {
  const c = createBridgeClient({
    url, clientId: `p2m-test-${Math.random().toString(36).slice(2, 8)}`, protocolVersion: 4, keepaliveS: 30, reconnectMinS: 0.05, reconnectMaxS: 0.4,
    rejectUnauthorized: true, will: { topic: 'pdu/bridge/state', payload: 'offline', retain: true, qos: 1 }, clock: new RealClock(), logger: silentLogger(), ...over,
  }) as TestClient;
  c.got = [];
  c.connects = 0;
  c.disconnects = [];
  c.onMessage((t, p, packet) => c.got.push([t, p.toString(), packet.retain]));
  c.onConnect(() => c.connects++);
  c.onDisconnect((r) => c.disconnects.push(r));
  cleanups.push(() => c.end());
  return c;
}

const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (requires('mosquitto', mosquittoAvailable())) {
  describe('bridge client against Debian mosquitto', () => {
    it('LWT: `offline` is delivered when the client socket dies; a graceful end() publishes no will', async () => {
      const m = await mosquitto({ users: { bridge: 's3cret', ha: 'ha-pass' } });
      const proxy = await startTcpProxy(m.port);
      cleanups.push(() => proxy.close());
      const w = await watcher(m.url, 'pdu/bridge/state', { username: 'ha', password: 'ha-pass' });
      const c = bridge(`mqtt://127.0.0.1:${proxy.port}`, { username: 'bridge', password: 's3cret', reconnectMinS: 5 });
      c.onConnect(() => c.publish('pdu/bridge/state', 'online', { retain: true, qos: 1 }));
      await until(() => w.got.length === 1);
      await proxy.cut();
      await until(() => w.got.length === 2);
      expect(w.got).toEqual([['pdu/bridge/state', 'online', false], ['pdu/bridge/state', 'offline', false]]);
      expect(c.disconnects).toHaveLength(1);

      const direct = bridge(m.url, { username: 'bridge', password: 's3cret', will: { topic: 'pdu/other/state', payload: 'offline', retain: false, qos: 1 } });
      const w2 = await watcher(m.url, 'pdu/other/state', { username: 'ha', password: 'ha-pass' });
      await until(() => direct.connected);
      await direct.end();
      await settle();
      expect(w2.got).toEqual([]);
      expect(m.logs()).not.toContain('s3cret');
    });

    it('reconnects after a broker restart (kill -9): onConnect fires again and subscriptions are restored', async () => {
      const m = await mosquitto();
      const c = bridge(m.url);
      c.subscribe(['pdu/+/outlet/+/command']);
      await until(() => c.connects === 1);
      await m.restart();
      await until(() => c.connects === 2, 5000);
      expect(c.disconnects).toHaveLength(1);
      expect(c.stats().connects).toBe(2);
      const pub = (args: string[]) => mosquittoPub(['-h', '127.0.0.1', '-p', String(m.port), '-q', '1', ...args]);
      expect((await pub(['-t', 'pdu/r1/outlet/4/command', '-m', 'reboot'])).code).toBe(0);
      await until(() => c.got.length === 1);
      // a filter added while connected is subscribed at once; a retained (stale) message arrives
      // with its retain flag, so the caller can ignore retained commands (§9.1)
      expect((await pub(['-t', 'pdu/r1/device/name/set', '-m', 'old', '-r'])).code).toBe(0);
      c.subscribe(['pdu/+/device/+/set']);
      await until(() => c.got.length === 2);
      expect(c.got).toEqual([['pdu/r1/outlet/4/command', 'reboot', false], ['pdu/r1/device/name/set', 'old', true]]);
    });

    it('while the broker is unreachable keeps only the latest retained value per topic; drops the rest', async () => {
      const m = await mosquitto();
      const proxy = await startTcpProxy(m.port);
      cleanups.push(() => proxy.close());
      const w = await watcher(m.url, 'pdu/#');
      const c = bridge(`mqtt://127.0.0.1:${proxy.port}`);
      await until(() => c.connected);
      await proxy.cut();
      await until(() => !c.connected);
      for (const v of ['v1', 'v2', 'v3']) c.publish('pdu/r1/total/power', v, { retain: true, qos: 0 });
      c.publish('pdu/r1/event', '{"type":"x"}', { retain: false, qos: 1 });
      expect(c.stats().dropped).toBe(1);
      await proxy.resume();
      await until(() => c.connected, 5000);
      const power = () => w.got.filter(([t]) => t === 'pdu/r1/total/power');
      await until(() => power().length === 1);
      await settle();
      expect(power()).toEqual([['pdu/r1/total/power', 'v3', false]]);
      expect(c.stats()).toMatchObject({ connects: 2, publishes: 1, dropped: 1 });
    });

    it.each([4, 5] as const)('clean session (MQTT %d): a command sent while the bridge was away is never delivered', async (protocolVersion) => {
      const m = await mosquitto();
      const proxy = await startTcpProxy(m.port);
      cleanups.push(() => proxy.close());
      const c = bridge(`mqtt://127.0.0.1:${proxy.port}`, { protocolVersion });
      c.subscribe(['pdu/+/outlet/+/command']);
      await until(() => c.connects === 1);
      await proxy.cut();
      await until(() => !c.connected);
      const sender = await watcher(m.url, 'unused', { protocolVersion });
      await sender.publishAsync('pdu/r1/outlet/1/command', 'off', { qos: 1 });
      await proxy.resume();
      await until(() => c.connects === 2, 5000);
      await sender.publishAsync('pdu/r1/outlet/1/command', 'on', { qos: 1 });
      await until(() => c.got.length >= 1);
      await settle();
      expect(c.got).toEqual([['pdu/r1/outlet/1/command', 'on', false]]);
    });

    it('MQTT 5 works end to end (publish, subscribe, will)', async () => {
      const m = await mosquitto();
      const w = await watcher(m.url, 'pdu/#', { protocolVersion: 5 });
      const c = bridge(m.url, { protocolVersion: 5 });
      c.subscribe(['pdu/bridge/request/#']);
      await until(() => c.connects === 1);
      c.publish('pdu/r1/outlet/1/state', 'on', { retain: true, qos: 1 });
      await w.publishAsync('pdu/bridge/request/devices', '{}', { qos: 1 });
      await until(() => c.got.length === 1 && w.got.length === 2);
      expect(c.got).toEqual([['pdu/bridge/request/devices', '{}', false]]);
      expect(w.got).toContainEqual(['pdu/r1/outlet/1/state', 'on', false]);
    });

    it('wrong credentials: keeps retrying with backoff, never connects, the password is not logged', async () => {
      const m = await mosquitto({ users: { bridge: 'right' } });
      const lines: string[] = [];
      const { createLogger } = await import('../../../src/core/logger.js');
      const logger = createLogger('debug', { write: (s: string) => void lines.push(s) });
      const c = bridge(m.url, { username: 'bridge', password: 'wrong-pw', logger });
      await until(() => lines.some((l) => /cannot connect/.test(l)));
      expect(c.connected).toBe(false);
      const text = lines.join('');
      expect(text).toMatch(/Not authorized|Bad username or password/i);
      expect(text).not.toContain('wrong-pw');
    });
  });
}
