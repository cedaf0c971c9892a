import type { EventBus } from '../../core/bus.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { settlesWithin } from '../../core/concurrency.js';
import { errorMessage as describe } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { DeviceRegistryPort, OutagePort, RulesPort } from '../../core/ports.js';
import { MAX_QUEUE_BYTES } from './client-queue.js';
import { CLOSE_GOING_AWAY, WsClient, type Corkable, type RawData, type WsSocket } from './client.js';
import {
  automationMessage, commandResultMessage, watchdogMessage, deviceEventMessage, deviceStateMessage, errorMessage, helloMessage, outageMessage, parseClientMessage,
  PONG, probeCycleMessage, rulesMessage, statusMessage, type OutMessage,
} from './messages.js';

// The WebSocket hub of `/ws` (SPEC §15): subscribed to the bus once, it builds each message once
// (one JSON string, one Buffer) and hands the same Buffer to every client whose device filter
// matches. Nothing is built for a device no client wants. Per client: a bounded queue with
// latest-value statuses (client.ts, client-queue.ts); a server ping every 30 s on the injected
// clock, and a client that leaves two unanswered is dropped.

export interface WsHubDeps {
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  registry: DeviceRegistryPort;
  rules: RulesPort | null;
  outages: OutagePort | null;
  version: string;
  demo: boolean;
}

export interface WsHubOptions {
  /** Default 1 MB (SPEC §15). */
  maxQueueBytes?: number;
  /** Default 64 KiB. */
  highWaterBytes?: number;
  /** Default 30 s (SPEC §15). */
  pingIntervalMs?: number;
  /** Default 2 (SPEC §15). */
  maxMissedPongs?: number;
  /** Closing handshake time before a socket is terminated; default 5 s. */
  closeGraceMs?: number;
  /** close(): time the clients get to end the closing handshake; default 1 s. */
  shutdownGraceMs?: number;
}

/** Who may connect and what they see; decided per request by the route (auth guards it, issue 8). */
export interface Admission {
  filter: ReadonlySet<string> | null;
  authEnabled: boolean;
}

export interface WsHubStats {
  clients: number;
  accepted: number;
  /** Closed with 1013 (queue over the bound). */
  dropped_slow: number;
  /** Dropped after unanswered pings. */
  dropped_silent: number;
  /** Messages built (each sent to every matching client). */
  built: number;
}

export interface WsClientStats {
  id: number;
  queued: number;
  queued_bytes: number;
  fifo_bytes: number;
  peak_queued_bytes: number;
  status_replaced: number;
  buffered_bytes: number;
  sent: number;
}

export class WsHub {
  private readonly clients = new Set<WsClient>();
  private readonly closedWaiters = new Set<() => void>();
  private readonly unsubscribe: Array<() => void>;
  private readonly log: Logger;
  private readonly o: Required<WsHubOptions>;
  private pingTimer: TimerHandle | undefined;
  private closing = false;
  private nextId = 1;
  private readonly counts = { accepted: 0, dropped_slow: 0, dropped_silent: 0, built: 0 };
  /** Devices whose `rules` message is due at the end of this tick (bursts of rules.state collapse). */
  private readonly rulesDue = new Set<string>();
  /** Clients with messages queued in this tick: pumped once at its end, so a burst is one write per client. */
  private readonly dirty = new Set<WsClient>();

