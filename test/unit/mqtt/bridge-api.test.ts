// Bridge request actions are looked up by name from the topic: names of Object.prototype's
// members are unknown actions like any other (found by test/unit/fuzz/mqtt.test.ts).
import { describe, expect, it } from 'vitest';
import { handleBridgeRequest, type BridgeApiContext } from '../../../src/mqtt/bridge-api.js';
import { FakeRegistry } from '../../support/http-ports.js';

const ctx: BridgeApiContext = { registry: new FakeRegistry(), rediscover: async () => 0, forgetDevice: () => {}, mqttConnected: () => true };

describe('handleBridgeRequest with prototype member names', () => {
  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'])('"%s" is an unknown action', async (action) => {
    const res = await handleBridgeRequest(action, {}, ctx);
    expect(res.status).toBe('error');
    expect(res.error).toMatch(new RegExp(`^unknown action "${action}" \\(known: devices, `));
  });
});
