// The /ws hub over fake sockets on a FakeClock (SPEC §15): one build per message shared by every
// client, device filters, server pings and the drop after two unanswered ones, client pings and
// bad input, slow clients (latest-value statuses, 1 MB bound → 1013) and shutdown with 1001.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RulesPort } from '../../../../src/core/ports.js';
import type { RuleView } from '../../../../src/core/rules.js';
import { WS_OPEN, type WsSocket } from '../../../../src/http/ws/client.js';
import { WsHub, type WsHubOptions } from '../../../../src/http/ws/hub.js';
import { deviceInfo, fakeHttpContext, outageRecord, type FakeHttpPorts } from '../../../support/http-ports.js';
import { pduSnapshot } from '../../../support/pdu-snapshot.js';

/** A ws WebSocket as the hub sees it. `blocked`: writes stay buffered (a client that stopped reading). */
class FakeSocket extends EventEmitter implements WsSocket {
  readyState = WS_OPEN;
  bufferedAmount = 0;
  blocked = false;
  readonly sent: Buffer[] = [];
  pings = 0;
  closedWith: { code: number | undefined; reason: string | undefined } | null = null;
  terminated = false;
  throwOnSend = false;
  private pending: Array<(err?: Error) => void> = [];

  send(data: Buffer, _o: { binary: boolean }, cb: (err?: Error) => void): void {
    if (this.throwOnSend) throw new Error('socket exploded');
    this.sent.push(data);
    if (this.blocked) {
      this.bufferedAmount += data.length;
      this.pending.push(cb);
    } else queueMicrotask(() => cb());
  }
  ping(): void {
    this.pings++;
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.readyState = 3;
    this.emit('close', 1006);
  }
  /** The peer answered the closing handshake. */
  finishClose(): void {
    this.readyState = 3;
    this.emit('close', this.closedWith?.code ?? 1005);
  }
  /** The client reads again: everything buffered is written. */
  unblock(): void {
    this.blocked = false;
    this.bufferedAmount = 0;
    const cbs = this.pending;
    this.pending = [];
    for (const cb of cbs) cb();
  }
  messages(): Array<{ type: string; device_id?: string; data: unknown; ts?: number }> {
    return this.sent.map((b) => JSON.parse(b.toString()));
  }
  types(): string[] {
    return this.messages().map((m) => m.type);
  }
}

let p: FakeHttpPorts;
let hub: WsHub;
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function makeHub(opts: WsHubOptions = {}, rules: RulesPort | null = null): WsHub {
  const { ctx } = p;
  return new WsHub({ bus: ctx.bus, clock: ctx.clock, logger: ctx.logger, registry: ctx.registry, rules, outages: ctx.outages, version: '9.9.9', demo: true }, opts);
}
function connect(filter: string[] | null = null): FakeSocket {
  const s = new FakeSocket();
  hub.accept(s, { filter: filter ? new Set(filter) : null, authEnabled: false });
  return s;
}

beforeEach(() => {
  p = fakeHttpContext();
  p.registry.put(deviceInfo('pdu-01'), pduSnapshot({ deviceId: 'pdu-01' }));
  p.registry.put(deviceInfo('pdu-02'), null);
  hub = makeHub();
});
afterEach(async () => {
  const done = hub.close();
  await p.clock.advance(5000);
  await done;
});

describe('connect', () => {
  it('sends hello (devices after the filter) and the current status of each device with data', async () => {
    const all = connect();
    const one = connect(['pdu-02', 'later-pdu']);
    await flush();
    const hello = all.messages()[0]!;
    expect(hello).toEqual({ type: 'hello', ts: p.clock.now() / 1000, data: { version: '9.9.9', devices: ['pdu-01', 'pdu-02'], auth_enabled: false, demo: true } });
    expect(all.types()).toEqual(['hello', 'status']);
    expect(all.messages()[1]).toMatchObject({ device_id: 'pdu-01', data: { device: { id: 'pdu-01' } } });
    // pdu-02 has no data yet; later-pdu does not exist (yet)
    expect(one.messages()).toEqual([{ type: 'hello', ts: p.clock.now() / 1000, data: { version: '9.9.9', devices: ['pdu-02'], auth_enabled: false, demo: true } }]);
    expect(hub.stats()).toMatchObject({ clients: 2, accepted: 2 });
  });

  it('refuses connections once closed, with 1001', async () => {
    await hub.close();
    const s = connect();
    expect(s.closedWith).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(s.sent).toHaveLength(0);
  });
});

