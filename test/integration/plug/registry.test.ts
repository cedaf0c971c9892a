// Plugs through the registry and the real scheduler: created like PDUs, listed with their kind,
// commanded through the same path, and a slow plug bounded by the per-target deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import type { PduSnapshot } from '../../../src/core/types.js';
import { PlugDevice } from '../../../src/devices/plug/device.js';
import type { PlugDeviceSettings } from '../../../src/devices/plug/settings.js';
import { startKasaSimulator } from '../../../src/devices/plug/simulator/kasa.js';
import { startShellySimulator } from '../../../src/devices/plug/simulator/shelly.js';
import { DeviceRegistry } from '../../../src/devices/registry.js';

const clock = new RealClock();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = clock.monotonic() + ms;
  while (!cond()) {
    if (clock.monotonic() > end) throw new Error(`timed out waiting for ${what}`);
    await clock.sleep(10);
  }
}

describe('plugs in the registry', () => {
  it('polls a Kasa strip and a Shelly plug on the scheduler; list/info/command treat them like any device', async () => {
    const strip = await startKasaSimulator({ model: 'HS300' });
    const shelly = await startShellySimulator();
    cleanups.push(() => strip.close(), () => shelly.close());
    const bus = new EventBus();
    const samples = new Map<string, PduSnapshot>();
    bus.on('sample', (s) => samples.set(s.device_id, s));
    const scheduler = new Scheduler(clock);
    const registry = new DeviceRegistry(clock);
    const base = { label: '', host: '127.0.0.1', password: '', pollIntervalMs: 200, timeoutMs: 150, protectedOutlets: new Set<number>() };
    const settings: PlugDeviceSettings[] = [
      { ...base, id: 'strip', kind: 'kasa', port: strip.port, role: 'sensor' },
      { ...base, id: 'kettle', kind: 'shelly', port: shelly.port, role: '' },
    ];
    for (const s of settings) registry.add(new PlugDevice(s, { clock, bus, logger: silentLogger() }));
    registry.startAll(scheduler, 10);
    cleanups.push(async () => {
      await scheduler.stop();
      await registry.stopAll();
    });
    await until(() => samples.has('strip') && samples.has('kettle'), 3000, 'a sample of each plug');
    expect(registry.list().map((d) => [d.id, d.kind, d.availability])).toEqual([['strip', 'kasa', 'online'], ['kettle', 'shelly', 'online']]);
    expect(registry.info('strip')).toMatchObject({ kind: 'kasa', profile: 'cps-mib', writable: true, role: 'sensor', model: 'HS300(US)' });
    expect(registry.snapshot('kettle')!.outlets[1]!.state).toBe('on');
    const r = await registry.command('strip', 3, 'off', { origin: 'rest' });
    expect(r).toMatchObject({ device_id: 'strip', success: true, state: 'off' });
    expect(registry.pollStats().map((p) => p.device_id).sort()).toEqual(['kettle', 'strip']);
    expect((await registry.setOutletName('strip', 1, 'x')).code).toBe('P2M_ERR_NOT_SUPPORTED');
  });

  it('a plug slower than its deadline fails its cycles without stalling the scheduler or other devices', async () => {
    const slow = await startKasaSimulator({ model: 'HS110' });
    const fast = await startKasaSimulator({ model: 'HS110', index: 1 });
    cleanups.push(() => slow.close(), () => fast.close());
    slow.sim.delayMs = 1000;
    const bus = new EventBus();
    const counts = new Map<string, number>();
    bus.on('sample', (s) => counts.set(s.device_id, (counts.get(s.device_id) ?? 0) + 1));
    const scheduler = new Scheduler(clock);
    const registry = new DeviceRegistry(clock);
    const base = { kind: 'kasa' as const, label: '', host: '127.0.0.1', password: '', pollIntervalMs: 100, timeoutMs: 50, role: '' as const, protectedOutlets: new Set<number>() };
    registry.add(new PlugDevice({ ...base, id: 'slow', port: slow.port }, { clock, bus, logger: silentLogger() }));
    registry.add(new PlugDevice({ ...base, id: 'fast', port: fast.port }, { clock, bus, logger: silentLogger() }));
    registry.startAll(scheduler, 10);
    cleanups.push(async () => {
      await scheduler.stop();
      await registry.stopAll();
    });
    await until(() => (counts.get('fast') ?? 0) >= 5 && (registry.get('slow')?.pollFailures() ?? 0) >= 3, 5000, 'fast samples and slow failures');
    expect(counts.get('slow') ?? 0).toBe(0);
    expect(registry.get('slow')!.healthState().lastError).toContain('deadline');
  });
});
