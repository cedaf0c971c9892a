import type { Clock } from '../core/clock.js';
import type {
  CommandOptions, DeviceField, DeviceRegistryPort, DeviceSummary, FieldResult,
} from '../core/ports.js';
import type { Scheduler } from '../core/scheduler.js';
import type { CommandResult, OutletAction, PduSnapshot } from '../core/types.js';
import { availabilityOf } from './pdu/health.js';
import type { PduDevice } from './pdu/device.js';

/** Live state of every device and the one path for commands (ARCHITECTURE.md). */
export class DeviceRegistry implements DeviceRegistryPort {
  private readonly devices = new Map<string, PduDevice>();

  constructor(private readonly clock: Clock) {}

  add(device: PduDevice): void {
    if (this.devices.has(device.id)) throw new Error(`device id "${device.id}" registered twice`);
    this.devices.set(device.id, device);
  }

  get(id: string): PduDevice | undefined {
    return this.devices.get(id);
  }

  all(): PduDevice[] {
    return [...this.devices.values()];
  }

  /** Start polling every device, staggered by 100 ms so 1 Hz polls do not burst together (SPEC §3.2). */
  startAll(scheduler: Scheduler, staggerMs = 100): void {
    let i = 0;
    for (const d of this.devices.values()) d.start(scheduler, (i++ * staggerMs) % Math.max(1, d.settings.pollIntervalMs));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((d) => d.stop()));
  }

  list(): DeviceSummary[] {
    return this.all().map((d) => {
      const snap = d.snapshot();
      const state = d.healthState().state;
      return {
        id: d.id,
        kind: 'cyberpower',
        label: d.settings.label,
        host: d.settings.host,
        model: snap?.identity.model ?? null,
        serial: snap?.identity.serial ?? null,
        state,
        availability: availabilityOf(state),
      };
    });
  }

  snapshot(deviceId: string): PduSnapshot | null {
    return this.devices.get(deviceId)?.snapshot() ?? null;
  }

  command(deviceId: string, outlet: number, action: OutletAction | string, opts: CommandOptions = {}): Promise<CommandResult> {
    const d = this.devices.get(deviceId);
    if (!d) {
      return Promise.resolve({
        device_id: deviceId, outlet, command: action as OutletAction, success: false, error: `unknown device "${deviceId}"`,
        code: 'P2M_ERR_UNKNOWN_DEVICE', ts: this.clock.now() / 1000, duration_ms: 0, state: null, pending: null,
        ...(opts.transaction !== undefined ? { transaction: opts.transaction } : {}),
      });
    }
    return d.command(outlet, action, opts);
  }

  setDeviceField(deviceId: string, field: DeviceField, value: string): Promise<FieldResult> {
    return this.withDevice(deviceId, field, value, (d) => d.setDeviceField(field, value));
  }

  setOutletName(deviceId: string, outlet: number, name: string): Promise<FieldResult> {
    return this.withDevice(deviceId, `outlet_${outlet}_name`, name, (d) => d.setOutletName(outlet, name));
  }

  setPreferredSource(deviceId: string, source: string): Promise<FieldResult> {
    return this.withDevice(deviceId, 'preferred_source', source, (d) => d.setPreferredSource(source));
  }

  private withDevice(id: string, field: string, value: string, fn: (d: PduDevice) => Promise<FieldResult>): Promise<FieldResult> {
    const d = this.devices.get(id);
    if (d) return fn(d);
    return Promise.resolve({ success: false, field, value, error: `unknown device "${id}"`, code: 'P2M_ERR_UNKNOWN_DEVICE', ts: this.clock.now() / 1000 });
  }
}