  constructor(private readonly d: WsHubDeps, opts: WsHubOptions = {}) {
    this.log = d.logger.child({ module: 'ws' });
    this.o = {
      maxQueueBytes: opts.maxQueueBytes ?? MAX_QUEUE_BYTES, highWaterBytes: opts.highWaterBytes ?? 64 * 1024,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000, maxMissedPongs: opts.maxMissedPongs ?? 2, closeGraceMs: opts.closeGraceMs ?? 5000,
      shutdownGraceMs: opts.shutdownGraceMs ?? 1000,
    };
    const { bus, registry } = d;
    this.unsubscribe = [
      bus.on('sample', (snap) => {
        if (!this.anyWants(snap.device_id)) return;
        const info = registry.info(snap.device_id);
        if (info) this.broadcast(statusMessage(snap, info, this.nowS()), snap.device_id);
      }),
      bus.on('health', (h) => this.anyWants(h.device_id) && this.broadcast(deviceStateMessage(h), h.device_id)),
      bus.on('device.event', (e) => this.anyWants(e.device_id) && this.broadcast(deviceEventMessage(e), e.device_id)),
      bus.on('command.result', (r) => this.anyWants(r.device_id) && this.broadcast(commandResultMessage(r), r.device_id)),
      bus.on('automation', (e) => {
        if (this.anyWants(e.device_id)) this.broadcast(automationMessage(e), e.device_id);
      }),
      bus.on('rules.state', ({ device_id }) => this.rulesChanged(device_id)),
      // State changes and cycles (what /api/events stores), not every check of the target.
      bus.on('watchdog', (e) => {
        if ((e.kind === 'state' || e.kind === 'cycle') && this.anyWants(e.device_id)) this.broadcast(watchdogMessage(e), e.device_id);
      }),
      // A manual check lists only the switch checked: not a cycle (SPEC §15 "after each probe cycle").
      bus.on('probe', (e) => !e.manual && this.clients.size > 0 && this.broadcast(probeCycleMessage(e), null)),
      bus.on('outage', (e) => {
        if (this.clients.size === 0) return;
        this.broadcast(outageMessage(d.outages?.status() ?? { state: e.state, outage: e.outage, last: null, ts: e.ts }), null);
      }),
    ];
  }

  /**
   * Take over an upgraded socket: hello, the current status of its devices, then the live
   * messages. `stream` is the TCP socket under it (corked per batch of frames), when known.
   */
  accept(socket: WsSocket, admission: Admission, stream: Corkable | null = null): WsClient | null {
    if (this.closing) {
      socket.close(CLOSE_GOING_AWAY, 'server shutting down');
      return null;
    }
    const c = new WsClient(this.nextId++, socket, admission.filter, {
      clock: this.d.clock, maxQueueBytes: this.o.maxQueueBytes, highWaterBytes: this.o.highWaterBytes, closeGraceMs: this.o.closeGraceMs,
      maxMissedPongs: this.o.maxMissedPongs,
    }, stream);
    this.clients.add(c);
    this.counts.accepted++;
    socket.on('pong', () => c.alive());
    socket.on('message', (data, isBinary) => this.receive(c, data, isBinary));
    socket.on('close', (code) => this.remove(c, code));
    if (this.clients.size === 1) this.armPing();

    const ids = this.d.registry.list().map((x) => x.id).filter((id) => c.wants(id));
    const nowS = this.nowS();
    this.send(c, helloMessage(nowS, { version: this.d.version, devices: ids, auth_enabled: admission.authEnabled, demo: this.d.demo }));
    for (const id of ids) {
      const snap = this.d.registry.snapshot(id);
      const info = snap ? this.d.registry.info(id) : null;
      if (snap && info) this.send(c, statusMessage(snap, info, nowS));
    }
    this.log.debug({ client: c.id, filter: c.filter ? [...c.filter] : null, clients: this.clients.size }, 'websocket client connected');
    return c;
  }

  stats(): WsHubStats {
    return { clients: this.clients.size, ...this.counts };
  }

  clientStats(): WsClientStats[] {
    return [...this.clients].map((c) => ({
      id: c.id, queued: c.queue.length, queued_bytes: c.queue.bytes, fifo_bytes: c.queue.fifoBytes, peak_queued_bytes: c.queue.peakBytes,
      status_replaced: c.queue.replaced, buffered_bytes: c.socket.bufferedAmount, sent: c.sent,
    }));
  }

