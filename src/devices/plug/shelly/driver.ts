import { PlugHttpClient } from '../http.js';
import { decodeRows, hasRelay, outletFrom } from '../mapping.js';
import type { PlugDriver, PlugIdentity, PlugOutletReading, PlugReading } from '../types.js';
import { SHELLY_COMPONENTS, SHELLY_GEN1_METER_ROWS, SHELLY_GEN1_RELAY_ROWS, SHELLY_GEN2_ROWS, SHELLY_PATHS, type ShellyComponent } from './mapping.js';

// Shelly driver: `/shelly` tells the generation (Gen2+ has `gen` ≥ 2) and identity; then one
// status request per poll. Digest (Gen2+, RFC 7616) or Basic (Gen1) auth via PlugHttpClient.

type Json = Record<string, unknown>;
/** Which Gen2+ components carry a relay (their table reads a switch state): only those can be switched. */
const RELAY: Readonly<Record<ShellyComponent, boolean>> = {
  switch: hasRelay(SHELLY_GEN2_ROWS.switch), pm1: hasRelay(SHELLY_GEN2_ROWS.pm1), em1: hasRelay(SHELLY_GEN2_ROWS.em1),
};
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export interface ShellyOutletRef {
  component: ShellyComponent;
  id: number;
}

/** `switch:N`, `pm1:N`, `em1:N` status keys (built once: this runs on every poll). */
const COMPONENT_KEY = new RegExp(`^(${SHELLY_COMPONENTS.join('|')}):(\\d+)$`);
const RANK: Readonly<Record<ShellyComponent, number>> = { switch: 0, pm1: 1, em1: 2 };

/** Outlets of a Gen2+ status: every switch:N, then pm1:N, then em1:N, each by id. Pure. */
export function shellyGen2Outlets(status: Json, errors: PlugReading['errors']): { outlets: PlugOutletReading[]; refs: ShellyOutletRef[] } {
  const refs: ShellyOutletRef[] = [];
  for (const k of Object.keys(status)) {
    const m = COMPONENT_KEY.exec(k);
    if (m) refs.push({ component: m[1] as ShellyComponent, id: Number(m[2]) });
  }
  refs.sort((a, b) => RANK[a.component] - RANK[b.component] || a.id - b.id);
  const outlets = refs.map((r, i) => {
    const own = (status[`${r.component}:${r.id}`] ?? {}) as Json;
    const obj = r.component === 'em1' ? { ...own, ...(status[`em1data:${r.id}`] as Json | undefined) } : own;
    const d = decodeRows(SHELLY_GEN2_ROWS[r.component], obj, errors, `${r.component}:${r.id}.`);
    const name = typeof obj.name === 'string' ? obj.name : `${r.component === 'switch' ? 'Switch' : 'Meter'} ${r.id}`;
    return outletFrom({ ...d, name }, i + 1, 'unknown', RELAY[r.component]);
  });
  return { outlets, refs };
}

/** Outlets of a Gen1 `/status`: relays[i] with meters[i]. Pure. */
export function shellyGen1Outlets(status: Json, errors: PlugReading['errors']): PlugOutletReading[] {
  const relays = Array.isArray(status.relays) ? (status.relays as unknown[]) : [];
  const meters = Array.isArray(status.meters) ? (status.meters as unknown[]) : [];
  const n = Math.max(relays.length, meters.length);
  const out: PlugOutletReading[] = [];
  for (let i = 0; i < n; i++) {
    const d = { ...decodeRows(SHELLY_GEN1_METER_ROWS, meters[i], errors, `meters[${i}].`), ...decodeRows(SHELLY_GEN1_RELAY_ROWS, relays[i], errors, `relays[${i}].`) };
    // A meter without a relay entry (Gen1 EM-style layouts) cannot be switched.
    out.push(outletFrom({ ...d, name: `Relay ${i}` }, i + 1, 'unknown', relays[i] !== undefined));
  }
  return out;
}

/** Identity from `/shelly` (both generations). Pure. */
export function shellyIdentity(info: Json): PlugIdentity {
  const gen2 = typeof info.gen === 'number' && info.gen >= 2;
  const serial = str(info.mac) || str(info.id);
  return {
    manufacturer: 'Shelly', name: str(info.name) || str(info.id),
    model: gen2 ? str(info.model) || str(info.app) : str(info.type),
    serial, hardwareId: serial, firmware: gen2 ? str(info.ver) : str(info.fw), hardware: gen2 ? `gen${String(info.gen)}` : 'gen1',
  };
}

export class ShellyDriver implements PlugDriver {
  readonly kind = 'shelly' as const;
  private readonly http: PlugHttpClient;
  private info: { gen2: boolean; identity: PlugIdentity } | null = null;
  private refs: ShellyOutletRef[] = [];

  constructor(host: string, port: number, password: string) {
    this.http = new PlugHttpClient({ host, port, username: 'admin', password });
  }

  async poll(signal: AbortSignal): Promise<PlugReading> {
    if (!this.info) {
      const shelly = await this.http.getJson(SHELLY_PATHS.info, signal);
      this.info = { gen2: typeof shelly.gen === 'number' && shelly.gen >= 2, identity: shellyIdentity(shelly) };
    }
    const errors: PlugReading['errors'] = [];
    try {
      if (this.info.gen2) {
        const status = await this.http.getJson(SHELLY_PATHS.gen2Status, signal);
        const r = shellyGen2Outlets(status, errors);
        this.refs = r.refs;
        return { identity: this.info.identity, outlets: r.outlets, errors };
      }
      const status = await this.http.getJson(SHELLY_PATHS.gen1Status, signal);
      return { identity: this.info.identity, outlets: shellyGen1Outlets(status, errors), errors };
    } catch (err) {
      this.info = null; // re-read identity (and generation) after any failure: it may be another device now
      throw err;
    }
  }

  async setOutlet(outlet: number, on: boolean, signal: AbortSignal): Promise<void> {
    if (!this.info) throw new Error('not polled yet');
    if (!this.info.gen2) {
      await this.http.getJson(SHELLY_PATHS.gen1Relay(outlet - 1, on), signal);
      return;
    }
    const ref = this.refs[outlet - 1];
    if (!ref) throw new Error(`unknown outlet ${outlet}`);
    if (ref.component !== 'switch') throw new Error(`outlet ${outlet} is a meter (${ref.component}:${ref.id}) without a relay`);
    await this.http.getJson(SHELLY_PATHS.gen2SwitchSet(ref.id, on), signal);
  }

  close(): void {
    this.info = null;
  }
}
