import type { StateMessage } from './state.js';
import { deviceTopic } from './topics.js';

export type PublishFn = (topic: string, payload: string, opts: { retain: boolean; qos: 0 | 1 }) => void;

interface Sent {
  key: string;
  at: number;
}

/**
 * Retained state on change + heartbeat (SPEC §9.1). Remembers what each topic last carried;
 * `resync()` forgets it, so the next round publishes everything again (every (re)connect).
 * Topics of a device are cleared (empty retained payload) only when its layout changes — a
 * capability disappears or the outlet count shrinks — never because one poll lacked a value.
 */
export class StatePublisher {
  private readonly sent = new Map<string, Sent>();
  private readonly topicsOf = new Map<string, Set<string>>();
  private readonly layoutOf = new Map<string, string>();
  private published = 0;

  constructor(
    private readonly publish: PublishFn,
    private readonly base: string,
    private readonly heartbeatMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * Publish what changed (or is due for its heartbeat). `layoutKey` identifies the set of topics
   * a full snapshot produces; pass null for partial updates (availability only).
   */
  update(deviceId: string, messages: readonly StateMessage[], layoutKey: string | null): number {
    const t = this.now();
    let n = 0;
    const current = new Set<string>();
    for (const m of messages) {
      const topic = deviceTopic(this.base, deviceId, m.sub);
      current.add(topic);
      const prev = this.sent.get(topic);
      const heartbeat = m.heartbeatS !== undefined ? m.heartbeatS * 1000 : this.heartbeatMs;
      if (prev && prev.key === m.changeKey && t - prev.at < heartbeat) continue;
      this.publish(topic, m.payload, { retain: true, qos: 0 });
      this.sent.set(topic, { key: m.changeKey, at: t });
      n++;
    }
    const known = this.topicsOf.get(deviceId) ?? new Set<string>();
    if (layoutKey !== null) {
      const prevLayout = this.layoutOf.get(deviceId);
      if (prevLayout !== undefined && prevLayout !== layoutKey) {
        for (const topic of known) if (!current.has(topic)) this.clearTopic(topic, known);
      }
      this.layoutOf.set(deviceId, layoutKey);
    }
    for (const topic of current) known.add(topic);
    this.topicsOf.set(deviceId, known);
    this.published += n;
    return n;
  }

  /** Clear every retained topic of a removed device. */
  removeDevice(deviceId: string): void {
    const known = this.topicsOf.get(deviceId);
    if (known) for (const topic of [...known]) this.clearTopic(topic, known);
    this.topicsOf.delete(deviceId);
    this.layoutOf.delete(deviceId);
  }

  /** Forget what was sent: the next update publishes every topic (broker reconnect). */
  resync(): void {
    this.sent.clear();
  }

  get count(): number {
    return this.published;
  }

  private clearTopic(topic: string, known: Set<string>): void {
    this.publish(topic, '', { retain: true, qos: 0 });
    this.sent.delete(topic);
    known.delete(topic);
  }
}
