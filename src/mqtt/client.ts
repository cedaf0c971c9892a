// The bridge's MQTT connection (SPEC §3.2 step 5, §9.1). mqtt.js does the protocol; this module
// owns the policy: clean session, our own backoff on the injected Clock (mqtt.js'
// reconnectPeriod is a fixed interval, not a doubling one, and runs on real timers), one fresh
// mqtt.js client per attempt (so no hidden offline queue survives a connection), TCP_NODELAY,
// resubscription, and latest-value-only buffering of retained state while disconnected.
import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { OncePerState, type Logger } from '../core/logger.js';

/** Retained topics kept while disconnected; beyond, new topics are dropped (and counted). */
export const MAX_BUFFERED_TOPICS = 50_000;
/** A connection that lasted this long resets the backoff; a shorter one counts as a failure. */
export const STABLE_CONNECTION_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const END_TIMEOUT_MS = 2_000;

export interface BridgeClientOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  reconnectMinS: number;
  reconnectMaxS: number;
  rejectUnauthorized: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  will: { topic: string; payload: string; retain: boolean; qos: 0 | 1 };
  clock: Clock;
  logger: Logger;
}

export interface PublishOptions {
  retain: boolean;
  qos: 0 | 1;
}

export interface BridgeClient {
  readonly connected: boolean;
  /** Never throws. Disconnected: retained → latest value per topic kept; others dropped. */
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void;
  /** Adds filters (QoS 1); they are re-established on every reconnect. */
  subscribe(filters: string[]): void;
  onMessage(fn: (topic: string, payload: Buffer, packet: { retain: boolean }) => void): () => void;
  /** Every (re)connect, after resubscribing; registered while connected → called once soon. */
  onConnect(fn: () => void): () => void;
  /** When an established connection ends (not for failed attempts). */
  onDisconnect(fn: (reason: string) => void): () => void;
  stats(): { connects: number; publishes: number; dropped: number };
  /** Graceful DISCONNECT (so the broker does not publish the will); publishes nothing itself. */
  end(): Promise<void>;
}

/** Delay before the next attempt after `failures` consecutive failures: min·2^failures, capped at max. */
export function reconnectDelayMs(failures: number, minS: number, maxS: number): number {
  const factor = 2 ** Math.min(Math.max(0, failures), 30);
  return Math.round(Math.min(maxS, minS * factor) * 1000);
}

/** A URL for logs: user info dropped. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

export function explain(err: Error, protocolVersion: 4 | 5): string {
  const msg = errorMessage(err);
  if (/unacceptable protocol version|unsupported protocol version/i.test(msg) && protocolVersion === 5) {
    return `${msg} — the broker does not speak MQTT 5 (the embedded aedes broker speaks 3.1.1 only): set mqtt.protocol_version: 4`;
  }
  if (/not authorized|bad user ?name or password/i.test(msg)) return `${msg} — check mqtt.username and mqtt.password`;
  return msg;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** Create the client and start connecting at once. */
