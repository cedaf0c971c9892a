import type { MetricRow } from './profiles/types.js';
import { SnmpType, isAbsent, type Varbind } from './transport.js';

export interface DecodeOptions {
  meteringFloor: boolean;
  sourceVoltageScale: 1 | 10 | null;
}

/** A decoded value: null means absent (not supported); problem means the agent sent something invalid. */
export type Decoded = { value: number | string | null; problem?: undefined } | { value: null; problem: string };

const NUMERIC_TYPES: ReadonlySet<number> = new Set([
  SnmpType.Integer,
  SnmpType.Counter,
  SnmpType.Gauge,
  SnmpType.TimeTicks,
  SnmpType.Counter64,
]);

const TYPE_NAMES: Readonly<Record<number, string>> = {
  2: 'Integer', 4: 'OctetString', 5: 'Null', 6: 'OID', 64: 'IpAddress', 65: 'Counter32', 66: 'Gauge32', 67: 'TimeTicks',
  68: 'Opaque', 70: 'Counter64',
};

const TRIM = /^[\s\0]+|[\s\0]+$/g;

/** Raw numeric value of a varbind, or undefined when it is not a number type. */
export function rawNumber(vb: Varbind): number | undefined {
  if (!NUMERIC_TYPES.has(vb.type)) return undefined;
  const v = vb.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) {
    // net-snmp hands Counter64 as a big-endian buffer.
    let n = 0;
    for (const byte of v) n = n * 256 + byte;
    return n;
  }
  return undefined;
}

export function rawString(vb: Varbind): string | undefined {
  if (vb.type === SnmpType.OctetString) {
    const v = vb.value;
    const s = Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined;
    return s?.replace(TRIM, '');
  }
  return undefined;
}

function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}

function roundTo(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

/** Decode one varbind by its profile row (SPEC §7.3, §7.4). Pure. */
export function decodeValue(row: MetricRow, vb: Varbind | undefined, opts: DecodeOptions): Decoded {
  if (vb === undefined || isAbsent(vb)) return { value: null };
  switch (row.kind) {
    case 'string': {
      const s = rawString(vb);
      if (s !== undefined) return { value: s };
      const n = rawNumber(vb);
      // Some identity objects are integers on some firmware (e.g. the original's hardware_rev).
      if (n !== undefined) return { value: String(n) };
      return { value: null, problem: `expected a string, got ${typeName(vb.type)}` };
    }
    case 'oid':
      if (vb.type === SnmpType.OID && typeof vb.value === 'string') return { value: vb.value };
      return { value: null, problem: `expected an OID, got ${typeName(vb.type)}` };
    case 'enum': {
      const n = rawNumber(vb);
      if (n === undefined) return { value: null, problem: `expected an enumerated integer, got ${typeName(vb.type)}` };
      const mapped = row.enumMap?.[n];
      if (mapped !== undefined) return { value: mapped };
      return row.absentOutsideEnum ? { value: null, problem: `value ${n} outside the MIB's enumeration` } : { value: 'unknown' };
    }
    case 'number': {
      const n = rawNumber(vb);
      if (n === undefined) return { value: null, problem: `expected a number, got ${typeName(vb.type)}` };
      // An overlong Counter64 (or a broken agent library) must not put Infinity/NaN into a reading.
      if (!Number.isFinite(n)) return { value: null, problem: `${typeName(vb.type)} value is not a finite number` };
      if (opts.meteringFloor && row.floor !== undefined && n <= row.floor && n >= 0) return { value: 0 };
      const scale = row.scaleFrom === 'source_voltage_scale' ? (opts.sourceVoltageScale ?? 1) : (row.scale ?? 1);
      const value = scale === 1 ? n : roundTo(n / scale, 4);
      if (row.range && (value < row.range[0] || value > row.range[1])) {
        return { value: null, problem: `value ${value} outside the plausible range ${row.range[0]}..${row.range[1]}` };
      }
      return { value };
    }
  }
}
