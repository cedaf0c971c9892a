import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DeviceRegistryPort, DiscoveryRecordStore, OutagePort, RulesPort, SwitchesPort, WatchdogsPort } from '../core/ports.js';
import type { PduSnapshot } from '../core/types.js';
import { PROFILES } from '../devices/pdu/profiles/index.js';
import { createBridgeClient, redactUrl, type BridgeClient } from './client.js';
import { DiscoveryPublisher } from './discovery-publisher.js';
import { handleInbound } from './inbound.js';
import { StatePublisher } from './publisher.js';
import { PowerPublisher } from './power-publisher.js';
import { ReadingPublisher } from './reading-publisher.js';
import { WatchdogPublisher } from './watchdog-publisher.js';
import { availabilityMessages, summaryMessages } from './state.js';
import { bridgeTopic, deviceTopic, subscriptions } from './topics.js';

export interface MqttServiceContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  bus: EventBus;
  registry: DeviceRegistryPort;
  version: string;
  demo: boolean;
  /** Where to connect: the embedded broker (with the bridge's own credentials) or mqtt.url. */
  connection: { url: string; username?: string; password?: string; embedded: boolean };
  /** Switch probes and the outage engine (null when not running). */
  switches?: SwitchesPort | null;
  outages?: OutagePort | null;
  /** The rules engine (null when not running). */
  rules?: RulesPort | null;
  /** Outlet watchdogs (null when not running, SPEC §12.7). */
  watchdogs?: WatchdogsPort | null;
  /** Published discovery topics, kept across restarts (the history store; SPEC §10.4). */
  records?: DiscoveryRecordStore | null;
}