export function createBridgeClient(opts: BridgeClientOptions): BridgeClient {
  const { clock, logger } = opts;
  const where = redactUrl(opts.url);
  const tls = /^(mqtts|wss|tls|ssl):/i.test(opts.url);
  const filters = new Set<string>();
  const buffered = new Map<string, { payload: string | Buffer; qos: 0 | 1 }>();
  const messageFns = new Set<Listener<[string, Buffer, { retain: boolean }]>>();
  const connectFns = new Set<Listener<[]>>();
  const disconnectFns = new Set<Listener<[string]>>();
  const failureLog = new OncePerState();
  const stats = { connects: 0, publishes: 0, dropped: 0 };
  let current: MqttClient | null = null;
  let connected = false;
  let ready = false; // connected and the initial SUBACK came back
  let connectedAt = 0;
  let failures = 0;
  let timer: TimerHandle | undefined;
  let ended = false;
  let overflowLogged = false;

  const emit = <A extends unknown[]>(fns: Set<Listener<A>>, ...args: A): void => {
    for (const fn of [...fns]) {
      try {
        fn(...args);
      } catch (err) {
        // A failing subscriber must not break the connection or the other subscribers.
        logger.error({ err: errorMessage(err) }, 'mqtt: listener failed');
      }
    }
  };

  // One poll publishes ~20 values in one synchronous run; mqtt-packet writes each packet in
  // several chunks. Corking the socket for the rest of the tick turns all of them into one
  // write (one syscall) instead of dozens: measured in docs/PERFORMANCE.md (MQTT section).
  let corked: { cork(): void; uncork(): void } | null = null;
  function corkForThisTick(c: MqttClient): void {
    const stream = c.stream as unknown as { cork?: () => void; uncork?: () => void } | undefined;
    if (!stream || corked === stream || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return;
    const s = stream as { cork(): void; uncork(): void };
    s.cork();
    corked = s;
    process.nextTick(() => {
      corked = null;
      s.uncork();
    });
  }

  function send(c: MqttClient, topic: string, payload: string | Buffer, o: PublishOptions): void {
    stats.publishes++;
    corkForThisTick(c);
    const failed = (err: unknown): void => {
      stats.dropped++;
      logger.debug({ topic, err: errorMessage(err) }, 'mqtt: publish failed');
    };
    try {
      // QoS 0 without a callback: for a callback, mqtt.js adds one `once('drain')` listener per
      // packet written while the socket is backed up, and emitting 'drain' to N of them is O(N²)
      // (each once-wrapper's removeListener scans the list). A burst of tens of thousands of
      // publishes (500 PDUs' discovery and readings) blocked the event loop for minutes (load
      // run, issue 10). Its callback had nothing to report: invalid topics throw (caught below).
      c.publish(topic, payload, { qos: o.qos, retain: o.retain }, o.qos === 0 ? undefined : (err) => err && failed(err));
    } catch (err) {
      failed(err); // e.g. an invalid topic: publish() must never throw at the caller
    }
  }

  function clientOptions(): IClientOptions {
    const o: IClientOptions = {
      clientId: opts.clientId,
      protocolVersion: opts.protocolVersion,
      keepalive: opts.keepaliveS,
      // §9.1: clean session, so commands queued while the bridge was away are never delivered.
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // We buffer ourselves (latest retained value only); mqtt.js' offline queue is unbounded.
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), retain: opts.will.retain, qos: opts.will.qos },
      rejectUnauthorized: opts.rejectUnauthorized,
    };
    if (opts.protocolVersion === 5) o.properties = { sessionExpiryInterval: 0 };
    if (opts.username !== undefined && opts.username !== '') {
      o.username = opts.username;
      o.password = opts.password ?? '';
    }
    if (tls) {
      // Read per attempt, so renewed certificates are picked up on the next reconnect.
      if (opts.caFile) o.ca = readFileSync(opts.caFile);
      if (opts.certFile) o.cert = readFileSync(opts.certFile);
      if (opts.keyFile) o.key = readFileSync(opts.keyFile);
    }
    return o;
  }

  function noDelay(c: MqttClient): void {
    // Nagle's algorithm adds ~40 ms at p99 (§2.1). net/tls sockets have setNoDelay (applied on
    // connect if called earlier); WebSocket streams do not, and are left alone.
    const stream = c.stream as unknown as { setNoDelay?: (on: boolean) => unknown } | undefined;
    if (typeof stream?.setNoDelay === 'function') stream.setNoDelay(true);
  }

  function schedule(reason: string): void {
    if (ended) return;
    const delay = reconnectDelayMs(failures, opts.reconnectMinS, opts.reconnectMaxS);
    failures++;
    if (failureLog.changed(reason)) logger.warn({ url: where, retryInS: delay / 1000 }, `mqtt: cannot connect to ${where}: ${reason}`);
    timer = clock.setTimeout(attempt, delay);
  }

  function onReady(c: MqttClient): void {
    if (c !== current || !connected) return;
    ready = true;
    emit(connectFns);
  }

  function attempt(): void {
    timer = undefined;
    if (ended) return;
    let c: MqttClient;
    try {
      c = connect(opts.url, clientOptions());
    } catch (err) {
      schedule(errorMessage(err));
      return;
    }
    current = c;
    noDelay(c);
    let lastError = '';
    let closed = false;
    c.on('error', (err) => (lastError = explain(err, opts.protocolVersion)));
    c.on('disconnect', (p) => (lastError = `broker sent DISCONNECT (reason code ${p.reasonCode ?? 0})`));
    c.on('message', (topic, payload, packet) => emit(messageFns, topic, payload, { retain: packet.retain === true }));
    c.on('connect', () => {
      if (c !== current || ended) return;
      connected = true;
      connectedAt = clock.monotonic();
      stats.connects++;
      failureLog.clear();
      noDelay(c);
      logger.info({ url: where, clientId: opts.clientId, protocolVersion: opts.protocolVersion }, `mqtt: connected to ${where}`);
      // Buffered retained state first: anything published from here on (including the full
      // republish of the onConnect handlers) is newer and must arrive after it.
      for (const [topic, m] of buffered) send(c, topic, m.payload, { retain: true, qos: m.qos });
      buffered.clear();
      overflowLogged = false;
      if (filters.size === 0) return onReady(c);
      c.subscribe([...filters], { qos: 1 }, (err, granted) => {
        if (err) return; // the connection went away; 'close' handles it
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) logger.warn({ filters: refused }, 'mqtt: the broker refused some subscriptions');
        onReady(c);
      });
    });
    c.on('close', () => {
      if (closed) return;
      closed = true;
      if (c !== current) return; // ended by end(), which finishes it
      c.removeAllListeners('message');
      c.end(true); // release mqtt.js' timers and stores of this attempt
      const wasConnected = connected;
      [current, connected, ready] = [null, false, false];
      if (wasConnected) {
        const reason = lastError || 'connection closed';
        if (clock.monotonic() - connectedAt >= STABLE_CONNECTION_MS) failures = 0;
        logger.warn({ url: where, reason }, `mqtt: disconnected from ${where}: ${reason}`);
        failureLog.changed(reason); // the disconnect line already said it
        emit(disconnectFns, reason);
      }
      schedule(lastError || 'connection closed');
    });
  }

  const on = <A extends unknown[]>(fns: Set<Listener<A>>, fn: Listener<A>): (() => void) => {
    fns.add(fn);
    return () => void fns.delete(fn);
  };

  attempt();

  return {
    get connected() {
      return connected;
    },

    publish(topic, payload, o) {
      if (connected && current) return send(current, topic, payload, o);
      // Disconnected: events and command responses are only meaningful now, so they are dropped;
      // retained state keeps its latest value per topic (bounded) and is flushed on connect.
      const full = o.retain && !buffered.has(topic) && buffered.size >= MAX_BUFFERED_TOPICS;
      if (ended || !o.retain || full) {
        stats.dropped++;
        if (full && !overflowLogged) logger.warn({ max: MAX_BUFFERED_TOPICS }, 'mqtt: offline buffer full; dropping retained messages of new topics');
        overflowLogged ||= full;
        return;
      }
      buffered.set(topic, { payload, qos: o.qos });
    },

    subscribe(list) {
      const fresh = list.filter((f) => !filters.has(f));
      for (const f of fresh) filters.add(f);
      if (fresh.length > 0 && connected && current) current.subscribe(fresh, { qos: 1 });
    },

    onMessage: (fn) => on(messageFns, fn),

    onConnect(fn) {
      const off = on(connectFns, fn);
      // Registered after the connection came up (e.g. a service started late): run it once for
      // this connection, otherwise its first full publish would wait for the next reconnect.
      if (ready) queueMicrotask(() => ready && connectFns.has(fn) && emit(new Set([fn])));
      return off;
    },

    onDisconnect: (fn) => on(disconnectFns, fn),

    stats: () => ({ ...stats }),

    async end() {
      if (ended) return;
      ended = true;
      clock.clearTimeout(timer);
      const [c, wasConnected] = [current, connected];
      [current, connected, ready] = [null, false, false];
      if (!c) return;
      if (wasConnected) {
        logger.info({ url: where }, `mqtt: disconnecting from ${where}`);
        emit(disconnectFns, 'client ended');
      }
      // Graceful: in-flight QoS 1 messages (e.g. the `offline` states of §3.3) are acked first.
      await new Promise<void>((resolve) => {
        const t = clock.setTimeout(() => c.end(true, {}, () => resolve()), END_TIMEOUT_MS);
        c.end(!wasConnected, {}, () => {
          clock.clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
