import type { Clock } from '../core/clock.js';
import type {
  CommandOptions, DeviceField, DeviceInfo, DeviceRegistryPort, DeviceStateStore, DeviceSummary, FieldResult, PollStats, RuntimeDeviceSpec,
} from '../core/ports.js';
import type { Scheduler } from '../core/scheduler.js';
import type { CommandResult, OutletAction, PduSnapshot } from '../core/types.js';
import { validateRuntimeDevice } from './runtime-device.js';
import { availabilityOf } from './pdu/health.js';
import type { PduDevice } from './pdu/device.js';
import { PLUG_VIEW_PROFILE, type PlugDevice } from './plug/device.js';

/** A polled device: an SNMP PDU or a metered smart plug (`kind` tells them apart; views never need to). */
export type RegisteredDevice = PduDevice | PlugDevice;

/** Builds the device (a PDU or a plug, by `spec.kind`) for a runtime-added device (the composition root knows how). */
export type DeviceFactory = (spec: RuntimeDeviceSpec & { id: string }) => RegisteredDevice;

/** Live state of every device and the one path for commands (ARCHITECTURE.md). */
export class DeviceRegistry implements DeviceRegistryPort {
  private readonly devices = new Map<string, RegisteredDevice>();
  /** What each runtime device was added with (device/options merges into it). */
  private readonly runtimeSpecs = new Map<string, RuntimeDeviceSpec & { id: string }>();
  private scheduler: Scheduler | undefined;
  private state: DeviceStateStore | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly factory?: DeviceFactory,
  ) {}

  /** Persist outlet-name overrides and runtime devices from now on (the history store). */
  useStateStore(state: DeviceStateStore): void {
    this.state = state;
  }

  add(device: RegisteredDevice): void {
    if (this.devices.has(device.id)) throw new Error(`device id "${device.id}" registered twice`);
    this.devices.set(device.id, device);
    for (const o of this.state?.outletNames(device.id) ?? []) device.nameOverrides.set(o.outlet, o.name);
    if (device.kind === 'cyberpower' && (device.settings.fromConfig ?? true)) this.followConfigDevice(device);
  }

  /**
   * A config-file PDU that address recovery moved (SPEC §7.7) is polled at its new address after a
   * restart too, for as long as the config names the host it had when it moved; a config edit of
   * the host wins. (Runtime devices keep the move in their saved spec, addDevice.)
   */
  private followConfigDevice(device: PduDevice): void {
    const state = this.state;
    if (!state) return;
    const configured = device.settings.host;
    const moved = state.movedHost(device.id);
    if (moved && moved.configured === configured && moved.host !== configured) device.useSavedHost(moved.host);
    device.onHostChanged((host) => {
      if (this.devices.get(device.id) === device) state.saveMovedHost(device.id, configured, host);
    });
  }

  /**
   * Add the runtime devices saved by an earlier run (after startAll). One whose id is now taken by
   * the config file, or that no longer validates, is skipped and reported, not fatal.
   */
  restoreRuntimeDevices(): Array<{ id: string; error: string }> {
    const skipped: Array<{ id: string; error: string }> = [];
    for (const spec of this.state?.runtimeDevices() ?? []) {
      const r = this.devices.has(spec.id) ? { ok: false as const, error: 'id is now used by the config file' } : this.addDevice(spec);
      if (!r.ok) skipped.push({ id: spec.id, error: r.error });
    }
    return skipped;
  }

  /** What a runtime device was added with (after edits and address changes); null for config devices. */
  runtimeSpec(id: string): (RuntimeDeviceSpec & { id: string }) | null {
    const spec = this.runtimeSpecs.get(id);
    return spec ? { ...spec } : null;
  }

  get(id: string): RegisteredDevice | undefined {
    return this.devices.get(id);
  }

  all(): RegisteredDevice[] {
    return [...this.devices.values()];
  }

  /**
   * Start polling every device, staggered by 100 ms (SPEC §3.2) so polls do not burst together.
   * When N × 100 ms exceeds the period, the offsets spread evenly over it instead of wrapping
   * (wrapping put 100 PDUs into 10 bursts of 10, and the last sample of a burst waited ~8 ms).
   */
  startAll(scheduler: Scheduler, staggerMs = 100): void {
    this.scheduler = scheduler;
    const devices = this.all();
    devices.forEach((d, i) => d.start(scheduler, staggerOffset(i, devices.length, staggerMs, d.settings.pollIntervalMs)));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((d) => d.stop()));
  }

  list(): DeviceSummary[] {
    return this.all().map((d) => summary(d));
  }

  /** Poll statistics of every started device (scheduler target + poller failures), for /metrics. */
  pollStats(): PollStats[] {
    const out: PollStats[] = [];
    for (const d of this.devices.values()) {
      const t = d.schedulerTarget()?.stats();
      if (!t) continue;
      const l = t.latenessMs;
      out.push({
        device_id: d.id, cycles: t.completed + t.failed + t.deadlineExceeded, failures: d.pollFailures(), last_duration_ms: t.lastDurationMs,
        lateness_ms: { p50: l.p50, p99: l.p99, total: l.total, sum: l.sum },
      });
    }
    return out;
  }

  info(deviceId: string): DeviceInfo | null {
    const d = this.devices.get(deviceId);
    if (!d) return null;
    const s = d.settings;
    const pdu = d.kind === 'cyberpower' ? d.settings : null;
    return {
      ...summary(d),
      // Plugs are read with the same device-model table as PDUs (their snapshot has the same fields).
      profile: pdu ? pdu.profile.name : PLUG_VIEW_PROFILE,
      writable: pdu ? pdu.version === '3' || pdu.writeCommunity !== '' : true,
      role: d.kind === 'cyberpower' ? '' : d.settings.role,
      transport: d.kind === 'cyberpower' ? 'snmp' : d.kind,
      homeassistant: s.homeassistant ?? true,
      fromConfig: s.fromConfig ?? true,
      pollIntervalS: s.pollIntervalMs / 1000,
      utilitySource: s.utilitySource ?? null,
      protectedOutlets: [...s.protectedOutlets].sort((a, b) => a - b),
    };
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

  setOutletNameOverride(deviceId: string, outlet: number, name: string): FieldResult {
    const field = `outlet_${outlet}_name`;
    const d = this.devices.get(deviceId);
    const ts = this.clock.now() / 1000;
    if (!d) return { success: false, field, value: name, error: `unknown device "${deviceId}"`, code: 'P2M_ERR_UNKNOWN_DEVICE', ts };
    const count = d.snapshot()?.identity.outlet_count ?? 0;
    if (!Number.isInteger(outlet) || outlet < 1 || outlet > count) {
      return { success: false, field, value: name, error: `unknown outlet ${outlet} (1..${count})`, code: 'P2M_ERR_UNKNOWN_OUTLET', ts };
    }
    if (Buffer.byteLength(name) > 64) return { success: false, field, value: name, error: 'at most 64 bytes', code: 'P2M_ERR_VALIDATION', ts };
    if (name === '') d.nameOverrides.delete(outlet);
    else d.nameOverrides.set(outlet, name);
    this.state?.saveOutletName(deviceId, outlet, name === '' ? null : name);
    return { success: true, field, value: name, error: null, code: null, ts };
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

  setAutoTransfer(deviceId: string, enabled: boolean): Promise<FieldResult> {
    return this.withDevice(deviceId, 'auto_transfer', enabled ? 'on' : 'off', (d) => d.setAutoTransfer(enabled));
  }

  addDevice(spec: RuntimeDeviceSpec): { ok: true; info: DeviceInfo } | { ok: false; error: string; field?: string } {
    if (!this.factory || !this.scheduler) return { ok: false, error: 'runtime devices are not available' };
    const checked = validateRuntimeDevice(spec, [...this.devices.keys()]);
    if (!checked.ok) return checked;
    const device = this.factory(checked.spec);
    this.add(device);
    this.runtimeSpecs.set(device.id, checked.spec);
    this.state?.saveRuntimeDevice(checked.spec);
    // Address recovery moved it (SPEC §7.7): the new host is kept as the device's address.
    device.onHostChanged((host) => {
      const spec = this.runtimeSpecs.get(device.id);
      if (!spec || this.devices.get(device.id) !== device) return;
      const moved = { ...spec, host };
      this.runtimeSpecs.set(device.id, moved);
      this.state?.saveRuntimeDevice(moved);
    });
    device.start(this.scheduler);
    return { ok: true, info: this.info(device.id) as DeviceInfo };
  }

  async updateDevice(deviceId: string, options: Partial<RuntimeDeviceSpec>): Promise<{ ok: true; info: DeviceInfo } | { ok: false; error: string }> {
    const spec = this.runtimeSpecs.get(deviceId);
    if (!spec) return { ok: false, error: this.devices.has(deviceId) ? 'defined in config file' : `unknown device "${deviceId}"` };
    const merged = { ...spec, ...options, id: deviceId };
    const others = [...this.devices.keys()].filter((k) => k !== deviceId);
    const checked = validateRuntimeDevice(merged, others);
    if (!checked.ok) return checked;
    await this.removeDevice(deviceId);
    return this.addDevice(checked.spec);
  }

  async removeDevice(deviceId: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const d = this.devices.get(deviceId);
    if (!d) return { ok: false, error: `unknown device "${deviceId}"` };
    if (d.settings.fromConfig ?? true) return { ok: false, error: 'defined in config file' };
    // Its scheduler target goes too (PDUs poll as `pdu:{id}`, plugs as `plug:{id}`): re-adding the id must not collide.
    this.scheduler?.remove(`${d.kind === 'cyberpower' ? 'pdu' : 'plug'}:${deviceId}`);
    this.devices.delete(deviceId);
    this.runtimeSpecs.delete(deviceId);
    this.state?.removeRuntimeDevice(deviceId);
    await d.stop();
    return { ok: true };
  }

  private withDevice(id: string, field: string, value: string, fn: (d: RegisteredDevice) => Promise<FieldResult>): Promise<FieldResult> {
    const d = this.devices.get(id);
    if (d) return fn(d);
    return Promise.resolve({ success: false, field, value, error: `unknown device "${id}"`, code: 'P2M_ERR_UNKNOWN_DEVICE', ts: this.clock.now() / 1000 });
  }
}

function summary(d: RegisteredDevice): DeviceSummary {
  const snap = d.snapshot();
  const state = d.healthState().state;
  return {
    id: d.id, kind: d.kind, label: d.settings.label, host: d.currentHost(), model: snap?.identity.model ?? null,
    // Online from the first successful cycle on (SPEC §7.7), not before it.
    serial: snap?.identity.serial ?? null, state, availability: snap ? availabilityOf(state) : 'offline',
  };
}

/**
 * Width of a start slot when many devices spread over one period. Devices in one slot are due in
 * the same millisecond, so one timer wake-up of the event loop sends all their requests and the
 * answers tend to arrive in one poll of the sockets: measured with 400 plugs at 1 Hz, 20 ms slots
 * cut the CPU per poll by about a third against one wake-up per device (docs/PERFORMANCE.md).
 */
export const STAGGER_SLOT_MS = 20;

/**
 * Start offset of the i-th of n devices: `step` apart, or, when that would wrap, spread evenly over
 * the period in STAGGER_SLOT_MS slots (at most ⌈n / slots⌉ devices start together).
 */
export function staggerOffset(i: number, n: number, step: number, periodMs: number): number {
  const period = Math.max(1, periodMs);
  if (n * step <= period) return i * step;
  const even = (i * period) / n;
  return period < 2 * STAGGER_SLOT_MS ? Math.floor(even) : Math.floor(even / STAGGER_SLOT_MS) * STAGGER_SLOT_MS;
}
