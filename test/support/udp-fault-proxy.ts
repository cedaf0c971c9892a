// A UDP proxy on 127.0.0.1 in front of a real SNMP agent (our simulator or snmpd), with faults
// switchable at run time: the agent "down" (requests dropped), slow (replies held N ms), or
// answering garbage. Faults a real agent cannot be made to produce on demand are made here, on
// the wire, so the app under test still runs its real net-snmp client over real UDP.
//
//   const proxy = await startUdpFaultProxy(sim.port);   // point the device at proxy.port
//   proxy.setMode({ kind: 'delay', ms: 900 });
//   proxy.counters.maxOverlap                          // requests sent while one was unanswered
//   await proxy.close();
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type GarbageFlavour =
  /** random bytes of random length instead of the reply */
  | 'random'
  /** the real reply cut in half (its BER lengths promise more than arrives) */
  | 'truncated'
  /** the real reply with another request-id: well-formed, but answers no request */
  | 'wrong-id'
  /** the real reply with every numeric value re-tagged as an OCTET STRING (valid BER) */
  | 'wrong-types';

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  | { kind: 'garbage'; flavour: GarbageFlavour };

export interface FaultCounters {
  /** datagrams received from clients */
  requests: number;
  /** requests forwarded to the agent */
  forwarded: number;
  /** requests dropped (mode drop) */
  dropped: number;
  /** replies delivered to clients unchanged (pass, delay) */
  replies: number;
  /** replies delivered after a delay */
  delayed: number;
  /** replies replaced or altered (garbage) */
  garbage: number;
  /** a request arrived from a client while an earlier request of that client was still unanswered here */
  overlaps: number;
  /** the most requests of one client unanswered at the same time (forwarded, reply not yet delivered) */
  maxInFlight: number;
}

export interface UdpFaultProxy {
  readonly port: number;
  readonly mode: FaultMode;
  readonly counters: Readonly<FaultCounters>;
  setMode(mode: FaultMode): void;
  resetCounters(): void;
  close(): Promise<void>;
}

/** Clients (source address:port) tracked at once; the oldest is forgotten beyond this. */
const MAX_CLIENTS = 32;
/** A forwarded request the agent never answered stops counting as in flight after this. */
const FORGET_AFTER_MS = 10_000;
/** Replies held in delay mode at once; beyond this they are dropped (bounded memory and timers). */
const MAX_HELD = 256;

interface Client {
  rinfo: RemoteInfo;
  upstream: Socket;
  /** request-id → forwarded at (ms) and the mode it was received in */
  pending: Map<number, { at: number; mode: FaultMode }>;
}

function zeroCounters(): FaultCounters {
  return { requests: 0, forwarded: 0, dropped: 0, replies: 0, delayed: 0, garbage: 0, overlaps: 0, maxInFlight: 0 };
}

export async function startUdpFaultProxy(agentPort: number, agentHost = '127.0.0.1'): Promise<UdpFaultProxy> {
  let mode: FaultMode = { kind: 'pass' };
  let counters = zeroCounters();
  const clients = new Map<string, Client>();
  const held = new Set<NodeJS.Timeout>();
  let closed = false;
  const front = createSocket('udp4');
  front.on('error', () => undefined); // ICMP noise from a vanished client must not crash the test run

  const deliver = (c: Client, buf: Buffer): void => {
    if (!closed) front.send(buf, c.rinfo.port, c.rinfo.address);
  };

  const onReply = (c: Client, reply: Buffer): void => {
    const id = requestIdOf(reply);
    const entry = id === null ? undefined : c.pending.get(id);
    // The mode the request arrived in decides what happens to its answer (a mode switch mid-way
    // does not turn an in-flight slow reply into garbage).
    const m = entry?.mode ?? mode;
    if (m.kind !== 'delay' && id !== null) c.pending.delete(id);
    if (m.kind === 'delay') {
      // Still unanswered for the client until the held reply goes out.
      if (held.size >= MAX_HELD) {
        if (id !== null) c.pending.delete(id);
        return;
      }
      const t = setTimeout(() => {
        held.delete(t);
        if (id !== null) c.pending.delete(id);
        counters.delayed++;
        counters.replies++;
        deliver(c, reply);
      }, m.ms);
      held.add(t);
      return;
    }
    if (m.kind === 'garbage') {
      counters.garbage++;
      deliver(c, garble(reply, m.flavour));
      return;
    }
    counters.replies++;
    deliver(c, reply);
  };

  const clientFor = (rinfo: RemoteInfo): Client => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let c = clients.get(key);
    if (c) return c;
    if (clients.size >= MAX_CLIENTS) {
      const [oldKey, old] = clients.entries().next().value as [string, Client];
      old.upstream.close();
      clients.delete(oldKey);
    }
    const upstream = createSocket('udp4');
    upstream.on('error', () => undefined);
    c = { rinfo, upstream, pending: new Map() };
    const client = c;
    upstream.on('message', (msg) => onReply(client, msg));
    clients.set(key, c);
    return c;
  };

  front.on('message', (msg, rinfo) => {
    counters.requests++;
    const c = clientFor(rinfo);
    const now = performance.now();
    for (const [id, p] of c.pending) if (now - p.at > FORGET_AFTER_MS) c.pending.delete(id);
    if (mode.kind === 'drop') {
      counters.dropped++;
      return;
    }
    if (c.pending.size > 0) counters.overlaps++;
    const id = requestIdOf(msg);
    if (id !== null) c.pending.set(id, { at: now, mode });
    counters.maxInFlight = Math.max(counters.maxInFlight, c.pending.size);
    counters.forwarded++;
    c.upstream.send(msg, agentPort, agentHost);
  });

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(0, '127.0.0.1', () => resolve());
  });
  const port = front.address().port;

  return {
    port,
    get mode() {
      return mode;
    },
    get counters() {
      return counters;
    },
    setMode(m) {
      mode = m;
    },
    resetCounters() {
      counters = zeroCounters();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of held) clearTimeout(t);
      held.clear();
      for (const c of clients.values()) c.upstream.close();
      clients.clear();
      await new Promise<void>((r) => front.close(() => r()));
    },
  };
}

