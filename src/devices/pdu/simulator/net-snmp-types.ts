// Value types shared by the typed net-snmp Agent wrapper and its internals.

export type SnmpValueType = 'Integer' | 'OctetString' | 'Gauge' | 'TimeTicks' | 'OID';
export type SnmpValue = number | string;
export type SnmpSetError = 'wrongType' | 'wrongLength' | 'wrongValue' | 'inconsistentValue' | 'genErr';
export type SnmpPduKind = 'get' | 'getnext' | 'getbulk' | 'set' | 'other';

/** A MIB instance whose value the simulator rewrites before each request is answered. */
export interface MibNodeRef {
  value: SnmpValue;
}
