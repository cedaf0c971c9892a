import type { DeviceRegistryPort, FieldResult } from '../core/ports.js';
import type { Logger } from '../core/logger.js';
import type { CommandResult } from '../core/types.js';
import { handleBridgeRequest, type BridgeApiContext } from './bridge-api.js';
import { parseCommandPayload, parseRequestPayload, parseSetPayload } from './payloads.js';
import { bridgeTopic, deviceTopic, parseInbound } from './topics.js';

// Everything that arrives on a subscribed topic (SPEC §9.1–§9.3). Each message ends in exactly
// one response (where the topic has one) and at most one log line; nothing here throws.

export interface InboundContext {
  base: string;
  haStatusTopic: string | null;
  registry: DeviceRegistryPort;
  bridgeApi: BridgeApiContext;
  logger: Logger;
  now: () => number;
  /** Non-retained QoS 1 message (responses, events). */
  respond(topic: string, body: unknown): void;
  /** Outlet names changed locally: republish the device's state. */
  namesChanged(deviceId: string): void;
  haOnline(): void;
  /** Logs a repeated condition once per key (rate limiting of bad input). */
  logOnce(key: string, fields: Record<string, unknown>, msg: string): void;
}

export async function handleInbound(topic: string, payload: Buffer, retained: boolean, ctx: InboundContext): Promise<void> {
  const msg = parseInbound(topic, ctx.base, ctx.haStatusTopic);
  if (msg.kind === 'ha_status') {
    if (payload.toString('utf8').trim() === 'online') ctx.haOnline();
    return;
  }
  if (msg.kind === 'ignored') {
    ctx.logOnce(`ignored:${topic}`, { topic, reason: msg.reason }, 'mqtt message ignored');
    return;
  }
  // A retained command would switch outlets at every restart of the bridge (SPEC §9.1).
  if (retained) {
    ctx.logOnce(`retained:${topic}`, { topic }, 'retained command ignored (publish commands without the retain flag)');
    return;
  }
  if (msg.kind === 'bridge_request') return bridgeRequest(msg.action, payload, ctx);
  // An empty payload is how a user clears a retained message on the broker: nothing to do.
  if (msg.kind === 'outlet_command' && payload.length === 0) return;
  if (!ctx.registry.info(msg.deviceId)) {
    ctx.logOnce(`unknown:${msg.deviceId}`, { topic, device_id: msg.deviceId }, 'mqtt message for an unknown device');
    return;
  }
  switch (msg.kind) {
    case 'outlet_command':
      return outletCommand(msg.deviceId, msg.outlet, payload, ctx);
    case 'outlet_name_set': {
      const v = parseSetPayload(payload);
      const r = v.ok ? ctx.registry.setOutletNameOverride(msg.deviceId, msg.outlet, v.value) : fieldError(`outlet_${msg.outlet}_name`, v.error, ctx);
      if (r.success) ctx.namesChanged(msg.deviceId);
      return deviceResponse(msg.deviceId, r, ctx);
    }
    case 'preferred_source_set': {
      const v = parseSetPayload(payload);
      const r = v.ok ? await ctx.registry.setPreferredSource(msg.deviceId, v.value) : fieldError('preferred_source', v.error, ctx);
      return deviceResponse(msg.deviceId, r, ctx);
    }
    case 'device_set': {
      const v = parseSetPayload(payload);
      const r = v.ok ? await ctx.registry.setDeviceField(msg.deviceId, msg.field, v.value) : fieldError(msg.field, v.error, ctx);
      return deviceResponse(msg.deviceId, r, ctx);
    }
  }
}

async function outletCommand(deviceId: string, outlet: number, payload: Buffer, ctx: InboundContext): Promise<void> {
  const topic = deviceTopic(ctx.base, deviceId, `outlet/${outlet}/command/response`);
  const parsed = parseCommandPayload(payload);
  if (!parsed.ok) {
    ctx.logOnce(`badcmd:${deviceId}:${parsed.error}`, { device_id: deviceId, outlet, error: parsed.error }, 'bad outlet command');
    ctx.respond(topic, { success: false, command: null, outlet, error: parsed.error, ts: ctx.now() / 1000, ...tx(parsed.transaction) });
    return;
  }
  const r: CommandResult = await ctx.registry.command(deviceId, outlet, parsed.command, {
    force: parsed.force, origin: 'mqtt', ...(parsed.transaction !== undefined ? { transaction: parsed.transaction } : {}),
  });
  ctx.respond(topic, { success: r.success, command: r.command, outlet, error: r.error, ts: r.ts, ...tx(r.transaction) });
}

async function bridgeRequest(action: string, payload: Buffer, ctx: InboundContext): Promise<void> {
  const topic = bridgeTopic(ctx.base, `response/${action}`);
  const parsed = parseRequestPayload(payload);
  if (!parsed.ok) {
    ctx.logOnce(`badreq:${action}:${parsed.error}`, { action, error: parsed.error }, 'bad bridge request');
    ctx.respond(topic, { status: 'error', data: {}, error: parsed.error });
    return;
  }
  const res = await handleBridgeRequest(action, parsed.data, ctx.bridgeApi);
  ctx.respond(topic, { ...res, ...tx(parsed.transaction) });
}

function deviceResponse(deviceId: string, r: FieldResult, ctx: InboundContext): void {
  ctx.respond(deviceTopic(ctx.base, deviceId, 'device/response'), { success: r.success, field: r.field, value: r.value, error: r.error, ts: r.ts });
}

function fieldError(field: string, error: string, ctx: InboundContext): FieldResult {
  return { success: false, field, value: '', error, code: 'P2M_ERR_VALIDATION', ts: ctx.now() / 1000 };
}

function tx(transaction: string | undefined): { transaction?: string } {
  return transaction !== undefined ? { transaction } : {};
}
