import { EventBus } from '../../src/core/bus.js';
import { RealClock, type Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { CycleContext } from '../../src/core/scheduler.js';
import type { CommandResult, DeviceEvent, PduSnapshot } from '../../src/core/types.js';
import { PduDevice, type PduDeviceSettings } from '../../src/devices/pdu/device.js';
import { NetSnmpTransport } from '../../src/devices/pdu/net-snmp-transport.js';
import { getProfile } from '../../src/devices/pdu/profiles/index.js';

export interface TestPdu {
  device: PduDevice;
  bus: EventBus;
  samples: PduSnapshot[];
  events: DeviceEvent[];
  results: CommandResult[];
  /** Run one poll cycle now, outside any scheduler. */
  cycle(): Promise<PduSnapshot | null>;
}

/** A real PduDevice (real net-snmp client over UDP) pointed at an agent on 127.0.0.1. */
export function testPdu(port: number, overrides: Partial<PduDeviceSettings> & { profileName?: string } = {}, clock: Clock = new RealClock()): TestPdu {
  const { profileName, ...rest } = overrides;
  const settings: PduDeviceSettings = {
    id: 'test-pdu', label: '', host: '127.0.0.1', port, version: '2c', community: 'public', writeCommunity: 'private',
    profile: getProfile(profileName ?? 'cps-mib'), timeoutMs: 1000, retries: 0, pollIntervalMs: 1000, maxOidsPerRequest: 0,
    meteringFloor: true, expectedSerial: '', capabilityRecheckMs: 3_600_000, protectedOutlets: new Set(), ...rest,
  };
  const bus = new EventBus();
  const samples: PduSnapshot[] = [];
  const events: DeviceEvent[] = [];
  const results: CommandResult[] = [];
  bus.on('sample', (s) => samples.push(s));
  bus.on('device.event', (e) => events.push(e));
  bus.on('command.result', (r) => results.push(r));
  const device = new PduDevice(settings, { clock, bus, logger: silentLogger(), transportFactory: (o) => new NetSnmpTransport(o) });
  let n = 0;
  return {
    device, bus, samples, events, results,
    async cycle() {
      const ctx: CycleContext = { cycle: ++n, dueAt: 0, startedAt: 0, deadlineMs: 5000, signal: new AbortController().signal };
      await device.cycle(ctx);
      return device.snapshot();
    },
  };
}
