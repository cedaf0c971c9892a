// Issue 13 end to end on the whole app in demo mode: the simulated PDU (real SNMP agent), the real
// poller and command queue, the switch prober and outage engine, MQTT on the embedded broker,
// SQLite and REST. A local HTTP target stops answering → the watchdog reboots its outlet (seen on
// the simulator, not only in our own view) → the target answers → `recovered`. During a LAN
// fault or a power cut the same silence is `suppressed` and no command is sent (SPEC §12.7).
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandResult } from '../../../src/core/types.js';
import type { WatchdogBusEvent } from '../../../src/core/watchdog.js';
import { startSwitchSimulator, type SwitchSimulator } from '../../../src/devices/switch/simulator.js';
import { startTestApp, type TestApp } from '../../support/app.js';

type Json = Record<string, unknown>;
const OUTLET = 3;
const NAME = 'nas';

let t: TestApp;
let target: SwitchSimulator;
let client: mqtt.MqttClient;
const commands: CommandResult[] = [];
const events: WatchdogBusEvent[] = [];
const retained = new Map<string, string>();

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${t.webUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Json };
}

const state = async (): Promise<Json> => ((await api('GET', `/api/watchdogs/${NAME}`)).body.state ?? {}) as Json;
const simOutlet = (): string => t.app.simulator?.outletState(OUTLET) ?? '?';
const setTarget = (mode: 'answer' | 'hang'): Promise<void> => target.setMode(0, mode);

async function waitState(expected: string, reason?: string, timeout = 20_000): Promise<void> {
  await vi.waitFor(async () => expect(await state()).toMatchObject({ state: expected, ...(reason ? { reason } : {}) }), { timeout, interval: 100 });
}

beforeAll(async () => {
  target = await startSwitchSimulator({ count: 1 });
  t = await startTestApp({
    switches: { interval_s: 1, timeout_ms: 400 },
    watchdogs: [{
      name: NAME, device: 'demo-pdu', outlet: OUTLET, target: target.switches[0]!.url, interval_s: 1, timeout_ms: 800, fail_after_s: 3,
      boot_grace_s: 8, max_cycles: 5, window_h: 1,
    }],
  });
  t.app.bus.on('command.result', (c) => commands.push(c));
  t.app.bus.on('watchdog', (e) => events.push(e));
  const creds = t.app.broker?.bridgeCredentials;
  client = mqtt.connect(t.mqttUrl, { protocolVersion: 4, ...(creds ? { username: creds.username, password: creds.password } : {}) });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  client.on('message', (topic, payload) => retained.set(topic, payload.toString()));
  await client.subscribeAsync('pdu/bridge/watchdog/#');
  // The device has reported and every switch (gateway included) answered: the watchdog checked its target.
  await vi.waitFor(async () => expect((await api('GET', '/api/status')).body.switches_online).toBe(4), { timeout: 20_000, interval: 200 });
  await vi.waitFor(async () => expect(await state()).toMatchObject({ state: 'ok', last_result: 'up' }), { timeout: 20_000, interval: 100 });
}, 60_000);

afterAll(async () => {
  await client?.endAsync();
  await t?.stop();
  await target?.close();
});

