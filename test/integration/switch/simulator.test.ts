import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { probeUrl, type ProbeOutcome } from '../../../src/devices/switch/probe.js';
import { demoSwitchesOf, startSwitchSimulator, type SwitchSimulator } from '../../../src/devices/switch/simulator.js';
import { normalizeSwitchInput } from '../../../src/devices/switch/target-input.js';

// SPEC §8 simulated switches, checked with the real prober: powered = 200, unpowered = accepted
// and never answered (-> timeout -> down), plus the refuse/reset/vanish modes used by tests.

const clock = new RealClock();
const TIMEOUT_MS = 300;
const probe = (url: string): Promise<ProbeOutcome> => probeUrl(url, { timeoutMs: TIMEOUT_MS, tlsErrors: 'up', clock });

let sim: SwitchSimulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

describe('switch simulator', () => {
  it('starts N sensors and a gateway on distinct 127.0.0.1 ports, all answering', async () => {
    sim = await startSwitchSimulator({ count: 3 });
    expect(sim.switches.map((s) => s.name)).toEqual(['demo-switch-1', 'demo-switch-2', 'demo-switch-3']);
    expect(sim.gateway).toMatchObject({ name: 'demo-gateway', role: 'control', mode: 'answer' });
    const all = [...sim.switches, sim.gateway];
    expect(new Set(all.map((s) => s.port)).size).toBe(4);
    for (const s of all) {
      expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
      expect(await probe(s.url)).toMatchObject({ result: 'up', reason: 'http', http_status: 200 });
    }
  });

  it('targets() are valid switch inputs: sensors then the control gateway', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    const targets = sim.targets();
    expect(targets.map((t) => [t.name, t.role])).toEqual([['demo-switch-1', 'sensor'], ['demo-switch-2', 'sensor'], ['demo-gateway', 'control']]);
    for (const t of targets) expect(normalizeSwitchInput(t).ok).toBe(true);
  });

  it.each<[mode: 'hang' | 'vanish' | 'reset' | 'refuse', result: 'up' | 'down', reason: string]>([
    ['hang', 'down', 'timeout'],
    ['vanish', 'down', 'timeout'], // loopback cannot drop SYNs from Node: vanish = hang
    ['reset', 'up', 'reset'],
    ['refuse', 'up', 'refused'],
  ])('mode %s -> %s/%s, and back to answer', async (mode, result, reason) => {
    sim = await startSwitchSimulator({ count: 2 });
    const target = sim.switches[1]!;
    await sim.setMode(1, mode);
    expect(target.mode).toBe(mode);
    expect(await probe(target.url)).toMatchObject({ result, reason });
    // The other switch is untouched.
    expect(await probe(sim.switches[0]!.url)).toMatchObject({ result: 'up', http_status: 200 });
    await sim.setMode('demo-switch-2', 'answer');
    expect(await probe(target.url)).toMatchObject({ result: 'up', http_status: 200 });
  });

  it('refuse closes the port and answer reopens the SAME port', async () => {
    sim = await startSwitchSimulator({ count: 1 });
    const s = sim.switches[0]!;
    const { port, url } = s;
    for (let round = 0; round < 3; round++) {
      await sim.setMode(0, 'refuse');
      expect(await probe(url)).toMatchObject({ result: 'up', reason: 'refused' });
      await sim.setMode(0, 'answer');
      expect(s.port).toBe(port);
      expect(await probe(url)).toMatchObject({ result: 'up', http_status: 200 });
    }
  });

  it('mode changes in a burst apply in order', async () => {
    sim = await startSwitchSimulator({ count: 1 });
    void sim.setMode(0, 'refuse');
    void sim.setMode(0, 'answer');
    await sim.setMode(0, 'refuse');
    expect(sim.switches[0]!.mode).toBe('refuse');
    expect(await probe(sim.switches[0]!.url)).toMatchObject({ reason: 'refused' });
  });

  it('setAll reaches every switch including the gateway', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    await sim.setAll('reset');
    for (const s of [...sim.switches, sim.gateway]) expect(await probe(s.url)).toMatchObject({ result: 'up', reason: 'reset' });
    await sim.setAll('answer');
    for (const s of [...sim.switches, sim.gateway]) expect(await probe(s.url)).toMatchObject({ http_status: 200 });
  });

  it('unknown switch names are programmer errors', async () => {
    sim = await startSwitchSimulator({ count: 1 });
    expect(() => sim!.setMode('demo-switch-9', 'hang')).toThrow(/no simulated switch/);
    expect(() => sim!.setMode(5, 'hang')).toThrow(/no simulated switch/);
  });

  it('close() resolves promptly with hanging client connections open', async () => {
    const local = await startSwitchSimulator({ count: 2 });
    await local.setAll('hang');
    // Hold connections open the way a stuck client would: connected, request sent, never closed.
    const clients = await Promise.all(
      [...local.switches, local.gateway].map(
        (s) =>
          new Promise<net.Socket>((resolve) => {
            const c = net.connect(s.port, '127.0.0.1', () => {
              c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
              resolve(c);
            });
            c.on('error', () => {});
          }),
      ),
    );
    const t0 = clock.monotonic();
    await local.close();
    expect(clock.monotonic() - t0).toBeLessThan(1000);
    const ended = await Promise.all(clients.map((c) => new Promise<boolean>((r) => (c.destroyed ? r(true) : c.once('close', () => r(true))))));
    expect(ended.every(Boolean)).toBe(true);
    // The ports are free again: connects are refused.
    expect(await probe(local.switches[0]!.url)).toMatchObject({ reason: 'refused' });
  });

  it('the demo scenarios see names, the gateway and setMode', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    const demo = demoSwitchesOf(sim);
    expect(demo.names).toEqual(['demo-switch-1', 'demo-switch-2']);
    expect(demo.gateway).toBe('demo-gateway');
    demo.setMode('demo-gateway', 'hang');
    expect(sim.gateway.mode).toBe('hang');
    expect(await probe(sim.gateway.url)).toMatchObject({ result: 'down', reason: 'timeout' });
  });
});
