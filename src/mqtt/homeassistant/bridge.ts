import { bridgeAvailability, bridgeStateTopic } from './availability.js';
import { BRIDGE_ID_PREFIX, bridgeDevice, origin, sanitizeId } from './device.js';
import { toDiscovery } from './entity.js';
import { WATCHDOG_STATES } from '../../core/watchdog.js';
import type { DeviceContext, DiscoveryConfig, EntitySpec } from './types.js';

// The `power2mqtt bridge` HA device (SPEC §10.3). Switch and watchdog entities are built only
// when their lists are given, so the caller adds them once those services exist.

/** A switch probe target (SPEC §11.1): its integer id, optionally its name for the entity name. */
export type BridgeSwitch = number | string | { id: number | string; name?: string };

export interface BridgeDiscoveryInput {
  baseTopic: string;
  discoveryPrefix: string;
  swVersion: string;
  publicUrl: string;
  /** Switch targets; when given (even empty) also the "Switches up" count sensor. */
  switches?: readonly BridgeSwitch[];
  /** Watchdog names (SPEC §12.7). */
  watchdogs?: readonly string[];
}

/** Watchdog states of SPEC §12.7 (the enum sensor's options): the one list in core/watchdog.ts. */
export { WATCHDOG_STATES };

const uid = (suffix: string): string => `${BRIDGE_ID_PREFIX}_${suffix}`;

function coreEntities(base: string): EntitySpec[] {
  const outage = `${base}/bridge/outage`;
  return [
    {
      component: 'binary_sensor', uniqueId: uid('bridge_status'), name: 'Bridge Status', stateTopic: bridgeStateTopic(base),
      deviceClass: 'connectivity', payloads: { on: 'online', off: 'offline' }, entityCategory: 'diagnostic', availability: false,
    },
    {
      // binary_sensor device class `power`: on = power detected
      component: 'binary_sensor', uniqueId: uid('grid_power'), name: 'Mains power', stateTopic: outage, deviceClass: 'power',
      valueTemplate: "{{ 'OFF' if value_json.state == 'outage' else 'ON' }}", payloads: { on: 'ON', off: 'OFF' }, availability: true,
    },
    {
      // MQTT sensor: the payload "None" sets the state to unknown (no closed outage yet)
      component: 'sensor', uniqueId: uid('last_outage_duration'), name: 'Last outage duration', stateTopic: outage,
      deviceClass: 'duration', unit: 's', precision: 0, availability: true,
      valueTemplate: "{{ value_json.last.duration_seconds if value_json.last else 'None' }}",
    },
  ];
}

function switchEntities(base: string, switches: readonly BridgeSwitch[]): EntitySpec[] {
  const out: EntitySpec[] = [{
    component: 'sensor', uniqueId: uid('switches_up'), name: 'Switches up', stateTopic: `${base}/bridge/info`,
    valueTemplate: '{{ value_json.switches.up }}', stateClass: 'measurement', precision: 0, availability: true,
  }];
  for (const s of switches) {
    const { id, name } = typeof s === 'object' ? s : { id: s, name: undefined };
    out.push({
      component: 'binary_sensor', uniqueId: uid(`switch_${sanitizeId(String(id))}`), name: `Switch ${name ?? id}`,
      stateTopic: `${base}/bridge/switches/${id}/state`, deviceClass: 'connectivity', payloads: { on: 'up', off: 'down' },
      // `unknown` / `stale` are neither: "None" makes the binary sensor unknown instead of logging a mismatch
      valueTemplate: "{{ value if value in ['up', 'down'] else 'None' }}", availability: true,
    });
  }
  return out;
}

function watchdogEntities(base: string, names: readonly string[]): EntitySpec[] {
  return names.flatMap((name): EntitySpec[] => {
    const key = `watchdog_${sanitizeId(name)}`;
    const state = `${base}/bridge/watchdog/${name}/state`;
    return [
      {
        component: 'sensor', uniqueId: uid(`${key}_state`), name: `Watchdog ${name} State`, stateTopic: state, deviceClass: 'enum',
        options: WATCHDOG_STATES, valueTemplate: '{{ value_json.state }}', availability: true,
      },
      {
        component: 'sensor', uniqueId: uid(`${key}_cycles`), name: `Watchdog ${name} Cycles`, stateTopic: state,
        valueTemplate: '{{ value_json.cycles }}', stateClass: 'measurement', precision: 0, availability: true,
      },
      {
        component: 'button', uniqueId: uid(`${key}_reset`), name: `Watchdog ${name} Reset`,
        commandTopic: `${base}/bridge/request/watchdog/reset`, payloadPress: JSON.stringify({ name }), availability: true,
      },
    ];
  });
}

/** Discovery configs of the bridge device (SPEC §10.3). Pure. */
export function buildBridgeDiscovery(input: BridgeDiscoveryInput): DiscoveryConfig[] {
  const base = input.baseTopic;
  const ctx: DeviceContext = {
    device: bridgeDevice(input.swVersion, input.publicUrl),
    origin: origin(input.swVersion),
    availability: bridgeAvailability(base),
  };
  const specs = [
    ...coreEntities(base),
    ...(input.switches ? switchEntities(base, input.switches) : []),
    ...watchdogEntities(base, input.watchdogs ?? []),
  ];
  return specs.map((spec) => toDiscovery(spec, ctx, input.discoveryPrefix));
}
