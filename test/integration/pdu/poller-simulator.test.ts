// The poller driven by the real scheduler against our simulated PDU44001 over UDP on 127.0.0.1:
// health transitions, reboot detection, ATS transfer, commands, and isolation between devices.
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import type { HealthChange } from '../../../src/core/bus.js';
import type { DeviceEvent, PduSnapshot } from '../../../src/core/types.js';
import { PduDevice, type PduDeviceSettings } from '../../../src/devices/pdu/device.js';
import { NetSnmpTransport } from '../../../src/devices/pdu/net-snmp-transport.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { DeviceRegistry } from '../../../src/devices/registry.js';

const clock = new RealClock();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A scheduler-driven setup at 10 Hz so health thresholds (10 / 30 failed cycles) take seconds. */
async function setup(devices: Array<Partial<PduDeviceSettings> & { id: string }>) {
  const bus = new EventBus();
  const samples = new Map<string, PduSnapshot[]>();
  const events: DeviceEvent[] = [];
  const health: HealthChange[] = [];
  bus.on('sample', (s) => samples.set(s.device_id, [...(samples.get(s.device_id) ?? []), s]));
  bus.on('device.event', (e) => events.push(e));
  bus.on('health', (h) => health.push(h));
  const scheduler = new Scheduler(clock);
  const registry = new DeviceRegistry(clock);
  for (const d of devices) {
    registry.add(
      new PduDevice(
        {
          label: '', host: '127.0.0.1', port: 9, version: '2c', community: 'public', writeCommunity: 'private',
          profile: getProfile('cps-mib'), timeoutMs: 60, retries: 0, pollIntervalMs: 100, maxOidsPerRequest: 0, meteringFloor: true,
          expectedSerial: '', capabilityRecheckMs: 3_600_000, protectedOutlets: new Set([1]), ...d,
        },
        { clock, bus, logger: silentLogger(), transportFactory: (o) => new NetSnmpTransport(o) },
      ),
    );
  }
  registry.startAll(scheduler, 10);
  cleanups.push(async () => {
    await scheduler.stop();
    await registry.stopAll();
  });
  return { bus, samples, events, health, scheduler, registry };
}

async function simulator(): Promise<SimulatedPdu> {
  const sim = await createSimulatedPdu({ port: 0, clock, seed: 7 });
  cleanups.push(() => sim.close());
  return sim;
}

