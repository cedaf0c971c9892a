import { CPS_MIB_PROFILE } from '../profiles/cps-mib.js';
import type { SnapshotField } from '../profiles/types.js';
import type { SnmpSetError, SnmpValue, SnmpValueType } from './net-snmp-agent.js';
import type { PduModel } from './model.js';

// Shared vocabulary of the simulator's MIB: every served object names its OID (taken from the
// cps-mib profile or profiles/simulator-extra.ts, never written here), its SNMP type, and how its
// raw value is read from (and, when writable, written to) the model.

export interface WriteSpec<Args extends unknown[]> {
  /** Test pass: refuse with an SNMP error, or null to accept. */
  validate(value: SnmpValue): SnmpSetError | null;
  /** Commit pass: the side effect. */
  apply(m: PduModel, value: SnmpValue, nowMs: number, ...args: Args): void;
}

export interface ScalarSpec {
  /** MIB object name. */
  name: string;
  /** Instance OID, ending `.0`. */
  oid: string;
  type: SnmpValueType;
  get(m: PduModel): SnmpValue;
  /** Constant for the agent's lifetime: written once, skipped by the per-request refresh. */
  fixed?: boolean;
  write?: WriteSpec<[]>;
}

export interface ColumnSpec {
  name: string;
  /** Column OID (entry OID + column number). */
  oid: string;
  type: SnmpValueType;
  get(m: PduModel, row: number): SnmpValue;
  fixed?: boolean;
  write?: WriteSpec<[row: number]>;
}

export interface TableSpec {
  name: string;
  /** Entry OID: net-snmp registers a table provider at the entry, not the table (SPEC §2.1). */
  entry: string;
  rowCount: number;
  /** The first column is the integer index column. */
  columns: readonly ColumnSpec[];
}

export interface SimulatorMib {
  scalars: readonly ScalarSpec[];
  tables: readonly TableSpec[];
}

const P = CPS_MIB_PROFILE;

function profileRow(field: SnapshotField): (typeof P.rows)[number] {
  const row = P.rows.find((r) => r.field === field);
  if (!row) throw new Error(`cps-mib profile has no row for ${field}`);
  return row;
}

/** OID of a cps-mib profile row, by snapshot field. */
export function oidOf(field: SnapshotField): string {
  return profileRow(field).oid;
}

/** Raw integer for a physical value, using the profile's scale for that field (e.g. /10 → tenths). */
export function raw(field: SnapshotField, value: number): number {
  return Math.round(value * (profileRow(field).scale ?? 1));
}

/** Raw energy counter: truncated so the counter never runs ahead of the integral. */
export function rawCounter(field: SnapshotField, value: number): number {
  return Math.floor(value * (profileRow(field).scale ?? 1));
}

/** Enum code of a state name, from the profile's enumMap for that field (one source of truth). */
export function enumCode(field: SnapshotField): (name: string) => number {
  const map = profileRow(field).enumMap;
  if (!map) throw new Error(`cps-mib profile row ${field} has no enumMap`);
  const reverse = new Map(Object.entries(map).map(([code, name]) => [name, Number(code)]));
  return (name) => {
    const code = reverse.get(name);
    if (code === undefined) throw new Error(`${field}: no enum code for ${name}`);
    return code;
  };
}

/** Column OID of a profile row whose OID is an instance `…column.1` (the ePDU2 source table rows). */
export function columnOfInstance(instanceOid: string): string {
  if (!instanceOid.endsWith('.1')) throw new Error(`expected a row-1 instance OID, got ${instanceOid}`);
  return instanceOid.slice(0, -2);
}

/** Column number of a column OID under an entry OID. */
export function columnNumber(entry: string, columnOid: string): number {
  const rest = columnOid.startsWith(`${entry}.`) ? columnOid.slice(entry.length + 1) : '';
  const n = Number(rest);
  if (!/^\d+$/.test(rest) || n < 1) throw new Error(`${columnOid} is not a column of ${entry}`);
  return n;
}

// ---- validators (test pass) ----

export function intIn(min: number, max: number): (v: SnmpValue) => SnmpSetError | null {
  return (v) => (typeof v !== 'number' ? 'wrongType' : Number.isInteger(v) && v >= min && v <= max ? null : 'wrongValue');
}

export function intOneOf(allowed: readonly number[]): (v: SnmpValue) => SnmpSetError | null {
  return (v) => (typeof v !== 'number' ? 'wrongType' : allowed.includes(v) ? null : 'wrongValue');
}

/** DisplayString up to `max` characters, printable (a NUL or control character is a wrong value). */
export function displayString(max: number): (v: SnmpValue) => SnmpSetError | null {
  return (v) => {
    if (typeof v !== 'string') return 'wrongType';
    if (v.length > max) return 'wrongLength';
    return /[\u0000-\u001f\u007f]/.test(v) ? 'wrongValue' : null;
  };
}

export const str = (v: SnmpValue): string => String(v);
export const num = (v: SnmpValue): number => Number(v);
