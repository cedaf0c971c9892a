import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createBridgeClient, MAX_BUFFERED_TOPICS, reconnectDelayMs, redactUrl, type BridgeClient, type BridgeClientOptions } from '../../../src/mqtt/client.js';
import { freeTcpPort } from '../../support/mosquitto.js';

describe('reconnectDelayMs: doubles from reconnect_min_s to reconnect_max_s', () => {
  it.each([
    [0, 1, 30, 1000],
    [1, 1, 30, 2000],
    [2, 1, 30, 4000],
    [4, 1, 30, 16000],
    [5, 1, 30, 30000],
    [6, 1, 30, 30000],
    [1000, 1, 30, 30000],
    [0, 0.1, 2, 100],
    [3, 0.1, 2, 800],
    [5, 0.1, 2, 2000],
    [0, 5, 5, 5000],
    [3, 5, 5, 5000],
    [-1, 1, 30, 1000],
  ])('after %d failures (min %d s, max %d s) → %d ms', (failures, min, max, ms) => {
    expect(reconnectDelayMs(failures, min, max)).toBe(ms);
  });
});

it('redactUrl drops user info', () => {
  expect(redactUrl('mqtts://user:pa55@broker.lan:8883')).toBe('mqtts://broker.lan:8883');
  expect(redactUrl('mqtt://broker:1883')).toBe('mqtt://broker:1883');
});

/** Real-time wait for a condition, bounded. */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const opened: Array<{ end(): Promise<void> } | Server> = [];
afterEach(async () => {
  for (const x of opened.splice(0)) {
    if ('end' in x) await x.end();
    else await new Promise((r) => x.close(r));
  }
});

function options(port: number, clock: FakeClock, over: Partial<BridgeClientOptions> = {}): BridgeClientOptions {
  return {
    url: `mqtt://127.0.0.1:${port}`, clientId: 'test-bridge', protocolVersion: 4, keepaliveS: 60, reconnectMinS: 1, reconnectMaxS: 8,
    rejectUnauthorized: true, will: { topic: 'pdu/bridge/state', payload: 'offline', retain: true, qos: 1 }, clock, logger: silentLogger(), ...over,
  };
}

describe('createBridgeClient backoff (FakeClock, real TCP on 127.0.0.1)', () => {
  it('retries after 1, 2, 4, 8, 8 s of clock time — never earlier — when connections fail', async () => {
    // A "broker" that accepts TCP and hangs up at once: every attempt fails after connecting.
    let attempts = 0;
    const server = createServer((s: Socket) => {
      attempts++;
      s.destroy();
    });
    opened.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const clock = new FakeClock();
    const client = createBridgeClient(options(port, clock));
    opened.push(client);

    await until(() => attempts === 1 && clock.pendingTimers() === 1);
    for (const delay of [1000, 2000, 4000, 8000, 8000]) {
      const before = attempts;
      await clock.advance(delay - 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(attempts).toBe(before);
      await clock.advance(1);
      await until(() => attempts === before + 1 && clock.pendingTimers() === 1);
    }
    expect(client.connected).toBe(false);
    expect(client.stats().connects).toBe(0);
  });

  it('end() stops retrying: no timer left, no further attempt', async () => {
    const port = await freeTcpPort(); // nothing listens: ECONNREFUSED
    const clock = new FakeClock();
    const client = createBridgeClient(options(port, clock));
    await until(() => clock.pendingTimers() === 1);
    await client.end();
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(60_000);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('createBridgeClient while disconnected', () => {
  let client: BridgeClient;
  const start = async (): Promise<BridgeClient> => {
    const clock = new FakeClock();
    client = createBridgeClient(options(await freeTcpPort(), clock));
    opened.push(client);
    return client;
  };

  it('keeps only retained messages, latest per topic; drops and counts the others; never throws', async () => {
    const c = await start();
    expect(c.connected).toBe(false);
    c.publish('pdu/a/outlet/1/state', 'on', { retain: true, qos: 0 });
    c.publish('pdu/a/outlet/1/state', 'off', { retain: true, qos: 0 });
    c.publish('pdu/a/event', '{}', { retain: false, qos: 1 });
    c.publish('pdu/a/outlet/1/command/response', '{}', { retain: false, qos: 1 });
    expect(() => c.publish('bad/#/topic', Buffer.from('x'), { retain: true, qos: 1 })).not.toThrow();
    expect(c.stats()).toEqual({ connects: 0, publishes: 0, dropped: 2 });
  });

  it(`bounds the buffer at ${MAX_BUFFERED_TOPICS} topics; updates of buffered topics still replace`, async () => {
    const c = await start();
    for (let i = 0; i < MAX_BUFFERED_TOPICS; i++) c.publish(`pdu/t/${i}`, 'x', { retain: true, qos: 0 });
    expect(c.stats().dropped).toBe(0);
    c.publish('pdu/t/new', 'x', { retain: true, qos: 0 });
    c.publish('pdu/t/7', 'y', { retain: true, qos: 0 });
    expect(c.stats().dropped).toBe(1);
  });

  it('after end(), publish is dropped and counted, onConnect never fires', async () => {
    const c = await start();
    let connects = 0;
    c.onConnect(() => connects++);
    await c.end();
    c.publish('pdu/x', 'y', { retain: true, qos: 0 });
    expect(c.stats().dropped).toBe(1);
    expect(connects).toBe(0);
  });
});
