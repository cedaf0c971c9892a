// Shelly (Gen2 RPC with digest auth, Gen1 REST) and Tasmota over HTTP on 127.0.0.1: a real
// PlugDevice against the simulators, and the HTTP faults a plug can produce.
import { createServer, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startShellySimulator, type ShellySimOptions } from '../../../src/devices/plug/simulator/shelly.js';
import { startTasmotaSimulator, type TasmotaSimOptions } from '../../../src/devices/plug/simulator/tasmota.js';
import { testPlug } from '../../support/plug.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function shelly(opts: ShellySimOptions = {}) {
  const s = await startShellySimulator(opts);
  cleanups.push(() => s.close());
  return s;
}
async function tasmota(opts: TasmotaSimOptions = {}) {
  const s = await startTasmotaSimulator(opts);
  cleanups.push(() => s.close());
  return s;
}
function plug(kind: 'shelly' | 'tasmota', port: number, overrides = {}) {
  const p = testPlug(kind, port, overrides);
  cleanups.push(() => p.device.stop());
  return p;
}

describe('Shelly Gen2', () => {
  it('polls Shelly.GetStatus: switch:0 as outlet 1, voltage, frequency, identity', async () => {
    const s = await shelly({ loads: [95] });
    const snap = await plug('shelly', s.port).cycle();
    expect(snap!.identity).toMatchObject({ manufacturer: 'Shelly', model: 'SNPL-00112EU', serial: s.mac, firmware_main: '1.3.3', outlet_count: 1 });
    expect(snap!.outlets[1]).toMatchObject({ state: 'on', power: 95 });
    expect(snap!.input).toEqual({ voltage: 230, frequency: 50 });
  });

  it('a pm1 meter (no relay): outlet marked switchable: false, commands refused without asking the device', async () => {
    const s = await shelly({ meterOnly: true, loads: [40] });
    const p = plug('shelly', s.port);
    const snap = await p.cycle();
    expect(snap!.outlets[1]).toMatchObject({ state: 'unknown', power: 40, switchable: false });
    expect(snap!.capabilities).toEqual(['outlet_metering', 'input_frequency']);
    const r = await p.device.command(1, 'off');
    expect(r).toMatchObject({ success: false, code: 'P2M_ERR_NOT_SUPPORTED' });
    expect(r.error).toContain('without a relay');
    expect(s.sim.outlets[0]!.on).toBe(true);
  });

  it('switches with Switch.Set and reads back', async () => {
    const s = await shelly();
    const p = plug('shelly', s.port);
    await p.cycle();
    expect(await p.device.command(1, 'off')).toMatchObject({ success: true, state: 'off' });
    expect(s.sim.outlets[0]!.on).toBe(false);
  });

  it('answers a SHA-256 digest challenge when a password is set (and reuses it)', async () => {
    const s = await shelly({ password: 'secret' });
    const p = plug('shelly', s.port, { password: 'secret' });
    expect(await p.cycle()).not.toBeNull();
    expect(await p.cycle()).not.toBeNull();
    expect(await p.device.command(1, 'off')).toMatchObject({ success: true, state: 'off' });
    expect(s.challenges).toBe(1);
  });

  it.each([
    ['a wrong password', { password: 'secret' }, { password: 'nope' }, 'password rejected'],
    ['no password', { password: 'secret' }, {}, 'set devices[].password'],
    ['an unknown digest algorithm', { password: 'secret', algorithm: 'SHA-1024' }, { password: 'secret' }, 'unsupported digest algorithm'],
  ])('%s: the poll fails with a clear error', async (_n, simOpts, plugOpts, error) => {
    const s = await shelly(simOpts);
    const p = plug('shelly', s.port, plugOpts);
    expect(await p.cycle()).toBeNull();
    expect(p.device.healthState().lastError).toContain(error);
  });

  it('unplug (silent) and replug', async () => {
    const s = await shelly();
    const p = plug('shelly', s.port);
    await p.cycle();
    await s.http.setMode('silent');
    await p.cycle(150);
    expect(p.device.healthState().consecutiveFailures).toBe(1);
    expect(p.device.healthState().lastError).toContain('deadline');
    await s.http.setMode('normal');
    await p.cycle();
    expect(p.samples).toHaveLength(2);
    expect(p.device.healthState().state).toBe('healthy');
  });
});

describe('Shelly Gen1', () => {
  it('polls /status and switches with /relay/0 (Basic auth)', async () => {
    const s = await shelly({ gen: 1, loads: [40], password: 'pw' });
    s.sim.outlets[0]!.energyWh = 1;
    const p = plug('shelly', s.port, { password: 'pw' });
    const snap = await p.cycle();
    expect(snap!.identity.model).toBe('SHPLG-S');
    expect(snap!.outlets[1]).toMatchObject({ state: 'on', power: 40 });
    expect(snap!.outlets[1]!.energy).toBeCloseTo(0.001, 4);
    expect(await p.device.command(1, 'off')).toMatchObject({ success: true, state: 'off' });
  });
});

describe('Tasmota', () => {
  it.each([false, true])('polls ENERGY with numbers as strings: %s', async (stringNumbers) => {
    const s = await tasmota({ loads: [45], stringNumbers });
    const snap = await plug('tasmota', s.port).cycle();
    expect(snap!.identity).toMatchObject({ manufacturer: 'Tasmota', firmware_main: '13.2.0(tasmota)' });
    expect(snap!.outlets[1]).toMatchObject({ state: 'on', power: 45 });
    expect(snap!.input.voltage).toBe(230);
    expect(snap!.errors).toEqual([]);
  });

  it('a two-relay device: Power2 Off and read back', async () => {
    const s = await tasmota({ outlets: 2, loads: [10, 20] });
    const p = plug('tasmota', s.port);
    expect(Object.keys((await p.cycle())!.outlets)).toEqual(['1', '2']);
    expect(await p.device.command(2, 'off')).toMatchObject({ success: true, state: 'off' });
    expect(p.device.snapshot()!.outlets[1]!.state).toBe('on');
  });
});

describe('HTTP faults', () => {
  async function rogue(handler: (res: ServerResponse) => void): Promise<number> {
    const server = createServer((_req, res) => handler(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }));
    const a = server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  it.each([
    ['a redirect', (res: ServerResponse) => res.writeHead(302, { Location: 'http://example.invalid/' }).end(), 'redirect'],
    ['malformed JSON', (res: ServerResponse) => res.writeHead(200).end('{"gen":2,'), 'malformed JSON'],
    ['a body over 64 KB', (res: ServerResponse) => res.writeHead(200).end(`{"x":"${'a'.repeat(70_000)}"}`), '65536'],
    ['a server error', (res: ServerResponse) => res.writeHead(500).end('boom'), 'HTTP 500'],
    ['silence', () => undefined, 'deadline'],
  ])('%s: the poll fails within its deadline and says why', async (_n, handler, error) => {
    const port = await rogue(handler);
    const p = plug('shelly', port);
    expect(await p.cycle(200)).toBeNull();
    expect(p.device.healthState().lastError).toContain(error);
  });
});