// --- A minimal BER reader for SNMP v1/v2c messages (RFC 3416 §3; X.690 definite lengths) -----

interface Tlv {
  /** offset of the tag byte */
  at: number;
  tag: number;
  /** offset of the first value byte */
  start: number;
  /** offset after the value */
  end: number;
}

function tlvAt(buf: Buffer, off: number): Tlv | null {
  if (off + 2 > buf.length) return null;
  const tag = buf[off] as number;
  let len = buf[off + 1] as number;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end > buf.length ? null : { at: off, tag, start, end };
}

/** The TLVs directly inside a constructed value. */
function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.start; off < parent.end && out.length < 10_000; ) {
    const t = tlvAt(buf, off);
    if (!t || t.end > parent.end) break;
    out.push(t);
    off = t.end;
  }
  return out;
}

/** The request-id TLV: message SEQUENCE { version, community, PDU { request-id, … } }. */
function requestIdTlv(buf: Buffer): Tlv | null {
  const msg = tlvAt(buf, 0);
  if (!msg || msg.tag !== 0x30) return null;
  const pdu = children(buf, msg)[2];
  if (!pdu || (pdu.tag & 0xe0) !== 0xa0) return null;
  const id = children(buf, pdu)[0];
  return id && id.tag === 0x02 ? id : null;
}

/** The request-id of a v1/v2c message, or null when it is not one. */
export function requestIdOf(buf: Buffer): number | null {
  const t = requestIdTlv(buf);
  if (!t || t.end - t.start > 4) return null;
  return buf.readIntBE(t.start, t.end - t.start);
}

/** The value TLVs of the varbinds of a v1/v2c message. */
function varbindValues(buf: Buffer): Tlv[] {
  const msg = tlvAt(buf, 0);
  const pdu = msg ? children(buf, msg)[2] : undefined;
  const list = pdu ? children(buf, pdu)[3] : undefined;
  if (!list || list.tag !== 0x30) return [];
  return children(buf, list).flatMap((vb) => children(buf, vb).slice(1, 2));
}

/** INTEGER, Counter32, Gauge32, TimeTicks, Counter64 (RFC 2578 application tags). */
const NUMERIC_TAGS = new Set([0x02, 0x41, 0x42, 0x43, 0x46]);

function garble(reply: Buffer, flavour: GarbageFlavour): Buffer {
  switch (flavour) {
    case 'random': {
      const out = Buffer.alloc(1 + Math.floor(Math.random() * 200));
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(Math.random() * 256);
      return out;
    }
    case 'truncated':
      return reply.subarray(0, Math.max(1, Math.floor(reply.length / 2)));
    case 'wrong-id': {
      const out = Buffer.from(reply);
      const t = requestIdTlv(out);
      // Same length, another value: the last byte flipped (net-snmp ids are never 0 after this).
      if (t) out[t.end - 1] = (out[t.end - 1] as number) ^ 0x5a;
      return out;
    }
    case 'wrong-types': {
      const out = Buffer.from(reply);
      for (const v of varbindValues(out)) if (NUMERIC_TAGS.has(v.tag)) out[v.at] = 0x04;
      return out;
    }
  }
}
