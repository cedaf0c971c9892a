// The embedded aedes broker with real clients on 127.0.0.1: mqtt.js, our bridge client and
// Debian's mosquitto_pub/mosquitto_sub. Covers SPEC §16.3 (auth modes, generated credentials,
// ACL) and §2.1 (aedes is MQTT 3.1.1 only).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, RealClock, type Clock } from '../../../src/core/clock.js';
import { createLogger, silentLogger } from '../../../src/core/logger.js';
import { hashPassword } from '../../../src/core/password.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../src/mqtt/broker.js';
import { createBridgeClient, type BridgeClient, type BridgeClientOptions } from '../../../src/mqtt/client.js';
import { mosquittoAvailable, mosquittoPub, mosquittoSub, startTcpProxy, until, type TcpProxy } from '../../support/mosquitto.js';
import { requires } from '../../support/requires.js';

const dataDir = mkdtempSync(join(tmpdir(), 'p2m-aedes-'));
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function broker(over: Partial<Parameters<typeof startEmbeddedBroker>[0]> = {}): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ bind: '127.0.0.1', port: 0, users: [], allowAnonymous: false, dataDir, logger: silentLogger(), ...over });
  cleanups.push(() => b.close());
  return b;
}

/** A plain mqtt.js client (no reconnect); resolves once connected, rejects with the CONNACK error. */
async function raw(url: string, opts: IClientOptions = {}): Promise<MqttClient & { got: Array<[string, string, boolean]> }> {
  const c = (await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000, ...opts })) as MqttClient & { got: Array<[string, string, boolean]> };
  c.got = [];
  c.on('message', (t, p, packet) => c.got.push([t, p.toString(), packet.retain]));
  cleanups.push(() => c.endAsync(true));
  return c;
}

function bridge(b: { url: string; bridgeCredentials?: { username: string; password: string } }, over: Partial<BridgeClientOptions> = {}, clock: Clock = new RealClock()): BridgeClient & { got: Array<[string, string]> } {
  const c = createBridgeClient({
    url: b.url, clientId: `bridge-${Math.random().toString(36).slice(2, 8)}`, protocolVersion: 4, keepaliveS: 30, reconnectMinS: 0.05, reconnectMaxS: 0.2,
    rejectUnauthorized: true, will: { topic: 'pdu/bridge/state', payload: 'offline', retain: true, qos: 1 }, clock, logger: silentLogger(),
    ...(b.bridgeCredentials ? { username: b.bridgeCredentials.username, password: b.bridgeCredentials.password } : {}), ...over,
  }) as BridgeClient & { got: Array<[string, string]> };
  c.got = [];
  c.onMessage((t, p) => c.got.push([t, p.toString()]));
  cleanups.push(() => c.end());
  return c;
}

describe('embedded broker, loopback without users (anonymous)', () => {
  it('bridge client and mqtt.js: connect, subscribe, publish both ways; retained state reaches late subscribers', async () => {
    const b = await broker();
    const client = bridge(b);
    let connects = 0;
    client.onConnect(() => connects++);
    client.subscribe(['pdu/+/outlet/+/command']);
    await until(() => connects === 1);
    expect(client.connected).toBe(true);

    const ha = await raw(b.url);
    await ha.publishAsync('pdu/rack1/outlet/2/command', 'off', { qos: 1 });
    await until(() => client.got.length === 1);
    expect(client.got).toEqual([['pdu/rack1/outlet/2/command', 'off']]);

    client.publish('pdu/rack1/outlet/2/state', 'off', { retain: true, qos: 0 });
    client.publish('pdu/rack1/outlet/2/command/response', '{"success":true}', { retain: false, qos: 1 });
    const late = await raw(b.url);
    await late.subscribeAsync('pdu/#');
    await until(() => late.got.length >= 1);
    expect(late.got[0]).toEqual(['pdu/rack1/outlet/2/state', 'off', true]);
    expect(client.stats()).toMatchObject({ connects: 1, publishes: 2, dropped: 0 });
  });

  it('a registered-late onConnect runs once for the current connection', async () => {
    const client = bridge(await broker());
    await until(() => client.connected);
    await new Promise((r) => setTimeout(r, 20));
    let n = 0;
    client.onConnect(() => n++);
    await until(() => n === 1);
  });

  it('MQTT 5 is refused by aedes with a readable error that names the fix', async () => {
    const b = await broker();
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => void lines.push(s) });
    const client = bridge(b, { protocolVersion: 5, logger, reconnectMinS: 5, reconnectMaxS: 5 });
    await until(() => lines.some((l) => /cannot connect/.test(l)));
    const line = lines.find((l) => /cannot connect/.test(l)) ?? '';
    expect(line).toMatch(/Unacceptable protocol version/i);
    expect(line).toMatch(/set mqtt\.protocol_version: 4/);
    expect(client.connected).toBe(false);
  });
});

