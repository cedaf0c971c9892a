import { binarySensorPayload } from './binary-sensor.js';
import { buttonPayload } from './button.js';
import { discoveryTopic } from './common.js';
import { selectPayload } from './select.js';
import { sensorPayload } from './sensor.js';
import { switchPayload } from './switch.js';
import type { DeviceContext, DiscoveryConfig, EntitySpec, HaComponent } from './types.js';

/** One small builder per HA component kind (ARCHITECTURE.md). */
const BUILDERS: Readonly<Record<HaComponent, (spec: EntitySpec, ctx: DeviceContext) => Record<string, unknown>>> = {
  sensor: sensorPayload,
  binary_sensor: binarySensorPayload,
  switch: switchPayload,
  select: selectPayload,
  button: buttonPayload,
};

export function toDiscovery(spec: EntitySpec, ctx: DeviceContext, discoveryPrefix: string): DiscoveryConfig {
  return {
    topic: discoveryTopic(discoveryPrefix, spec.component, spec.uniqueId),
    payload: BUILDERS[spec.component](spec, ctx),
    uniqueId: spec.uniqueId,
    component: spec.component,
  };
}
