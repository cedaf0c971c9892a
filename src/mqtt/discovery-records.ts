import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DiscoveryRecordStore } from '../core/ports.js';

/**
 * The discovery topics published and not cleared yet, this run's and earlier runs' (SPEC §10.4),
 * indexed by topic and by device (null = the bridge device), mirrored into the store. Loaded on
 * first use; written only when something changes. A failing store (database locked, disk full)
 * never stops discovery: it is logged once per failure streak and the change is tried again the
 * next time it comes up. Without a store it is this run's memory only.
 */
export class DiscoveryRecords {
  private deviceOf: Map<string, string | null> | null = null;
  private readonly byDevice = new Map<string | null, Set<string>>();
  private failing = false;

  constructor(
    private readonly store: DiscoveryRecordStore | null,
    private readonly logger: Logger,
  ) {}

  private index(): Map<string, string | null> {
    if (!this.deviceOf) {
      this.deviceOf = new Map();
      let rows: Array<{ topic: string; device_id: string | null }> = [];
      this.guard(() => (rows = this.store?.discoveryTopics() ?? []));
      for (const r of rows) this.put(r.topic, r.device_id);
    }
    return this.deviceOf;
  }

  private put(topic: string, deviceId: string | null): void {
    this.drop(topic);
    this.deviceOf!.set(topic, deviceId);
    let set = this.byDevice.get(deviceId);
    if (!set) this.byDevice.set(deviceId, (set = new Set()));
    set.add(topic);
  }

  private drop(topic: string): void {
    const dev = this.deviceOf!.get(topic);
    if (dev === undefined) return;
    this.deviceOf!.delete(topic);
    this.byDevice.get(dev)?.delete(topic);
  }

  /** The recorded topics of one device (null: the bridge device's). */
  of(deviceId: string | null): string[] {
    this.index();
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  /** Every recorded topic with its device. */
  all(): Array<[string, string | null]> {
    return [...this.index()];
  }

  /** These topics were published for this device. */
  remember(topics: Iterable<string>, deviceId: string | null): void {
    const idx = this.index();
    const add = [...topics].filter((t) => idx.get(t) !== deviceId);
    if (add.length === 0 || !this.guard(() => this.store?.recordDiscoveryTopics(add.map((topic) => ({ topic, device_id: deviceId }))))) return;
    for (const t of add) this.put(t, deviceId);
  }

  /** These topics were cleared (those never recorded are ignored). */
  forget(topics: Iterable<string>): void {
    const idx = this.index();
    const gone = [...topics].filter((t) => idx.has(t));
    if (gone.length === 0 || !this.guard(() => this.store?.forgetDiscoveryTopics(gone))) return;
    for (const t of gone) this.drop(t);
  }

  private guard(fn: () => unknown): boolean {
    try {
      fn();
      this.failing = false;
      return true;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err: errorMessage(err) }, 'home assistant discovery records not saved; cleanup after a restart may miss entities');
      this.failing = true;
      return false;
    }
  }
}
