import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebhookConfig } from '../../../src/config/schema.js';
import { EventBus } from '../../../src/core/bus.js';
import { FakeClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import type { OutageBusEvent, OutageRecord, ProbeCycleEvent } from '../../../src/core/power.js';
import { notifyQueueStore } from '../../../src/history/notify-queue.js';
import { createSender } from '../../../src/notify/sender.js';
import { createNotifier, type Notifier } from '../../../src/notify/service.js';
import { tempHistory, type TempHistory } from '../../support/history.js';

// The notifier end to end (SPEC §11.8): real HTTP server on 127.0.0.1, real SQLite queue, real
// bus; only time is fake. Real I/O is awaited with bounded vi.waitFor; timers move with the clock.

interface Captured {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
}
type Responder = (req: http.IncomingMessage, res: http.ServerResponse) => void;

class WebhookServer {
  readonly requests: Captured[] = [];
  respond: Responder = (_req, res) => res.writeHead(204).end();
  private server: http.Server | undefined;
  port = 0;

  async listen(port = 0): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
        this.respond(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  bodies(): Array<{ event: string; ts: number; text: string; data: Record<string, unknown> }> {
    return this.requests.map((r) => JSON.parse(r.body));
  }
}

/** A port nobody listens on (free at the moment): connecting is refused. */
async function closedPort(): Promise<number> {
  const s = await new WebhookServer().listen();
  const port = s.port;
  await s.close();
  return port;
}

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const TOKEN_PATH = '/hooks/T0KEN-abc?key=s3cr3t-q';

function record(over: Partial<OutageRecord> = {}): OutageRecord {
  return {
    id: 1, kind: 'power', started_at: T0 / 1000 - 60, ended_at: null, duration_seconds: null, is_ongoing: true, cause: 'switch_quorum',
    scope: 'source_a', confidence: 'medium', switches_affected: [1], outlets_shed: {}, evidence: {}, ...over,
  };
}
const closedRecord = (over: Partial<OutageRecord> = {}): OutageRecord =>
  record({ ended_at: T0 / 1000 + 1620, duration_seconds: 1680, is_ongoing: false, outlets_shed: { 'pdu-1': [3, 5] }, ...over });
const outageEvent = (type: OutageBusEvent['type'], outage: OutageRecord, ts = T0 / 1000): OutageBusEvent => ({ type, state: 'outage', outage, ts });
const probeEvent = (): ProbeCycleEvent => ({ ts: T0 / 1000, cycle: 1, switches: [], checks: [], manual: false });

interface Rig {
  clock: FakeClock;
  bus: EventBus;
  notifier: Notifier;
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  store: ReturnType<typeof notifyQueueStore>;
  /** POSTs started so far (counted synchronously, unlike the server's view of them). */
  sends(): number;
  restart(): Notifier;
}

let history: TempHistory | undefined;
const servers: WebhookServer[] = [];
const notifiers: Notifier[] = [];
afterEach(async () => {
  for (const n of notifiers.splice(0)) void n.stop();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  history?.cleanup();
  history = undefined;
});

async function server(port = 0): Promise<WebhookServer> {
  const s = await new WebhookServer().listen(port);
  servers.push(s);
  return s;
}

function rig(hooks: Array<Partial<WebhookConfig> & { url: string }>, opts: { timezone?: string; start?: number } = {}): Rig {
  history = tempHistory();
  const handle = history.handle;
  const store = notifyQueueStore(() => handle.db);
  const clock = new FakeClock(opts.start ?? T0);
  const bus = new EventBus();
  const logs: Array<Record<string, unknown>> = [];
  const rawLogs: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void (rawLogs.push(line), logs.push(JSON.parse(line))) });
  const webhooks: WebhookConfig[] = hooks.map((h, i) => ({
    name: `hook${i + 1}`, secret: '', events: ['outage.opened', 'outage.closed', 'network_fault.opened', 'network_fault.closed', 'device.lost', 'device.recovered'],
    repeat_s: 0, quiet_hours: null, ...h,
  }));
  const post = createSender({ clock });
  let sends = 0;
  const make = (): Notifier => {
    const send = (req: Parameters<typeof post>[0]) => (sends++, post(req));
    const n = createNotifier({ config: { notify: { webhooks }, timezone: opts.timezone ?? 'UTC' }, logger, clock, bus, store, send });
    notifiers.push(n);
    n.start();
    return n;
  };
  return { clock, bus, notifier: make(), logs, rawLogs, store, sends: () => sends, restart: make };
}

