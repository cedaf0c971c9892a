import { EventBus, type HealthChange } from '../../src/core/bus.js';
import { RealClock, type Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { CycleContext } from '../../src/core/scheduler.js';
import type { CommandResult, DeviceEvent, PduSnapshot } from '../../src/core/types.js';
import { PlugDevice } from '../../src/devices/plug/device.js';
import type { PlugDeviceSettings } from '../../src/devices/plug/settings.js';

export interface TestPlug {
  device: PlugDevice;
  bus: EventBus;
  samples: PduSnapshot[];
  events: DeviceEvent[];
  health: HealthChange[];
  results: CommandResult[];
  /** Run one poll cycle now (deadline `deadlineMs`), outside any scheduler. */
  cycle(deadlineMs?: number): Promise<PduSnapshot | null>;
}

/** A real PlugDevice (real TCP/HTTP client) pointed at a simulator on 127.0.0.1. */
export function testPlug(kind: PlugDeviceSettings['kind'], port: number, overrides: Partial<PlugDeviceSettings> = {}, clock: Clock = new RealClock()): TestPlug {
  const settings: PlugDeviceSettings = {
    id: `test-${kind}`, kind, label: '', host: '127.0.0.1', port, password: '', pollIntervalMs: 1000, timeoutMs: 900, role: '',
    protectedOutlets: new Set(), ...overrides,
  };
  const bus = new EventBus();
  const samples: PduSnapshot[] = [];
  const events: DeviceEvent[] = [];
  const health: HealthChange[] = [];
  const results: CommandResult[] = [];
  bus.on('sample', (s) => samples.push(s));
  bus.on('device.event', (e) => events.push(e));
  bus.on('health', (h) => health.push(h));
  bus.on('command.result', (r) => results.push(r));
  const device = new PlugDevice(settings, { clock, bus, logger: silentLogger() });
  let n = 0;
  return {
    device, bus, samples, events, health, results,
    async cycle(deadlineMs = 2000) {
      const ac = new AbortController();
      const timer = clock.setTimeout(() => ac.abort(new Error('deadline')), deadlineMs);
      const ctx: CycleContext = { cycle: ++n, dueAt: 0, startedAt: 0, deadlineMs, signal: ac.signal };
      try {
        await device.cycle(ctx);
      } finally {
        clock.clearTimeout(timer);
      }
      return device.snapshot();
    },
  };
}