  /**
   * Stop: unsubscribe from the bus, close every client with 1001, wait up to the shutdown grace
   * for the closing handshakes, terminate the rest. New connections are refused from now on.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const off of this.unsubscribe) off();
    this.d.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    if (this.clients.size === 0) return;
    const gone = new Promise<void>((resolve) => this.closedWaiters.add(resolve));
    for (const c of this.clients) c.close(CLOSE_GOING_AWAY, 'server shutting down');
    await settlesWithin(this.d.clock, gone, this.o.shutdownGraceMs);
    for (const c of [...this.clients]) {
      c.socket.terminate();
      this.remove(c, 1006);
    }
  }

  private nowS(): number {
    return this.d.clock.now() / 1000;
  }

  private anyWants(deviceId: string | null): boolean {
    for (const c of this.clients) if (c.wants(deviceId)) return true;
    return false;
  }

  /** One built message to every client that wants its device. */
  private broadcast(m: OutMessage, deviceId: string | null): void {
    this.counts.built++;
    for (const c of this.clients) if (c.wants(deviceId)) this.send(c, m);
  }

  /** Queue for one client; its queue is handed to the socket at the end of this tick. */
  private send(c: WsClient, m: OutMessage): void {
    if (!c.enqueue(m)) {
      this.counts.dropped_slow++;
      this.log.warn({ client: c.id, max_queue_bytes: this.o.maxQueueBytes }, 'websocket client too slow: closed with 1013');
      return;
    }
    if (this.dirty.size === 0) queueMicrotask(() => this.pumpDirty());
    this.dirty.add(c);
  }

  /** A failing client never stops the others. */
  private pumpDirty(): void {
    const clients = [...this.dirty];
    this.dirty.clear();
    for (const c of clients) {
      try {
        c.pump();
      } catch (err) {
        this.log.warn({ client: c.id, error: describe(err) }, 'websocket send failed: client dropped');
        c.closed();
        c.socket.terminate();
      }
    }
  }

  private rulesChanged(deviceId: string): void {
    if (!this.d.rules || !this.anyWants(deviceId)) return;
    if (this.rulesDue.size === 0) queueMicrotask(() => this.flushRules());
    this.rulesDue.add(deviceId);
  }

  private flushRules(): void {
    const ids = [...this.rulesDue];
    this.rulesDue.clear();
    if (!this.d.rules || this.closing) return;
    for (const id of ids) {
      try {
        this.broadcast(rulesMessage(id, this.d.rules.list(id), this.nowS()), id);
      } catch (err) {
        this.log.warn({ device_id: id, error: describe(err) }, 'websocket rules message not built');
      }
    }
  }

  private receive(c: WsClient, data: RawData, isBinary: boolean): void {
    c.alive();
    if (isBinary) {
      this.send(c, errorMessage(this.nowS(), 'binary frames are not accepted: send JSON text, e.g. {"type":"ping"}'));
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const req = parseClientMessage(text);
    this.send(c, req.ok ? PONG : errorMessage(this.nowS(), req.error));
  }

  private remove(c: WsClient, code: number): void {
    c.closed();
    if (!this.clients.delete(c)) return;
    this.log.debug({ client: c.id, code, clients: this.clients.size }, 'websocket client disconnected');
    if (this.clients.size === 0) {
      this.d.clock.clearTimeout(this.pingTimer);
      this.pingTimer = undefined;
      for (const done of this.closedWaiters) done();
      this.closedWaiters.clear();
    }
  }

  private armPing(): void {
    this.d.clock.clearTimeout(this.pingTimer);
    this.pingTimer = this.d.clock.setTimeout(() => this.pingTick(), this.o.pingIntervalMs);
  }

  private pingTick(): void {
    this.pingTimer = undefined;
    for (const c of [...this.clients]) {
      if (c.isClosing) continue;
      if (!c.heartbeat()) {
        this.counts.dropped_silent++;
        this.log.info({ client: c.id, missed: this.o.maxMissedPongs }, 'websocket client dropped: unanswered pings');
      }
    }
    if (this.clients.size > 0 && !this.closing) this.armPing();
  }
}
