import type { Capability } from '../../../core/types.js';

// A PDU model is data (ARCHITECTURE.md "Device profile"): each row names an OID, how to
// decode it, where the value goes in the PduSnapshot, and its MQTT / HA / history metadata.

/** How a row is indexed: a scalar, one instance per load-table row, per outlet, per dry contact. */
export type RowScope = 'scalar' | 'loadRow' | 'outlet' | 'contact';

/**
 * identity: read at connect / reboot / recovery. fast: every cycle. slow: every 60 s
 * (names, coldstart, max load). Layout rows are read at connect with identity.
 */
export type RowGroup = 'identity' | 'layout' | 'fast' | 'slow';

export type ValueKind = 'number' | 'enum' | 'string' | 'oid';

export type Unit = 'V' | 'A' | 'W' | 'VA' | 'Hz' | 'kWh' | 's' | '°C' | '%' | 'cs';

/** Where a decoded value lands in the snapshot; `{…}` parts are filled from the row's scope. */
export type SnapshotField =
  | `identity.${string}`
  | `layout.${string}`
  | `input.${'voltage' | 'frequency'}`
  | `bank.${string}`
  | `outlet.${string}`
  | `ats.${string}`
  | `sources.${'a' | 'b'}.${'voltage' | 'frequency' | 'status'}`
  | `coldstart.${'delay_s' | 'state'}`
  | `environment.${'temperature' | 'temperature_unit' | 'humidity'}`
  | `contact.${'status' | 'normal_state' | 'state'}`;

export interface HaMeta {
  component: 'sensor' | 'binary_sensor' | 'switch' | 'select' | 'button';
  /** unique_id suffix; `{n}` / `{s}` are replaced by outlet/bank number or source letter. */
  suffix: string;
  name: string;
  device_class?: string;
  state_class?: 'measurement' | 'total' | 'total_increasing';
  unit?: string;
  precision?: number;
  options?: readonly string[];
  entity_category?: 'diagnostic' | 'config';
}

export interface MetricRow {
  field: SnapshotField;
  /** MIB object name, cited so a reader can check the meaning against the MIB. */
  mib: string;
  /**
   * Scalars: the full OID (ending .0 or the instance). Indexed rows: the column OID, the index is
   * appended; or a template with `{n}` where the index sits inside the OID.
   */
  oid: string;
  scope: RowScope;
  group: RowGroup;
  kind: ValueKind;
  /** Decoded = raw / scale. */
  scale?: number;
  /** Scale decided per device at capability detection (SPEC §7.5). */
  scaleFrom?: 'source_voltage_scale';
  unit?: Unit;
  /** Raw integer → state string; raw values outside it decode to `unknown` (or absent, see absentOutsideEnum). */
  enumMap?: Readonly<Record<number, string>>;
  absentOutsideEnum?: boolean;
  /** Metering floor (SPEC §7.4): raw value ≤ floor decodes to 0 when metering_floor is on. */
  floor?: number;
  /** Plausible decoded range; a value outside is reported as a per-OID error and left absent. */
  range?: readonly [number, number];
  capability?: Capability;
  /** For loadRow rows: which totals field the phase/total row (bank no. 0) fills. */
  totalField?: 'load' | 'power' | 'energy';
  /** MQTT sub-topic under `{base}/{id}/`; `{n}` = outlet/bank/contact number. */
  topic?: string;
  /** Number of decimals printed on MQTT (SPEC §9.1). */
  decimals?: number;
  ha?: HaMeta;
  /** History series name (SPEC §13.1). */
  history?: string;
  /** Row is an SNMP write target (rw object). */
  writable?: boolean;
}

/** How the profile finds the outlet/bank layout and probes capabilities (SPEC §7.2 Layout, §7.5). */
export interface LayoutSpec {
  /** Column walked to enumerate load-table rows (ePDULoadStatusLoad). */
  loadRowWalk: string;
  /** Per load row: phase number column and bank number column (absent → every row is a bank). */
  loadRowPhase: string;
  loadRowBank: string | null;
  bankCountCheck: string | null;
  outletCount: string;
  outletCountCheck: string | null;
  /** Walked when the outlet count does not answer. */
  outletStateWalk: string;
  capabilityProbes: Readonly<Record<Capability, CapabilityProbe>>;
}

export type CapabilityProbe =
  /** Present when the OID answers with a value. */
  | { kind: 'answers'; oid: string }
  /** Present when the first OID that answers holds a number > 0. */
  | { kind: 'positive'; oids: readonly string[] }
  /** Present when the first bank load row answers this column. */
  | { kind: 'loadRowColumn'; column: string }
  /** Present when the layout found a phase/total row. */
  | { kind: 'totalRow' }
  /** The profile does not read this group at all. */
  | { kind: 'never' };

export interface Writes {
  outletCommand: string;
  outletCommandValues: Readonly<Record<string, number>>;
  deviceName: string;
  /** Outlet name column written by a rename (index appended). */
  outletName: string;
  sysContact: string;
  sysName: string;
  sysLocation: string;
  atsPreferredSource: string | null;
  atsAutoTransfer: string | null;
}

export interface PduProfile {
  name: 'cps-mib' | 'original';
  description: string;
  /** Presence of this OID (ePDUIdentName) says the agent is a CyberPower ePDU (SPEC §7.5). */
  identityProbe: string;
  sysUpTime: string;
  rows: readonly MetricRow[];
  layout: LayoutSpec;
  writes: Writes;
}
