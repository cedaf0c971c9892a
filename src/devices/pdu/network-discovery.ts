import type { DiscoveredPdu, LocalInterface } from '../../core/pdu-tools.js';
import type { Clock } from '../../core/clock.js';
import { deadlineSignal, forEachLimited } from '../../core/concurrency.js';
import { formatCidr, ipToInt, slash24Of } from '../../core/cidr.js';
import { rawNumber, rawString } from './decode-value.js';
import { abortable } from './get-batched.js';
import type { SessionOptions } from './net-snmp-transport.js';
import type { PduProfile } from './profiles/types.js';
import { isAbsent, type SnmpTransport, type Varbind } from './transport.js';

// Discovery (SPEC §7.9): ask every address of the given subnets for the ePDU identity (name,
// model, serial, outlet count) in one GET, `concurrency` at a time, each address once, and stop
// at a deadline. A host that answers without an ePDU identity (a printer, a switch) is not listed.

export const DISCOVERY_CONCURRENCY = 50;
/** A discovery scan never takes longer than this, whatever was asked. */
export const DISCOVERY_MAX_MS = 60_000;

/**
 * Time for a whole scan: every round of `concurrency` silent addresses waits out its timeout, with
 * room for the answers; at most DISCOVERY_MAX_MS (a /24 at 50 × 1 s: 12 s).
 */
export function discoveryBudgetMs(hostCount: number, timeoutMs: number, concurrency = DISCOVERY_CONCURRENCY): number {
  return Math.min(DISCOVERY_MAX_MS, Math.ceil(hostCount / concurrency) * timeoutMs * 2 + 2000);
}

export interface PduScanOptions {
  hosts: readonly string[];
  session: Omit<SessionOptions, 'host'>;
  profile: PduProfile;
  concurrency: number;
  /** No address is asked after this much time, and pending answers are given up (ms). */
  budgetMs: number;
  transportFactory: (o: SessionOptions) => SnmpTransport;
  /** The deadline runs on this clock. */
  clock: Clock;
}

export interface PduScanResult {
  found: DiscoveredPdu[];
  asked: number;
  complete: boolean;
}

const FIELDS = ['identity.name', 'identity.model', 'identity.serial', 'identity.outlet_count'] as const;

/** The OIDs of one discovery GET: the identity probe, then FIELDS (absent rows: the probe again). */
export function discoveryOids(profile: PduProfile): string[] {
  return [profile.identityProbe, ...FIELDS.map((f) => profile.rows.find((r) => r.field === f)?.oid ?? profile.identityProbe)];
}

/** One host's answer → a discovered PDU, or null when it has no ePDU identity. Pure. */
export function pduFromAnswer(host: string, port: number, vbs: readonly Varbind[]): DiscoveredPdu | null {
  const [probe, name, model, serial, outlets] = vbs;
  if (isAbsent(probe) && isAbsent(model)) return null;
  const str = (vb: Varbind | undefined): string => (vb && !isAbsent(vb) ? (rawString(vb) ?? '') : '');
  const count = outlets && !isAbsent(outlets) ? rawNumber(outlets) : undefined;
  return { host, port, device_name: str(name), model: str(model), serial: str(serial), outlet_count: count ?? null };
}

export async function scanForPdus(o: PduScanOptions): Promise<PduScanResult> {
  const oids = discoveryOids(o.profile);
  const found: DiscoveredPdu[] = [];
  const deadline = deadlineSignal(o.clock, o.budgetMs, 'discovery time bound reached');
  let asked: number;
  try {
    asked = await forEachLimited(
      o.hosts,
      o.concurrency,
      async (host) => {
        const t = o.transportFactory({ ...o.session, host });
        try {
          const pdu = pduFromAnswer(host, o.session.port, await abortable(t.get(oids), deadline.signal));
          if (pdu) found.push(pdu);
        } catch {
          // no agent, another community, or not an SNMP host: not a PDU we can use
        } finally {
          t.close();
        }
      },
      () => deadline.signal.aborted,
    );
  } finally {
    deadline.cancel();
  }
  found.sort((a, b) => ipToInt(a.host) - ipToInt(b.host));
  return { found, asked, complete: asked >= o.hosts.length && !deadline.signal.aborted };
}

/** Non-internal IPv4 interfaces (os.networkInterfaces() shape) with the /24 around each address. Pure. */
export function localInterfaces(
  ifaces: Readonly<Record<string, ReadonlyArray<{ address: string; family: string | number; internal: boolean }> | undefined>>,
): LocalInterface[] {
  const out: LocalInterface[] = [];
  for (const [name, addrs] of Object.entries(ifaces)) {
    for (const a of addrs ?? []) {
      const net = a.internal || (a.family !== 'IPv4' && a.family !== 4) ? null : slash24Of(a.address);
      if (net) out.push({ interface: name, ip: a.address, subnet: formatCidr(net) });
    }
  }
  return out;
}
