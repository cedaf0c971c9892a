import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock, TimerHandle } from '../core/clock.js';

// The demo's simulated modem (SPEC §8): one tiny HTTP server on 127.0.0.1, powered by an outlet of
// the simulated PDU and watched by the demo watchdog `demo-modem` (§12.7). Powered and not hung
// it answers 200; unpowered (outlet off, PDU without power) or hung it accepts the connection and
// never answers, as a dead or wedged device looks to a probe. Scenario `hang_target` hangs it; the
// hang clears once its outlet is switched off (a power cycle), or with `hang_target {hung:false}`.

export interface DemoModemOptions {
  /** Whether the modem has power now (its outlet on, the PDU powered). */
  powered(): boolean;
  clock: Clock;
  bind?: string;
  /** How often the outlet is looked at while hung (a power cut clears the hang); default 250 ms. */
  watchMs?: number;
}

export interface DemoModem {
  readonly url: string;
  readonly hung: boolean;
  /** true: stop answering until the next power cycle; false: answer again now. */
  setHung(hung: boolean): void;
  close(): Promise<void>;
}

export async function startDemoModem(opts: DemoModemOptions): Promise<DemoModem> {
  const bind = opts.bind ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let hung = false;
  let watch: TimerHandle | undefined;
  let closed = false;

  // requestTimeout 0: a hung modem stays silent instead of sending 408 after 300 s.
  const server = http.createServer({ keepAliveTimeout: 1000, requestTimeout: 0 }, (_req, res) => {
    if (hung || !opts.powered()) return; // silent: the probe times out
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '3' });
    res.end('ok\n');
  });
  server.on('connection', (s: Socket) => {
    s.on('error', () => {});
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, s: Socket) => s.destroy());

  const arm = (): void => {
    opts.clock.clearTimeout(watch);
    watch = undefined;
    if (!hung || closed) return;
    watch = opts.clock.setTimeout(() => {
      watch = undefined;
      // Power removed: the wedged firmware is gone; it boots fine when power returns.
      if (!opts.powered()) hung = false;
      arm();
    }, opts.watchMs ?? 250);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: bind }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = bind.includes(':') ? `[${bind}]` : bind;

  return {
    url: `http://${host}:${port}/`,
    get hung() {
      return hung;
    },
    setHung(value) {
      hung = value;
      // A request left hanging while hung is dropped, so the next probe sees the new behaviour.
      if (!value) for (const s of sockets) s.destroy();
      arm();
    },
    async close() {
      closed = true;
      opts.clock.clearTimeout(watch);
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
