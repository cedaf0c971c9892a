// Address recovery (SPEC §7.7, issue 8 item 7) with real simulated PDUs on loopback: the device is
// configured at 127.0.0.2, its serial answers at 127.0.0.3 (same port; Linux routes all of 127/8
// to lo), the subnet scan finds it there, the host is updated, logged and `ip_changed` emitted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { DeviceStateStore, RuntimeDeviceSpec } from '../../../src/core/ports.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import type { DeviceEvent } from '../../../src/core/types.js';
import { PduDevice, type PduDeviceDeps, type PduDeviceSettings } from '../../../src/devices/pdu/device.js';
import { NetSnmpTransport } from '../../../src/devices/pdu/net-snmp-transport.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { DeviceRegistry } from '../../../src/devices/registry.js';
import { HistoryStore } from '../../../src/history/store.js';
import { configSchema } from '../../../src/config/index.js';
import { tempHistory } from '../../support/history.js';

const clock = new RealClock();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** 10 Hz polling with a short timeout, so the 30 failed cycles before `recovering` take seconds. */
const FAST: Partial<PduDeviceSettings> = { pollIntervalMs: 100, timeoutMs: 40, retries: 0 };

async function sim(bind: string, port: number, serial: string): Promise<SimulatedPdu> {
  const s = await createSimulatedPdu({ port, bind, clock, serial, seed: 5 });
  cleanups.push(() => s.close());
  return s;
}

function harness(factory?: (spec: RuntimeDeviceSpec & { id: string }, deps: PduDeviceDeps) => PduDevice) {
  const bus = new EventBus();
  const events: DeviceEvent[] = [];
  bus.on('device.event', (e) => events.push(e));
  const deps: PduDeviceDeps = { clock, bus, logger: silentLogger(), transportFactory: (o) => new NetSnmpTransport(o) };
  const scheduler = new Scheduler(clock);
  const registry = new DeviceRegistry(clock, factory ? (spec) => factory(spec, deps) : undefined);
  cleanups.push(async () => {
    await scheduler.stop();
    await registry.stopAll();
  });
  return { events, deps, scheduler, registry };
}

function settings(over: Partial<PduDeviceSettings> & { id: string; port: number }): PduDeviceSettings {
  return {
    label: '', host: '127.0.0.2', version: '2c', community: 'public', writeCommunity: 'private', profile: getProfile('cps-mib'),
    timeoutMs: 40, retries: 0, pollIntervalMs: 100, maxOidsPerRequest: 0, meteringFloor: true, expectedSerial: '', capabilityRecheckMs: 3_600_000,
    protectedOutlets: new Set(), recovery: { subnetScan: true, subnet: '127.0.0.0/29' }, ...over,
  };
}