describe('fan-out', () => {
  it('builds a status once and hands the same Buffer to every client that wants the device', async () => {
    const a = connect();
    const b = connect(['pdu-01']);
    const c = connect(['pdu-02']);
    await flush();
    const built = hub.stats().built;
    p.ctx.bus.emit('sample', { ...pduSnapshot({ deviceId: 'pdu-01' }), ts: 1_700_000_100 });
    await flush();
    expect(hub.stats().built).toBe(built + 1);
    const la = a.sent.at(-1)!;
    expect(b.sent.at(-1)).toBe(la);
    expect(JSON.parse(la.toString())).toMatchObject({ type: 'status', ts: 1_700_000_100, device_id: 'pdu-01' });
    expect(c.types()).toEqual(['hello']);
  });

  it('builds nothing when no client wants the device', async () => {
    connect(['pdu-02']);
    const built = hub.stats().built;
    p.ctx.bus.emit('sample', pduSnapshot({ deviceId: 'pdu-01' }));
    p.ctx.bus.emit('command.result', { device_id: 'pdu-01', outlet: 1, command: 'on', success: true, error: null, code: null, ts: 1, duration_ms: 1, state: 'on', pending: false });
    expect(hub.stats().built).toBe(built);
  });

  it('bridge-wide messages (outage, probe cycles, rule-set events) go to every client, filters or not', async () => {
    const a = connect(['pdu-02']);
    p.outages.state = 'outage';
    p.outages.records = [outageRecord({ id: 7, started_at: 1000 })];
    p.ctx.bus.emit('outage', { type: 'opened', state: 'outage', outage: p.outages.records[0]!, ts: 1001 });
    p.ctx.bus.emit('probe', { ts: 1, cycle: 1, switches: [], checks: [], manual: false });
    p.ctx.bus.emit('probe', { ts: 2, cycle: 2, switches: [], checks: [], manual: true });
    p.ctx.bus.emit('automation', { rule: 'x', type: 'created', details: 'created', ts: 3, device_id: null });
    await flush();
    expect(a.types()).toEqual(['hello', 'outage', 'probe_cycle', 'event']);
    expect(a.messages()[1]!.data).toEqual(JSON.parse(JSON.stringify(p.outages.status())));
    expect(a.messages()[1]!.data).toMatchObject({ state: 'outage', outage: { id: 7 } });
  });

  it('device messages: device_state, event, command_result only to clients of that device', async () => {
    const a = connect(['pdu-01']);
    const b = connect(['pdu-02']);
    p.ctx.bus.emit('health', { device_id: 'pdu-01', from: 'healthy', to: 'lost', reason: 'timeout', consecutive_failures: 5, ts: 1 });
    p.ctx.bus.emit('device.event', { type: 'conn_lost', device_id: 'pdu-01', source: 'pdu', details: 'lost', ts: 1, data: {} });
    p.ctx.bus.emit('command.result', { device_id: 'pdu-01', outlet: 1, command: 'on', success: false, error: 'timeout', code: 'P2M_ERR_SNMP', ts: 1, duration_ms: 1, state: null, pending: null });
    await flush();
    expect(a.types()).toEqual(['hello', 'status', 'device_state', 'event', 'command_result']);
    expect(a.messages()[2]!.data).toMatchObject({ state: 'lost', availability: 'offline' });
    expect(b.types()).toEqual(['hello']);
  });

  it('rules: a burst of rules.state for a device becomes one message per device, with RulesPort.list(device)', async () => {
    const asked: Array<string | undefined> = [];
    const rules = { list: (id?: string) => (asked.push(id), [] as RuleView[]) } as unknown as RulesPort;
    await hub.close();
    hub = makeHub({}, rules);
    const a = connect();
    for (let i = 0; i < 5; i++) p.ctx.bus.emit('rules.state', { device_id: 'pdu-01' });
    p.ctx.bus.emit('rules.state', { device_id: 'pdu-02' });
    p.ctx.bus.emit('automation', { rule: 'x', type: 'toggled', details: 'disabled', ts: 3, device_id: null });
    await flush();
    expect(asked).toEqual(['pdu-01', 'pdu-02']);
    expect(a.messages().filter((m) => m.type === 'rules').map((m) => [m.device_id, m.data])).toEqual([['pdu-01', []], ['pdu-02', []]]);
  });

  it('a client whose socket throws is dropped; the others still get the message', async () => {
    const bad = connect();
    const good = connect();
    await flush();
    bad.throwOnSend = true;
    p.ctx.bus.emit('device.event', { type: 'conn_lost', device_id: 'pdu-01', source: 'pdu', details: 'lost', ts: 1, data: {} });
    await flush();
    expect(good.types().at(-1)).toBe('event');
    expect(bad.terminated).toBe(true);
    expect(hub.stats().clients).toBe(1);
  });
});

