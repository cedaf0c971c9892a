// Shapes shared by the Home Assistant discovery builders (SPEC §10). Pure data.

/** The HA MQTT platforms power2mqtt publishes (SPEC §10.2, §10.3). */
export type HaComponent = 'sensor' | 'binary_sensor' | 'switch' | 'select' | 'button';

/** One retained discovery config: publish `payload` (JSON) to `topic`; clear with a zero-length payload. */
export interface DiscoveryConfig {
  /** `{prefix}/{component}/{unique_id}/config` (SPEC §10.1). */
  topic: string;
  payload: Record<string, unknown>;
  uniqueId: string;
  component: HaComponent;
}

/** One entity with every template filled and every topic absolute; input of a component builder. */
export interface EntitySpec {
  component: HaComponent;
  uniqueId: string;
  name: string;
  stateTopic?: string;
  commandTopic?: string;
  valueTemplate?: string;
  deviceClass?: string;
  stateClass?: 'measurement' | 'total' | 'total_increasing';
  unit?: string;
  /** suggested_display_precision (sensors). */
  precision?: number;
  options?: readonly string[];
  entityCategory?: 'diagnostic' | 'config';
  /** Two-state entities: the state topic's `on` / `off` payloads (switch: also the commands). */
  payloads?: { on: string; off: string };
  payloadPress?: string;
  /** false = the entity carries no availability block (it reports connectivity itself). */
  availability: boolean;
}

/** An availability block as HA's MQTT platforms document it (list form + mode). */
export interface AvailabilityBlock {
  availability: Array<{ topic: string; payload_available: string; payload_not_available: string }>;
  availability_mode?: 'all' | 'any' | 'latest';
}

/** What every entity of one HA device shares. */
export interface DeviceContext {
  device: Record<string, unknown>;
  origin: Record<string, unknown>;
  availability: AvailabilityBlock;
}
