import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { RealClock, type Clock } from '../../../core/clock.js';
import { delay, PlugSimModel, type SimMode } from './model.js';

// The HTTP side shared by the Shelly and Tasmota simulators: 127.0.0.1, ephemeral port, the
// model's modes (silent = accept and never answer; refuse = port closed) and answer delay.

export type HttpAnswer = { status: number; body: unknown; headers?: Record<string, string> };
export type HttpHandler = (req: IncomingMessage, url: URL) => HttpAnswer;

export class HttpPlugSim {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private bound = 0;

  constructor(
    readonly sim: PlugSimModel,
    private readonly clock: Clock,
    private readonly handler: HttpHandler,
  ) {}

  get port(): number {
    return this.bound;
  }

  async listen(port = 0): Promise<void> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const a = server.address();
        this.bound = a && typeof a === 'object' ? a.port : 0;
        resolve();
      });
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.sim.mode !== 'normal') return; // lost power: the request is never answered
    this.sim.advance();
    let answer: HttpAnswer;
    try {
      answer = this.handler(req, new URL(req.url ?? '/', 'http://127.0.0.1'));
    } catch (err) {
      answer = { status: 500, body: { error: String(err) } };
    }
    void delay(this.clock, this.sim.delayMs).then(() => {
      if (res.destroyed) return;
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(body);
    });
  }

  async setMode(mode: SimMode): Promise<void> {
    const prev = this.sim.mode;
    this.sim.mode = mode;
    if (mode === 'refuse' && prev !== 'refuse') await this.shut();
    else if (mode !== 'refuse' && prev === 'refuse') await this.listen(this.bound);
  }

  private async shut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  close(): Promise<void> {
    return this.shut();
  }
}

/** What both HTTP plug simulators take: outlets, their loads, the voltage and the clock. */
export interface HttpPlugSimOptions {
  outlets?: number;
  loads?: number[];
  voltage?: number;
  clock?: Clock;
}

/** A plug simulator behind HttpPlugSim: the model, the server's lifecycle; subclasses answer requests. */
export abstract class HttpPlugSimulator {
  readonly sim: PlugSimModel;
  readonly http: HttpPlugSim;

  constructor(opts: HttpPlugSimOptions) {
    const clock = opts.clock ?? new RealClock();
    this.sim = new PlugSimModel({ outlets: opts.outlets ?? 1, loads: opts.loads, voltage: opts.voltage ?? 230, clock, names: [] });
    this.http = new HttpPlugSim(this.sim, clock, (req, url) => this.route(req, url));
  }

  get port(): number {
    return this.http.port;
  }

  async start(): Promise<this> {
    await this.http.listen(0);
    return this;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  protected abstract route(req: IncomingMessage, url: URL): HttpAnswer;
}