/** Wait (bounded) until `cond` holds. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PDU poller against the simulated PDU44001', () => {
  it('polls on the fixed-rate schedule and decodes a full PDU44001 snapshot', async () => {
    const sim = await simulator();
    const t = await setup([{ id: 'a', port: sim.port }]);
    await until(() => (t.samples.get('a')?.length ?? 0) >= 8, 3000, '8 samples');
    const s = t.samples.get('a')!.at(-1)!;
    expect(s.identity).toMatchObject({ model: 'PDU44001', outlet_count: 10 });
    expect(Object.keys(s.outlets)).toHaveLength(10);
    expect(Object.keys(s.banks)).toEqual(['1', '2']);
    expect(s.capabilities).toEqual(['ats', 'sources', 'outlet_metering', 'bank_energy', 'coldstart', 'total_row', 'input_frequency']);
    // outlets 1–5 on bank 1, 6–10 on bank 2 (ePDUOutletStatusOutletBank)
    expect([1, 5, 6, 10].map((n) => s.outlets[n]!.bank)).toEqual([1, 1, 2, 2]);
    // the total row agrees with the banks within rounding of tenths
    const bankSum = s.banks[1]!.current! + s.banks[2]!.current!;
    expect(Math.abs(s.totals.load! - bankSum)).toBeLessThanOrEqual(0.2);
    expect(s.input.voltage).toBeGreaterThan(110);
    expect(s.input.voltage).toBeLessThan(130);
    expect(s.errors).toEqual([]);
    const stats = t.scheduler.stats()[0]!;
    expect(stats.failed + stats.deadlineExceeded).toBe(0);
    expect(t.registry.pollStats()[0]).toMatchObject({ device_id: 'a', failures: 0 });
  });

  it('silence → degraded after 10 failed cycles (availability offline), then restored', async () => {
    const sim = await simulator();
    const t = await setup([{ id: 'a', port: sim.port }]);
    await until(() => (t.samples.get('a')?.length ?? 0) >= 2, 3000, 'first samples');
    sim.silence(1800);
    await until(() => t.events.some((e) => e.type === 'conn_degraded'), 4000, 'conn_degraded');
    const degradedAt = t.health.find((h) => h.to === 'degraded')!;
    expect(degradedAt.consecutive_failures).toBe(10);
    expect(t.registry.list()[0]).toMatchObject({ state: 'degraded', availability: 'offline' });
    await until(() => t.events.some((e) => e.type === 'conn_restored'), 5000, 'conn_restored');
    expect(t.registry.list()[0]).toMatchObject({ state: 'healthy', availability: 'online' });
    expect(t.health.map((h) => `${h.from}>${h.to}`)).toEqual(['healthy>degraded', 'degraded>healthy']);
  });

  it('a PDU reboot (sysUpTime resets) emits pdu_reboot and identity is read again', async () => {
    const sim = await simulator();
    const t = await setup([{ id: 'a', port: sim.port }]);
    await until(() => (t.samples.get('a')?.length ?? 0) >= 3, 3000, 'samples');
    await new Promise((r) => setTimeout(r, 300)); // let sysUpTime grow
    sim.reboot();
    await until(() => t.events.some((e) => e.type === 'pdu_reboot'), 3000, 'pdu_reboot');
    const ev = t.events.find((e) => e.type === 'pdu_reboot')!;
    expect(ev.data.uptime_cs as number).toBeLessThan(ev.data.previous_uptime_cs as number);
    expect(ev.details).toMatch(/uptime_went_back/);
    const n = t.samples.get('a')!.length;
    await until(() => t.samples.get('a')!.length > n + 2, 3000, 'samples after reboot');
    expect(t.registry.list()[0]!.state).toBe('healthy');
  });

  it('source A fails: the ATS transfers to B, redundancy is lost, A reads underVoltage', async () => {
    const sim = await simulator();
    const t = await setup([{ id: 'a', port: sim.port }]);
    await until(() => (t.samples.get('a')?.length ?? 0) >= 1, 3000, 'samples');
    expect(t.samples.get('a')!.at(-1)!.ats).toMatchObject({ current_source: 'A', redundancy: 'ok' });
    sim.failSource('A');
    await until(() => t.samples.get('a')!.at(-1)!.ats?.current_source === 'B', 3000, 'transfer to B');
    const s = t.samples.get('a')!.at(-1)!;
    expect(s.ats).toMatchObject({ current_source: 'B', redundancy: 'lost' });
    expect(s.sources!.a).toMatchObject({ voltage: 0, status: 'underVoltage' });
    expect(s.sources!.b!.voltage).toBeGreaterThan(110);
    expect(t.events.map((e) => e.type)).toEqual(expect.arrayContaining(['ats_transfer', 'redundancy_lost', 'power_loss']));
    expect(t.events.find((e) => e.type === 'ats_transfer')!.data).toEqual({ from: 'A', to: 'B' });
    sim.restoreSource('A');
    await until(() => t.samples.get('a')!.at(-1)!.ats?.redundancy === 'ok', 3000, 'redundancy ok');
    await until(() => t.events.some((e) => e.type === 'power_restore'), 3000, 'power_restore');
    expect(t.events.some((e) => e.type === 'redundancy_ok')).toBe(true);
  });

  it('commands through the registry: SET, read-back, pending for delayed commands, protection', async () => {
    const sim = await simulator();
    const t = await setup([{ id: 'a', port: sim.port }]);
    await until(() => (t.samples.get('a')?.length ?? 0) >= 1, 3000, 'samples');
    const off = await t.registry.command('a', 4, 'off', { transaction: 'x1' });
    expect(off).toMatchObject({ success: true, state: 'off', transaction: 'x1' });
    expect(sim.outletState(4)).toBe('off');
    const delayed = await t.registry.command('a', 4, 'delayon');
    expect(delayed).toMatchObject({ success: true, state: 'off', pending: true });
    const cancel = await t.registry.command('a', 4, 'cancel');
    expect(cancel).toMatchObject({ success: true, pending: false });
    expect(await t.registry.command('a', 1, 'off')).toMatchObject({ success: false, code: 'P2M_ERR_PROTECTED_OUTLET' });
    expect(sim.outletState(1)).toBe('on');
    expect(await t.registry.command('a', 1, 'off', { force: true })).toMatchObject({ success: true, state: 'off' });
    expect(await t.registry.command('nope', 1, 'on')).toMatchObject({ success: false, code: 'P2M_ERR_UNKNOWN_DEVICE' });
    // commands are serialised per device: concurrent requests all complete, in order
    const all = await Promise.all([5, 6, 7].map((n) => t.registry.command('a', n, 'off')));
    expect(all.map((r) => r.success)).toEqual([true, true, true]);
    expect([5, 6, 7].map((n) => sim.outletState(n))).toEqual(['off', 'off', 'off']);
  });

  it('device writes: name, location and preferred source', async () => {
    const sim = await simulator();
    const t = await setup([{ id: 'a', port: sim.port }]);
    await until(() => (t.samples.get('a')?.length ?? 0) >= 1, 3000, 'samples');
    expect(await t.registry.setDeviceField('a', 'name', 'Rack 7')).toMatchObject({ success: true });
    expect(await t.registry.setDeviceField('a', 'location', 'Row B')).toMatchObject({ success: true });
    expect(await t.registry.setPreferredSource('a', 'b')).toMatchObject({ success: true, value: 'B' });
    expect(await t.registry.setOutletName('a', 3, 'NAS')).toMatchObject({ success: true, field: 'outlet_3_name' });
    expect(await t.registry.setOutletName('a', 11, 'x')).toMatchObject({ success: false, code: 'P2M_ERR_UNKNOWN_OUTLET' });
    expect(await t.registry.setPreferredSource('a', 'C')).toMatchObject({ success: false, code: 'P2M_ERR_VALIDATION' });
    expect(await t.registry.setDeviceField('a', 'name', 'x'.repeat(64))).toMatchObject({ success: false, code: 'P2M_ERR_VALIDATION' });
    await until(() => t.samples.get('a')!.at(-1)!.ats?.preferred_source === 'B', 3000, 'preferred B');
    // identity is read at discovery; a fresh device sees the new name
    const t2 = await setup([{ id: 'b', port: sim.port }]);
    await until(() => (t2.samples.get('b')?.length ?? 0) >= 1, 3000, 'samples');
    expect(t2.samples.get('b')![0]!.identity).toMatchObject({ name: 'Rack 7', sys_location: 'Row B' });
    // outlet names are in the slow group, read with the first sample
    expect(t2.samples.get('b')![0]!.outlets[3]!.name).toBe('NAS');
  });

  it('a dead host and a wrong community never stop another device from being polled', async () => {
    const sim = await simulator();
    const t = await setup([
      { id: 'good', port: sim.port },
      { id: 'dead', port: 9 },
      { id: 'wrong-community', port: sim.port, community: 'nope' },
    ]);
    await until(() => (t.samples.get('good')?.length ?? 0) >= 15, 4000, '15 samples from the good device');
    await until(() => t.registry.list().filter((d) => d.state === 'degraded').length === 2, 4000, 'both bad devices degraded');
    expect(t.samples.get('dead')).toBeUndefined();
    expect(t.samples.get('wrong-community')).toBeUndefined();
    const byId = Object.fromEntries(t.registry.list().map((d) => [d.id, d]));
    expect(byId.good).toMatchObject({ state: 'healthy', availability: 'online', model: 'PDU44001' });
    expect(byId.dead).toMatchObject({ state: 'degraded', availability: 'offline', model: null });
  });

  it('a dead host goes healthy → degraded → recovering (conn_lost) and its poll period backs off', async () => {
    const t = await setup([{ id: 'dead', port: 9, pollIntervalMs: 50, timeoutMs: 30 }]);
    await until(() => t.events.some((e) => e.type === 'conn_lost'), 6000, 'conn_lost');
    expect(t.health.map((h) => h.to)).toEqual(['degraded', 'recovering']);
    expect(t.health[1]!.consecutive_failures).toBe(30);
    await until(() => t.scheduler.stats()[0]!.periodMs >= 200, 3000, 'backoff');
    expect(t.registry.list()[0]).toMatchObject({ state: 'recovering', availability: 'offline' });
    // /metrics poll_failures_total: every finished cycle of a dead host is a failure.
    const p = t.registry.pollStats()[0]!;
    expect(p.failures).toBeGreaterThanOrEqual(30);
    expect(p.failures).toBeGreaterThanOrEqual(p.cycles - 1);
  });

  it('recovery by serial: a PDU that moved to another address in the subnet is found (ip_changed)', async () => {
    const old = await createSimulatedPdu({ port: 0, clock, serial: 'MOVED001', seed: 3 });
    const moved = await createSimulatedPdu({ port: old.port, bind: '127.0.0.7', clock, serial: 'MOVED001', seed: 3 });
    cleanups.push(() => moved.close());
    const t = await setup([{ id: 'm', port: old.port, pollIntervalMs: 50, timeoutMs: 30, recovery: { subnetScan: true, subnet: '' } }]);
    await until(() => (t.samples.get('m')?.length ?? 0) >= 1, 3000, 'first sample');
    await old.close(); // the PDU "moves": silent at 127.0.0.1, answering at 127.0.0.7
    await until(() => t.events.some((e) => e.type === 'ip_changed'), 15_000, 'ip_changed');
    expect(t.events.find((e) => e.type === 'ip_changed')!.data).toEqual({ from: '127.0.0.1', to: '127.0.0.7', serial: 'MOVED001' });
    await until(() => t.registry.list()[0]!.state === 'healthy', 5000, 'healthy at the new address');
    expect(t.registry.get('m')!.currentHost()).toBe('127.0.0.7');
    expect(t.samples.get('m')!.at(-1)!.identity.serial).toBe('MOVED001');
    expect(await t.registry.command('m', 2, 'off')).toMatchObject({ success: true, state: 'off' });
    expect(moved.outletState(2)).toBe('off');
  }, 30_000);
});