describe('watchdog end to end (SPEC §12.7)', () => {
  it('lists the config watchdog and the demo one with their state', async () => {
    const all = (await api('GET', '/api/watchdogs')).body as unknown as Json[];
    expect(all.map((w) => `${String(w.name)}:${String(w.source)}:${String(w.outlet)}`)).toEqual([`${NAME}:config:${OUTLET}`, 'demo-modem:config:2']);
    expect(all[0]).toMatchObject({ device_id: 'demo-pdu', state: { state: 'ok', cycles: 0, inactive: null, last_result: 'up' } });
    const test = await api('POST', `/api/watchdogs/${NAME}/test`);
    expect(test).toMatchObject({ status: 200, body: { name: NAME, result: 'up', error: null } });
  });

  it('publishes retained states and the HA entities (state, cycles, reset button) from the first connect', async () => {
    await client.subscribeAsync('homeassistant/+/+/config');
    await vi.waitFor(() => {
      expect(JSON.parse(retained.get('pdu/bridge/watchdog/demo-modem/state') ?? '{}')).toMatchObject({ state: 'ok', cycles: 0 });
      expect(JSON.parse(retained.get(`homeassistant/button/power2mqtt_watchdog_${NAME}_reset/config`) ?? '{}')).toMatchObject({
        command_topic: 'pdu/bridge/request/watchdog/reset', payload_press: JSON.stringify({ name: NAME }),
      });
      expect(retained.has(`homeassistant/sensor/power2mqtt_watchdog_${NAME}_state/config`)).toBe(true);
      expect(retained.has(`homeassistant/sensor/power2mqtt_watchdog_${NAME}_cycles/config`)).toBe(true);
    }, { timeout: 5000 });
  });

  it('reboots the outlet of a silent target (off, then on, on the simulator) and reports recovered when it answers', async () => {
    expect(simOutlet()).toBe('on');
    await setTarget('hang');
    await waitState('waiting');
    // The outlet goes off on the PDU itself, then comes back (the simulator's reboot: 5 s off).
    await vi.waitFor(() => expect(simOutlet()).toBe('off'), { timeout: 15_000, interval: 50 });
    // The SET is read back before the command completes: cycling until then, then booting.
    await waitState('booting', undefined, 10_000);
    await vi.waitFor(() => expect(simOutlet()).toBe('on'), { timeout: 15_000, interval: 50 });
    await setTarget('answer');
    await waitState('recovered');
    await waitState('ok');
    const mine = commands.filter((c) => c.device_id === 'demo-pdu' && c.outlet === OUTLET);
    expect(mine.map((c) => `${c.command}:${c.success}`)).toEqual(['reboot:true']);
    const s = await state();
    expect(s).toMatchObject({ cycles: 1, last_result: 'up' });
    expect(typeof s.last_cycle_at).toBe('number');
    // The state machine went the whole way, each change a bus event.
    const path = events.filter((e) => e.name === NAME && e.kind === 'state').map((e) => e.status?.state);
    expect(path).toEqual(['waiting', 'cycling', 'booting', 'recovered', 'ok']);
    // MQTT: retained state with the cycle count; stored in the events table.
    await vi.waitFor(() => expect(JSON.parse(retained.get(`pdu/bridge/watchdog/${NAME}/state`) ?? '{}')).toMatchObject({ state: 'ok', cycles: 1 }));
    const stored = (await api('GET', '/api/events?kind=automation&limit=50')).body as unknown as Json[];
    expect(stored.filter((e) => e.source === `watchdog:${NAME}`).map((e) => e.type)).toEqual(
      expect.arrayContaining(['watchdog_cycling', 'watchdog_cycle', 'watchdog_recovered']),
    );
  }, 60_000);

  it('holds the cycle during a LAN fault (control target down): suppressed network, nothing switched', async () => {
    const before = commands.length;
    await t.app.demo?.run('lan_down', {});
    // The prober has seen the LAN go (the gateway, a control target, is down) before the target falls silent.
    await vi.waitFor(async () => expect((await api('GET', '/api/status')).body.switches_online).toBe(0), { timeout: 15_000, interval: 100 });
    await setTarget('hang');
    await waitState('suppressed', 'network');
    // Well past fail_after_s: still held, the outlet untouched.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await state()).toMatchObject({ state: 'suppressed', reason: 'network' });
    expect(commands.slice(before).filter((c) => c.outlet === OUTLET)).toEqual([]);
    expect(simOutlet()).toBe('on');
    await setTarget('answer');
    await t.app.demo?.run('switches_up', {});
    await waitState('ok');
  }, 60_000);

  it('holds the cycle during a power cut: suppressed, nothing switched; the HA reset button request is answered over MQTT', async () => {
    const before = commands.length;
    await t.app.demo?.run('all_down', {});
    // The power cut is seen (verdict outage, or the PDU no longer healthy) before the target falls silent.
    await vi.waitFor(async () => {
      const st = (await api('GET', '/api/status')).body;
      const pdu = t.app.registry.list().find((d) => d.id === 'demo-pdu');
      expect(st.power_status === 'outage' || pdu?.state !== 'healthy').toBe(true);
    }, { timeout: 15_000, interval: 100 });
    await setTarget('hang');
    await waitState('suppressed');
    await new Promise((r) => setTimeout(r, 2500));
    const s = await state();
    expect(s.state).toBe('suppressed');
    expect(['outage', 'unhealthy']).toContain(s.reason);
    expect(commands.slice(before).filter((c) => c.outlet === OUTLET)).toEqual([]);
    // The HA reset button's request: answered on the response topic.
    const response = new Promise<Json>((resolve) => {
      client.on('message', (topic, payload) => {
        if (topic === 'pdu/bridge/response/watchdog/reset') resolve(JSON.parse(payload.toString()) as Json);
      });
    });
    await client.subscribeAsync('pdu/bridge/response/watchdog/reset');
    await client.publishAsync('pdu/bridge/request/watchdog/reset', JSON.stringify({ name: NAME }));
    expect(await response).toMatchObject({ status: 'ok', data: { name: NAME } });
    await t.app.demo?.run('all_up', {});
    await setTarget('answer');
  }, 60_000);
});
