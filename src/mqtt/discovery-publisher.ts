import type { Config } from '../config/schema.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DeviceInfo, DeviceRegistryPort, DiscoveryRecordStore } from '../core/ports.js';
import type { PduSnapshot } from '../core/types.js';
import { PROFILES } from '../devices/pdu/profiles/index.js';
import { DiscoveryRecords } from './discovery-records.js';
import { buildBridgeDiscovery, buildPduDiscovery, staleDiscoveryTopics, type DiscoveryConfig } from './homeassistant/index.js';
import type { PublishFn } from './publisher.js';

/** How long retained discovery configs are collected after connect before stale ones are cleared. */
const COLLECT_MS = 2000;

export interface DiscoveryDeps {
  config: Config;
  registry: DeviceRegistryPort;
  publish: PublishFn;
  clock: Clock;
  logger: Logger;
  version: string;
  /** Switch probe targets for the bridge device's entities (null: no switch service). */
  switches?: () => Array<{ id: number; name: string }> | null;
  /** Watchdog names for the bridge device's entities (SPEC §10.3). */
  watchdogs?: () => string[];
  /** Where published topics are remembered across restarts (SPEC §10.4); null: this run only. */
  records?: DiscoveryRecordStore | null;
}

/**
 * Publishes Home Assistant discovery (SPEC §10): per device once its identity and capabilities are
 * known, again when they change, on HA's birth message and on reconnect; clears what it no
 * longer publishes, and at start-up what an earlier run (or the original bridge) left behind:
 * the topics recorded in the history store (the only trace with an embedded broker, which starts
 * empty) and the retained configs an external broker still holds.
 */
export class DiscoveryPublisher {
  private readonly byDevice = new Map<string, { key: string; topics: Set<string> }>();
  private bridgeTopics = new Set<string>();
  private readonly found = new Map<string, string>();
  private collecting = true;
  private cleanupTimer: TimerHandle | undefined;
  private birthTimer: TimerHandle | undefined;
  private readonly prefix: string;
  private readonly records: DiscoveryRecords;

  constructor(private readonly d: DiscoveryDeps) {
    this.prefix = d.config.homeassistant.discovery_prefix;
    this.records = new DiscoveryRecords(d.records ?? null, d.logger);
  }

  /** Zero-length retained payloads (HA removes the entity), and their records go. */
  private clear(topics: Iterable<string>): void {
    const list = [...topics];
    for (const t of list) this.d.publish(t, '', { retain: true, qos: 1 });
    this.records.forget(list);
  }

  /** Retained configs to look at during start-up (HA's topic scheme, with and without node_id). */
  collectFilters(): string[] {
    return this.d.config.homeassistant.enabled ? [`${this.prefix}/+/+/config`, `${this.prefix}/+/+/+/config`] : [];
  }

  /** Consumes discovery-prefix messages (true), so they never reach the command handler. */
  collect(topic: string, payload: Buffer): boolean {
    if (!topic.startsWith(`${this.prefix}/`) || !topic.endsWith('/config')) return false;
    if (this.collecting && payload.length > 0) this.found.set(topic, payload.toString('utf8'));
    return true;
  }

  private enabledFor(id: string): boolean {
    return this.d.config.homeassistant.enabled && (this.d.registry.info(id)?.homeassistant ?? false);
  }

  private build(snap: PduSnapshot): DiscoveryConfig[] {
    const info = this.d.registry.info(snap.device_id);
    const profile = info ? PROFILES[info.profile as keyof typeof PROFILES] : undefined;
    if (!info || !profile) return [];
    return buildPduDiscovery({
      deviceId: snap.device_id, kind: info.kind, label: info.label, snapshot: snap, profile, baseTopic: this.d.config.mqtt.base_topic,
      discoveryPrefix: this.prefix, writable: info.writable, publicUrl: this.d.config.web.public_url, swVersion: this.d.version,
    });
  }

  private publishDevice(snap: PduSnapshot, key: string): number {
    const configs = this.enabledFor(snap.device_id) ? this.build(snap) : [];
    // The first time in a run, what an earlier run published for the device is the previous set.
    const prev = this.byDevice.get(snap.device_id)?.topics ?? this.records.of(snap.device_id);
    const topics = new Set(configs.map((c) => c.topic));
    for (const c of configs) this.d.publish(c.topic, JSON.stringify(c.payload), { retain: true, qos: 1 });
    this.records.remember(topics, snap.device_id);
    // An entity that disappeared (capability lost, fewer outlets, discovery switched off): clear it.
    this.clear([...prev].filter((t) => !topics.has(t)));
    this.byDevice.set(snap.device_id, { key, topics });
    return configs.length;
  }

