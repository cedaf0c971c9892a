// The Kasa legacy protocol end to end over TCP on 127.0.0.1: a real PlugDevice against the
// HS110 / HS300 simulators — poll, switch and read back, counter reset, unplug/replug, refusal,
// a slow device bounded by the poll deadline, and malformed frames.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HEALTH_LIMITS } from '../../../src/devices/pdu/health.js';
import { encodeFrame } from '../../../src/devices/plug/kasa/framing.js';
import { startKasaSimulator, type KasaSimulator } from '../../../src/devices/plug/simulator/kasa.js';
import { testPlug } from '../../support/plug.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(model: 'HS110' | 'HS300', loads?: number[]): Promise<KasaSimulator> {
  const s = await startKasaSimulator({ model, ...(loads ? { loads } : {}) });
  cleanups.push(() => s.close());
  return s;
}

function plug(port: number, overrides = {}) {
  const p = testPlug('kasa', port, overrides);
  cleanups.push(() => p.device.stop());
  return p;
}

describe('Kasa plug over the legacy protocol', () => {
  it('polls an HS300 strip: six metered outlets, input voltage, totals, identity', async () => {
    const s = await sim('HS300', [45, 120, 8, 0, 65, 30]);
    const p = plug(s.port);
    const snap = await p.cycle();
    expect(snap).not.toBeNull();
    expect(snap!.identity).toMatchObject({ manufacturer: 'TP-Link', model: 'HS300(US)', serial: s.mac, outlet_count: 6 });
    expect(snap!.capabilities).toEqual(['outlet_metering']);
    expect(Object.keys(snap!.outlets)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(snap!.outlets[2]).toMatchObject({ state: 'on', power: 120 });
    expect(snap!.outlets[2]!.current).toBeCloseTo(1, 2);
    expect(snap!.input.voltage).toBeCloseTo(120, 3);
    expect(snap!.totals.power).toBe(268);
    expect(snap!.banks).toEqual({});
    expect(snap!.ats).toBeNull();
    expect(snap!.transport.state).toBe('healthy');
    expect(p.device.available()).toBe(true);
  });

  it('polls an HS110 (old V/A/W/kWh scheme)', async () => {
    const s = await sim('HS110', [60]);
    const snap = await plug(s.port).cycle();
    expect(snap!.identity.model).toBe('HS110(US)');
    expect(snap!.outlets[1]).toMatchObject({ state: 'on', power: 60 });
    expect(snap!.outlets[1]!.current).toBeCloseTo(0.5, 3);
  });

  it('switches outlet 2 of the strip off and reads it back', async () => {
    const s = await sim('HS300');
    const p = plug(s.port);
    await p.cycle();
    const r = await p.device.command(2, 'off', { origin: 'test' });
    expect(r).toMatchObject({ success: true, outlet: 2, command: 'off', state: 'off', code: null });
    expect(s.sim.outlets[1]!.on).toBe(false);
    expect(p.device.snapshot()!.outlets[2]!.state).toBe('off');
    expect(p.device.snapshot()!.outlets[2]!.power).toBe(0);
    expect(p.results).toHaveLength(1);
    const on = await p.device.command(2, 'on');
    expect(on.state).toBe('on');
  });

  it('rejects unsupported or invalid commands with stable codes', async () => {
    const s = await sim('HS300');
    const p = plug(s.port, { protectedOutlets: new Set([1]) });
    await p.cycle();
    expect((await p.device.command(7, 'off')).code).toBe('P2M_ERR_UNKNOWN_OUTLET');
    expect((await p.device.command(1, 'off')).code).toBe('P2M_ERR_PROTECTED_OUTLET');
    expect((await p.device.command(2, 'delayoff')).code).toBe('P2M_ERR_NOT_SUPPORTED');
    expect((await p.device.command(2, 'explode')).code).toBe('P2M_ERR_BAD_COMMAND');
  });

  it('a counter reset starts a new energy segment: energy never goes down', async () => {
    const s = await sim('HS110', [100]);
    s.sim.outlets[0]!.energyWh = 5000;
    const p = plug(s.port);
    const before = (await p.cycle())!.outlets[1]!.energy!;
    expect(before).toBeCloseTo(5, 2);
    s.sim.resetCounters();
    const after = (await p.cycle())!.outlets[1]!.energy!;
    expect(after).toBeGreaterThanOrEqual(before);
    expect(p.events.filter((e) => e.type === 'counter_reset')).toHaveLength(1);
  });

  it('unplugged (silent): each poll fails at its deadline, health degrades, and recovers on replug', async () => {
    const s = await sim('HS110');
    const p = plug(s.port);
    await p.cycle();
    await s.setMode('silent');
    for (let i = 0; i < HEALTH_LIMITS.degradedAfter; i++) await p.cycle(150);
    expect(p.samples).toHaveLength(1);
    expect(p.device.healthState().state).toBe('degraded');
    expect(p.device.available()).toBe(false);
    expect(p.device.pollFailures()).toBe(HEALTH_LIMITS.degradedAfter);
    await s.setMode('normal');
    await p.cycle();
    expect(p.device.healthState().state).toBe('healthy');
    expect(p.health.map((h) => h.to)).toEqual(['degraded', 'healthy']);
    expect(p.events.map((e) => e.type)).toEqual(['conn_degraded', 'conn_restored']);
  });

  it('a refused port 9999 is health `error`, reason needs_credentials, with the hint', async () => {
    const s = await sim('HS110');
    const p = plug(s.port);
    await s.setMode('refuse');
    await p.cycle();
    const h = p.device.healthState();
    expect(h.state).toBe('error');
    expect(h.errorReason).toBe('needs_credentials');
    expect(h.lastError).toContain('Third-Party Compatibility');
    expect(p.health[0]).toMatchObject({ to: 'error', reason: 'needs_credentials' });
    await s.setMode('normal');
    await p.cycle();
    expect(p.device.healthState().state).toBe('healthy');
  });

  it('a slow device is bounded by the poll deadline, then answers again', async () => {
    const s = await sim('HS110');
    const p = plug(s.port);
    s.sim.delayMs = 400;
    expect(await p.cycle(100)).toBeNull();
    expect(p.device.healthState().consecutiveFailures).toBe(1);
    s.sim.delayMs = 0;
    expect(await p.cycle()).not.toBeNull();
    expect(p.device.healthState().consecutiveFailures).toBe(0);
  });
});

describe('Kasa bad input from the network', () => {
  async function rogue(answer: (socket: import('node:net').Socket) => void): Promise<number> {
    const server: Server = createServer((sock) => sock.once('data', () => answer(sock)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const a = server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  it.each([
    ['a length prefix over 64 KB', (s: import('node:net').Socket) => s.write(Buffer.from([0, 2, 0, 0, 1, 2, 3]))],
    ['malformed JSON', (s: import('node:net').Socket) => s.write(encodeFrame('{"system":{"get_sysinfo":'))],
    ['a truncated frame then close', (s: import('node:net').Socket) => s.end(encodeFrame('{"system":{}}').subarray(0, 6))],
    ['garbage without XOR', (s: import('node:net').Socket) => s.write(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('hello')]))],
    ['silence (half-open)', () => undefined],
  ])('%s: the poll fails, the device stays pollable, nothing throws', async (_n, answer) => {
    const port = await rogue(answer);
    const p = plug(port);
    expect(await p.cycle(200)).toBeNull();
    expect(p.device.healthState().consecutiveFailures).toBe(1);
    expect(p.device.healthState().lastError).not.toBeNull();
    expect(p.samples).toHaveLength(0);
  });
});
