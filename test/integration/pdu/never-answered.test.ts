// SPEC §7.7 / §14.2: a PDU that has never answered is not `online`. Before, every device started
// `healthy`, so until 10 cycles had failed (~10 s) MQTT and HA showed it available and
// /api/health said 200. The real app, one PDU on a UDP port nothing listens on, one that answers.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let sim: SimulatedPdu;
let t: TestApp;

beforeAll(async () => {
  sim = await createSimulatedPdu({ port: 0, clock: new RealClock(), serial: 'ANSWERS01' });
  t = await startTestApp({
    demo: { enabled: false },
    devices: [
      { id: 'silent', host: '127.0.0.1', port: 9, timeout_ms: 300, homeassistant: false },
      { id: 'alive', host: '127.0.0.1', port: sim.port, homeassistant: false },
    ],
  });
}, 30_000);

afterAll(async () => {
  await t?.stop();
  await sim?.close();
});

describe('a PDU that has never answered', () => {
  it('is offline on MQTT and in the API, and /api/health names it, while the other is online', async () => {
    const last = new Map<string, string>();
    const client = await mqtt.connectAsync(t.mqttUrl, { protocolVersion: 4 });
    client.on('message', (topic, payload) => last.set(topic, payload.toString()));
    await client.subscribeAsync(['pdu/+/availability', 'pdu/bridge/info']);
    const until = Date.now() + 5000;
    while (last.get('pdu/alive/availability') !== 'online' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1500)); // a few failed cycles of the silent one (not yet 10)
    await client.endAsync();
    expect(last.get('pdu/alive/availability')).toBe('online');
    expect(last.get('pdu/silent/availability')).toBeUndefined(); // nothing until its first cycle succeeds or it degrades

    // The device list of the bridge (pdu/bridge/info, the `devices` request, /ws) says the same.
    const info = JSON.parse(last.get('pdu/bridge/info') ?? '{}') as { devices?: Array<{ id: string; availability: string; state: string }> };
    expect(info.devices?.find((p) => p.id === 'silent')).toMatchObject({ availability: 'offline', state: 'healthy' });
    expect(info.devices?.find((p) => p.id === 'alive')).toMatchObject({ availability: 'online' });

    const health = await fetch(`${t.webUrl}/api/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { issues: string[] };
    expect(body.issues).toContain('device silent has sent no data yet');
    expect(body.issues.some((i) => i.includes('alive'))).toBe(false);
  }, 20_000);
});