if (requires('mosquitto-clients', mosquittoAvailable())) {
  describe('embedded broker with the Debian mosquitto_pub / mosquitto_sub CLIs', () => {
    it('mosquitto_sub receives what mosquitto_pub publishes; a retained message reaches a late subscriber', async () => {
      const b = await broker();
      const args = ['-h', '127.0.0.1', '-p', String(b.port), '-V', 'mqttv311'];
      const sub = await mosquittoSub([...args, '-t', 'pdu/+/outlet/+/command'], 1);
      expect((await mosquittoPub([...args, '-t', 'pdu/r1/outlet/1/command', '-m', 'on', '-q', '1'])).code).toBe(0);
      expect((await sub.done).lines).toEqual(['pdu/r1/outlet/1/command on']);
      expect((await mosquittoPub([...args, '-t', 'homeassistant/status', '-m', 'online', '-r'])).code).toBe(0);
      const late = await mosquittoSub([...args, '-t', 'homeassistant/status'], 1);
      expect((await late.done).lines).toEqual(['homeassistant/status online']);
    });
  });
}

describe('embedded broker with users (scrypt hashes)', () => {
  let hash = '';
  beforeAll(async () => {
    hash = await hashPassword('wonderland');
  });

  it('refuses wrong passwords, unknown users and anonymous clients; accepts the right password (cached afterwards)', async () => {
    const b = await broker({ users: [{ username: 'alice', password_hash: hash }] });
    await expect(raw(b.url, { username: 'alice', password: 'wrong' })).rejects.toThrow(/Bad username or password/i);
    await expect(raw(b.url, { username: 'mallory', password: 'wonderland' })).rejects.toThrow(/Bad username or password/i);
    await expect(raw(b.url)).rejects.toThrow(/Not authorized/i);
    const t0 = performance.now();
    await raw(b.url, { username: 'alice', password: 'wonderland' });
    const first = performance.now() - t0;
    const t1 = performance.now();
    await raw(b.url, { username: 'alice', password: 'wonderland' });
    const second = performance.now() - t1;
    expect(second).toBeLessThan(first); // scrypt (~100+ ms) only on the first login
    // the bridge's internal user is not a back door with a wrong password
    await expect(raw(b.url, { username: b.bridgeCredentials.username, password: 'x' })).rejects.toThrow(/Bad username or password/i);
  });

  if (mosquittoAvailable().ok) {
    it('mosquitto_pub: wrong password refused, right one accepted', async () => {
      const b = await broker({ users: [{ username: 'alice', password_hash: hash }] });
      const args = ['-h', '127.0.0.1', '-p', String(b.port), '-V', 'mqttv311', '-t', 'homeassistant/status', '-m', 'online', '-u', 'alice'];
      const bad = await mosquittoPub([...args, '-P', 'nope']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/not authori[sz]ed|bad user/i);
      expect((await mosquittoPub([...args, '-P', 'wonderland'])).code).toBe(0);
    });
  }

  it('allow_anonymous: anonymous clients connect, but the ACL still keeps them off state topics', async () => {
    const b = await broker({ users: [{ username: 'alice', password_hash: hash }], allowAnonymous: true });
    const anon = await raw(b.url);
    anon.publish('pdu/r1/outlet/1/state', 'on', { qos: 1, retain: true });
    await until(() => !anon.connected); // MQTT-3.3.5-2: no negative PUBACK in 3.1.1, aedes closes the connection
    const watcher = await raw(b.url, { username: 'alice', password: 'wonderland' });
    await watcher.subscribeAsync('pdu/#');
    await new Promise((r) => setTimeout(r, 50));
    expect(watcher.got).toEqual([]); // nothing retained either
  });
});