describe('address recovery by serial', () => {
  it('a config device with expected_serial, never seen at its address, is found at another address of its subnet', async () => {
    const probe = await createSimulatedPdu({ port: 0, bind: '127.0.0.3', clock, serial: 'DHCP0001', seed: 5 });
    const port = probe.port;
    await probe.close();
    // Only 127.0.0.3 answers with the serial; 127.0.0.4 is another PDU that must not be taken.
    const moved = await sim('127.0.0.3', port, 'DHCP0001');
    await sim('127.0.0.4', port, 'OTHER001');
    const h = harness();
    h.registry.add(new PduDevice(settings({ id: 'cfg', port, expectedSerial: 'DHCP0001', ...FAST }), h.deps));
    h.registry.startAll(h.scheduler, 10);
    await vi.waitFor(() => expect(h.events.map((e) => e.type)).toContain('ip_changed'), { timeout: 15_000, interval: 50 });
    expect(h.events.find((e) => e.type === 'ip_changed')).toMatchObject({
      device_id: 'cfg', data: { from: '127.0.0.2', to: '127.0.0.3', serial: 'DHCP0001' }, details: 'serial DHCP0001 moved from 127.0.0.2 to 127.0.0.3',
    });
    await vi.waitFor(() => expect(h.registry.list()[0]).toMatchObject({ state: 'healthy', host: '127.0.0.3', serial: 'DHCP0001' }), { timeout: 5000, interval: 50 });
    expect(await h.registry.command('cfg', 3, 'off')).toMatchObject({ success: true, state: 'off' });
    expect(moved.outletState(3)).toBe('off');
    // A config device stays what the file says: only the polled address changed.
    expect(h.registry.get('cfg')!.settings.host).toBe('127.0.0.2');
  }, 30_000);

  it('a config device that moved is polled at its new address after a restart, until the config names another host', async () => {
    const probe = await createSimulatedPdu({ port: 0, bind: '127.0.0.3', clock, serial: 'DHCP0003', seed: 5 });
    const port = probe.port;
    await probe.close();
    await sim('127.0.0.3', port, 'DHCP0003');
    const h = tempHistory();
    cleanups.push(() => h.cleanup());
    const store = new HistoryStore(h.handle, { retentionDays: 30, clock: h.clock, writer: null, tariff: configSchema.parse({}).energy.tariff, timezone: '' });
    const run = (host: string) => {
      const r = harness();
      r.registry.useStateStore(store);
      r.registry.add(new PduDevice(settings({ id: 'cfg', host, port, expectedSerial: 'DHCP0003', ...FAST }), r.deps));
      return r;
    };
    const first = run('127.0.0.2');
    first.registry.startAll(first.scheduler, 10);
    await vi.waitFor(() => expect(first.events.map((e) => e.type)).toContain('ip_changed'), { timeout: 15_000, interval: 50 });
    expect(store.movedHost('cfg')).toEqual({ configured: '127.0.0.2', host: '127.0.0.3' });
    await first.scheduler.stop();
    await first.registry.stopAll();
    // Restart, same config: polled at .3 from the first cycle (no failed cycles, no new scan).
    const second = run('127.0.0.2');
    expect(second.registry.list()[0]).toMatchObject({ host: '127.0.0.3' });
    second.registry.startAll(second.scheduler, 10);
    await vi.waitFor(() => expect(second.registry.list()[0]).toMatchObject({ state: 'healthy', serial: 'DHCP0003' }), { timeout: 5000, interval: 50 });
    expect(second.registry.pollStats()[0]!.failures).toBe(0);
    expect(second.events.filter((e) => e.type === 'ip_changed')).toHaveLength(0);
    await second.scheduler.stop();
    await second.registry.stopAll();
    // The user edits the config's host: the file wins over the remembered move.
    const third = run('127.0.0.5');
    expect(third.registry.list()[0]).toMatchObject({ host: '127.0.0.5' });
  }, 30_000);

  it('a runtime device that moved keeps its new address (persisted in its stored spec)', async () => {
    const first = await createSimulatedPdu({ port: 0, bind: '127.0.0.2', clock, serial: 'DHCP0002', seed: 5 });
    const port = first.port;
    let closedFirst = false;
    cleanups.push(() => (closedFirst ? undefined : first.close()));
    const saved: Array<RuntimeDeviceSpec & { id: string }> = [];
    const store: DeviceStateStore = {
      outletNames: () => [], saveOutletName: () => {}, runtimeDevices: () => [], removeRuntimeDevice: () => {},
      movedHost: () => null, saveMovedHost: () => {}, saveRuntimeDevice: (s) => saved.push({ ...s }),
    };
    const h = harness((spec, deps) => new PduDevice(settings({ ...FAST, id: spec.id, host: spec.host, port: spec.port ?? 161, fromConfig: false }), deps));
    h.registry.useStateStore(store);
    h.registry.startAll(h.scheduler, 10);
    expect(h.registry.addDevice({ id: 'rt', host: '127.0.0.2', port, label: 'Runtime' })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(h.registry.snapshot('rt')?.identity.serial).toBe('DHCP0002'), { timeout: 5000, interval: 50 });
    await first.close(); // the PDU "moves" to 127.0.0.3
    closedFirst = true;
    await sim('127.0.0.3', port, 'DHCP0002');
    await vi.waitFor(() => expect(h.registry.runtimeSpec('rt')?.host).toBe('127.0.0.3'), { timeout: 15_000, interval: 50 });
    expect(saved.at(-1)).toEqual({ id: 'rt', host: '127.0.0.3', port, label: 'Runtime' });
    expect(h.events.filter((e) => e.type === 'ip_changed')).toHaveLength(1);
    await vi.waitFor(() => expect(h.registry.list()[0]).toMatchObject({ state: 'healthy', host: '127.0.0.3' }), { timeout: 5000, interval: 50 });
  }, 30_000);
});
