// SPEC §7.6: after a successful SET the outlet's state is read back and published at once, not at
// the next poll, whoever sent the command. A PDU polled once a minute (a simulated PDU44001 over
// UDP), the real app with the embedded broker, a command over REST, an MQTT client watching.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let sim: SimulatedPdu;
let t: TestApp;
let client: MqttClient;
const last = new Map<string, string>();

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  sim = await createSimulatedPdu({ port: 0, clock: new RealClock(), serial: 'READBACK01' });
  t = await startTestApp({
    demo: { enabled: false },
    devices: [{ id: 'slow', host: '127.0.0.1', port: sim.port, poll_interval_s: 60, homeassistant: false }],
  });
  client = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
  client.on('message', (topic, payload) => last.set(topic, payload.toString()));
  await client.subscribeAsync('pdu/slow/#');
  await until(() => last.get('pdu/slow/outlet/3/state') === 'on', 10_000, 'the first poll');
}, 30_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
  await sim?.close();
});

describe('outlet state after a command from REST (SPEC §7.6)', () => {
  it('is published at once, 60 s before the next poll', async () => {
    const polledAt = Date.now();
    const res = await fetch(`${t.webUrl}/api/outlets/3/command?device_id=slow`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'off' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    expect(sim.outletState(3)).toBe('off');
    await until(() => last.get('pdu/slow/outlet/3/state') === 'off', 3000, 'outlet 3 off on MQTT');
    // Well before the next poll (60 s after the first): the read-back, not a poll, published it.
    expect(Date.now() - polledAt).toBeLessThan(30_000);
    expect(t.app.registry.snapshot('slow')?.outlets[3]?.state).toBe('on'); // the last poll's snapshot is unchanged
  });
});