describe('embedded broker exposed without users: generated credentials + ACL (SPEC §16.3)', () => {
  it('anonymous refused; the generated user may publish commands but not state; the bridge may publish state', async () => {
    const b = await broker({ exposed: true });
    const gen = b.generated;
    if (!gen) throw new Error('expected generated credentials');
    await expect(raw(b.url)).rejects.toThrow(/Not authorized/i);
    await expect(raw(b.url, { username: gen.username, password: `${gen.password}x` })).rejects.toThrow(/Bad username or password/i);

    const client = bridge(b);
    client.subscribe(['pdu/#']);
    await until(() => client.connected);
    const ha = await raw(b.url, { username: gen.username, password: gen.password });
    await ha.subscribeAsync('pdu/#');

    const intruder = await raw(b.url, { username: gen.username, password: gen.password });
    intruder.publish('pdu/r1/outlet/1/state', 'off', { qos: 1, retain: true });
    await until(() => !intruder.connected);
    await ha.publishAsync('pdu/r1/outlet/1/command', 'on', { qos: 1 });
    await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
    client.publish('pdu/r1/outlet/1/state', 'on', { retain: true, qos: 0 });
    // (3.1.1 has no no-local: the bridge also sees its own state publish)
    await until(() => client.got.length === 2 && ha.got.length === 2);
    expect(client.got).toEqual([['pdu/r1/outlet/1/command', 'on'], ['pdu/r1/outlet/1/state', 'on']]);
    expect(ha.got.map(([t, p]) => [t, p])).toEqual([['pdu/r1/outlet/1/command', 'on'], ['pdu/r1/outlet/1/state', 'on']]);
  });

  it("nobody else may take over the bridge's client id (it would disconnect the bridge)", async () => {
    const b = await broker({ exposed: true });
    const gen = b.generated ?? { username: '', password: '' };
    const client = bridge(b, { clientId: 'power2mqtt-host' });
    let disconnects = 0;
    client.onDisconnect(() => disconnects++);
    await until(() => client.connected);
    await expect(raw(b.url, { clientId: 'power2mqtt-host', username: gen.username, password: gen.password })).rejects.toThrow(/Not authorized/i);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.connected).toBe(true);
    expect(disconnects).toBe(0);
  });

  it("the bridge's will (a state topic) is delivered when its socket dies", async () => {
    const b = await broker({ exposed: true });
    const proxy = await startTcpProxy(b.port);
    cleanups.push(() => proxy.close());
    const client = bridge({ url: `mqtt://127.0.0.1:${proxy.port}`, bridgeCredentials: b.bridgeCredentials }, { reconnectMinS: 5 });
    await until(() => client.connected);
    const gen = b.generated ?? { username: '', password: '' };
    const ha = await raw(b.url, { username: gen.username, password: gen.password });
    await ha.subscribeAsync('pdu/bridge/state');
    await proxy.cut();
    await until(() => ha.got.length === 1);
    expect(ha.got[0]).toEqual(['pdu/bridge/state', 'offline', false]);
  });
});

describe('bridge client backoff reset (FakeClock timers, aedes behind a proxy)', () => {
  it('after a connection that lasted ≥ 10 s the next retry waits min; after a short one the backoff keeps doubling', async () => {
    const b = await broker();
    const proxy: TcpProxy = await startTcpProxy(b.port);
    cleanups.push(() => proxy.close());
    const clock = new FakeClock();
    const client = bridge({ url: `mqtt://127.0.0.1:${proxy.port}` }, { reconnectMinS: 1, reconnectMaxS: 8 }, clock);
    const expectRetryAfter = async (ms: number): Promise<void> => {
      const before = proxy.accepted;
      await clock.advance(ms - 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(proxy.accepted).toBe(before);
      await clock.advance(1);
      await until(() => client.connected);
    };
    await until(() => client.connected);
    await clock.advance(10_000);
    await proxy.cut();
    await until(() => !client.connected && clock.pendingTimers() === 1);
    await proxy.resume();
    await expectRetryAfter(1000);
    await proxy.cut(); // up for 0 s of clock time: counts as a failure
    await until(() => !client.connected && clock.pendingTimers() === 1);
    await proxy.resume();
    await expectRetryAfter(2000);
  });
});
