import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { RealClock } from '../../src/core/clock.js';
import type { TestPki } from './tls.js';

// Real local servers for the switch prober tests, each counting the connections it has seen and
// how many of them are closed again (so a test can prove the prober left no socket open).

export interface TestServer {
  port: number;
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Of those, already closed on the server side. */
  readonly closed: number;
  /** Connections open now (server.getConnections). */
  open(): Promise<number>;
  close(): Promise<void>;
}

const clock = new RealClock();

function track(server: net.Server, scheme: 'http' | 'https'): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let closed = 0;
  server.on('connection', (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => {
      closed++;
      sockets.delete(s);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}/`,
        get accepted() {
          return accepted;
        },
        get closed() {
          return closed;
        },
        open: () => new Promise((res) => server.getConnections((_e, n) => res(n ?? 0))),
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}

/** A plain TCP server: `onSocket` decides what the "device" does with each connection. */
export function startRawServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const server = net.createServer((socket) => {
    onSocket(socket);
    // A socket nobody reads never sees the client's FIN; read (and drop) so a close is noticed.
    if (socket.listenerCount('data') === 0) socket.resume();
  });
  return track(server, 'http');
}

/** An HTTP server with a handler (requestTimeout 0: a handler may hang on purpose). */
export function startHttpServer(handler: http.RequestListener): Promise<TestServer> {
  return track(http.createServer({ requestTimeout: 0 }, handler), 'http');
}

/** An HTTPS server with the test PKI's certificate (self-signed from the client's view); `onSecure` sees each TLS connection first. */
export function startHttpsServer(pki: TestPki, handler: http.RequestListener, onSecure?: (socket: TLSSocket) => void): Promise<TestServer> {
  const server = https.createServer({ cert: readFileSync(pki.cert), key: readFileSync(pki.key), requestTimeout: 0 }, handler);
  if (onSecure) server.on('secureConnection', onSecure);
  return track(server, 'https');
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `cond` every 10 ms for at most `ms`; returns its last value. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, ms = 1000): Promise<boolean> {
  const end = clock.monotonic() + ms;
  for (;;) {
    if (await cond()) return true;
    if (clock.monotonic() >= end) return false;
    await clock.sleep(10);
  }
}
