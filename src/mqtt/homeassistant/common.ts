import type { DeviceContext, EntitySpec } from './types.js';

// Keys every MQTT entity platform documents alike (name, unique_id, device, origin,
// entity_category, availability), shared by the per-component builders.
// https://www.home-assistant.io/integrations/mqtt/#single-component-discovery-payload

/** `{prefix}/{component}/{unique_id}/config`: HA's best practice is object_id = unique_id, no node_id. */
export function discoveryTopic(prefix: string, component: string, uniqueId: string): string {
  return `${prefix}/${component}/${uniqueId}/config`;
}

/** Replace `{n}` (outlet / bank / contact number) in a suffix, name or topic template. */
export function fill(template: string, n: number | null): string {
  return n === null ? template : template.replaceAll('{n}', String(n));
}

export function baseFields(spec: EntitySpec, ctx: DeviceContext): Record<string, unknown> {
  return {
    name: spec.name,
    unique_id: spec.uniqueId,
    device: ctx.device,
    origin: ctx.origin,
    ...(spec.entityCategory ? { entity_category: spec.entityCategory } : {}),
    ...(spec.availability ? ctx.availability : {}),
  };
}

/** Adds only the keys whose value is set, so payloads carry no `undefined`. */
export function withDefined(target: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) target[k] = v;
  return target;
}
