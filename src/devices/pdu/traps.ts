import { isIP } from 'node:net';

// SNMP trap listener, pure part (SPEC §7.10): a received notification → {device, trap OID,
// varbinds}, and the checks that decide whether it is accepted. The socket side is in
// trap-listener.ts; nothing here does I/O.

/** What the listener needs to know about one polled PDU. */
export interface TrapDevice {
  id: string;
  /** The address polled now (IP literal or host name). */
  host: string;
  version: '1' | '2c' | '3';
  /** The device's SNMPv3 user name (only when version is 3). */
  v3Username: string | null;
}

export interface TrapVarbind {
  oid: string;
  type: string;
  value: string | number | boolean | null;
}

export interface ParsedTrap {
  version: 'v1' | 'v2c' | 'v3';
  /** v2c/v3: snmpTrapOID.0; v1: converted per RFC 3584 §3.1. */
  trapOid: string;
  varbinds: TrapVarbind[];
  community: string | null;
  user: string | null;
  address: string;
  port: number;
}

export type { TrapDropReason as DropReason } from '../../core/ports.js';
import type { TrapDropReason as DropReason } from '../../core/ports.js';

export const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const SYS_UPTIME_OID = '1.3.6.1.2.1.1.3.0';
const GENERIC_TRAPS = '1.3.6.1.6.3.1.1.5';
const PDU_TRAP_V1 = 164;
const PDU_INFORM = 166;
const PDU_TRAP_V2 = 167;

const TYPE_NAMES: Record<number, string> = {
  1: 'Boolean', 2: 'Integer', 3: 'BitString', 4: 'OctetString', 5: 'Null', 6: 'OID', 64: 'IpAddress', 65: 'Counter',
  66: 'Gauge', 67: 'TimeTicks', 68: 'Opaque', 70: 'Counter64', 128: 'NoSuchObject', 129: 'NoSuchInstance', 130: 'EndOfMibView',
};

/** "::ffff:10.0.0.5" (IPv4 on a dual-stack socket) → "10.0.0.5"; IPv6 lower-cased, brackets removed. */
export function normalizeAddress(address: string): string {
  const a = address.trim().replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped?.[1] ?? a;
}

/** The device whose (literal) address sent the trap; host names are resolved by the caller first. */
export function matchDevice<T extends { host: string }>(address: string, devices: readonly T[], resolved: ReadonlyMap<string, readonly string[]> = new Map()): T | null {
  const from = normalizeAddress(address);
  for (const d of devices) {
    const addrs = isIP(normalizeAddress(d.host)) ? [d.host] : (resolved.get(d.host) ?? []);
    if (addrs.some((a) => normalizeAddress(a) === from)) return d;
  }
  return null;
}

/** Host names among the devices (these need a DNS lookup before matching). */
export function hostNames(devices: readonly { host: string }[]): string[] {
  return [...new Set(devices.map((d) => d.host).filter((h) => h !== '' && isIP(normalizeAddress(h)) === 0))];
}

function varbindValue(type: number, value: unknown): TrapVarbind['value'] {
  if (value === null || value === undefined || type === 5 || type >= 128) return null;
  if (Buffer.isBuffer(value)) {
    if (type === 70) return value.length === 0 ? '0' : BigInt(`0x${value.toString('hex')}`).toString();
    const text = value.toString('utf8');
    // Printable text stays text; anything else (MAC addresses, binary) as hex.
    return /^[\x20-\x7e\t\r\n]*$/.test(text) ? text : `0x${value.toString('hex')}`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A v1 trap's OID in v2 form (RFC 3584 §3.1). */
export function v1TrapOid(enterprise: string, generic: number, specific: number): string {
  return generic === 6 ? `${enterprise}.0.${specific}` : `${GENERIC_TRAPS}.${generic + 1}`;
}

/** net-snmp's receiver callback data → a trap, or why it is not one. Never throws. */
export function parseNotification(n: unknown): { ok: true; trap: ParsedTrap } | { ok: false; reason: string } {
  if (!isRecord(n) || !isRecord(n.pdu) || !isRecord(n.rinfo)) return { ok: false, reason: 'no pdu or sender' };
  const { pdu, rinfo } = n;
  if (typeof rinfo.address !== 'string' || typeof rinfo.port !== 'number') return { ok: false, reason: 'no sender address' };
  if (!Array.isArray(pdu.varbinds)) return { ok: false, reason: 'no varbinds' };
  const varbinds: TrapVarbind[] = [];
  for (const vb of pdu.varbinds as unknown[]) {
    if (!isRecord(vb) || typeof vb.oid !== 'string' || typeof vb.type !== 'number') return { ok: false, reason: 'malformed varbind' };
    varbinds.push({ oid: vb.oid, type: TYPE_NAMES[vb.type] ?? String(vb.type), value: varbindValue(vb.type, vb.value) });
  }
  const user = typeof pdu.user === 'string' ? pdu.user : null;
  const community = typeof pdu.community === 'string' ? pdu.community : null;
  let trapOid: string;
  let version: ParsedTrap['version'];
  if (pdu.type === PDU_TRAP_V1) {
    if (typeof pdu.enterprise !== 'string' || typeof pdu.generic !== 'number' || typeof pdu.specific !== 'number') {
      return { ok: false, reason: 'v1 trap without enterprise/generic/specific' };
    }
    trapOid = v1TrapOid(pdu.enterprise, pdu.generic, pdu.specific);
    version = 'v1';
  } else if (pdu.type === PDU_TRAP_V2 || pdu.type === PDU_INFORM) {
    const oidVb = varbinds.find((v) => v.oid === SNMP_TRAP_OID);
    if (!oidVb || typeof oidVb.value !== 'string') return { ok: false, reason: 'no snmpTrapOID.0 varbind' };
    trapOid = oidVb.value;
    version = user !== null ? 'v3' : 'v2c';
  } else {
    return { ok: false, reason: `not a notification (PDU type ${String(pdu.type)})` };
  }
  // sysUpTime.0 and snmpTrapOID.0 are the envelope, not the payload.
  const payload = varbinds.filter((v) => v.oid !== SNMP_TRAP_OID && v.oid !== SYS_UPTIME_OID);
  return { ok: true, trap: { version, trapOid, varbinds: payload, community, user, address: normalizeAddress(rinfo.address), port: rinfo.port } };
}

/** Whether a parsed trap from this device is accepted: v1/v2c need the community, v3 the device's own user. */
export function acceptTrap(trap: ParsedTrap, device: TrapDevice | null, community: string): { ok: true } | { ok: false; reason: DropReason } {
  if (!device) return { ok: false, reason: 'unknown_source' };
  if (trap.version === 'v3') {
    return device.version === '3' && device.v3Username !== null && trap.user === device.v3Username ? { ok: true } : { ok: false, reason: 'auth_failed' };
  }
  return trap.community === community ? { ok: true } : { ok: false, reason: 'bad_community' };
}

/** An error from net-snmp's receiver for one packet → the drop counter it belongs to. */
export function classifyReceiveError(message: string): DropReason {
  if (/community/i.test(message)) return 'bad_community';
  if (/user|authenticat|digest|privacy|decrypt|engine/i.test(message)) return 'auth_failed';
  return 'malformed';
}

/** Readable one-line summary of a trap for the event's `details`. */
export function trapDetails(trap: ParsedTrap): string {
  return `SNMP ${trap.version} trap ${trap.trapOid} from ${trap.address} (${trap.varbinds.length} varbind${trap.varbinds.length === 1 ? '' : 's'})`;
}
