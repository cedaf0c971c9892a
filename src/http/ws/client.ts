import type { Clock, TimerHandle } from '../../core/clock.js';
import { ClientQueue } from './client-queue.js';
import type { OutMessage } from './messages.js';

// One connected WebSocket client of the hub (SPEC §15): its device filter, its queue and the
// pump that hands queued messages to the socket only while the socket's own buffer is small,
// so a browser that stops reading costs at most `highWaterBytes` + the queue bound, never more.
// The socket is the `ws` WebSocket, reduced to what is used here (tests pass a fake).

export const WS_OPEN = 1;

/** 1013 "try again later": the client did not read fast enough (SPEC §15). */
export const CLOSE_TOO_SLOW = 1013;
/** 1001 "going away": the server shuts down. */
export const CLOSE_GOING_AWAY = 1001;

export type RawData = Buffer | ArrayBuffer | Buffer[];

export interface WsSocket {
  readonly readyState: number;
  /** Bytes handed to send() and not yet written to the OS. */
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }, cb: (err?: Error) => void): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', fn: (data: RawData, isBinary: boolean) => void): unknown;
  on(event: 'pong', fn: () => void): unknown;
  on(event: 'close', fn: (code: number) => void): unknown;
}

/** The TCP socket under the WebSocket: corked while a batch of frames is written (one syscall, not one per frame). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export interface ClientOptions {
  clock: Clock;
  /** Bound of the non-status queue (1 MB). */
  maxQueueBytes: number;
  /** Stop handing frames to the socket while it buffers this many bytes. */
  highWaterBytes: number;
  /** After close(), the socket is terminated when the closing handshake has not ended by then. */
  closeGraceMs: number;
  /** Server pings a client may leave unanswered; one more tick drops it. */
  maxMissedPongs: number;
}

const SEND_OPTS = { binary: false } as const;

export class WsClient {
  readonly queue: ClientQueue;
  /** Messages handed to the socket. */
  sent = 0;
  private missed = 0;
  private closing = false;
  private graceTimer: TimerHandle | undefined;
  private readonly onSent: (err?: Error) => void;

  constructor(
    readonly id: number,
    readonly socket: WsSocket,
    /** Device ids to deliver (null = every device); messages without a device go to everybody. */
    readonly filter: ReadonlySet<string> | null,
    private readonly o: ClientOptions,
    private readonly stream: Corkable | null = null,
  ) {
    this.queue = new ClientQueue(o.maxQueueBytes);
    // One callback per client, reused by every send: written → hand over more.
    this.onSent = (err) => {
      if (!err) this.pump();
    };
  }

  wants(deviceId: string | null): boolean {
    return deviceId === null || this.filter === null || this.filter.has(deviceId);
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Queue one message (the caller pumps, once per batch); false = the queue overflowed and the
   * client is closed with 1013.
   */
  enqueue(m: OutMessage): boolean {
    if (this.closing) return true;
    if (this.queue.push(m) === 'overflow') {
      this.close(CLOSE_TOO_SLOW, 'too slow: over 1 MB of messages queued');
      return false;
    }
    return true;
  }

  /** Hand queued messages to the socket while its buffer is below the high-water mark. */
  pump(): void {
    const s = this.socket;
    const batch = this.stream !== null && this.queue.length > 1;
    if (batch) this.stream.cork();
    try {
      while (!this.closing && s.readyState === WS_OPEN && s.bufferedAmount < this.o.highWaterBytes) {
        const m = this.queue.shift();
        if (!m) return;
        this.sent++;
        s.send(m.data, SEND_OPTS, this.onSent);
      }
    } finally {
      if (batch) this.stream.uncork();
    }
  }

  /** Any frame from the client (pong, message) proves it is alive. */
  alive(): void {
    this.missed = 0;
  }

  /** A server ping tick: false = dropped (it left `maxMissedPongs` pings unanswered). */
  heartbeat(): boolean {
    if (this.missed >= this.o.maxMissedPongs) {
      this.closing = true;
      this.queue.clear();
      this.socket.terminate();
      return false;
    }
    this.missed++;
    if (this.socket.readyState === WS_OPEN) this.socket.ping();
    return true;
  }

  /** Closing handshake with `code`; the queue is dropped, and the socket terminated after the grace time. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queue.clear();
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
      return;
    }
    this.graceTimer = this.o.clock.setTimeout(() => this.socket.terminate(), this.o.closeGraceMs);
  }

  /** The socket is closed: nothing more is queued or sent. */
  closed(): void {
    this.closing = true;
    this.queue.clear();
    this.o.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }
}
