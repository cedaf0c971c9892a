import type { Capability, PduSnapshot } from '../../../core/types.js';
import type { HaMeta, Unit } from './types.js';

// Entities and readings of SPEC §9.2 / §10.2 that are not profile rows: they are not read from
// an OID but computed (totals) or reported by the bridge itself (availability, transport state),
// or only send (the outlet reboot button). Same spirit as MetricRow: a table, no control flow.

/** A two-state HA entity's payloads as they appear on the state topic (SPEC §9.2). */
export interface StatePayloads {
  on: string;
  off: string;
}

export interface DerivedRow {
  /** MQTT sub-topic under `{base}/{id}/`; `{n}` = outlet number. For a button: the command topic. */
  topic: string;
  /** `scalar` = one per device; `outlet` = one per outlet of the snapshot. */
  scope: 'scalar' | 'outlet';
  /** The totals field this row publishes (readings.ts: `total/{field}`). */
  totalField?: keyof PduSnapshot['totals'];
  unit?: Unit;
  /** Number of decimals printed on MQTT (SPEC §9.1: computed energy totals with 3). */
  decimals?: number;
  /** Two-state entities: what `on` / `off` look like on the state topic. */
  payloads?: StatePayloads;
  /** Buttons: the payload sent on the command topic. */
  payloadPress?: string;
  /** Only offered when the device has a write community (a command would be rejected otherwise). */
  needsWrite?: boolean;
  /** false = no availability block (the entity reports availability itself, SPEC §10.2). */
  availability?: false;
  /** Only for a device with at least one of these (SPEC §10.2: entities for supported capabilities only). */
  anyCapability?: readonly Capability[];
  ha: HaMeta;
}

export const DERIVED_ROWS: readonly DerivedRow[] = [
  {
    topic: 'total/load', scope: 'scalar', totalField: 'load', unit: 'A', decimals: 1,
    ha: { component: 'sensor', suffix: 'total_load', name: 'Total Load', device_class: 'current', state_class: 'measurement', unit: 'A', precision: 1 },
  },
  {
    topic: 'total/power', scope: 'scalar', totalField: 'power', unit: 'W', decimals: 1,
    ha: { component: 'sensor', suffix: 'total_power', name: 'Total Power', device_class: 'power', state_class: 'measurement', unit: 'W', precision: 1 },
  },
  {
    // PDUs sum their banks' energy; plugs their metered outlets' (devices/pdu/assemble.ts, devices/plug/snapshot.ts).
    topic: 'total/energy', scope: 'scalar', totalField: 'energy', unit: 'kWh', decimals: 3, anyCapability: ['bank_energy', 'outlet_metering'],
    ha: { component: 'sensor', suffix: 'total_energy', name: 'Total Energy', device_class: 'energy', state_class: 'total_increasing', unit: 'kWh', precision: 3 },
  },
  {
    topic: 'availability', scope: 'scalar', payloads: { on: 'online', off: 'offline' }, availability: false,
    ha: { component: 'binary_sensor', suffix: 'connectivity', name: 'PDU Connectivity', device_class: 'connectivity', entity_category: 'diagnostic' },
  },
  {
    topic: 'transport_state', scope: 'scalar',
    ha: {
      component: 'sensor', suffix: 'transport_state', name: 'Transport State', device_class: 'enum',
      options: ['healthy', 'degraded', 'recovering', 'lost', 'error'], entity_category: 'diagnostic',
    },
  },
  {
    topic: 'outlet/{n}/command', scope: 'outlet', payloadPress: 'reboot', needsWrite: true,
    ha: { component: 'button', suffix: 'outlet_{n}_reboot', name: 'Outlet {n} Reboot', device_class: 'restart' },
  },
];

/** The totals rows, in publishing order (load, power, energy). */
export const TOTAL_ROWS: readonly DerivedRow[] = DERIVED_ROWS.filter((r) => r.totalField !== undefined);

/**
 * What a profile row's HaMeta cannot say, keyed by its HA suffix: the state payloads of two-state
 * entities and the command topic of entities that write (SPEC §9.2, §10.2). `readOnly` is the
 * entity offered instead when the device has no write community.
 */
export interface HaRowExtras {
  payloads?: StatePayloads;
  /** Sub-topic under `{base}/{id}/` that accepts the command. */
  commandTopic?: string;
  readOnly?: Pick<HaMeta, 'component' | 'device_class'>;
}

export const HA_ROW_EXTRAS: Readonly<Record<string, HaRowExtras>> = {
  'outlet_{n}': {
    payloads: { on: 'on', off: 'off' },
    commandTopic: 'outlet/{n}/command',
    // binary_sensor device class `power`: on = power detected (HA binary_sensor docs)
    readOnly: { component: 'binary_sensor', device_class: 'power' },
  },
  ats_preferred_source: {
    commandTopic: 'ats/preferred_source/set',
    readOnly: { component: 'sensor', device_class: 'enum' },
  },
  // binary_sensor device class `problem`: on = problem detected
  ats_redundancy: { payloads: { on: 'lost', off: 'ok' } },
  // binary_sensor device class `opening`: on = open
  'env_contact_{n}': { payloads: { on: 'open', off: 'closed' } },
};
