import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import snmp from 'net-snmp';
import type { EventBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TrapStats } from '../../core/ports.js';
import type { V3Credentials } from './net-snmp-transport.js';
import {
  acceptTrap, classifyReceiveError, hostNames, matchDevice, parseNotification, trapDetails, type DropReason, type TrapDevice,
} from './traps.js';

// The SNMP trap listener (SPEC §7.10): net-snmp's receiver on snmp.traps.bind:port. An accepted
// trap from a polled PDU starts a poll of that PDU at once (never overlapping a running cycle)
// and is emitted as device event `trap`; everything else is dropped, counted, and logged at debug.

export interface TrapListenerDevice extends TrapDevice {
  v3: V3Credentials | null;
  /** Start a poll cycle now unless one is running. */
  pollNow(): void;
}

export interface TrapListenerOptions {
  bind: string;
  port: number;
  community: string;
  devices: () => TrapListenerDevice[];
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  /** Host name → addresses (default: DNS lookup); only for devices configured by name. */
  resolve?: (host: string) => Promise<string[]>;
}

export type TrapListenerStats = TrapStats;

export interface TrapListener {
  /** The bound UDP port (the configured one, or the ephemeral one for port 0). */
  readonly port: number;
  stats(): TrapListenerStats;
  close(): Promise<void>;
}

interface NetSnmpReceiver {
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: unknown): void; getUsers(): Array<{ name: string }> };
  close(cb?: () => void): void;
}

const defaultResolve = async (host: string): Promise<string[]> => (await lookup(host, { all: true })).map((a) => a.address);

function usmUser(v3: V3Credentials): Record<string, unknown> {
  const level = v3.security_level === 'authPriv' ? snmp.SecurityLevel.authPriv
    : v3.security_level === 'authNoPriv' ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
  return {
    name: v3.username, level, authProtocol: snmp.AuthProtocols[v3.auth_protocol], authKey: v3.auth_key,
    privProtocol: snmp.PrivProtocols[v3.priv_protocol], privKey: v3.priv_key,
  };
}

export async function startTrapListener(opts: TrapListenerOptions): Promise<TrapListener> {
  const log = opts.logger.child({ module: 'traps' });
  const resolve = opts.resolve ?? defaultResolve;
  const counts: Omit<TrapStats, 'port'> = { received: 0, accepted: 0, dropped: { unknown_source: 0, bad_community: 0, auth_failed: 0, malformed: 0 } };
  const drop = (reason: DropReason, fields: Record<string, unknown>): void => {
    counts.dropped[reason]++;
    log.debug({ ...fields, reason, dropped: counts.dropped[reason] }, 'snmp trap dropped');
  };

  // net-snmp treats port 0 as "default" (162); it takes a dgram-compatible module, so the
  // socket is created here: bound to the configured port (0 = ephemeral) and awaited.
  let socket: dgram.Socket | null = null;
  let listening = false;
  const dgramModule = {
    createSocket(type: dgram.SocketType): dgram.Socket {
      const s = dgram.createSocket(type);
      socket = s;
      const bind = s.bind.bind(s) as (port: number, address?: string) => dgram.Socket;
      return Object.assign(s, { bind: (_port: number, address?: string) => bind(opts.port, address ?? undefined) });
    },
  };

  const handle = async (err: unknown, notification: unknown): Promise<void> => {
    if (err) {
      const rinfo = (err as { rinfo?: { address?: string; port?: number } }).rinfo;
      if (!rinfo) {
        if (!listening) return; // a bind failure: reported by the start-up below
        log.warn({ error: errorMessage(err) }, 'snmp trap listener socket error');
        return;
      }
      counts.received++;
      drop(classifyReceiveError(errorMessage(err)), { from: rinfo.address, error: errorMessage(err) });
      return;
    }
    counts.received++;
    const parsed = parseNotification(notification);
    if (!parsed.ok) {
      drop('malformed', { error: parsed.reason });
      return;
    }
    const trap = parsed.trap;
    const devices = opts.devices();
    let device = matchDevice(trap.address, devices);
    if (!device) {
      const names = hostNames(devices);
      const resolved = new Map<string, string[]>();
      await Promise.all(names.map(async (h) => resolved.set(h, await resolve(h).catch(() => []))));
      device = matchDevice(trap.address, devices, resolved);
    }
    const verdict = acceptTrap(trap, device, opts.community);
    if (!verdict.ok || !device) {
      drop(verdict.ok ? 'unknown_source' : verdict.reason, { from: trap.address, trap_oid: trap.trapOid, version: trap.version });
      return;
    }
    counts.accepted++;
    device.pollNow();
    log.info({ device_id: device.id, from: trap.address, trap_oid: trap.trapOid, varbinds: trap.varbinds.length }, 'snmp trap received: polling now');
    opts.bus.emit('device.event', {
      type: 'trap', device_id: device.id, source: 'pdu', details: trapDetails(trap), ts: opts.clock.now() / 1000,
      data: { trap_oid: trap.trapOid, version: trap.version, from: trap.address, varbinds: trap.varbinds },
    });
  };

  const receiver = snmp.createReceiver(
    {
      port: opts.port || 162, address: opts.bind, transport: opts.bind.includes(':') ? 'udp6' : 'udp4',
      includeAuthentication: true, dgramModule,
    },
    (err: unknown, notification: unknown) => {
      handle(err, notification).catch((e: unknown) => log.warn({ error: errorMessage(e) }, 'snmp trap handling failed'));
    },
  ) as NetSnmpReceiver;
  const s = socket as dgram.Socket | null;
  if (!s) throw new Error('snmp trap listener: no socket created');
  await new Promise<void>((ok, fail) => {
    const onError = (e: Error): void => {
      try {
        receiver.close();
      } catch {
        // the socket never opened
      }
      fail(new Error(`snmp trap listener cannot bind udp ${opts.bind}:${opts.port}: ${e.message}` +
        (opts.port < 1024 ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE; use e.g. snmp.traps.port: 1162)' : '')));
    };
    s.once('error', onError);
    s.once('listening', () => {
      s.off('error', onError);
      listening = true;
      ok();
    });
  });

  const auth = receiver.getAuthorizer();
  auth.addCommunity(opts.community);
  // v3 traps: the receiver knows users by name only; the first device with a given name wins.
  const syncUsers = (): void => {
    for (const d of opts.devices()) {
      if (d.version !== '3' || !d.v3 || d.v3.username === '') continue;
      if (auth.getUsers().some((u) => u.name === d.v3?.username)) continue;
      auth.addUser(usmUser(d.v3));
    }
  };
  syncUsers();
  // A device added at runtime: its users are known from its first sample on.
  const seen = new Set<string>();
  const offSample = opts.bus.on('sample', (snap) => {
    if (seen.has(snap.device_id)) return;
    seen.add(snap.device_id);
    syncUsers();
  });
  const port = s.address().port;
  log.info({ bind: opts.bind, port }, 'snmp trap listener started');
  return {
    port,
    stats: () => ({ port, ...counts, dropped: { ...counts.dropped } }),
    close: () => {
      offSample();
      return new Promise<void>((ok) => receiver.close(() => ok()));
    },
  };
}
