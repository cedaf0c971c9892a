import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ProbeReason, ProbeResult } from '../../core/power.js';
import { classifyProbe, type ProbeObservation, type TlsErrorsSetting } from './classify.js';

// One probe of one switch target (SPEC §11.2): a single GET, no redirects, certificates never
// verified, and only the status line awaited — the socket is destroyed as soon as it arrives, so
// a huge or endless body costs nothing. One hard deadline covers DNS, connect, TLS and the first
// line. Never throws, never leaves a socket or timer behind.
//
// The status line is read from the socket itself (a tap next to Node's HTTP parser), not only
// from the 'response' event: 'response' waits for every header (a server dribbling headers would
// look dead) and never fires for 1xx. A 'response' that comes first is taken as well.

export interface ProbeOutcome {
  result: ProbeResult;
  reason: ProbeReason;
  http_status: number | null;
  /** ms until the first response byte, or until the refusal/reset/TLS alert; null when nothing answered. */
  response_time: number | null;
  error_message: string | null;
}

export interface ProbeOptions {
  timeoutMs: number;
  tlsErrors: TlsErrorsSetting;
  signal?: AbortSignal;
  clock: Clock;
}

export interface TcpConnectOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  clock: Clock;
}

const USER_AGENT = 'power2mqtt';
/** A status line longer than this is not one. */
const STATUS_LINE_MAX = 512;
const STATUS_LINE = /^HTTP\/\d+(?:\.\d+)? +(\d{3})(?:[ \r\n]|$)/;

/** Reasons that prove something answered; only those carry a response_time. */
const ANSWERED: ReadonlySet<ProbeReason> = new Set(['http', 'refused', 'reset', 'malformed', 'tls']);

interface Attempt {
  /** Settle once; later calls are ignored. `at` = monotonic ms of the answer, if any. */
  finish(obs: ProbeObservation, at: number | null, status?: number | null): void;
  readonly done: boolean;
}

/**
 * The deadline, the abort signal and the single resolution shared by both probes.
 * `teardown` runs exactly once, before the promise resolves: it must destroy the socket.
 */
function attempt(opts: TcpConnectOptions, tlsErrors: TlsErrorsSetting, resolve: (o: ProbeOutcome) => void): Attempt & { arm(teardown: () => void, firstByteAt: () => number | null): void } {
  const { clock, timeoutMs, signal } = opts;
  const start = clock.monotonic();
  let done = false;
  let timer: TimerHandle | undefined;
  let teardown: () => void = () => {};
  const onAbort = (): void => self.finish({ kind: 'aborted' }, null);
  const self = {
    get done() {
      return done;
    },
    finish(obs: ProbeObservation, at: number | null, status: number | null = null): void {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      try {
        teardown();
      } catch {
        // Destroying an already broken socket may throw on some Node versions; nothing to keep.
      }
      const v = classifyProbe(obs, tlsErrors);
      const responseTime = ANSWERED.has(v.reason) && at !== null ? Math.round((at - start) * 10) / 10 : null;
      resolve({ result: v.result, reason: v.reason, http_status: status, response_time: responseTime, error_message: v.error_message });
    },
    arm(td: () => void, firstByteAt: () => number | null): void {
      teardown = td;
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = clock.setTimeout(() => {
        const first = firstByteAt();
        self.finish({ kind: 'timeout', timeoutMs, partial: first !== null }, first);
      }, timeoutMs);
    },
  };
  return self;
}

/** GET `url` and judge the answer (SPEC §11.2). */
export function probeUrl(url: string, opts: ProbeOptions): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const a = attempt(opts, opts.tlsErrors, resolve);
    const { clock } = opts;
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported scheme ${target.protocol}`);
    } catch (err) {
      // Targets are validated when added (target-input.ts); this only keeps the promise total.
      a.finish({ kind: 'error', code: 'ERR_INVALID_URL', message: `invalid URL ${JSON.stringify(url)}: ${(err as Error).message}`, connected: false, tls: false }, null);
      return;
    }
    if (opts.signal?.aborted) return a.finish({ kind: 'aborted' }, null); // nothing started yet
    const tls = target.protocol === 'https:';
    let connected = false;
    let firstByteAt: number | null = null;
    let head = '';

    let req: http.ClientRequest;
    try {
      const options: https.RequestOptions = {
        method: 'GET',
        agent: false,
        rejectUnauthorized: false, // SPEC §11.2: self-signed devices; a TLS answer is what counts
        headers: { 'User-Agent': USER_AGENT, Connection: 'close' },
      };
      req = (tls ? https : http).request(target, options);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      a.finish({ kind: 'error', code: e.code, message: e.message, connected: false, tls }, null);
      return;
    }
    // Kept for the request's whole life: a late error after settling must not crash the process.
    req.on('error', (err: NodeJS.ErrnoException) => {
      a.finish({ kind: 'error', code: err.code, message: err.message, connected, tls }, clock.monotonic());
    });
    a.arm(() => req.destroy(), () => firstByteAt);

    req.on('socket', (socket) => {
      if (socket.readyState === 'open') connected = true;
      else socket.once('connect', () => (connected = true));
      socket.on('data', (chunk: Buffer) => {
        if (a.done) return;
        firstByteAt ??= clock.monotonic();
        head += chunk.toString('latin1', 0, Math.min(chunk.length, STATUS_LINE_MAX - head.length));
        const verdict = readStatusLine(head);
        if (verdict) a.finish(verdict, firstByteAt, verdict.kind === 'status' ? verdict.status : null);
      });
    });
    req.on('response', (res) => {
      res.on('error', () => {}); // the body is never read; its abort is expected
      a.finish({ kind: 'status', status: res.statusCode ?? 0 }, firstByteAt ?? clock.monotonic(), res.statusCode ?? null);
    });
    req.end();
  });
}

/** Judge what has arrived so far: a status line, not HTTP, or null = wait for more. */
export function readStatusLine(head: string): ProbeObservation | null {
  const prefix = head.slice(0, 5);
  if ('HTTP/'.slice(0, prefix.length) !== prefix) return { kind: 'not-http', firstLine: firstLine(head) };
  const nl = head.indexOf('\n');
  if (nl < 0) return head.length >= STATUS_LINE_MAX ? { kind: 'not-http', firstLine: head } : null;
  const m = STATUS_LINE.exec(head.slice(0, nl + 1));
  return m ? { kind: 'status', status: Number(m[1]) } : { kind: 'not-http', firstLine: firstLine(head) };
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return (nl < 0 ? s : s.slice(0, nl)).replace(/\r$/, '');
}

/**
 * A bare TCP connect (watchdog targets written `host:port`, SPEC §12.7): accepted = up.
 * An accepted connection is reported as reason `http` with http_status null ("the service
 * answered"; ProbeReason has no TCP-only value); refusals, resets and failures as in §11.2.
 */
export function tcpConnect(host: string, port: number, opts: TcpConnectOptions): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const a = attempt(opts, 'up', resolve);
    if (opts.signal?.aborted) return a.finish({ kind: 'aborted' }, null);
    let socket: net.Socket;
    try {
      socket = net.connect({ host, port });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      a.finish({ kind: 'error', code: e.code, message: e.message, connected: false, tls: false }, null);
      return;
    }
    socket.on('error', (err: NodeJS.ErrnoException) => {
      a.finish({ kind: 'error', code: err.code, message: err.message, connected: false, tls: false }, opts.clock.monotonic());
    });
    a.arm(() => socket.destroy(), () => null);
    socket.once('connect', () => a.finish({ kind: 'status', status: 200 }, opts.clock.monotonic(), null));
  });
}
