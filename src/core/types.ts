// The normalised device model (SPEC §6). Every poll produces a PduSnapshot; MQTT,
// history, rules, the API and the dashboard derive their views from it, never from raw SNMP.

export type TransportState = 'healthy' | 'degraded' | 'recovering' | 'lost' | 'error';
export type ErrorReason = 'serial_mismatch' | 'not_a_pdu' | 'needs_credentials';
export type OutletState = 'on' | 'off' | 'unknown';
export type LoadState = 'normal' | 'low' | 'nearOverload' | 'overload' | 'unknown';
export type SourceName = 'A' | 'B';
export type VoltageStatus = 'normal' | 'overVoltage' | 'underVoltage';

export const OUTLET_ACTIONS = ['on', 'off', 'reboot', 'delayon', 'delayoff', 'delayreboot', 'cancel'] as const;
export type OutletAction = (typeof OUTLET_ACTIONS)[number];

export const CAPABILITIES = [
  'ats',
  'sources',
  'outlet_metering',
  'bank_energy',
  'coldstart',
  'environment',
  'total_row',
  /** The device reports its input frequency (PDUs whose agent answers it; plugs whose API has one, e.g. Shelly Gen2). */
  'input_frequency',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface Identity {
  /** Maker shown in Home Assistant; absent = CyberPower (PDUs). Plugs: TP-Link, Shelly, Tasmota. */
  manufacturer?: string;
  name: string;
  model: string;
  serial: string;
  /**
   * Plugs: the hardware id their Home Assistant unique_ids are built from (SPEC §10.1: Kasa
   * `deviceId`, Shelly and Tasmota MAC). PDUs: absent (the serial is used).
   */
  hardware_id?: string;
  serial_numeric: string;
  manufacture_date: string;
  firmware_main: string;
  firmware_secondary: string;
  hardware_rev: string;
  max_current: number | null;
  outlet_count: number;
  phase_count: number;
  sys_descr: string;
  sys_object_id: string;
  sys_name: string;
  sys_location: string;
  sys_contact: string;
  sys_uptime_cs: number | null;
}

export interface BankReading {
  current: number | null;
  voltage: number | null;
  power: number | null;
  apparent_power: number | null;
  power_factor: number | null;
  energy: number | null;
  load_state: LoadState;
  energy_start: string | null;
}

export interface OutletReading {
  name: string;
  name_override: string | null;
  state: OutletState;
  pending: boolean;
  bank: number | null;
  max_load: number | null;
  current: number | null;
  power: number | null;
  energy: number | null;
  /**
   * false = a meter without a relay (e.g. a Shelly pm1/em1 channel): it cannot be switched, so it
   * gets no switch or reboot entity and commands are refused. Absent = it has a relay (every PDU outlet).
   */
  switchable?: false;
}

export interface AtsReading {
  current_source: SourceName | null;
  preferred_source: SourceName | null;
  auto_transfer: boolean | null;
  redundancy: 'ok' | 'lost' | null;
}

export interface SourceReading {
  voltage: number | null;
  frequency: number | null;
  status: VoltageStatus | null;
}

export interface EnvironmentReading {
  temperature: number | null;
  humidity: number | null;
  contacts: Record<number, 'open' | 'closed'>;
}

export interface TransportInfo {
  state: TransportState;
  consecutive_failures: number;
  last_success_ts: number | null;
  last_error: string | null;
  poll_ms: number | null;
}

export interface PduSnapshot {
  device_id: string;
  /** Epoch seconds (with ms fraction) when the poll completed. */
  ts: number;
  identity: Identity;
  capabilities: Capability[];
  input: { voltage: number | null; frequency: number | null };
  /** Keyed by bank number (1-based). */
  banks: Record<number, BankReading>;
  totals: { load: number | null; power: number | null; energy: number | null };
  /** Keyed by outlet number (1-based). */
  outlets: Record<number, OutletReading>;
  ats: AtsReading | null;
  sources: { a: SourceReading | null; b: SourceReading | null } | null;
  coldstart: { delay_s: number | null; state: 'allon' | 'prevstate' | null } | null;
  environment: EnvironmentReading | null;
  transport: TransportInfo;
  /** Source voltage scale decided at capability detection (SPEC §7.5): 1 = volts, 10 = tenths. */
  source_voltage_scale: 1 | 10 | null;
  /** Per-OID problems of this cycle (wrong type, out of range); the values are absent. */
  errors: Array<{ oid: string; field: string; problem: string }>;
}

export interface CommandResult {
  device_id: string;
  outlet: number;
  command: OutletAction;
  success: boolean;
  error: string | null;
  /** Stable error code from core/errors when success is false. */
  code: string | null;
  /** Epoch seconds. */
  ts: number;
  duration_ms: number;
  /** Outlet state read back after the SET, when it could be read. */
  state: OutletState | null;
  pending: boolean | null;
  transaction?: string;
}

export type DeviceEventType =
  | 'ats_transfer'
  | 'power_loss'
  | 'power_restore'
  | 'redundancy_lost'
  | 'redundancy_ok'
  | 'outlet_change'
  | 'load_warning'
  | 'load_normal'
  | 'pdu_reboot'
  | 'conn_degraded'
  | 'conn_lost'
  | 'conn_restored'
  | 'ip_changed'
  | 'serial_mismatch'
  | 'not_a_pdu'
  | 'trap'
  /** A plug's own energy total went down (it lost power): a new energy segment starts. */
  | 'counter_reset';

export interface DeviceEvent {
  type: DeviceEventType;
  device_id: string;
  source: string;
  details: string;
  ts: number;
  data: Record<string, unknown>;
}
