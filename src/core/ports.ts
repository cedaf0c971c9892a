import type { CommandResult, OutletAction, PduSnapshot, TransportState } from './types.js';

// Ports: the interfaces services use to reach each other's data without importing each other
// (ARCHITECTURE.md "Direction"). Implementations live in their own folders; app.ts wires them.

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

/** The one way to read live state or command a device (ARCHITECTURE.md). */
export interface DeviceRegistryPort {
  list(): DeviceSummary[];
  snapshot(deviceId: string): PduSnapshot | null;
  command(deviceId: string, outlet: number, action: OutletAction | string, opts?: CommandOptions): Promise<CommandResult>;
  setDeviceField(deviceId: string, field: DeviceField, value: string): Promise<FieldResult>;
  setOutletName(deviceId: string, outlet: number, name: string): Promise<FieldResult>;
  setPreferredSource(deviceId: string, source: string): Promise<FieldResult>;
}
