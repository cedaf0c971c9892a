import { decodeRows, getPath, outletFrom } from '../mapping.js';
import { PlugAccessError, type PlugDriver, type PlugIdentity, type PlugOutletReading, type PlugReading } from '../types.js';
import { KasaConnection, KasaRefusedError } from './connection.js';
import { KASA_CHILD_ROWS, KASA_EMETER_ROWS, KASA_IDENTITY, KASA_REQUESTS, KASA_SINGLE_ROWS } from './mapping.js';

// Kasa legacy local protocol driver: sysinfo + realtime meter in one request; a strip (HS300)
// answers its children in sysinfo and is metered per child through `context.child_ids`.

export const NEEDS_CREDENTIALS_HINT =
  'the plug refused the legacy local protocol on port 9999 (newer firmware speaks only the authenticated KLAP/Tapo protocols, ' +
  'not supported yet); in the Kasa app, enable "Third-Party Compatibility" for the device, or use a plug with the legacy protocol';

type Json = Record<string, unknown>;

/** Full child id for `context.child_ids`: some firmware lists only the 2-digit suffix. */
export function childContextId(deviceId: string, childId: string): string {
  return childId.length <= 2 ? `${deviceId}${childId}` : childId;
}

/** err_code of a module answer (0 = ok); a missing module counts as an error. */
function moduleError(resp: Json, path: string): string | null {
  const m = getPath(resp, path);
  if (typeof m !== 'object' || m === null) return `no ${path} in the answer`;
  const code = (m as Json).err_code;
  if (code === undefined || code === 0) return null;
  return `${path} err_code ${String(code)}${typeof (m as Json).err_msg === 'string' ? ` (${String((m as Json).err_msg)})` : ''}`;
}

export function kasaIdentity(sysinfo: Json): PlugIdentity {
  const s = (k: string): string => (typeof sysinfo[k] === 'string' ? (sysinfo[k] as string) : '');
  const serial = KASA_IDENTITY.serial.map(s).find((v) => v !== '') ?? '';
  return {
    manufacturer: 'TP-Link', name: s(KASA_IDENTITY.name), model: s(KASA_IDENTITY.model), serial, hardwareId: s(KASA_IDENTITY.hardwareId) || serial,
    firmware: s(KASA_IDENTITY.firmware).split(' ')[0] ?? '', hardware: s(KASA_IDENTITY.hardware),
  };
}

/** sysinfo(+meter) answer of a single plug → its one outlet. Pure. */
export function kasaSingleOutlet(resp: Json, errors: PlugReading['errors']): PlugOutletReading {
  const d = decodeRows(KASA_SINGLE_ROWS, resp, errors);
  if (moduleError(resp, 'emeter.get_realtime') === null) Object.assign(d, decodeRows(KASA_EMETER_ROWS, resp, errors));
  return outletFrom(d, 1);
}

/** One strip child (sysinfo entry + its own meter answer, or null when unmetered). Pure. */
export function kasaChildOutlet(child: unknown, meter: Json | null, n: number, errors: PlugReading['errors']): PlugOutletReading {
  const d = decodeRows(KASA_CHILD_ROWS, child, errors, `children[${n - 1}].`);
  if (meter && moduleError(meter, 'emeter.get_realtime') === null) Object.assign(d, decodeRows(KASA_EMETER_ROWS, meter, errors, `child ${n} `));
  return outletFrom(d, n);
}

export class KasaDriver implements PlugDriver {
  readonly kind = 'kasa' as const;
  private readonly conn: KasaConnection;
  /** Child ids from the latest sysinfo (outlet n = childIds[n-1]); null = single plug. */
  private childIds: string[] | null = null;

  constructor(host: string, port: number) {
    this.conn = new KasaConnection(host, port);
  }

  private async call(body: object, signal: AbortSignal): Promise<Json> {
    try {
      return await this.conn.request(body, signal);
    } catch (err) {
      if (err instanceof KasaRefusedError) throw new PlugAccessError(err.message, 'needs_credentials', NEEDS_CREDENTIALS_HINT);
      throw err;
    }
  }

  async poll(signal: AbortSignal): Promise<PlugReading> {
    const resp = await this.call(KASA_REQUESTS.sysinfoAndMeter, signal);
    const sysErr = moduleError(resp, 'system.get_sysinfo');
    if (sysErr) throw new Error(`sysinfo failed: ${sysErr}`);
    const sysinfo = getPath(resp, 'system.get_sysinfo') as Json;
    const errors: PlugReading['errors'] = [];
    const identity = kasaIdentity(sysinfo);
    const children = Array.isArray(sysinfo.children) ? (sysinfo.children as unknown[]) : null;
    if (!children || children.length === 0) {
      this.childIds = null;
      return { identity, outlets: [kasaSingleOutlet(resp, errors)], errors };
    }
    const deviceId = typeof sysinfo.deviceId === 'string' ? sysinfo.deviceId : '';
    const ids = children.map((c) => childContextId(deviceId, String((c as Json | null)?.id ?? '')));
    this.childIds = ids;
    const metered = typeof sysinfo.feature === 'string' ? sysinfo.feature.includes('ENE') : true;
    const outlets: PlugOutletReading[] = [];
    for (let i = 0; i < children.length; i++) {
      const meter = metered ? await this.call(KASA_REQUESTS.childMeter(ids[i] as string), signal) : null;
      outlets.push(kasaChildOutlet(children[i], meter, i + 1, errors));
    }
    return { identity, outlets, errors };
  }

  async setOutlet(outlet: number, on: boolean, signal: AbortSignal): Promise<void> {
    const child = this.childIds === null ? null : (this.childIds[outlet - 1] ?? null);
    if (this.childIds !== null && child === null) throw new Error(`unknown outlet ${outlet}`);
    if (this.childIds === null && outlet !== 1) throw new Error(`unknown outlet ${outlet}`);
    const resp = await this.call(KASA_REQUESTS.relay(on, child), signal);
    const err = moduleError(resp, 'system.set_relay_state');
    if (err) throw new Error(`set_relay_state failed: ${err}`);
  }

  close(): void {
    this.conn.close();
  }
}
