import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpPlugSimulator, type HttpAnswer, type HttpPlugSimOptions } from './http-sim.js';

// A Shelly simulator on 127.0.0.1: Gen2+ (Plus Plug S: `/shelly`, `/rpc/Shelly.GetStatus`,
// `/rpc/Switch.Set`) with optional digest auth (RFC 7616, SHA-256, user admin), or Gen1
// (Plug S: `/shelly`, `/status`, `/relay/N`). Payload shapes as in Shelly's API docs.

export interface ShellySimOptions extends HttpPlugSimOptions {
  gen?: 1 | 2;
  index?: number;
  password?: string;
  /** Digest algorithm announced in the challenge (tests: an unknown one). */
  algorithm?: string;
  /** Gen2: report every outlet as a `pm1:N` meter (no relay, e.g. a Shelly PM Mini) instead of `switch:N`. */
  meterOnly?: boolean;
}

type Json = Record<string, unknown>;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class ShellySimulator extends HttpPlugSimulator {
  readonly mac: string;
  readonly deviceName: string;
  private readonly nonces = new Set<string>();
  /** Requests answered 401 (challenges sent). */
  challenges = 0;

  constructor(private readonly opts: ShellySimOptions) {
    super(opts);
    const idx = (opts.index ?? 0).toString(16).padStart(6, '0').toUpperCase();
    this.mac = `A8032A${idx}`;
    this.deviceName = opts.gen === 1 ? `shellyplug-s-${idx}` : `shellyplusplugs-${this.mac.toLowerCase()}`;
  }

  protected route(req: IncomingMessage, url: URL): HttpAnswer {
    const gen2 = this.opts.gen !== 1;
    if (url.pathname === '/shelly') return { status: 200, body: this.info() };
    if (this.opts.password && !this.authorized(req)) return this.challenge();
    if (gen2 && url.pathname === '/rpc/Shelly.GetStatus') return { status: 200, body: this.gen2Status() };
    if (gen2 && url.pathname === '/rpc/Switch.Set') {
      const id = Number(url.searchParams.get('id') ?? 0);
      if (!this.sim.outlets[id] || this.opts.meterOnly) return { status: 404, body: { code: 404, message: `switch:${id} not found` } };
      const was = this.sim.outlets[id]?.on ?? false;
      this.sim.setRelay(id + 1, url.searchParams.get('on') === 'true');
      return { status: 200, body: { was_on: was } };
    }
    if (!gen2 && url.pathname === '/status') return { status: 200, body: this.gen1Status() };
    const relay = /^\/relay\/(\d+)$/.exec(url.pathname);
    if (!gen2 && relay) {
      const i = Number(relay[1]);
      if (!this.sim.outlets[i]) return { status: 404, body: 'Not found' };
      this.sim.setRelay(i + 1, url.searchParams.get('turn') === 'on');
      return { status: 200, body: { ison: this.sim.outlets[i]?.on ?? false, has_timer: false, source: 'http' } };
    }
    return { status: 404, body: { code: 404, message: 'No handler for ' + url.pathname } };
  }

  private info(): Json {
    if (this.opts.gen === 1) return { type: 'SHPLG-S', mac: this.mac, auth: Boolean(this.opts.password), fw: '20230913-114008/v1.14.0-gcb84623', num_outputs: this.sim.outlets.length, num_meters: this.sim.outlets.length };
    return {
      name: null, id: this.deviceName, mac: this.mac, slot: 1, model: 'SNPL-00112EU', gen: 2, fw_id: '20240625-122917/1.3.3-gbdfd9b3',
      ver: '1.3.3', app: 'PlusPlugS', auth_en: Boolean(this.opts.password), auth_domain: this.opts.password ? this.deviceName : null,
    };
  }

  private gen2Status(): Json {
    const out: Json = {};
    this.sim.outlets.forEach((o, i) => {
      if (this.opts.meterOnly) {
        out[`pm1:${i}`] = {
          id: i, apower: Math.round(this.sim.power(i) * 10) / 10, voltage: Math.round(this.sim.voltage * 10) / 10,
          current: Math.round(this.sim.current(i) * 1000) / 1000, freq: this.sim.frequency, aenergy: { total: Math.round(o.energyWh * 1000) / 1000 },
        };
        return;
      }
      out[`switch:${i}`] = {
        id: i, source: 'http', output: o.on, apower: Math.round(this.sim.power(i) * 10) / 10, voltage: Math.round(this.sim.voltage * 10) / 10,
        current: Math.round(this.sim.current(i) * 1000) / 1000, freq: this.sim.frequency,
        aenergy: { total: Math.round(o.energyWh * 1000) / 1000, by_minute: [0, 0, 0], minute_ts: 1700000000 }, temperature: { tC: 35.1, tF: 95.2 },
      };
    });
    out.sys = { mac: this.mac, restart_required: false, uptime: 1000, ram_size: 260000, ram_free: 120000 };
    return out;
  }

  private gen1Status(): Json {
    return {
      relays: this.sim.outlets.map((o) => ({ ison: o.on, has_timer: false, overpower: false, source: 'http' })),
      meters: this.sim.outlets.map((o, i) => ({ power: this.sim.power(i), overpower: 0, is_valid: true, timestamp: 0, counters: [0, 0, 0], total: Math.round(o.energyWh * 60) })),
      temperature: 30.1, overtemperature: false,
    };
  }

  private challenge(): HttpAnswer {
    this.challenges++;
    if (this.opts.gen === 1) return { status: 401, body: '401 Unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="shelly"' } };
    const nonce = randomBytes(8).toString('hex');
    this.nonces.add(nonce);
    const algorithm = this.opts.algorithm ?? 'SHA-256';
    return { status: 401, body: '', headers: { 'WWW-Authenticate': `Digest qop="auth", realm="${this.deviceName}", nonce="${nonce}", algorithm=${algorithm}` } };
  }

  private authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    if (this.opts.gen === 1) return h === `Basic ${Buffer.from(`admin:${this.opts.password ?? ''}`).toString('base64')}`;
    const p: Record<string, string> = {};
    for (const m of h.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1] as string] = (m[2] ?? m[3]) as string;
    if (!h.startsWith('Digest ') || p.username !== 'admin' || !p.nonce || !this.nonces.has(p.nonce)) return false;
    const ha1 = sha256(`admin:${this.deviceName}:${this.opts.password ?? ''}`);
    const ha2 = sha256(`${req.method ?? 'GET'}:${p.uri ?? ''}`);
    return p.uri === req.url && p.response === sha256(`${ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:auth:${ha2}`);
  }
}

export function startShellySimulator(opts: ShellySimOptions = {}): Promise<ShellySimulator> {
  return new ShellySimulator(opts).start();
}
