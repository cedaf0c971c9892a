import { PlugHttpClient } from '../http.js';
import { decodeRows, getPath, outletFrom, toOnOff } from '../mapping.js';
import type { PlugDriver, PlugIdentity, PlugOutletReading, PlugReading } from '../types.js';
import { TASMOTA_ENERGY_ROWS, TASMOTA_PATHS } from './mapping.js';

// Tasmota driver over `/cm?cmnd=…`: identity once (`Status 0`), then `Status 11` (relays) and
// `Status 10` (ENERGY) each poll; `Power<n> On|Off` to switch. A web password goes in the query.

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Relay states from `StatusSTS` (or a `Power` command answer): POWER or POWER1..n, in order. Pure. */
export function tasmotaRelays(sts: Json): Array<'on' | 'off' | 'unknown'> {
  if (sts.POWER !== undefined) return [toOnOff(sts.POWER) ?? 'unknown'];
  const out: Array<'on' | 'off' | 'unknown'> = [];
  for (let i = 1; sts[`POWER${i}`] !== undefined; i++) out.push(toOnOff(sts[`POWER${i}`]) ?? 'unknown');
  return out;
}

/** Outlets from the relay states and the ENERGY object; array values are per channel. Pure. */
export function tasmotaOutlets(relays: Array<'on' | 'off' | 'unknown'>, energy: Json | null, errors: PlugReading['errors']): PlugOutletReading[] {
  const channels = Math.max(relays.length, ...Object.values(energy ?? {}).map((v) => (Array.isArray(v) ? v.length : 1)), 1);
  const out: PlugOutletReading[] = [];
  for (let i = 0; i < channels; i++) {
    // A scalar value belongs to the first channel only (it is the device total on multi-relay plugs with one meter).
    const channel: Json = {};
    for (const [k, v] of Object.entries(energy ?? {})) {
      if (Array.isArray(v)) channel[k] = v[i];
      else if (i === 0) channel[k] = v;
    }
    const d = energy ? decodeRows(TASMOTA_ENERGY_ROWS, channel, errors, `ENERGY[${i}].`) : {};
    out.push(outletFrom({ ...d, name: `Power ${i + 1}` }, i + 1, relays[i] ?? 'unknown'));
  }
  return out;
}

export function tasmotaIdentity(status0: Json): PlugIdentity {
  const serial = str(getPath(status0, 'StatusNET.Mac')) || str(getPath(status0, 'StatusNET.Hostname'));
  return {
    manufacturer: 'Tasmota',
    name: str(getPath(status0, 'Status.DeviceName')) || str((getPath(status0, 'Status.FriendlyName') as unknown[] | undefined)?.[0]),
    model: str(getPath(status0, 'StatusFWR.Hardware')) || 'Tasmota',
    serial,
    hardwareId: serial,
    firmware: str(getPath(status0, 'StatusFWR.Version')),
    hardware: str(getPath(status0, 'StatusFWR.Hardware')),
  };
}

export class TasmotaDriver implements PlugDriver {
  readonly kind = 'tasmota' as const;
  private readonly http: PlugHttpClient;
  private identity: PlugIdentity | null = null;

  constructor(host: string, port: number, private readonly password: string) {
    this.http = new PlugHttpClient({ host, port, username: 'admin', password: '' });
  }

  private cmnd(command: string, signal: AbortSignal): Promise<Json> {
    const auth = this.password === '' ? '' : `user=admin&password=${encodeURIComponent(this.password)}&`;
    return this.http.getJson(`/cm?${auth}cmnd=${encodeURIComponent(command)}`, signal);
  }

  async poll(signal: AbortSignal): Promise<PlugReading> {
    try {
      this.identity ??= tasmotaIdentity(await this.cmnd(TASMOTA_PATHS.identity, signal));
      const sts = (await this.cmnd(TASMOTA_PATHS.power, signal)).StatusSTS;
      const sns = (await this.cmnd(TASMOTA_PATHS.energy, signal)).StatusSNS;
      const energy = getPath(sns, 'ENERGY');
      const errors: PlugReading['errors'] = [];
      const relays = typeof sts === 'object' && sts !== null ? tasmotaRelays(sts as Json) : [];
      return { identity: this.identity, outlets: tasmotaOutlets(relays, typeof energy === 'object' && energy !== null ? (energy as Json) : null, errors), errors };
    } catch (err) {
      this.identity = null;
      throw err;
    }
  }

  async setOutlet(outlet: number, on: boolean, signal: AbortSignal): Promise<void> {
    const r = await this.cmnd(TASMOTA_PATHS.relay(outlet, on), signal);
    const states = tasmotaRelays(r);
    const got = r[`POWER${outlet}`] !== undefined ? toOnOff(r[`POWER${outlet}`]) : states[0];
    if (got !== (on ? 'on' : 'off')) throw new Error(`Power${outlet} answered ${JSON.stringify(r).slice(0, 80)}`);
  }

  close(): void {
    this.identity = null;
  }
}
