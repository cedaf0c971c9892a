import { connect, type Socket } from 'node:net';
import { encodeFrame, parseJsonObject, takeFrame } from './framing.js';

// One persistent TCP connection to a Kasa plug (the device serves few parallel clients well),
// one request at a time, reconnect on the next request after any error. Every request is bounded
// by its AbortSignal (the poll deadline): on abort the socket is destroyed, so a half-open or
// silent peer never holds a request open.

export class KasaRefusedError extends Error {}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

export class KasaConnection {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Send one request object; resolves with the decrypted JSON answer. Requests queue behind each other. */
  request(body: object, signal: AbortSignal): Promise<Record<string, unknown>> {
    const run = this.chain.then(() => this.send(JSON.stringify(body), signal));
    this.chain = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.closed = true;
    this.drop(new Error('connection closed'));
  }

  private async send(json: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (this.closed) throw new Error('connection closed');
    if (signal.aborted) throw new Error('poll deadline passed before the request was sent');
    const onAbort = (): void => this.drop(new Error('no answer before the poll deadline'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const socket = await this.open(signal);
      return await new Promise<Record<string, unknown>>((resolve, reject) => {
        this.pending = { resolve, reject };
        socket.write(encodeFrame(json));
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private open(signal: AbortSignal): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port, noDelay: true });
      const fail = (err: Error): void => {
        cleanup();
        s.destroy();
        reject(err);
      };
      const onError = (err: NodeJS.ErrnoException): void =>
        fail(err.code === 'ECONNREFUSED' ? new KasaRefusedError(`${this.host}:${this.port} refused the connection`) : err);
      const onAbort = (): void => fail(new Error(`connect to ${this.host}:${this.port} timed out`));
      const cleanup = (): void => {
        s.off('error', onError);
        signal.removeEventListener('abort', onAbort);
        this.connecting = null;
      };
      s.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
      s.once('connect', () => {
        cleanup();
        this.attach(s);
        resolve(s);
      });
    });
    return this.connecting;
  }

  private attach(s: Socket): void {
    this.socket = s;
    this.buf = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => this.onData(s, chunk));
    s.on('error', (err) => this.drop(err, s));
    s.on('close', () => this.drop(new Error('connection closed by the device'), s));
  }

  private onData(s: Socket, chunk: Buffer): void {
    if (s !== this.socket) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const r = takeFrame(this.buf);
    if (r.kind === 'need_more') return;
    if (r.kind === 'error') return this.drop(new Error(r.error));
    this.buf = r.rest;
    const p = this.pending;
    this.pending = null;
    if (!p) return this.drop(new Error('unexpected data from the device'));
    const parsed = parseJsonObject(r.json);
    if (parsed.ok) p.resolve(parsed.value);
    else {
      p.reject(new Error(parsed.error));
      this.drop(new Error(parsed.error));
    }
  }

  /** Destroy the socket (if it is still the current one) and fail the request in flight. */
  private drop(err: Error, which?: Socket): void {
    if (which && which !== this.socket) return;
    const s = this.socket;
    this.socket = null;
    this.buf = Buffer.alloc(0);
    s?.destroy();
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }
}
