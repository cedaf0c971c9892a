import type { SwitchInput } from '../core/power.js';
import type { DeviceRegistryPort, RulesPort, RuntimeDeviceSpec, SwitchesPort, WatchdogsPort } from '../core/ports.js';

// The bridge request API (SPEC §9.3): `{base}/bridge/request/{action}` → `{base}/bridge/response/{action}`
// with `{status, data, error?, transaction?}`. A lookup table of handlers, each small.

export interface BridgeResponse {
  status: 'ok' | 'error';
  data: Record<string, unknown>;
  error?: string;
  transaction?: string;
}

export interface BridgeApiContext {
  registry: DeviceRegistryPort;
  /** Re-publish every discovery config and state; resolves with the number of entities. */
  rediscover(): Promise<number>;
  /** Clear retained topics and HA configs of a removed device. */
  forgetDevice(deviceId: string): void;
  mqttConnected(): boolean;
  /** Switch probe targets (null when not running). */
  switches?: SwitchesPort | null;
  /** A switch was added or removed: publish its state topic and HA entity (or clear them). */
  switchesChanged?(id: number): void;
  /** The rules engine (null when not running). */
  rules?: RulesPort | null;
  /** Outlet watchdogs (null when not running). */
  watchdogs?: WatchdogsPort | null;
}

type Handler = (data: Record<string, unknown>, ctx: BridgeApiContext) => Promise<BridgeResponse> | BridgeResponse;

const ok = (data: Record<string, unknown>): BridgeResponse => ({ status: 'ok', data });
const err = (error: string, data: Record<string, unknown> = {}): BridgeResponse => ({ status: 'error', data, error });
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const LATER: Readonly<Record<string, string>> = {};

const HANDLERS: Readonly<Record<string, Handler>> = {
  devices: (_d, { registry }) => ok({ devices: registry.list() }),

  'rules/reload': (_d, { rules }) => {
    if (!rules) return err('the rules engine is not running');
    const r = rules.reload();
    return r.ok ? ok({ rules: r.rules }) : err(r.issues.map((i) => `${i.rule ?? `rule #${i.index ?? '?'}`}: ${i.field}: ${i.message}`).join('; '), { issues: r.issues });
  },

  // SPEC §9.3, §12.7: clears gave_up and the cycle count (also the HA reset button's payload).
  'watchdog/reset': (d, { watchdogs }) => {
    if (!watchdogs) return err('outlet watchdogs are not running');
    const name = str(d.name);
    if (!name) return err('field "name" is required (the watchdog name)');
    const r = watchdogs.reset(name);
    return r.ok ? ok({ name, state: r.watchdog.state.state }) : err(r.error, { name });
  },

  'device/add': (d, { registry }) => {
    const r = registry.addDevice(d as unknown as RuntimeDeviceSpec);
    return r.ok ? ok({ ...r.info }) : err(r.error);
  },

  'device/remove': async (d, ctx) => {
    const id = str(d.id);
    if (!id) return err('field "id" is required');
    const r = await ctx.registry.removeDevice(id);
    if (!r.ok) return err(r.error, { id });
    ctx.forgetDevice(id);
    return ok({ id });
  },

  // `name` becomes the runtime device's label (SPEC §9.3); the PDU's own name is `device/name/set`.
  'device/rename': async (d, { registry }) => {
    const id = str(d.id);
    const name = str(d.name);
    if (!id || name === undefined) return err('fields "id" and "name" are required');
    const r = await registry.updateDevice(id, { label: name });
    return r.ok ? ok({ ...r.info }) : err(r.error, { id });
  },

  'device/options': async (d, { registry }) => {
    const id = str(d.id);
    const options = d.options;
    if (!id) return err('field "id" is required');
    if (typeof options !== 'object' || options === null || Array.isArray(options)) return err('field "options" must be an object', { id });
    const r = await registry.updateDevice(id, options as Partial<RuntimeDeviceSpec>);
    return r.ok ? ok({ ...r.info }) : err(r.error, { id });
  },

  'switch/add': (d, ctx) => {
    if (!ctx.switches) return err('switch probes are not running');
    const input: SwitchInput = {
      name: str(d.name) ?? '', ...(str(d.url) !== undefined ? { url: str(d.url) } : {}), ...(str(d.ip) !== undefined ? { ip: str(d.ip) } : {}),
      ...(d.role === 'sensor' || d.role === 'control' ? { role: d.role } : {}), ...(typeof d.active === 'boolean' ? { active: d.active } : {}),
      ...(str(d.group) !== undefined ? { group: str(d.group) } : {}),
    };
    if (d.role !== undefined && input.role === undefined) return err('role: must be "sensor" or "control"');
    const r = ctx.switches.add(input);
    // Errors that already start with their field ("url: …", "name \"x\" is already used") name it once (as REST does).
    if (!r.ok) return err(r.field && !r.error.startsWith(r.field) ? `${r.field}: ${r.error}` : r.error);
    ctx.switchesChanged?.(r.target.id);
    return ok({ ...r.target });
  },

  'switch/remove': (d, ctx) => {
    if (!ctx.switches) return err('switch probes are not running');
    const id = typeof d.id === 'number' || typeof d.id === 'string' ? d.id : undefined;
    if (id === undefined) return err('field "id" is required (the switch id or name)');
    const r = ctx.switches.remove(id);
    if (!r.ok) return err(r.error, { id });
    ctx.switchesChanged?.(r.target.id);
    return ok({ id: r.target.id });
  },

  'ha/rediscover': async (_d, ctx) => ok({ entities: await ctx.rediscover() }),

  health_check: (_d, { registry, mqttConnected }) => {
    const issues: string[] = [];
    for (const dev of registry.list()) if (dev.state !== 'healthy') issues.push(`device ${dev.id} is ${dev.state}`);
    if (!mqttConnected()) issues.push('mqtt disconnected');
    return ok({ healthy: issues.length === 0, issues });
  },
};

export async function handleBridgeRequest(action: string, data: Record<string, unknown>, ctx: BridgeApiContext): Promise<BridgeResponse> {
  // Own keys only: an action named "__proto__" or "toString" is unknown, not Object.prototype's.
  const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
  if (!handler) {
    const later = Object.hasOwn(LATER, action) ? LATER[action] : undefined;
    return err(later ? `${action}: ${later}` : `unknown action "${action}" (known: ${Object.keys(HANDLERS).join(', ')})`);
  }
  try {
    return await handler(data, ctx);
  } catch (e) {
    return err(`${action} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const BRIDGE_ACTIONS = Object.keys(HANDLERS);
