// Fuzzing of inbound MQTT (issue 10 "Bad input"): arbitrary bytes, text and JSON as outlet
// commands, `…/set` values and bridge requests, on arbitrary topics under the base. Nothing may
// throw; every refusal carries an error text (and the field, where the response has one).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import type { DeviceRegistryPort } from '../../../src/core/ports.js';
import type { CommandResult } from '../../../src/core/types.js';
import { BRIDGE_ACTIONS, handleBridgeRequest, type BridgeApiContext } from '../../../src/mqtt/bridge-api.js';
import { handleInbound, type InboundContext } from '../../../src/mqtt/inbound.js';
import { parseCommandPayload, parseRequestPayload, parseSetPayload } from '../../../src/mqtt/payloads.js';
import { FakeChecks, FakeRegistry, FakeSwitches, deviceInfo } from '../../support/http-ports.js';
import { FakeClock } from '../../../src/core/clock.js';
import { FUZZ_TIMEOUT_MS, fuzzParams, looksLikeCrash, nastyJson } from './runs.js';

/** The registry's reading side from the HTTP fakes, with a command that answers like the real one. */
function commandRegistry(): DeviceRegistryPort {
  const command = async (deviceId: string, outlet: number, cmd: string): Promise<CommandResult> => {
    const known = ['on', 'off', 'reboot', 'delayon', 'delayoff', 'cancel'].includes(cmd);
    return {
      device_id: deviceId, outlet, command: cmd as CommandResult['command'], success: known, error: known ? null : `unknown command "${cmd}"`,
      code: known ? null : 'P2M_ERR_BAD_COMMAND', ts: 1, duration_ms: 0, state: known ? 'on' : null,
    } as CommandResult;
  };
  return Object.assign(new FakeRegistry().put(deviceInfo('pdu-01'), null), { command }) as unknown as DeviceRegistryPort;
}

/** Payload bytes: arbitrary buffers, text, JSON documents and command-shaped objects. */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
  fc.constantFrom('on', ' OFF ', 'reboot', '{', '{}', '[]', 'null', '""', '\u0000on', '\uFEFFon', 'x'.repeat(70_000)).map((s) => Buffer.from(s)),
  nastyJson.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.record({ command: fc.oneof(fc.string(), nastyJson), transaction: fc.oneof(fc.string(), fc.integer(), nastyJson), force: fc.oneof(fc.boolean(), nastyJson) }, { requiredKeys: [] })
    .map((o) => Buffer.from(JSON.stringify(o))),
);

const segment = fc.oneof(
  fc.constantFrom('pdu-01', 'nope', 'bridge', 'request', 'outlet', '1', '0', '99', '-1', '01', 'command', 'name', 'set', 'ats', 'preferred_source', 'device', 'location', 'contact', '', '+', '#'),
  fc.constantFrom(...BRIDGE_ACTIONS),
  fc.string({ maxLength: 8 }),
);
const topic = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `pdu/${s.join('/')}`),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('homeassistant/status'),
  // Well-formed topics, so most cases reach the payload handling.
  fc.tuple(fc.constantFrom('pdu-01', 'nope'), fc.constantFrom('1', '3', '99', '0'), fc.constantFrom('command', 'name/set'))
    .map(([d, n, what]) => `pdu/${d}/outlet/${n}/${what}`),
  fc.constantFrom('pdu/pdu-01/ats/preferred_source/set', 'pdu/pdu-01/device/name/set', 'pdu/pdu-01/device/location/set'),
  fc.constantFrom(...BRIDGE_ACTIONS).map((a) => `pdu/bridge/request/${a}`),
);

function expectErrorText(error: unknown): void {
  expect(typeof error).toBe('string');
  expect((error as string).trim()).not.toBe('');
  expect(looksLikeCrash(error as string), error as string).toBe(false);
}

function bridgeContext(registry: DeviceRegistryPort): BridgeApiContext {
  const clock = new FakeClock(Date.UTC(2026, 2, 1));
  return {
    registry, rediscover: async () => 0, forgetDevice: () => {}, mqttConnected: () => true,
    switches: new FakeSwitches(clock, new FakeChecks()), switchesChanged: () => {}, rules: null, watchdogs: null,
  };
}

describe('MQTT fuzzing: inbound payloads never throw and refusals say why', () => {
  it('payload parsers: a value or an error text', () => {
    fc.assert(
      fc.property(payload, (buf) => {
        for (const r of [parseCommandPayload(buf), parseSetPayload(buf), parseRequestPayload(buf)]) {
          if (!r.ok) expectErrorText(r.error);
        }
        const c = parseCommandPayload(buf);
        if (c.ok) expect(c.command).toBe(c.command.trim().toLowerCase());
      }),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT_MS);

  it('handleInbound on arbitrary topics: no throw, each refusal names its error (and field)', async () => {
    const registry = commandRegistry();
    await fc.assert(
      fc.asyncProperty(topic, payload, fc.boolean(), async (t, buf, retained) => {
        const responses: Array<{ topic: string; body: Record<string, unknown> }> = [];
        const ctx: InboundContext = {
          base: 'pdu', haStatusTopic: 'homeassistant/status', registry, bridgeApi: bridgeContext(registry), logger: silentLogger(), now: () => 1_000,
          respond: (rt, body) => responses.push({ topic: rt, body: body as Record<string, unknown> }),
          namesChanged: () => {}, haOnline: () => {}, logOnce: () => {},
        };
        await handleInbound(t, buf, retained, ctx);
        expect(responses.length).toBeLessThanOrEqual(1);
        for (const { topic: rt, body } of responses) {
          expect(rt.startsWith('pdu/')).toBe(true);
          if (body.success === false || body.status === 'error') expectErrorText(body.error);
          if (rt.endsWith('/device/response') && body.success === false) expectErrorText(body.field);
        }
      }),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT_MS);

  it('every bridge action with arbitrary request data: ok or an error text', async () => {
    const registry = commandRegistry();
    const data = fc.oneof(
      fc.dictionary(fc.constantFrom('id', 'name', 'url', 'ip', 'role', 'active', 'group', 'options', 'host', 'kind'), nastyJson, { maxKeys: 5 }),
      nastyJson.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...BRIDGE_ACTIONS), fc.string({ maxLength: 12 })), data, async (action, d) => {
        const res = await handleBridgeRequest(action, d as Record<string, unknown>, bridgeContext(registry));
        expect(['ok', 'error']).toContain(res.status);
        if (res.status === 'error') expectErrorText(res.error);
        expect(() => JSON.stringify(res)).not.toThrow();
      }),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT_MS);
});
