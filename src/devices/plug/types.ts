import type { OutletState } from '../../core/types.js';

// What every plug driver (Kasa, Shelly, Tasmota) hands to the plug device: one reading per poll,
// already in SI units through the driver's mapping table (mapping.ts). snapshot.ts turns it into
// the normalised device model (SPEC §6), so nothing downstream knows a plug from a PDU.

export type PlugKind = 'kasa' | 'shelly' | 'tasmota';

export interface PlugOutletReading {
  name: string;
  state: OutletState;
  /** W */
  power: number | null;
  /** A */
  current: number | null;
  /** V (plugs measure voltage per outlet; the device's input voltage is taken from them). */
  voltage: number | null;
  /** Hz */
  frequency: number | null;
  /** The device's own cumulative counter, kWh (may reset to 0 when the plug loses power). */
  energy: number | null;
  /** false = a meter channel without a relay (Shelly pm1/em1); absent = it can be switched. */
  switchable?: false;
}

export interface PlugIdentity {
  manufacturer: string;
  name: string;
  model: string;
  /** Stable id: MAC or the vendor's device id. */
  serial: string;
  /** What Home Assistant unique_ids are built from (SPEC §10.1): Kasa `deviceId`, Shelly and Tasmota MAC. */
  hardwareId: string;
  firmware: string;
  hardware: string;
}

export interface PlugReading {
  identity: PlugIdentity;
  /** Index 0 = outlet 1. */
  outlets: PlugOutletReading[];
  /** Values the mapping could not decode this poll (left absent, like the PDU's per-OID errors). */
  errors: Array<{ field: string; problem: string }>;
}

/** One plug's local API. Every call is bounded by `signal` (the poll deadline); failures reject. */
export interface PlugDriver {
  readonly kind: PlugKind;
  poll(signal: AbortSignal): Promise<PlugReading>;
  /** Switch one outlet (1-based); resolves when the device acknowledged. */
  setOutlet(outlet: number, on: boolean, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** A failure that is not a transient network fault: the device answered in a way we cannot poll. */
export class PlugAccessError extends Error {
  constructor(
    message: string,
    readonly reason: 'needs_credentials',
    readonly hint: string,
  ) {
    super(message);
    this.name = 'PlugAccessError';
  }
}