describe('client messages', () => {
  it('{"type":"ping"} → {"type":"pong"}; bad JSON, unknown types and binary frames → an error naming the problem; the client stays', async () => {
    const s = connect(['none']);
    s.emit('message', Buffer.from('{"type":"ping"}'), false);
    s.emit('message', Buffer.from('{"type":'), false);
    s.emit('message', Buffer.from('{"type":"subscribe"}'), false);
    s.emit('message', Buffer.from([1, 2, 3]), true);
    s.emit('message', [Buffer.from('{"type":'), Buffer.from('"ping"}')], false);
    await flush();
    const m = s.messages();
    expect(m.map((x) => x.type)).toEqual(['hello', 'pong', 'error', 'error', 'error', 'pong']);
    expect(s.sent[1]!.toString()).toBe('{"type":"pong"}');
    expect((m[2]!.data as { error: string }).error).toMatch(/^message is not valid JSON/);
    expect((m[3]!.data as { error: string }).error).toMatch(/unknown message type "subscribe"/);
    expect((m[4]!.data as { error: string }).error).toMatch(/binary frames are not accepted/);
    expect(s.closedWith).toBeNull();
    expect(hub.stats().clients).toBe(1);
  });
});

describe('server pings (every 30 s, dropped after two unanswered)', () => {
  it('pings every 30 s; a silent client is dropped at the third tick, one that answers stays', async () => {
    const silent = connect();
    const live = connect();
    await p.clock.advance(29_999);
    expect([silent.pings, live.pings]).toEqual([0, 0]);
    await p.clock.advance(1);
    expect([silent.pings, live.pings]).toEqual([1, 1]);
    live.emit('pong');
    await p.clock.advance(30_000);
    expect([silent.pings, live.pings]).toEqual([2, 2]);
    live.emit('pong');
    expect(silent.terminated).toBe(false);
    await p.clock.advance(30_000);
    expect(silent.terminated).toBe(true);
    expect(live.terminated).toBe(false);
    expect(live.pings).toBe(3);
    expect(hub.stats()).toMatchObject({ clients: 1, dropped_silent: 1 });
  });

  it('any message from the client counts as an answer', async () => {
    const s = connect();
    for (let i = 0; i < 4; i++) {
      await p.clock.advance(30_000);
      s.emit('message', Buffer.from('{"type":"ping"}'), false);
    }
    expect(s.terminated).toBe(false);
    expect(s.pings).toBe(4);
  });

  it('arms the ping timer only while clients are connected', async () => {
    expect(p.clock.pendingTimers()).toBe(0);
    const s = connect();
    expect(p.clock.pendingTimers()).toBe(1);
    s.terminate();
    expect(p.clock.pendingTimers()).toBe(0);
    expect(hub.stats().clients).toBe(0);
  });
});

