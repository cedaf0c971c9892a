// The SNMP surface the PDU code needs, kept small so tests and benchmarks can see exactly
// what crosses the wire (after prometheus/snmp_exporter's scraper interface).

/** SNMP value types we decode (numbers as in RFC 1902 / net-snmp's ObjectType). */
export const SnmpType = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter: 65,
  Gauge: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;

export interface Varbind {
  oid: string;
  type: number;
  value: unknown;
}

export type SnmpErrorKind =
  | 'timeout'
  | 'tooBig'
  | 'noSuchName'
  | 'authorization'
  | 'notWritable'
  | 'wrongValue'
  | 'socket'
  | 'invalidResponse'
  | 'other';

/** A transport-level failure, classified so callers can react (halve the batch, drop an OID, count a failed cycle). */
export class SnmpError extends Error {
  constructor(
    readonly kind: SnmpErrorKind,
    message: string,
    /** For noSuchName (SNMPv1): the OID the agent named via errorIndex. */
    readonly oid?: string,
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

export interface SnmpTransport {
  get(oids: readonly string[]): Promise<Varbind[]>;
  /** GETNEXT walk of one column, at most maxRows rows. Returns the varbinds under `column`. */
  walkColumn(column: string, maxRows: number): Promise<Varbind[]>;
  set(varbinds: readonly Varbind[]): Promise<Varbind[]>;
  close(): void;
}

export function isAbsent(vb: Varbind | undefined): boolean {
  return (
    vb === undefined ||
    vb.type === SnmpType.NoSuchObject ||
    vb.type === SnmpType.NoSuchInstance ||
    vb.type === SnmpType.EndOfMibView ||
    vb.type === SnmpType.Null
  );
}