export interface MqttService {
  readonly client: BridgeClient;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The MQTT bridge (SPEC §9, §10): state out, commands and requests in, HA discovery. */
export function createMqttService(ctx: MqttServiceContext): MqttService {
  const { config, clock, bus, registry } = ctx;
  const base = config.mqtt.base_topic;
  const ha = config.homeassistant;
  const log = ctx.logger.child({ module: 'mqtt' });
  const startedAt = new Date(clock.now()).toISOString();
  const once = new Set<string>();
  const unsubscribers: Array<() => void> = [];

  const client = createBridgeClient({
    url: ctx.connection.url,
    ...(ctx.connection.username ? { username: ctx.connection.username, password: ctx.connection.password ?? '' } : {}),
    clientId: config.mqtt.client_id || `power2mqtt-${hostname()}`,
    // aedes speaks MQTT 3.1.1 only (SPEC §2.1).
    protocolVersion: ctx.connection.embedded ? 4 : config.mqtt.protocol_version,
    keepaliveS: config.mqtt.keepalive_s,
    reconnectMinS: config.mqtt.reconnect_min_s,
    reconnectMaxS: config.mqtt.reconnect_max_s,
    rejectUnauthorized: config.mqtt.reject_unauthorized,
    ...(config.mqtt.ca ? { caFile: config.mqtt.ca } : {}),
    ...(config.mqtt.cert ? { certFile: config.mqtt.cert, keyFile: config.mqtt.key } : {}),
    will: { topic: bridgeTopic(base, 'state'), payload: 'offline', retain: true, qos: 1 },
    clock,
    logger: ctx.logger,
  });
  const publish = (topic: string, payload: string, opts: { retain: boolean; qos: 0 | 1 }): void => client.publish(topic, payload, opts);
  const respond = (topic: string, body: unknown): void => publish(topic, JSON.stringify(body), { retain: false, qos: 1 });
  // The heartbeat is an interval, so it runs on the monotonic clock: on the wall clock a step back
  // of an hour (NTP) silenced every unchanged topic for that hour.
  const states = new StatePublisher(publish, base, config.mqtt.heartbeat_s * 1000, () => clock.monotonic());
  const readings = new ReadingPublisher(publish, base, config.mqtt.heartbeat_s * 1000, () => clock.monotonic());
  const switches = ctx.switches ?? null;
  const outages = ctx.outages ?? null;
  const watchdogs = new WatchdogPublisher(publish, base, ctx.watchdogs ?? null);
  const discovery = new DiscoveryPublisher({
    config, registry, publish, clock, logger: log, version: ctx.version,
    switches: () => switches?.list().map((s) => ({ id: s.target.id, name: s.target.name })) ?? null,
    watchdogs: () => watchdogs.names(),
    records: ctx.records ?? null,
  });
  const power = new PowerPublisher(publish, base, switches, outages);
  let lastCounts = '';

  const logOnce = (key: string, fields: Record<string, unknown>, msg: string): void => {
    if (once.has(key)) return;
    if (once.size > 10_000) once.clear();
    once.add(key);
    log.warn(fields, msg);
  };

  const publishInfo = (): void => {
    publish(
      bridgeTopic(base, 'info'),
      JSON.stringify({
        version: ctx.version, started_at: startedAt, demo: ctx.demo, base_topic: base, embedded_broker: ctx.connection.embedded,
        homeassistant: ha.enabled, devices: registry.list(),
        switches: switches?.counts() ?? { total: 0, up: 0, down: 0, unknown: 0, stale: 0 }, outage_state: outages?.status().state ?? null,
      }),
      { retain: true, qos: 1 },
    );
  };

  const publishSnapshot = (snap: PduSnapshot): void => {
    const info = registry.info(snap.device_id);
    const profile = info ? PROFILES[info.profile as keyof typeof PROFILES] : undefined;
    if (!info || !profile) return;
    const layoutKey = `${info.profile}|${snap.capabilities.join(',')}|${Object.keys(snap.outlets).length}|${Object.keys(snap.banks).join(',')}|${Object.keys(snap.environment?.contacts ?? {}).join(',')}`;
    readings.update(snap, profile, layoutKey);
    states.update(snap.device_id, summaryMessages(snap, { host: info.host, state: info.state, ...(info.transport ? { transport: info.transport } : {}) }), layoutKey);
    // Identity or entity set changed (first sample, rename, capability change): bridge info too.
    if (discovery.deviceSeen(snap, info)) publishInfo();
  };

  // automation/status: the device's rules with their state, retained, on every state change.
  const publishRules = (deviceId: string): void => {
    if (!ctx.rules) return;
    publish(deviceTopic(base, deviceId, 'automation/status'), JSON.stringify(ctx.rules.list(deviceId)), { retain: true, qos: 1 });
  };

  const republishAll = (): void => {
    states.resync();
    readings.resync();
    for (const d of registry.list()) {
      publishRules(d.id);
      const snap = registry.snapshot(d.id);
      if (snap) publishSnapshot(snap);
      // A device not polled yet says nothing until its first cycle (its sample, or a failure state):
      // an `offline` here, then `online` a moment later, could reach a new subscriber in the wrong
      // order (aedes delivers the stored retained copy after a live publish that overtook it).
      if (snap || d.state !== 'healthy') states.update(d.id, availabilityMessages(d.state, snap !== null), null);
    }
  };

  const onConnect = (): void => {
    publish(bridgeTopic(base, 'state'), 'online', { retain: true, qos: 1 });
    publishInfo();
    power.publishAll();
    watchdogs.publishAll();
    republishAll();
    if (ha.enabled) discovery.publishAll();
    else discovery.clearRecorded(); // discovery switched off: what earlier runs created goes
  };

  // A device removed (MQTT device/remove, or REST through the bus): clear its retained topics and HA configs (SPEC §10.4).
  const forgetDevice = (id: string): void => {
    states.removeDevice(id);
    readings.removeDevice(id);
    discovery.removeDevice(id);
    // Published outside the state publisher (on rule changes), so cleared here.
    if (ctx.rules) publish(deviceTopic(base, id, 'automation/status'), '', { retain: true, qos: 1 });
    publishInfo();
  };

  // A switch added or removed (MQTT, REST, CLI): its state topic, the bridge's entities and counts follow.
  const switchesChanged = (id: number): void => {
    power.switchChanged(id);
    discovery.publishBridge();
    publishInfo();
  };

  return {
    client,
    async start() {
      let cycleSwitchIds = new Set<number>();
      unsubscribers.push(
        bus.on('sample', publishSnapshot),
        bus.on('device.removed', (e) => forgetDevice(e.device_id)),
        // The state read back after a SET, from whichever side sent the command (MQTT, REST,
        // dashboard, rules, watchdogs): published now, not at the next poll (SPEC §7.6).
        bus.on('command.result', (r) => {
          if (r.success && r.state) readings.set(r.device_id, `outlet/${r.outlet}/state`, r.state);
        }),
        bus.on('health', (h) => {
          states.update(h.device_id, availabilityMessages(h.to, registry.snapshot(h.device_id) !== null), null);
          publishInfo();
        }),
        bus.on('device.event', (e) => respond(deviceTopic(base, e.device_id, 'event'), e)),
        bus.on('probe', (e) => {
          power.onProbe(e);
          // bridge/info carries the switch counts: re-published when they change.
          const counts = JSON.stringify(switches?.counts());
          if (counts !== lastCounts) {
            lastCounts = counts;
            publishInfo();
          }
          // A switch added or removed by the CLI (another process) shows up here first: its
          // entity and retained state follow. A manual check lists only the switch checked.
          if (e.manual) return;
          const ids = new Set(e.switches.map((x) => x.target.id));
          const removed = [...cycleSwitchIds].filter((id) => !ids.has(id));
          cycleSwitchIds = ids;
          for (const id of removed) power.switchChanged(id);
          if (ha.enabled && (removed.length > 0 || e.switches.some((x) => !discovery.knowsSwitch(x.target.id)))) discovery.publishBridge();
        }),
        bus.on('automation', (e) => {
          // Rule-set events (created, reload_failed, …) belong to no device: every device's topic gets them.
          const body = { rule: e.rule, type: e.type, details: e.details, ts: e.ts, device_id: e.device_id };
          for (const id of e.device_id !== null ? [e.device_id] : registry.list().map((d) => d.id)) respond(deviceTopic(base, id, 'automation/event'), body);
        }),
        bus.on('rules.state', ({ device_id }) => publishRules(device_id)),
        bus.on('watchdog', (e) => {
          // A watchdog added or removed: its HA entities follow (SPEC §10.3).
          if (watchdogs.onEvent(e) && ha.enabled) discovery.publishBridge();
        }),
        bus.on('outage', (e) => {
          power.onOutage(e);
          if (e.type === 'verdict') publishInfo();
        }),
        client.onConnect(onConnect),
        client.onMessage((topic, payload, packet) => {
          if (discovery.collect(topic, payload)) return;
          handleInbound(topic, payload, packet.retain, {
            base, haStatusTopic: ha.enabled ? ha.status_topic : null, registry, logger: log, now: () => clock.now(), respond, logOnce,
            namesChanged: (id) => {
              const snap = registry.snapshot(id);
              if (snap) publishSnapshot(snap);
            },
            haOnline: () => discovery.haBirth(republishAll),
            bridgeApi: {
              registry,
              rediscover: async () => {
                republishAll();
                return discovery.publishAll();
              },
              forgetDevice,
              mqttConnected: () => client.connected,
              rules: ctx.rules ?? null,
              watchdogs: ctx.watchdogs ?? null,
              switches,
              switchesChanged,
            },
          }).catch((err: unknown) => log.error({ topic, error: errorMessage(err) }, 'mqtt message handling failed'));
        }),
      );
      client.subscribe([...subscriptions(base, ha.enabled ? ha.status_topic : null), ...discovery.collectFilters()]);
      log.info({ url: redactUrl(ctx.connection.url), base_topic: base, homeassistant: ha.enabled }, 'mqtt bridge started');
    },

    async stop() {
      for (const u of unsubscribers.splice(0)) u();
      discovery.stop();
      if (client.connected) {
        for (const d of registry.list()) {
          publish(deviceTopic(base, d.id, 'bridge/status'), 'offline', { retain: true, qos: 1 });
          publish(deviceTopic(base, d.id, 'availability'), 'offline', { retain: true, qos: 1 });
        }
        publish(bridgeTopic(base, 'state'), 'offline', { retain: true, qos: 1 });
      }
      await client.end();
    },
  };
}