  /** Called for every sample: publishes when the device's entity set changes (or first appears); true then. */
  deviceSeen(snap: PduSnapshot, info: DeviceInfo): boolean {
    const key = [
      snap.identity.serial, snap.identity.name, snap.capabilities.join(','), Object.keys(snap.outlets).length, Object.keys(snap.banks).join(','),
      info.label, info.writable, this.d.config.homeassistant.enabled && info.homeassistant,
    ].join('|');
    if (this.byDevice.get(snap.device_id)?.key === key) return false;
    this.publishDevice(snap, key);
    return true;
  }

  /** Every config again (reconnect, HA birth, ha/rediscover); returns the entity count. */
  publishAll(): number {
    let n = this.publishBridge();
    for (const dev of this.d.registry.list()) {
      const snap = this.d.registry.snapshot(dev.id);
      if (snap) n += this.publishDevice(snap, this.byDevice.get(dev.id)?.key ?? '');
    }
    if (this.collecting && !this.cleanupTimer) this.cleanupTimer = this.d.clock.setTimeout(() => this.cleanup(), COLLECT_MS);
    return n;
  }

  /**
   * The bridge device's configs (SPEC §10.3), again after a switch was added or removed: entities of
   * removed switches are cleared. Returns the entity count.
   */
  publishBridge(): number {
    if (!this.d.config.homeassistant.enabled) return 0;
    const switches = this.d.switches?.() ?? undefined;
    const bridge = buildBridgeDiscovery({
      baseTopic: this.d.config.mqtt.base_topic, discoveryPrefix: this.prefix, swVersion: this.d.version, publicUrl: this.d.config.web.public_url,
      ...(switches ? { switches } : {}),
      watchdogs: this.d.watchdogs?.() ?? [],
    });
    const next = new Set(bridge.map((c) => c.topic));
    this.clear([...this.bridgeTopics].filter((t) => !next.has(t)));
    for (const c of bridge) this.d.publish(c.topic, JSON.stringify(c.payload), { retain: true, qos: 1 });
    this.records.remember(next, null);
    this.bridgeTopics = next;
    return bridge.length;
  }

  /** Whether the bridge's published configs include this switch's entity. */
  knowsSwitch(id: number): boolean {
    for (const t of this.bridgeTopics) if (t.endsWith(`_switch_${id}/config`)) return true;
    return false;
  }

  /** HA (re)started: after a random 1–5 s (so many bridges do not answer at once), everything again. */
  haBirth(republishStates: () => void): void {
    this.d.clock.clearTimeout(this.birthTimer);
    this.birthTimer = this.d.clock.setTimeout(() => {
      this.publishAll();
      republishStates();
      this.d.logger.info('home assistant came online: discovery and states re-published');
    }, 1000 + Math.floor(Math.random() * 4000));
  }

  /** homeassistant.enabled is false: every entity an earlier run created is cleared (SPEC §10.1). */
  clearRecorded(): void {
    const topics = this.records.all().map(([t]) => t);
    this.clear(topics);
    if (topics.length > 0) this.d.logger.info({ cleared: topics.length }, 'home assistant discovery is off: configs of earlier runs cleared');
  }

  /** Clears the device's entities, also those of an earlier run when it has not answered in this one. */
  removeDevice(id: string): void {
    this.clear(new Set([...(this.byDevice.get(id)?.topics ?? []), ...this.records.of(id)]));
    this.byDevice.delete(id);
  }

  private cleanup(): void {
    this.collecting = false;
    const current = new Set<string>(this.bridgeTopics);
    for (const v of this.byDevice.values()) for (const t of v.topics) current.add(t);
    // Configs of a known device that has not answered yet are kept: it may just be offline now.
    const base = this.d.config.mqtt.base_topic;
    const pendingIds = new Set(this.d.registry.list().filter((dev) => !this.byDevice.has(dev.id)).map((dev) => dev.id));
    const pending = [...pendingIds].map((id) => `"${base}/${id}/`);
    const found = new Map([...this.found].filter(([, p]) => !pending.some((marker) => p.includes(marker))));
    const stale = new Set(staleDiscoveryTopics(found, current, {
      configuredDeviceIds: this.d.registry.list().map((dev) => dev.id), cleanupLegacy: this.d.config.homeassistant.cleanup_legacy,
      discoveryPrefix: this.prefix,
    }));
    // Recorded by an earlier run and not published by this one (device removed, discovery off, a
    // switch or watchdog gone), unless the device is configured and just has not answered yet.
    for (const [t, dev] of this.records.all()) if (!current.has(t) && !(dev !== null && pendingIds.has(dev))) stale.add(t);
    this.clear(stale);
    if (stale.size > 0) this.d.logger.info({ cleared: stale.size }, 'stale home assistant discovery configs cleared');
    this.found.clear();
  }

  stop(): void {
    this.d.clock.clearTimeout(this.cleanupTimer);
    this.d.clock.clearTimeout(this.birthTimer);
  }
}
