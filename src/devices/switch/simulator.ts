import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import type { SwitchInput } from '../../core/power.js';
import type { DemoSwitches } from '../demo-scenarios.js';

// Simulated switches for the demo and tests (SPEC §8): one tiny http.Server per switch on an
// ephemeral port of 127.0.0.1. Modes:
//   answer  "powered": 200 OK with a tiny body
//   hang    "unpowered": the TCP connection is accepted (by the kernel) and never answered, which
//           is how a dead host looks to the prober (timeout -> down)
//   refuse  port closed: the listener is closed, connects get ECONNREFUSED; leaving the mode
//           listens again on the SAME port, so the target's URL stays valid
//   reset   the connection is accepted and reset at once (ECONNRESET)
//   vanish  meant to be "SYNs unanswered". Node cannot stop accepting on a listening socket
//           (libuv accepts as long as it listens, and closing it answers with RST = refuse), so
//           on loopback vanish behaves exactly like hang: connect succeeds, nothing answers.

export type SimulatedSwitchMode = 'answer' | 'hang' | 'refuse' | 'reset' | 'vanish';

export interface SimulatedSwitch {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly mode: SimulatedSwitchMode;
  readonly role: 'sensor' | 'control';
}

export interface SwitchSimulatorOptions {
  /** Sensor switches demo-switch-1..count (0-50 in the config schema). */
  count: number;
  /** Address to listen on; default 127.0.0.1. */
  bind?: string;
  /** Accepted so callers can pass their context alike; the simulator arms no timers. */
  clock?: Clock;
}

export interface SwitchSimulator {
  /** Sensor switches demo-switch-1..N, in order. */
  readonly switches: readonly SimulatedSwitch[];
  /** The control target demo-gateway (a router on a UPS). */
  readonly gateway: SimulatedSwitch;
  /**
   * By name, or by index into `switches` (the gateway only by name). Resolves when the mode is in
   * effect (refuse/reopen is asynchronous); never rejects. Unknown name: throws (a programmer error).
   */
  setMode(nameOrIndex: string | number, mode: SimulatedSwitchMode): Promise<void>;
  /** Every sensor switch and the gateway. */
  setAll(mode: SimulatedSwitchMode): Promise<void>;
  /** As switch targets for the prober: sensors, then the gateway (role control). */
  targets(): SwitchInput[];
  close(): Promise<void>;
}

export const GATEWAY_NAME = 'demo-gateway';
export const switchName = (n: number): string => `demo-switch-${n}`;

class SimSwitch implements SimulatedSwitch {
  mode: SimulatedSwitchMode = 'answer';
  port = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  /** Mode changes run one after another: a refuse -> answer -> refuse burst must not interleave. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly name: string,
    readonly role: 'sensor' | 'control',
    private readonly bind: string,
  ) {
    // requestTimeout 0: a hanging switch stays silent forever instead of sending 408 after 300 s.
    this.server = http.createServer({ keepAliveTimeout: 1000, requestTimeout: 0 }, (req, res) => this.onRequest(req, res));
    this.server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server.on('clientError', (_err, socket: Socket) => socket.destroy());
  }

  get url(): string {
    const host = this.bind.includes(':') ? `[${this.bind}]` : this.bind;
    return `http://${host}:${this.port}/`;
  }

  async start(): Promise<void> {
    await this.listen(0);
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The mode applies at once to new connections and requests; the promise covers the port. */
  setMode(mode: SimulatedSwitchMode): Promise<void> {
    if (this.closed) return this.chain;
    this.mode = mode;
    if (mode === 'refuse') {
      // Stop listening now (the fd closes synchronously) and drop the open connections.
      if (this.server.listening) this.server.close();
      this.dropSockets();
    }
    this.chain = this.chain.then(() => this.reconcile()).catch(() => {});
    return this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    this.dropSockets();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listening iff the mode is not refuse; runs serialised, so a refuse/answer burst cannot interleave. */
  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const wanted = this.mode !== 'refuse';
    if (wanted && !this.server.listening) {
      // SO_REUSEADDR (set by libuv) lets the same port be bound again at once; should another
      // process have taken it meanwhile, the switch stays closed (mode refuse) rather than move.
      try {
        await this.listen(this.port);
      } catch {
        this.mode = 'refuse';
      }
    } else if (!wanted && this.server.listening) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ port, host: this.bind }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  private onConnection(socket: Socket): void {
    if (this.mode === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    socket.on('error', () => {}); // clients reset us all the time: that is the prober's job
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private onRequest(_req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.mode === 'answer') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '3' });
      res.end('ok\n');
      return;
    }
    if (this.mode === 'reset') res.socket?.resetAndDestroy();
    // hang / vanish: never answer; the socket is dropped on close() or refuse.
  }

  private dropSockets(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

/** Start `count` sensor switches and the gateway, each answering. */
export async function startSwitchSimulator(opts: SwitchSimulatorOptions): Promise<SwitchSimulator> {
  const bind = opts.bind ?? '127.0.0.1';
  const count = Math.max(0, Math.floor(opts.count));
  const sensors = Array.from({ length: count }, (_, i) => new SimSwitch(switchName(i + 1), 'sensor', bind));
  const gateway = new SimSwitch(GATEWAY_NAME, 'control', bind);
  const all = [...sensors, gateway];
  const started = await Promise.allSettled(all.map((s) => s.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(all.map((s) => s.close()));
    throw failed.reason;
  }

  const find = (nameOrIndex: string | number): SimSwitch => {
    const s = typeof nameOrIndex === 'number' ? sensors[nameOrIndex] : all.find((x) => x.name === nameOrIndex);
    if (!s) throw new Error(`no simulated switch ${JSON.stringify(nameOrIndex)}`);
    return s;
  };

  return {
    switches: sensors,
    gateway,
    setMode: (nameOrIndex, mode) => find(nameOrIndex).setMode(mode),
    setAll: async (mode) => {
      await Promise.all(all.map((s) => s.setMode(mode)));
    },
    targets: () => all.map((s) => ({ name: s.name, url: s.url, role: s.role })),
    close: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  };
}

/** The simulator as the demo scenarios see it (devices/demo-scenarios.ts). */
export function demoSwitchesOf(sim: SwitchSimulator): DemoSwitches {
  return {
    names: sim.switches.map((s) => s.name),
    gateway: sim.gateway.name,
    setMode: (name, mode) => void sim.setMode(name, mode),
  };
}
