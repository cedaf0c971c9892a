import { createSocket } from 'node:dgram';
import type { Clock } from '../../core/clock.js';
import { deadlineSignal, forEachLimited } from '../../core/concurrency.js';
import { decrypt, encrypt, KASA_PORT, parseJsonObject } from './kasa/framing.js';
import { kasaIdentity } from './kasa/driver.js';
import { KASA_REQUESTS } from './kasa/mapping.js';
import { PlugHttpClient } from './http.js';
import { shellyIdentity } from './shelly/driver.js';
import { tasmotaIdentity } from './tasmota/driver.js';
import type { PlugKind } from './types.js';

// Finding plugs on the LAN (`power2mqtt discover --plugs`), bounded in time:
// - Kasa: one UDP datagram (the legacy sysinfo request, XOR-encrypted, no length prefix) to the
//   broadcast address of each local /24 (or to given addresses), answers collected until the budget.
// - Shelly / Tasmota: an HTTP GET of `/shelly`, then `/cm?cmnd=Status 0`, on every host of the
//   given subnets, a few at a time, each bounded.

export interface DiscoveredPlug {
  kind: PlugKind;
  host: string;
  port: number;
  model: string;
  name: string;
  serial: string;
  outlets: number | null;
}

/** What a Kasa discovery answer says (decrypted JSON text). Pure. */
export function kasaFromAnswer(host: string, port: number, text: string): DiscoveredPlug | null {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return null;
  const sys = (parsed.value.system as { get_sysinfo?: unknown } | undefined)?.get_sysinfo;
  if (typeof sys !== 'object' || sys === null) return null;
  const info = sys as Record<string, unknown>;
  const id = kasaIdentity(info);
  const children = Array.isArray(info.children) ? info.children.length : null;
  return { kind: 'kasa', host, port, model: id.model, name: id.name, serial: id.serial, outlets: children ?? (info.relay_state !== undefined ? 1 : null) };
}

export async function discoverKasa(opts: { targets: readonly string[]; port?: number; budgetMs: number; clock: Clock }): Promise<DiscoveredPlug[]> {
  const port = opts.port ?? KASA_PORT;
  const found = new Map<string, DiscoveredPlug>();
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const plug = kasaFromAnswer(rinfo.address, KASA_PORT, decrypt(msg).toString('utf8'));
    if (plug && !found.has(rinfo.address)) found.set(rinfo.address, plug);
  });
  sock.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => sock.bind(0, () => resolve()));
    sock.setBroadcast(true);
    const payload = encrypt(Buffer.from(JSON.stringify(KASA_REQUESTS.discovery)));
    for (const t of opts.targets) sock.send(payload, port, t);
    await opts.clock.sleep(opts.budgetMs);
  } finally {
    sock.close();
  }
  return [...found.values()];
}

/** Ask one host:port whether it is a Shelly or a Tasmota (null = neither, or no answer in time). */
async function probeHttpPlug(host: string, port: number, signal: AbortSignal): Promise<DiscoveredPlug | null> {
  const http = new PlugHttpClient({ host, port, username: 'admin', password: '' });
  try {
    const info = await http.getJson('/shelly', signal);
    if (typeof info.mac === 'string' && (typeof info.gen === 'number' || typeof info.type === 'string')) {
      const id = shellyIdentity(info);
      const outlets = typeof info.num_outputs === 'number' ? info.num_outputs : null;
      return { kind: 'shelly', host, port, model: id.model, name: id.name, serial: id.serial, outlets };
    }
  } catch {
    // not a Shelly
  }
  try {
    const status = await http.getJson(`/cm?cmnd=${encodeURIComponent('Status 0')}`, signal);
    if (typeof status.StatusFWR === 'object' && status.StatusFWR !== null) {
      const id = tasmotaIdentity(status);
      return { kind: 'tasmota', host, port, model: id.model, name: id.name, serial: id.serial, outlets: null };
    }
  } catch {
    // not a Tasmota
  }
  return null;
}

export async function discoverHttpPlugs(opts: {
  hosts: readonly string[];
  ports: readonly number[];
  budgetMs: number;
  perHostMs: number;
  concurrency: number;
  clock: Clock;
}): Promise<DiscoveredPlug[]> {
  const found: DiscoveredPlug[] = [];
  const all = opts.hosts.flatMap((host) => opts.ports.map((port) => ({ host, port })));
  const budget = deadlineSignal(opts.clock, opts.budgetMs, 'discovery time bound reached');
  try {
    await forEachLimited(all, opts.concurrency, async ({ host, port }) => {
      const one = deadlineSignal(opts.clock, opts.perHostMs, 'no answer');
      const both = AbortSignal.any([one.signal, budget.signal]);
      try {
        const p = await probeHttpPlug(host, port, both);
        if (p) found.push(p);
      } finally {
        one.cancel();
      }
    }, () => budget.signal.aborted);
  } finally {
    budget.cancel();
  }
  return found;
}
