import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { RealClock, type Clock } from '../../../core/clock.js';
import { decrypt, encodeFrame, encrypt, takeFrame } from '../kasa/framing.js';
import { delay, PlugSimModel, type SimMode } from './model.js';

// A Kasa legacy-protocol simulator (TCP framing + UDP discovery on 127.0.0.1): an HS110 (old
// V/A/W/kWh meter scheme, one relay) or an HS300 strip (six children, mV/mA/mW/Wh per child).

export type KasaSimModel = 'HS110' | 'HS300';

export interface KasaSimOptions {
  model: KasaSimModel;
  /** Default: 6 for an HS300, 1 otherwise. */
  outlets?: number;
  /** Distinguishes many simulated plugs (MAC and deviceId derive from it). */
  index?: number;
  alias?: string;
  loads?: number[];
  voltage?: number;
  clock?: Clock;
  /** TCP port (0 = ephemeral). */
  port?: number;
}

type Json = Record<string, unknown>;

export class KasaSimulator {
  readonly sim: PlugSimModel;
  readonly deviceId: string;
  readonly mac: string;
  private server: Server | null = null;
  private udp: UdpSocket | null = null;
  private readonly sockets = new Set<Socket>();
  private tcpPort = 0;
  private readonly clock: Clock;

  constructor(private readonly opts: KasaSimOptions) {
    this.clock = opts.clock ?? new RealClock();
    const n = opts.outlets ?? (opts.model === 'HS300' ? 6 : 1);
    this.sim = new PlugSimModel({ outlets: n, loads: opts.loads, voltage: opts.voltage ?? 120, frequency: 60, clock: this.clock, names: Array.from({ length: n }, (_, i) => (n === 1 ? (opts.alias ?? 'Sim Plug') : `Outlet ${i + 1}`)) });
    const idx = (opts.index ?? 0).toString(16).padStart(4, '0').toUpperCase();
    this.deviceId = `800600000000000000000000000000000000${idx}`;
    this.mac = `50:C7:BF:00:${idx.slice(0, 2)}:${idx.slice(2)}`;
  }

  get port(): number {
    return this.tcpPort;
  }

  get udpPort(): number {
    const a = this.udp?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  async start(): Promise<this> {
    await this.listen(this.opts.port ?? 0);
    this.udp = createSocket('udp4');
    this.udp.on('message', (msg, rinfo) => {
      if (this.sim.mode !== 'normal') return;
      const answer = this.handle(decrypt(msg).toString('utf8'));
      this.udp?.send(encrypt(Buffer.from(answer)), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => this.udp?.bind(0, '127.0.0.1', resolve));
    return this;
  }

  private listen(port: number): Promise<void> {
    const server = createServer({ noDelay: true }, (s) => this.onConnection(s));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const a = server.address();
        this.tcpPort = a && typeof a === 'object' ? a.port : 0;
        resolve();
      });
    });
  }

  private onConnection(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      if (this.sim.mode !== 'normal') return; // lost power: a half-open peer that never answers
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const r = takeFrame(buf);
        if (r.kind === 'need_more') return;
        if (r.kind === 'error') return void s.destroy();
        buf = r.rest;
        const answer = this.handle(r.json);
        void delay(this.clock, this.sim.delayMs).then(() => {
          if (!s.destroyed && this.sim.mode === 'normal') s.write(encodeFrame(answer));
        });
      }
    });
  }

  /** Answer one request (JSON text in, JSON text out), like the device. */
  handle(text: string): string {
    let req: Json;
    try {
      req = JSON.parse(text) as Json;
    } catch {
      return JSON.stringify({ err_code: -1, err_msg: 'json decode error' });
    }
    this.sim.advance();
    const ctx = (req.context as { child_ids?: unknown } | undefined)?.child_ids;
    const childIdx = Array.isArray(ctx) ? this.childIndex(String(ctx[0])) : null;
    const out: Json = {};
    for (const [module, methods] of Object.entries(req)) {
      if (module === 'context') continue;
      const res: Json = {};
      for (const [method, args] of Object.entries((methods ?? {}) as Json)) res[method] = this.call(module, method, (args ?? {}) as Json, childIdx);
      out[module] = res;
    }
    return JSON.stringify(out);
  }

  private childIndex(id: string): number {
    const i = this.sim.outlets.findIndex((_, n) => this.childId(n) === id || this.childId(n).endsWith(id));
    return i;
  }

  private childId(i: number): string {
    return `${this.deviceId}${String(i).padStart(2, '0')}`;
  }

  private call(module: string, method: string, args: Json, child: number | null): Json {
    const strip = this.opts.model === 'HS300';
    if (child === -1) return { err_code: -14, err_msg: 'entry not exist' };
    if (module === 'system' && method === 'get_sysinfo') return this.sysinfo();
    if (module === 'system' && method === 'set_relay_state') {
      const idx = strip ? child : 0;
      if (idx === null) return { err_code: -1, err_msg: 'context child_ids required' };
      this.sim.setRelay(idx + 1, args.state === 1);
      return { err_code: 0 };
    }
    if (module === 'emeter' && method === 'get_realtime') {
      const idx = strip ? child : 0;
      if (idx === null) return { err_code: -1, err_msg: 'module not support' };
      const p = this.sim.power(idx);
      const o = this.sim.outlets[idx];
      if (strip) {
        return { voltage_mv: Math.round(this.sim.voltage * 1000), current_ma: Math.round(this.sim.current(idx) * 1000), power_mw: Math.round(p * 1000), total_wh: Math.floor(o?.energyWh ?? 0), slot_id: idx, err_code: 0 };
      }
      return { voltage: this.sim.voltage, current: this.sim.current(idx), power: p, total: (o?.energyWh ?? 0) / 1000, err_code: 0 };
    }
    return { err_code: -2, err_msg: 'member not support' };
  }

  private sysinfo(): Json {
    const base: Json = {
      sw_ver: '1.0.12 Build 220121 Rel.175814', hw_ver: this.opts.model === 'HS300' ? '2.0' : '1.0', model: `${this.opts.model}(US)`,
      deviceId: this.deviceId, oemId: '0'.repeat(32), hwId: '0'.repeat(32), rssi: -44, mac: this.mac, alias: this.opts.alias ?? `Sim ${this.opts.model}`,
      feature: 'TIM:ENE', led_off: 0, updating: 0, err_code: 0, mic_type: 'IOT.SMARTPLUGSWITCH',
    };
    if (this.opts.model !== 'HS300') return { ...base, relay_state: this.sim.outlets[0]?.on ? 1 : 0, on_time: 100, active_mode: 'none', dev_name: 'Smart Wi-Fi Plug With Energy Monitoring' };
    return {
      ...base, child_num: this.sim.outlets.length,
      children: this.sim.outlets.map((o, i) => ({ id: this.childId(i), state: o.on ? 1 : 0, alias: o.name, on_time: 100, next_action: { type: -1 } })),
    };
  }

  /** normal | silent (lost power: hangs) | refuse (port closed). */
  async setMode(mode: SimMode): Promise<void> {
    const prev = this.sim.mode;
    this.sim.mode = mode;
    if (mode === 'refuse' && prev !== 'refuse') {
      for (const s of this.sockets) s.destroy();
      await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
      this.server = null;
    } else if (mode !== 'refuse' && prev === 'refuse') {
      await this.listen(this.tcpPort);
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    this.server = null;
    this.udp = null;
  }
}

export function startKasaSimulator(opts: KasaSimOptions): Promise<KasaSimulator> {
  return new KasaSimulator(opts).start();
}
