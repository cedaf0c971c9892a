// The /ws hub on a real fastify server on 127.0.0.1 with a synthetic bus (SPEC §15): a client
// that stops reading is closed with 1013 once over 1 MB is queued for it, while the server keeps
// its queue bounded and a normal client on the same hub gets everything; and the hub stops with
// the server (1001), also when a client no longer reads.
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { RealClock } from '../../../src/core/clock.js';
import type { HttpApp } from '../../../src/http/context.js';
import { createHttpService } from '../../../src/http/index.js';
import type { WsHub } from '../../../src/http/ws/hub.js';
import { registerWebSocket } from '../../../src/http/ws/route.js';
import { deviceInfo, fakeHttpContext, type FakeHttpPorts } from '../../support/http-ports.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';
import { WsTestClient } from '../../support/ws-client.js';

const MB = 1024 * 1024;
const HIGH_WATER = 64 * 1024;
const EVENT_BYTES = 16 * 1024;
/** Bound of the flood: 64 MB, far more than loopback socket buffers + 1 MB. */
const MAX_EVENTS = 4000;

let app: FastifyInstance | null = null;
const clients: WsTestClient[] = [];

async function server(p: FakeHttpPorts): Promise<{ hub: WsHub; url: string }> {
  const a = Fastify().withTypeProvider<ZodTypeProvider>();
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  const hub = await registerWebSocket(a as unknown as HttpApp, p.ctx, { highWaterBytes: HIGH_WATER });
  await a.listen({ host: '127.0.0.1', port: 0 });
  app = a as unknown as FastifyInstance;
  const addr = a.server.address() as { port: number };
  return { hub, url: `ws://127.0.0.1:${addr.port}/ws` };
}
async function open(url: string): Promise<WsTestClient> {
  const c = await WsTestClient.open(url);
  clients.push(c);
  await c.waitFor((m) => m.type === 'hello');
  return c;
}
const rawSocket = (c: WsTestClient): { pause(): void; resume(): void } => (c.ws as WebSocket & { _socket: { pause(): void; resume(): void } })._socket;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function ports(): FakeHttpPorts {
  const p = fakeHttpContext();
  p.ctx.clock = new RealClock();
  p.registry.put(deviceInfo('pdu-01'), pduSnapshot({ deviceId: 'pdu-01' }));
  return p;
}

afterEach(async () => {
  for (const c of clients.splice(0)) {
    rawSocket(c).resume();
    await c.close();
  }
  await app?.close();
  app = null;
});

describe('a client that stops reading (SPEC §15 slow clients)', () => {
  it('is closed with 1013 after 1 MB queued; the queue never passes 1 MB; a normal client gets every message', async () => {
    const p = ports();
    const { hub, url } = await server(p);
    const slow = await open(url);
    const normal = await open(url);
    rawSocket(slow).pause();

    const details = 'x'.repeat(EVENT_BYTES);
    let emitted = 0;
    let maxQueued = 0;
    let maxBuffered = 0;
    while (emitted < MAX_EVENTS && hub.stats().dropped_slow === 0) {
      p.ctx.bus.emit('device.event', { type: 'trap', device_id: 'pdu-01', source: 'pdu', details, ts: emitted, data: { n: emitted } });
      emitted++;
      for (const s of hub.clientStats()) {
        maxQueued = Math.max(maxQueued, s.queued_bytes);
        maxBuffered = Math.max(maxBuffered, s.buffered_bytes);
      }
      if (emitted % 8 === 0) await tick(); // let the sockets write and read
    }
    expect(hub.stats().dropped_slow).toBe(1);
    expect(emitted).toBeLessThan(MAX_EVENTS);
    expect(maxQueued).toBeLessThanOrEqual(MB);
    expect(maxQueued).toBeGreaterThan(MB - 2 * EVENT_BYTES);
    // what the server handed to the slow socket stays near the high-water mark (one message over at most)
    expect(maxBuffered).toBeLessThanOrEqual(HIGH_WATER + EVENT_BYTES + 1024);

    // the normal client got every message, in order
    await normal.waitFor(() => normal.of('event').length === emitted, 20_000);
    expect(normal.of('event').map((m) => m.data.data.n)).toEqual(Array.from({ length: emitted }, (_, i) => i));
    expect(normal.closeCode).toBeNull();

    // the slow one reads again: what was written, then the close frame 1013
    rawSocket(slow).resume();
    expect(await slow.closedWithin(10_000)).toBe(1013);
    expect(slow.closeReason).toBe('too slow: over 1 MB of messages queued');
    expect(slow.of('event').length).toBeLessThan(emitted);
    await vi.waitFor(() => expect(hub.stats().clients).toBe(1), { timeout: 5000, interval: 20 });
  }, 60_000);
});

describe('the hub stops with the server', () => {
  it('createHttpService: /ws is served, and stop() closes every client with 1001', async () => {
    const p = fakeHttpContext();
    p.registry.put(deviceInfo('pdu-01'), null);
    const service = createHttpService(p.ctx);
    await service.start();
    const addr = service.address()!;
    const c = await open(`ws://127.0.0.1:${addr.port}/ws`);
    expect(c.messages[0]).toMatchObject({ type: 'hello', data: { devices: ['pdu-01'], auth_enabled: false, demo: false, version: '0.0.0-test' } });
    await service.stop();
    expect(await c.closedWithin(5000)).toBe(1001);
    expect(c.closeReason).toBe('server shutting down');
    expect(p.ctx.bus.listenerCount('sample')).toBe(0);
  });

  it('close() ends in bounded time when a client no longer reads (terminated after the grace)', async () => {
    const p = ports();
    const { hub, url } = await server(p);
    const stuck = await open(url);
    rawSocket(stuck).pause();
    const details = 'y'.repeat(EVENT_BYTES);
    // fill its socket so even the close frame cannot reach it
    for (let i = 0; i < 400 && hub.clientStats()[0]!.buffered_bytes < HIGH_WATER; i++) {
      p.ctx.bus.emit('device.event', { type: 'trap', device_id: 'pdu-01', source: 'pdu', details, ts: i, data: {} });
      await tick();
    }
    const t0 = performance.now();
    await app!.close();
    app = null;
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(hub.stats().clients).toBe(0);
    rawSocket(stuck).resume();
    expect(await stuck.closedWithin(5000)).not.toBeNull();
  }, 30_000);
});