describe('slow clients', () => {
  it('a client that stops reading gets only the newest status per device, then everything once it reads again', async () => {
    await hub.close();
    hub = makeHub({ highWaterBytes: 1 });
    const s = connect(['pdu-01']);
    await flush();
    const before = s.sent.length;
    s.blocked = true;
    p.ctx.bus.emit('sample', { ...pduSnapshot({ deviceId: 'pdu-01' }), ts: 1000 });
    await flush(); // handed to the socket, which keeps it buffered: the socket is now over its high-water mark
    for (let i = 1; i <= 10; i++) p.ctx.bus.emit('sample', { ...pduSnapshot({ deviceId: 'pdu-01' }), ts: 1000 + i });
    p.ctx.bus.emit('device.event', { type: 'conn_lost', device_id: 'pdu-01', source: 'pdu', details: 'x', ts: 2000, data: {} });
    await flush();
    const stats = hub.clientStats()[0]!;
    expect(stats.queued).toBe(2); // the newest status, the event
    expect(stats.status_replaced).toBe(9);
    expect(s.sent.length).toBe(before + 1);
    s.unblock();
    await flush();
    expect(s.messages().slice(before).map((m) => [m.type, m.ts])).toEqual([['status', 1000], ['status', 1010], ['event', 2000]]);
  });

  it('statuses of one tick replace each other before anything is written', async () => {
    const s = connect(['pdu-01']);
    await flush();
    const before = s.sent.length;
    for (let i = 1; i <= 3; i++) p.ctx.bus.emit('sample', { ...pduSnapshot({ deviceId: 'pdu-01' }), ts: 1000 + i });
    await flush();
    expect(s.messages().slice(before).map((m) => m.ts)).toEqual([1003]);
  });

  it('over 1 MB of other messages queued → closed with 1013, queue bounded; a normal client keeps receiving', async () => {
    await hub.close();
    hub = makeHub({ highWaterBytes: 16 * 1024, closeGraceMs: 5000 });
    const slow = connect();
    const fast = connect();
    await flush();
    slow.blocked = true;
    const details = 'x'.repeat(10_000);
    let peak = 0;
    for (let i = 0; i < 200 && !slow.closedWith; i++) {
      p.ctx.bus.emit('device.event', { type: 'trap', device_id: 'pdu-01', source: 'pdu', details, ts: i, data: {} });
      peak = Math.max(peak, ...hub.clientStats().map((c) => c.queued_bytes));
      await flush();
    }
    expect(slow.closedWith).toEqual({ code: 1013, reason: 'too slow: over 1 MB of messages queued' });
    expect(peak).toBeLessThanOrEqual(1024 * 1024);
    expect(peak).toBeGreaterThan(900 * 1024);
    expect(hub.stats().dropped_slow).toBe(1);
    // nothing more is queued for it; its buffer stays what it was
    const buffered = slow.bufferedAmount;
    p.ctx.bus.emit('device.event', { type: 'trap', device_id: 'pdu-01', source: 'pdu', details, ts: 999, data: {} });
    await flush();
    expect(slow.bufferedAmount).toBe(buffered);
    expect(fast.messages().filter((m) => m.type === 'event')).toHaveLength(hub.stats().built);
    // never answers the closing handshake: terminated after the grace time
    expect(slow.terminated).toBe(false);
    await p.clock.advance(5000);
    expect(slow.terminated).toBe(true);
    expect(hub.stats().clients).toBe(1);
  });
});

describe('close()', () => {
  it('closes every client with 1001, waits for the handshakes, stops the ping timer and the bus subscriptions', async () => {
    const a = connect();
    const b = connect();
    const done = hub.close();
    expect(a.closedWith).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(b.closedWith?.code).toBe(1001);
    a.finishClose();
    b.finishClose();
    await done;
    expect([a.terminated, b.terminated]).toEqual([false, false]);
    expect(p.clock.pendingTimers()).toBe(0);
    expect(p.ctx.bus.listenerCount('sample')).toBe(0);
    expect(p.ctx.bus.listenerCount('rules.state')).toBe(0);
  });

  it('terminates a client that does not end the handshake within the grace time', async () => {
    const stuck = connect();
    let finished = false;
    const done = hub.close().then(() => (finished = true));
    await p.clock.advance(999);
    expect(finished).toBe(false);
    await p.clock.advance(1);
    await done;
    expect(stuck.terminated).toBe(true);
  });
});
