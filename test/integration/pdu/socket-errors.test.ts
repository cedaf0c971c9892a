// SPEC §7.7 "Socket-level errors recreate the session with 1 → 30 s backoff", on a real PduDevice
// polling the simulated PDU44001 over UDP. An ENETUNREACH cannot be caused on loopback, so the
// transport factory hands out sessions that fail with one while `unreachable` is set (the only
// fake here); every session is a real net-snmp one otherwise.
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { FakeClock, RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { CycleContext } from '../../../src/core/scheduler.js';
import { PduDevice } from '../../../src/devices/pdu/device.js';
import { NetSnmpTransport, type SessionOptions } from '../../../src/devices/pdu/net-snmp-transport.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { createSimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { SnmpError, type SnmpTransport } from '../../../src/devices/pdu/transport.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('socket-level SNMP errors (SPEC §7.7)', () => {
  it('recreate the session at most once per 1, 2, 4 … s while they last; polling resumes on a fresh session', async () => {
    const sim = await createSimulatedPdu({ port: 0, bind: '127.0.0.1', clock: new RealClock(), serial: 'SOCK0001', seed: 2 });
    cleanups.push(() => sim.close());
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 12));
    let unreachable = false;
    const sessions: Array<{ at: number; closed: boolean }> = [];
    const factory = (o: SessionOptions): SnmpTransport => {
      const real = new NetSnmpTransport(o);
      const rec = { at: clock.monotonic(), closed: false };
      sessions.push(rec);
      const fail = (): Promise<never> => Promise.reject(new SnmpError('socket', 'ENETUNREACH: send ENETUNREACH 127.0.0.1:161'));
      return {
        get: (oids) => (unreachable ? fail() : real.get(oids)),
        walkColumn: (c, n) => (unreachable ? fail() : real.walkColumn(c, n)),
        set: (v) => (unreachable ? fail() : real.set(v)),
        close: () => {
          rec.closed = true;
          real.close();
        },
      };
    };
    const device = new PduDevice(
      {
        id: 'sock', label: '', host: '127.0.0.1', port: sim.port, version: '2c', community: 'public', writeCommunity: 'private',
        profile: getProfile('cps-mib'), timeoutMs: 1000, retries: 0, pollIntervalMs: 1000, maxOidsPerRequest: 0, meteringFloor: true,
        expectedSerial: '', capabilityRecheckMs: 3_600_000, protectedOutlets: new Set(),
      },
      { clock, bus: new EventBus(), logger: silentLogger(), transportFactory: factory },
    );
    cleanups.push(() => device.stop(0));
    let n = 0;
    const cycle = (): Promise<void> => device.cycle({ cycle: ++n, dueAt: 0, startedAt: 0, deadlineMs: 5000, signal: new AbortController().signal } as CycleContext);
    await cycle();
    expect(device.snapshot()?.identity.serial).toBe('SOCK0001');
    expect(sessions).toHaveLength(1);

    // 20 cycles of ENETUNREACH, one a second: new sessions at 0, 1, 3, 7, 15 s into the fault.
    unreachable = true;
    const start = clock.monotonic();
    for (let i = 0; i < 20; i++) {
      await cycle();
      await clock.advance(1000);
    }
    expect(sessions.slice(1).map((s) => (s.at - start) / 1000)).toEqual([0, 1, 3, 7, 15]);
    expect(sessions.slice(0, -1).every((s) => s.closed)).toBe(true);
    expect(device.pollFailures()).toBe(20);
    expect(device.snapshot()?.transport.state).toBe('degraded');

    // The network is back: the current session polls, and the backoff starts again from 1 s.
    unreachable = false;
    await cycle();
    expect(device.snapshot()?.transport).toMatchObject({ state: 'healthy', consecutive_failures: 0 });
    const before = sessions.length;
    unreachable = true;
    await cycle();
    expect(sessions.length).toBe(before + 1);
  }, 20_000);
});
