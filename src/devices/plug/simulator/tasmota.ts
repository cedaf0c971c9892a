import type { IncomingMessage } from 'node:http';
import { HttpPlugSimulator, type HttpAnswer, type HttpPlugSimOptions } from './http-sim.js';

// A Tasmota simulator on 127.0.0.1: `/cm?cmnd=Status 0|10|11`, `Power<n> On|Off`. Like real
// firmware of different vintages it can send numbers as JSON numbers or as strings.

export interface TasmotaSimOptions extends HttpPlugSimOptions {
  index?: number;
  /** Numbers as strings ("Power":"45"), as some firmware versions send them. */
  stringNumbers?: boolean;
  password?: string;
}

type Json = Record<string, unknown>;

export class TasmotaSimulator extends HttpPlugSimulator {
  constructor(private readonly opts: TasmotaSimOptions) {
    super(opts);
  }

  private num(v: number, decimals: number): number | string {
    const r = Number(v.toFixed(decimals));
    return this.opts.stringNumbers ? r.toFixed(decimals) : r;
  }

  protected route(_req: IncomingMessage, url: URL): HttpAnswer {
    if (url.pathname !== '/cm') return { status: 404, body: 'Not found' };
    if (this.opts.password && url.searchParams.get('password') !== this.opts.password) return { status: 200, body: { WARNING: 'Need user=<username>&password=<password>' } };
    const cmnd = (url.searchParams.get('cmnd') ?? '').trim();
    const many = this.sim.outlets.length > 1;
    const power = (i: number): string => (this.sim.outlets[i]?.on ? 'ON' : 'OFF');
    const powers = (): Json => (many ? Object.fromEntries(this.sim.outlets.map((_, i) => [`POWER${i + 1}`, power(i)])) : { POWER: power(0) });
    if (/^status\s+0$/i.test(cmnd)) {
      const idx = String(this.opts.index ?? 0).padStart(4, '0');
      return { status: 200, body: {
        Status: { Module: 0, DeviceName: `Tasmota Sim ${idx}`, FriendlyName: [`Tasmota ${idx}`], Topic: `tasmota_${idx}`, Power: 1 },
        StatusFWR: { Version: '13.2.0(tasmota)', BuildDateTime: '2023-10-19T11:45:25', Core: '2_7_4_9', Hardware: 'ESP8266EX' },
        StatusNET: { Hostname: `tasmota-${idx}`, IPAddress: '127.0.0.1', Mac: `DC:4F:22:00:${idx.slice(0, 2)}:${idx.slice(2)}` },
      } };
    }
    if (/^status\s+11$/i.test(cmnd)) return { status: 200, body: { StatusSTS: { Time: '2026-01-01T00:00:00', Uptime: '0T01:00:00', ...powers() } } };
    if (/^status\s+10$/i.test(cmnd)) {
      const pick = (f: (i: number) => number | string): unknown => (many ? this.sim.outlets.map((_, i) => f(i)) : f(0));
      return { status: 200, body: { StatusSNS: { Time: '2026-01-01T00:00:00', ENERGY: {
        TotalStartTime: '2026-01-01T00:00:00', Total: pick((i) => this.num((this.sim.outlets[i]?.energyWh ?? 0) / 1000, 3)),
        Yesterday: this.num(0, 3), Today: this.num(0, 3), Power: pick((i) => this.num(this.sim.power(i), 0)),
        ApparentPower: pick((i) => this.num(this.sim.power(i), 0)), ReactivePower: pick(() => this.num(0, 0)), Factor: pick(() => this.num(1, 2)),
        Voltage: this.num(this.sim.voltage, 0), Current: pick((i) => this.num(this.sim.current(i), 3)),
      } } } };
    }
    const m = /^power(\d*)\s+(on|off|1|0)$/i.exec(cmnd);
    if (m) {
      const n = m[1] === '' ? 1 : Number(m[1]);
      if (!this.sim.outlets[n - 1]) return { status: 200, body: { Command: 'Unknown' } };
      this.sim.setRelay(n, /^(on|1)$/i.test(m[2] as string));
      return { status: 200, body: many ? { [`POWER${n}`]: power(n - 1) } : { POWER: power(0) } };
    }
    return { status: 200, body: { Command: 'Unknown' } };
  }
}

export function startTasmotaSimulator(opts: TasmotaSimOptions = {}): Promise<TasmotaSimulator> {
  return new TasmotaSimulator(opts).start();
}
