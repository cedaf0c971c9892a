import type { PduSnapshot } from '../core/types.js';
import { compileReadings, formatValue } from '../devices/pdu/profiles/readings.js';
import type { PduProfile } from '../devices/pdu/profiles/types.js';
import type { PublishFn } from './publisher.js';
import { deviceTopic } from './topics.js';

interface Slot {
  topic: string;
  read: (s: PduSnapshot) => number | string | null;
  decimals: number | null;
  /** Energy feeds HA `total_increasing` sensors: see hold() below. */
  energy: boolean;
  /** Last published raw value and payload, and when. */
  raw: number | string | null;
  payload: string | null;
  at: number;
}

interface DeviceSlots {
  layoutKey: string;
  slots: Slot[];
  byTopic: Map<string, Slot>;
}

/**
 * The per-poll readings of each device, published on change + heartbeat (SPEC §9.1). The slots
 * (topic, reader, format) are compiled once per device layout; each poll compares raw values and
 * formats only what changed — a poll of ~100 readings typically publishes ~20. When the layout
 * changes (capability lost, fewer outlets), topics that no longer exist get an empty retained
 * payload; a value missing from one poll never clears its topic.
 */
export class ReadingPublisher {
  private readonly devices = new Map<string, DeviceSlots>();

  constructor(
    private readonly publish: PublishFn,
    private readonly base: string,
    private readonly heartbeatMs: number,
    private readonly now: () => number,
  ) {}

  /** Publish what changed in this snapshot; returns the number of messages sent. */
  update(snap: PduSnapshot, profile: PduProfile, layoutKey: string): number {
    const dev = this.slotsFor(snap, profile, layoutKey);
    const t = this.now();
    let n = 0;
    for (const slot of dev.slots) {
      let v = slot.read(snap);
      if (v === null) continue;
      if (slot.energy) v = hold(slot.raw, v);
      if (v === slot.raw && t - slot.at < this.heartbeatMs) continue;
      const payload = formatValue({ value: v, decimals: slot.decimals });
      slot.raw = v;
      if (payload === slot.payload && t - slot.at < this.heartbeatMs) continue;
      this.publish(slot.topic, payload, { retain: true, qos: 0 });
      slot.payload = payload;
      slot.at = t;
      n++;
    }
    return n;
  }

  /** Publish one reading now (an outlet state read back after a command), and remember it. */
  set(deviceId: string, sub: string, payload: string): void {
    const topic = deviceTopic(this.base, deviceId, sub);
    this.publish(topic, payload, { retain: true, qos: 0 });
    const slot = this.devices.get(deviceId)?.byTopic.get(topic);
    if (!slot) return;
    slot.payload = payload;
    slot.raw = payload;
    slot.at = this.now();
  }

  /** Forget what was sent (broker reconnect): the next update publishes every reading. */
  resync(): void {
    for (const d of this.devices.values()) for (const s of d.slots) s.at = Number.NEGATIVE_INFINITY;
  }

  /** Clear every retained reading topic of a removed device. */
  removeDevice(deviceId: string): void {
    for (const s of this.devices.get(deviceId)?.slots ?? []) if (s.payload !== null) this.publish(s.topic, '', { retain: true, qos: 0 });
    this.devices.delete(deviceId);
  }

  private slotsFor(snap: PduSnapshot, profile: PduProfile, layoutKey: string): DeviceSlots {
    const prev = this.devices.get(snap.device_id);
    if (prev && prev.layoutKey === layoutKey) return prev;
    const slots: Slot[] = compileReadings(snap, profile).map((r) => {
      const topic = deviceTopic(this.base, snap.device_id, r.key);
      const old = prev?.byTopic.get(topic);
      return {
        topic, read: r.read, decimals: r.decimals, energy: r.key.endsWith('/energy'),
        raw: old?.raw ?? null, payload: old?.payload ?? null, at: old?.at ?? Number.NEGATIVE_INFINITY,
      };
    });
    const byTopic = new Map(slots.map((s) => [s.topic, s]));
    // Topics of the old layout that the new one does not have: clear them (SPEC §9.1).
    for (const old of prev?.slots ?? []) if (!byTopic.has(old.topic) && old.payload !== null) this.publish(old.topic, '', { retain: true, qos: 0 });
    const dev = { layoutKey, slots, byTopic };
    this.devices.set(snap.device_id, dev);
    return dev;
  }
}

/**
 * Home Assistant treats ANY decrease of a total_increasing sensor as a new meter cycle, so a
 * counter that dips by a rounding step or a glitchy read would add a second total to the energy
 * dashboard. A small decrease is held at the previous value; a drop below half of it is a real
 * reset (the PDU's counter was cleared) and passes.
 */
export function hold(prev: number | string | null, next: number | string): number | string {
  if (typeof prev === 'number' && typeof next === 'number' && next < prev && next >= prev / 2) return prev;
  return next;
}