const wait = (fn: () => void): Promise<void> => vi.waitFor(fn, { timeout: 5000, interval: 5 });
const errorLines = (r: Rig): Array<Record<string, unknown>> => r.logs.filter((l) => (l.level as number) >= 50);
const stats = (r: Rig, i = 0) => r.notifier.stats()[i]!;

describe('webhook notifier', () => {
  it('POSTs the outage as JSON with a verifiable signature, and empties the queue', async () => {
    const s = await server();
    const r = rig([{ url: `http://127.0.0.1:${s.port}${TOKEN_PATH}`, secret: 'shh' }]);
    r.bus.emit('outage', outageEvent('closed', closedRecord()));
    await wait(() => expect(s.requests).toHaveLength(1));
    const [req] = s.requests;
    expect(req!.url).toBe(TOKEN_PATH);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('power2mqtt');
    expect(req!.headers['x-power2mqtt-signature']).toBe(`sha256=${createHmac('sha256', 'shh').update(Buffer.from(req!.body, 'utf8')).digest('hex')}`);
    expect(JSON.parse(req!.body)).toEqual({
      event: 'outage.closed', ts: T0 / 1000, text: 'mains out 11:59–12:27 (28 min), source A, outlets shed: 3, 5', data: closedRecord(),
    });
    await wait(() => expect(r.store.pending()).toBe(0));
    expect(stats(r)).toMatchObject({ delivered: 1, failures: 0, pending: 0, endpoint: `http://127.0.0.1:${s.port}` });
  });

  it('maps bus events; sends only subscribed events; an unsigned hook has no signature', async () => {
    const s = await server();
    const r = rig([{ url: `http://127.0.0.1:${s.port}/`, events: ['device.lost', 'device.recovered', 'network_fault.opened'] }]);
    const health = { device_id: 'pdu-1', reason: 'timeout', consecutive_failures: 35, ts: T0 / 1000 };
    r.bus.emit('outage', outageEvent('opened', record())); // not subscribed
    r.bus.emit('outage', outageEvent('network_fault_opened', record({ id: 2, kind: 'network', scope: null })));
    r.bus.emit('health', { ...health, from: 'recovering', to: 'lost' });
    r.bus.emit('health', { ...health, from: 'lost', to: 'recovering' }); // not yet recovered
    r.bus.emit('health', { ...health, from: 'lost', to: 'healthy' });
    await wait(() => expect(s.requests).toHaveLength(3));
    expect(s.bodies().map((b) => [b.event, b.text])).toEqual([
      ['network_fault.opened', 'network fault since 11:59'],
      ['device.lost', 'device pdu-1 lost (timeout, 35 failed polls)'],
      ['device.recovered', 'device pdu-1 recovered'],
    ]);
    expect(s.requests[0]!.headers['x-power2mqtt-signature']).toBeUndefined();
  });

  it('an outage learnt after the fact (opened already closed) sends only outage.closed', async () => {
    const s = await server();
    const r = rig([{ url: `http://127.0.0.1:${s.port}/` }]);
    r.bus.emit('outage', outageEvent('opened', closedRecord()));
    r.bus.emit('outage', outageEvent('closed', closedRecord()));
    await wait(() => expect(s.requests).toHaveLength(1));
    expect(s.bodies()[0]!.event).toBe('outage.closed');
  });

  it('notify(): a named webhook gets any event; null goes to the subscribed ones; an unknown name sends nothing', async () => {
    const a = await server();
    const b = await server();
    const r = rig([{ url: `http://127.0.0.1:${a.port}/`, events: ['rule.failed'] }, { url: `http://127.0.0.1:${b.port}/`, events: ['device.lost'] }]);
    expect(r.notifier.notify('hook2', 'rule.fired', { rule: 'shed' })).toBe(1);
    expect(r.notifier.notify(null, 'rule.failed', { rule: 'shed', details: 'outlet 3: timeout' }, 'custom text')).toBe(1);
    expect(r.notifier.notify('nope', 'rule.fired', {})).toBe(0);
    expect(r.sends()).toBe(2);
    await wait(() => expect(a.requests.length + b.requests.length).toBe(2));
    expect(b.bodies().map((x) => [x.event, x.text])).toEqual([['rule.fired', 'rule "shed" fired']]);
    expect(a.bodies().map((x) => [x.event, x.text])).toEqual([['rule.failed', 'custom text']]);
    expect(errorLines(r).map((l) => l.msg)).toEqual(['notification for an unknown webhook: not sent']);
  });

  it('server down: retried with backoff on the clock (one error line per streak), delivered once it is back', async () => {
    const port = await closedPort();
    const r = rig([{ url: `http://127.0.0.1:${port}${TOKEN_PATH}`, secret: 'topsecret' }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(stats(r).failures).toBe(1));
    expect(r.store.due('hook1', Number.MAX_SAFE_INTEGER, 10)[0]).toMatchObject({ attempts: 1, next_attempt_at: T0 / 1000 + 5 });
    await r.clock.advance(4000);
    expect(r.sends()).toBe(1);
    await r.clock.advance(1000);
    await wait(() => expect(stats(r).failures).toBe(2));
    expect(r.store.due('hook1', Number.MAX_SAFE_INTEGER, 10)[0]).toMatchObject({ attempts: 2, next_attempt_at: T0 / 1000 + 15 });
    const s = await server(port);
    await r.clock.advance(9000);
    expect(r.sends()).toBe(2);
    await r.clock.advance(1000);
    await wait(() => expect(s.requests).toHaveLength(1));
    await wait(() => expect(r.store.pending()).toBe(0));
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ webhook: 'hook1', endpoint: `http://127.0.0.1:${port}`, msg: 'webhook delivery failed: retrying with backoff' });
    expect(r.logs.some((l) => l.msg === 'webhook reachable again')).toBe(true);
    for (const line of r.rawLogs) expect(line).not.toMatch(/T0KEN|s3cr3t|topsecret|hooks/);
  });

  it('a 500 answer is retried after the backoff', async () => {
    const s = await server();
    let answers = 0;
    s.respond = (_req, res) => void res.writeHead(answers++ === 0 ? 500 : 200).end('nope');
    const r = rig([{ url: `http://127.0.0.1:${s.port}/` }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(stats(r).failures).toBe(1));
    expect(stats(r).last_error).toBe('HTTP 500: nope');
    await r.clock.advance(5000);
    await wait(() => expect(stats(r).delivered).toBe(1));
    expect(s.requests.map((q) => q.body)).toEqual([s.requests[0]!.body, s.requests[0]!.body]);
  });

  it('store-and-forward: a probe cycle retries at once, and the first success drains the queue in order', async () => {
    const port = await closedPort();
    const r = rig([{ url: `http://127.0.0.1:${port}/` }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(stats(r).failures).toBe(1));
    r.bus.emit('probe', probeEvent()); // still down: one more failure
    await wait(() => expect(stats(r).failures).toBe(2));
    r.bus.emit('outage', outageEvent('closed', closedRecord()));
    expect(r.store.pending()).toBe(2);
    const s = await server(port);
    r.bus.emit('probe', probeEvent());
    await wait(() => expect(s.requests).toHaveLength(2));
    expect(s.bodies().map((b) => b.event)).toEqual(['outage.opened', 'outage.closed']);
    expect(s.bodies()[1]!.text).toBe('mains out 11:59–12:27 (28 min), source A, outlets shed: 3, 5');
    await wait(() => expect(r.store.pending()).toBe(0));
  });

  it('a restart delivers what was queued before, with its original time', async () => {
    const port = await closedPort();
    const r = rig([{ url: `http://127.0.0.1:${port}/` }]);
    r.bus.emit('outage', outageEvent('closed', closedRecord(), T0 / 1000 - 30));
    await wait(() => expect(stats(r).failures).toBe(1));
    await r.notifier.stop();
    const s = await server(port);
    await r.clock.advance(60_000); // the stopped notifier has no timers left
    expect(r.sends()).toBe(1);
    const again = r.restart();
    await wait(() => expect(s.requests).toHaveLength(1));
    expect(s.bodies()[0]).toMatchObject({ event: 'outage.closed', ts: T0 / 1000 - 30 });
    await wait(() => expect(again.stats()[0]!.pending).toBe(0));
  });

  it('gives up after 24 h with one logged error', async () => {
    const port = await closedPort();
    const r = rig([{ url: `http://127.0.0.1:${port}/` }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(stats(r).failures).toBe(1));
    // Time runs far ahead of real I/O: each retry ends at its 10 s deadline on the fake clock.
    await r.clock.advance(23 * 3600_000);
    expect(r.store.pending()).toBe(1);
    const before = stats(r).failures;
    expect(before).toBeGreaterThan(20);
    await r.clock.advance(2 * 3600_000);
    expect(r.store.pending()).toBe(0);
    expect(stats(r).dropped).toBe(1);
    const dropped = errorLines(r).filter((l) => l.msg === 'webhook notifications not delivered within 24 h: dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ webhook: 'hook1', dropped: 1, events: ['outage.opened'] });
    expect(errorLines(r)).toHaveLength(2); // the first failure of the streak, and the drop
  });

  it('repeat_s re-sends an open condition until it closes', async () => {
    const s = await server();
    const r = rig([{ url: `http://127.0.0.1:${s.port}/`, repeat_s: 600 }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(s.requests).toHaveLength(1));
    await r.clock.advance(599_000);
    expect(r.sends()).toBe(1);
    await r.clock.advance(1000);
    await wait(() => expect(s.requests).toHaveLength(2));
    r.bus.emit('outage', outageEvent('updated', record({ switches_affected: [1, 2] })));
    await r.clock.advance(600_000);
    await wait(() => expect(s.requests).toHaveLength(3));
    r.bus.emit('outage', outageEvent('closed', closedRecord()));
    await wait(() => expect(s.requests).toHaveLength(4));
    await r.clock.advance(3600_000);
    expect(r.sends()).toBe(4);
    const bodies = s.bodies();
    expect(bodies.map((b) => b.event)).toEqual(['outage.opened', 'outage.opened', 'outage.opened', 'outage.closed']);
    expect(bodies[1]!.text).toBe('mains out since 11:59, source A; still ongoing after 11 min');
    expect(bodies[2]!.data.switches_affected).toEqual([1, 2]);
    expect(stats(r).repeating).toBe(0);
  });

  it('a close drops a reminder still waiting in the queue', async () => {
    const s = await server();
    let status = 204;
    s.respond = (_req, res) => void res.writeHead(status).end();
    const r = rig([{ url: `http://127.0.0.1:${s.port}/`, repeat_s: 60 }]);
    r.bus.emit('health', { device_id: 'pdu-1', from: 'recovering', to: 'lost', reason: null, consecutive_failures: 40, ts: T0 / 1000 });
    await wait(() => expect(stats(r).delivered).toBe(1));
    status = 503;
    await r.clock.advance(60_000);
    await wait(() => expect(stats(r).failures).toBe(1));
    expect(r.store.due('hook1', Number.MAX_SAFE_INTEGER, 10).map((x) => x.dedupe_key)).toEqual(['repeat:device:pdu-1']);
    status = 204;
    r.bus.emit('health', { device_id: 'pdu-1', from: 'lost', to: 'healthy', reason: null, consecutive_failures: 0, ts: T0 / 1000 + 61 });
    await wait(() => expect(stats(r).delivered).toBe(2));
    await r.clock.advance(600_000);
    expect(r.sends()).toBe(3);
    expect(r.store.pending()).toBe(0);
    expect(s.bodies().map((b) => b.event)).toEqual(['device.lost', 'device.lost', 'device.recovered']);
  });

  it('quiet hours hold an event until the window ends; excepted events pass', async () => {
    const s = await server();
    const quiet = { start: '22:00', end: '07:00', except: ['outage.opened' as const] };
    const r = rig([{ url: `http://127.0.0.1:${s.port}/`, quiet_hours: quiet }], { start: Date.UTC(2026, 0, 10, 23, 0), timezone: 'UTC' });
    r.bus.emit('health', { device_id: 'pdu-1', from: 'recovering', to: 'lost', reason: null, consecutive_failures: 40, ts: 1 });
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(s.requests).toHaveLength(1));
    expect(s.bodies()[0]!.event).toBe('outage.opened');
    expect(r.store.due('hook1', Number.MAX_SAFE_INTEGER, 10)[0]).toMatchObject({ event: 'device.lost', next_attempt_at: Date.UTC(2026, 0, 11, 7) / 1000 });
    r.bus.emit('probe', probeEvent()); // a probe cycle does not break quiet hours
    await r.clock.advance(8 * 3600_000 - 1000);
    expect(r.sends()).toBe(1);
    await r.clock.advance(1000);
    await wait(() => expect(s.requests).toHaveLength(2));
    expect(s.bodies()[1]!.event).toBe('device.lost');
  });

  it('a server that never answers: the POST ends at the 10 s deadline and the socket is closed', async () => {
    const s = await server();
    let closed = false;
    s.respond = (req) => void req.socket.on('close', () => (closed = true));
    const r = rig([{ url: `http://127.0.0.1:${s.port}/` }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(s.requests).toHaveLength(1));
    await r.clock.advance(9999);
    expect(stats(r).failures).toBe(0);
    await r.clock.advance(1);
    expect(stats(r).failures).toBe(1);
    expect(stats(r).last_error).toBe('no answer within 10 s');
    await wait(() => expect(closed).toBe(true));
  });

  it('a never-ending answer is read no further than 4 KB', async () => {
    const s = await server();
    let sent = 0;
    let closed = false;
    s.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(1024, 'x');
      const more = (): void => {
        while (!closed && sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', more);
      res.on('close', () => (closed = true));
      more();
    };
    const r = rig([{ url: `http://127.0.0.1:${s.port}/` }]);
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(stats(r).delivered).toBe(1)); // no clock advance: it did not wait for the end
    await wait(() => expect(closed).toBe(true));
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('test() sends event "test" directly; stop() waits for a POST in flight, at most 2 s', async () => {
    const s = await server();
    const r = rig([{ url: `http://127.0.0.1:${s.port}/`, secret: 'k' }]);
    const res = await r.notifier.test('hook1');
    expect(res).toMatchObject({ ok: true, status: 204, error: null });
    expect(JSON.parse(s.requests[0]!.body)).toMatchObject({ event: 'test', text: 'test notification from power2mqtt', data: { webhook: 'hook1' } });
    expect(r.store.pending()).toBe(0);
    expect(await r.notifier.test('nope')).toMatchObject({ ok: false, error: 'no webhook named "nope"' });

    s.respond = () => {}; // hang
    r.bus.emit('outage', outageEvent('opened', record()));
    await wait(() => expect(s.requests).toHaveLength(2));
    let done = false;
    const stopping = r.notifier.stop().then(() => (done = true));
    await r.clock.advance(1999);
    expect(done).toBe(false);
    await r.clock.advance(1);
    await stopping;
    expect(done).toBe(true);
    expect(r.store.pending()).toBe(1); // not delivered: sent again after the next start
  });
});
