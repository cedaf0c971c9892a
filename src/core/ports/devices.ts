import type { CommandResult, OutletAction, PduSnapshot, TransportState } from '../types.js';

// Ports: devices — what the registry offers for live state and commands, and what it keeps.

export interface CommandOptions {
  /** Needed to switch off / reboot a protected outlet (SPEC §12.2). */
  force?: boolean;
  transaction?: string;
  /** Who asked: mqtt, rest, dashboard, rule:<name>, cli. */
  origin?: string;
}

export type DeviceField = 'name' | 'location' | 'contact' | 'sys_name';

export interface FieldResult {
  success: boolean;
  field: string;
  value: string;
  error: string | null;
  code: string | null;
  ts: number;
}

export interface DeviceSummary {
  id: string;
  kind: string;
  label: string;
  host: string;
  model: string | null;
  serial: string | null;
  state: TransportState;
  availability: 'online' | 'offline';
}

/** Static facts about a device that views (MQTT, HA, REST) need beside its snapshot. */
export interface DeviceInfo extends DeviceSummary {
  /** Profile name (`cps-mib` | `original`): views look up its table in devices/pdu/profiles. */
  profile: string;
  /** A write community (or v3 user) is configured: commands are possible. */
  writable: boolean;
  /** Per-device Home Assistant discovery switch (config `devices[].homeassistant`). */
  homeassistant: boolean;
  /** Defined in the config file (cannot be removed or edited at runtime, SPEC §9.3). */
  fromConfig: boolean;
  pollIntervalS: number;
  /** Which ATS input the utility feeds (SPEC §4.2 `utility_source`); null = not set. */
  utilitySource: 'A' | 'B' | null;
  /** Outlets rules may never switch off (SPEC §12.2), ascending. */
  protectedOutlets: number[];
  /** `sensor`: the device's answers count in the outage quorum (SPEC §11.3; metered plugs); absent or "" = not a sensor. */
  role?: '' | 'sensor';
  /** How it is read: `snmp` (PDUs) or the plug's local API (`kasa`, `shelly`, `tasmota`); absent = snmp. */
  transport?: string;
}

/** What `device/add` may set at runtime (SPEC §9.3). */
export interface RuntimeDeviceSpec {
  id?: string;
  /** Absent = cyberpower (an SNMP PDU); kasa | shelly | tasmota = a metered plug. */
  kind?: 'cyberpower' | 'kasa' | 'shelly' | 'tasmota';
  host: string;
  port?: number;
  /** Plugs: Shelly digest / Tasmota web password. */
  password?: string;
  /** Plugs: `sensor` = its answers count in the outage quorum (SPEC §11.3). */
  role?: '' | 'sensor';
  community?: string;
  write_community?: string;
  snmp_version?: '1' | '2c';
  poll_interval_s?: number;
  label?: string;
  utility_source?: 'A' | 'B' | null;
}

/** The one way to read live state or command a device (ARCHITECTURE.md). */
export interface DeviceRegistryPort {
  list(): DeviceSummary[];
  info(deviceId: string): DeviceInfo | null;
  /** Local outlet name override ("" clears it, SPEC §7.4); replaces the PDU's name in every output. */
  setOutletNameOverride(deviceId: string, outlet: number, name: string): FieldResult;
  snapshot(deviceId: string): PduSnapshot | null;
  command(deviceId: string, outlet: number, action: OutletAction | string, opts?: CommandOptions): Promise<CommandResult>;
  setDeviceField(deviceId: string, field: DeviceField, value: string): Promise<FieldResult>;
  setOutletName(deviceId: string, outlet: number, name: string): Promise<FieldResult>;
  setPreferredSource(deviceId: string, source: string): Promise<FieldResult>;
  /** ATS automatic transfer on/off: only where the profile has a writable OID (`original`), else P2M_ERR_NOT_SUPPORTED. */
  setAutoTransfer(deviceId: string, enabled: boolean): Promise<FieldResult>;
  /** Add a device at runtime (not persisted until the history store exists); error text on refusal. */
  addDevice(spec: RuntimeDeviceSpec): { ok: true; info: DeviceInfo } | { ok: false; error: string; field?: string };
  removeDevice(deviceId: string): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Change a runtime device: its options merged into the spec it was added with (same id). */
  updateDevice(deviceId: string, options: Partial<RuntimeDeviceSpec>): Promise<{ ok: true; info: DeviceInfo } | { ok: false; error: string }>;
}

/**
 * Where the registry keeps what users change at runtime (SPEC §13.1 `devices_runtime`,
 * `outlet_names`), so it survives a restart. Implemented by the history store.
 */
export interface DeviceStateStore {
  outletNames(deviceId: string): Array<{ outlet: number; name: string }>;
  /** null clears the override. */
  saveOutletName(deviceId: string, outlet: number, name: string | null): void;
  runtimeDevices(): Array<RuntimeDeviceSpec & { id: string }>;
  saveRuntimeDevice(spec: RuntimeDeviceSpec & { id: string }): void;
  removeRuntimeDevice(deviceId: string): void;
  /**
   * Where address recovery last found a config-file device (SPEC §7.7 `ip_changed`), with the
   * host the config named then: the override holds only while the config still names that host.
   */
  movedHost(deviceId: string): { configured: string; host: string } | null;
  saveMovedHost(deviceId: string, configured: string, host: string): void;
}

/** A Home Assistant discovery config topic the bridge published; device_id null = the bridge device's. */
export interface DiscoveryRecord {
  topic: string;
  device_id: string | null;
}

/**
 * The discovery topics published so far (SPEC §10.4 `ha_discovery`), kept across restarts: an
 * embedded broker starts without retained messages, so only this record says which entities an
 * earlier run created in Home Assistant and must clear. Implemented by the history store.
 */
export interface DiscoveryRecordStore {
  discoveryTopics(): DiscoveryRecord[];
  /** Insert or update, in one transaction. */
  recordDiscoveryTopics(records: DiscoveryRecord[]): void;
  forgetDiscoveryTopics(topics: string[]): void;
}
