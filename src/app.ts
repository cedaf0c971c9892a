import { fileURLToPath } from 'node:url';
import type { Config } from './config/schema.js';
import { DEMO_DEVICE_ID } from './config/schema.js';
import { EventBus } from './core/bus.js';
import { RealClock, type Clock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import type { Logger, LogRing } from './core/logger.js';
import type { Origin } from './config/load.js';
import type { SettingsPort, SystemPort } from './core/system.js';
import { createSettingsService } from './config/settings-service.js';
import type { RuntimeSettingKey } from './config/runtime-settings.js';
import { testMqttConnection } from './mqtt/test-connection.js';
import { Scheduler } from './core/scheduler.js';
import { PduDevice, type PduDeviceDeps } from './devices/pdu/device.js';
import { NetSnmpTransport } from './devices/pdu/net-snmp-transport.js';
import { startTrapListener, type TrapListener } from './devices/pdu/trap-listener.js';
import { getProfile } from './devices/pdu/profiles/index.js';
import { pduSettingsFrom, runtimePduSettings } from './devices/pdu/settings.js';
import { createSimulatedPdu, type SimulatedPdu } from './devices/pdu/simulator/agent.js';
import { createPduTools } from './devices/pdu/tools.js';
import { DeviceRegistry } from './devices/registry.js';
import { PlugDevice, type PlugDeviceDeps } from './devices/plug/device.js';
import { isPlugKind, plugSettingsFrom, runtimePlugSettings } from './devices/plug/settings.js';
import { startDemoPlugs, withPlugScenarios, type DemoPlugs } from './devices/plug/demo.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt/broker.js';
import { redactUrl } from './mqtt/client.js';
import { createMqttService, type MqttService } from './mqtt/service.js';
import { createHistoryService, type HistoryService } from './history/service.js';
import { createSwitchService, type SwitchService } from './devices/switch/service.js';
import { demoSwitchesOf, startSwitchSimulator, type SwitchSimulator } from './devices/switch/simulator.js';
import { demoScenarios } from './devices/demo-scenarios.js';
import { createRulesService, type RulesService } from './rules/service.js';
import { createWatchdogService, type WatchdogService } from './watchdog/service.js';
import { switchInUse } from './core/watchdog-target.js';
import { DEMO_WATCHDOG_NAME, DEMO_WATCHDOG_OUTLET, demoWatchdog } from './watchdog/demo.js';
import { startDemoModem, type DemoModem } from './devices/demo-modem.js';
import { probeUrl, tcpConnect } from './devices/switch/probe.js';
import type { TargetProber } from './core/ports.js';
import { createOutageService, type OutageService } from './outage/service.js';
import { engineConfig } from './outage/config.js';
import { createNotifier, type Notifier } from './notify/service.js';
import { createHttpService, type HttpService } from './http/server.js';
import { reportData } from './history/report-data.js';
import { createReportsService, type ReportsService } from './reports/service.js';
import type { SwitchInput } from './core/power.js';
import type { DemoPort, HealthPort } from './core/ports.js';
import { dirname, resolve } from 'node:path';

// Composition root: builds the context (clock, bus, scheduler, registry) and starts and stops
// the services in order (ARCHITECTURE.md). Only this file and main.ts know every service.

export const VERSION = '0.1.0';
/** rules.json.example at the package root (from src/ in tests, dist/ when built). */
const RULES_EXAMPLE = fileURLToPath(new URL('../rules.json.example', import.meta.url));

export interface AppOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  configFile: string | null;
  /** Which layer set each config value (config/load.ts); tells runtime settings held by env or flags. */
  origins?: ReadonlyMap<string, Origin>;
  /** The in-memory log behind GET /api/system/logs (run.ts); absent: that list is empty. */
  logRing?: LogRing;
  /**
   * POST /api/system/restart: run.ts checks the config and restarts in-process shortly after
   * answering; absent (tests, embedding): restart unavailable.
   */
  onRestart?: () => { ok: true } | { ok: false; error: string };
}

export interface App {
  readonly bus: EventBus;
  readonly registry: DeviceRegistry;
  readonly scheduler: Scheduler;
  /** The demo's simulated PDU (demo mode only). */
  readonly simulator: SimulatedPdu | null;
  readonly broker: EmbeddedBroker | null;
  readonly mqtt: MqttService | null;
  readonly history: HistoryService | null;
  readonly switches: SwitchService | null;
  readonly outages: OutageService | null;
  readonly notifier: Notifier | null;
  readonly http: HttpService | null;
  readonly rules: RulesService | null;
  /** The demo's simulated switches (demo mode only). */
  readonly switchSimulator: SwitchSimulator | null;
  /** The demo's simulated HS300 strip and Shelly plug (demo mode with demo.plugs only). */
  readonly demoPlugs: DemoPlugs | null;
  /** Outlet watchdogs (SPEC §12.7). */
  readonly watchdogs: WatchdogService | null;
  /** The demo's simulated modem on demo-pdu outlet 2 (demo mode only). */
  readonly demoModem: DemoModem | null;
  readonly demo: DemoPort | null;
  /** The SNMP trap listener (snmp.traps.enabled only, SPEC §7.10). */
  readonly traps: TrapListener | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createApp(opts: AppOptions): App {
  const { config, logger } = opts;
  const clock = opts.clock ?? new RealClock();
  const log = logger.child({ module: 'app' });
  let busErrors = 0;
  const bus = new EventBus((event, err) => {
    // Rate-limited: the first 5, then every 30th (SPEC §19).
    busErrors++;
    if (busErrors <= 5 || busErrors % 30 === 0) log.error({ event, error: errorMessage(err), count: busErrors }, 'event subscriber failed');
  });
  const scheduler = new Scheduler(clock, (id, err) => log.error({ target: id, error: errorMessage(err) }, 'scheduled cycle failed'));
  const deps: PduDeviceDeps = { clock, bus, logger, transportFactory: (o) => new NetSnmpTransport(o) };
  const plugDeps: PlugDeviceDeps = { clock, bus, logger };
  const registry = new DeviceRegistry(clock, (added) => {
    const spec = pollOverrideS === null ? added : { ...added, poll_interval_s: pollOverrideS };
    const kind = spec.kind ?? 'cyberpower';
    // Runtime plugs (kind kasa | shelly | tasmota) are polled like config-file plugs.
    return isPlugKind(kind) ? new PlugDevice(runtimePlugSettings(config, { ...spec, kind }), plugDeps) : new PduDevice(runtimePduSettings(config, spec), deps);
  });
  let simulator: SimulatedPdu | null = null;
  let broker: EmbeddedBroker | null = null;
  let mqtt: MqttService | null = null;
  let history: HistoryService | null = null;
  let switches: SwitchService | null = null;
  let outages: OutageService | null = null;
  let notifier: Notifier | null = null;
  let http: HttpService | null = null;
  let reports: ReportsService | null = null;
  let rules: RulesService | null = null;
  let switchSimulator: SwitchSimulator | null = null;
  let demoPlugs: DemoPlugs | null = null;
  let watchdogs: WatchdogService | null = null;
  let demoModem: DemoModem | null = null;
  let demo: DemoPort | null = null;
  let traps: TrapListener | null = null;
  let settings: SettingsPort | null = null;
  /** `devices[].poll_interval_s` saved at runtime: also the demo PDU's and the runtime devices' cadence. */
  let pollOverrideS: number | null = null;
  const health: HealthPort = {
    check() {
      const issues: string[] = [];
      const nowS = clock.now() / 1000;
      for (const d of registry.list()) {
        if (d.state !== 'healthy') {
          issues.push(`device ${d.id} is ${d.state}`);
          continue;
        }
        // SPEC §14.2: no data yet, or data older than max(30 s, 3 × the poll interval).
        const snap = registry.snapshot(d.id);
        const maxAgeS = Math.max(30, 3 * (registry.info(d.id)?.pollIntervalS ?? 1));
        if (!snap) issues.push(`device ${d.id} has sent no data yet`);
        else if (nowS - snap.ts > maxAgeS) issues.push(`device ${d.id}: last data ${Math.round(nowS - snap.ts)} s old`);
      }
      const w = history?.writer.stats;
      if (w && !w.healthy) issues.push(`history writes failing (${w.write_errors} errors, ${w.held_batches} batches held)`);
      if (mqtt && !mqtt.client.connected) issues.push('mqtt disconnected');
      return { healthy: issues.length === 0, issues };
    },
    stats() {
      const w = history?.writer.stats;
      return {
        mqtt: mqtt ? { connected: mqtt.client.connected, publishes: mqtt.client.stats().publishes } : null,
        history: w ? { write_errors: w.write_errors, dropped_batches: w.dropped_batches } : null,
        polls: registry.pollStats(),
        traps: traps?.stats() ?? null,
      };
    },
    details() {
      const nowMs = clock.now();
      const w = history?.writer.stats;
      const polls = new Map(registry.pollStats().map((p) => [p.device_id, p]));
      const c = mqtt?.client.stats();
      return {
        subsystems: {
          mqtt: mqtt && c ? {
            connected: mqtt.client.connected, reconnect_count: Math.max(0, c.connects - 1), broker: brokerLabel, publish_errors: c.dropped, total_publishes: c.publishes,
          } : null,
          history: w && history ? { db_path: resolve(config.history.path), total_writes: w.total_writes, write_errors: w.write_errors, healthy: w.healthy } : null,
          probes: switches ? switches.counts() : null,
          traps: traps?.stats() ?? null,
        },
        uptime_seconds: Math.round(process.uptime()),
        pollers: registry.all().map((d) => {
          const h = d.healthState();
          const p = polls.get(d.id);
          return {
            device_id: d.id, state: h.state, poll_count: p?.cycles ?? 0, poll_errors: p?.failures ?? 0,
            last_poll_duration_ms: p && p.cycles > 0 ? Math.round(p.last_duration_ms * 10) / 10 : null,
            seconds_since_last_poll: h.lastSuccessAt === null ? null : Math.round((nowMs - h.lastSuccessAt) / 100) / 10,
            consecutive_failures: h.consecutiveFailures,
          };
        }),
        restart_required: settings?.restartRequired() ?? [],
      };
    },
  };
  /** Where the bridge's MQTT connection goes (credentials never shown). */
  let brokerLabel = '';
  // The data directory holds the database and generated secrets (e.g. broker credentials).
  const dataDir = resolve(dirname(config.history.path));

  /** PUT /api/config (SPEC §14.2): log level and retention apply at once, the rest at the next (re)start. */
  function runtimeSettings(h: HistoryService): SettingsPort {
    const running = (key: RuntimeSettingKey): unknown => {
      switch (key) {
        case 'log.level': return logger.level;
        case 'history.retention_days': return h.retention().retentionDays;
        case 'history.raw_retention_days': return h.retention().rawRetentionDays;
        case 'devices[].poll_interval_s': return registry.info(registry.list()[0]?.id ?? '')?.pollIntervalS ?? pollOverrideS ?? 1;
        case 'snmp.timeout_ms': return config.snmp.timeout_ms;
        case 'snmp.retries': return config.snmp.retries;
        case 'reports.enabled': return config.reports.enabled;
        case 'homeassistant.enabled': return config.homeassistant.enabled;
      }
    };
    return createSettingsService({
      store: h.settings, origins: opts.origins ?? null, running, nowS: () => clock.now() / 1000,
      apply: {
        'log.level': (v) => (logger.level = String(v)),
        'history.retention_days': (v) => h.setRetention({ retentionDays: Number(v) }),
        'history.raw_retention_days': (v) => h.setRetention({ rawRetentionDays: Number(v) }),
      },
    });
  }

  function systemPort(connection: { url: string; username: string; password: string }): SystemPort {
    return {
      logs: (q) => opts.logRing?.query(q) ?? [],
      restart: () => opts.onRestart?.() ?? { ok: false, error: 'restart is only available under `power2mqtt run`' },
      testMqtt(input) {
        const own = input.url === undefined;
        return testMqttConnection({
          url: input.url ?? connection.url,
          username: own ? (input.username ?? connection.username) : input.username,
          password: own ? (input.password ?? connection.password) : input.password,
          protocolVersion: config.mqtt.protocol_version, rejectUnauthorized: config.mqtt.reject_unauthorized, timeoutMs: 5000, clock,
        });
      },
      brokerCredentials() {
        const g = broker?.generated;
        return broker && g ? { username: g.username, password: g.password, file: g.file, bind: config.mqtt.embedded.bind, port: broker.port } : null;
      },
    };
  }

  const app: App = {
    bus,
    registry,
    scheduler,
    get simulator() {
      return simulator;
    },
    get broker() {
      return broker;
    },
    get mqtt() {
      return mqtt;
    },
    get history() {
      return history;
    },
    get switches() {
      return switches;
    },
    get outages() {
      return outages;
    },
    get notifier() {
      return notifier;
    },
    get http() {
      return http;
    },
    get rules() {
      return rules;
    },
    get switchSimulator() {
      return switchSimulator;
    },
    get demoPlugs() {
      return demoPlugs;
    },
    get watchdogs() {
      return watchdogs;
    },
    get demoModem() {
      return demoModem;
    },
    get demo() {
      return demo;
    },
    get traps() {
      return traps;
    },

    async start() {
      // First: a database that cannot be used stops start-up before anything polls (SPEC §3.2).
      history = createHistoryService({ config, logger, clock, bus, registry });
      history.start();
      registry.useStateStore(history.store);
      settings = runtimeSettings(history);
      const pollSetting = settings.list().find((s) => s.key === 'devices[].poll_interval_s');
      pollOverrideS = pollSetting && pollSetting.origin !== 'default' && pollSetting.origin !== 'file' ? Number(pollSetting.value) : null;
      if (config.demo.enabled) {
        simulator = await createSimulatedPdu({
          port: config.demo.snmp_port, bind: '127.0.0.1', clock, serial: 'DEMO0001', environment: config.demo.environment,
        });
        registry.add(
          new PduDevice(
            {
              id: DEMO_DEVICE_ID, label: 'Demo PDU', host: '127.0.0.1', port: simulator.port, version: '2c', community: 'public',
              writeCommunity: 'private', profile: getProfile(config.snmp.profile), timeoutMs: config.snmp.timeout_ms,
              retries: config.snmp.retries, pollIntervalMs: (pollOverrideS ?? 1) * 1000, maxOidsPerRequest: config.snmp.max_oids_per_request,
              meteringFloor: config.snmp.metering_floor, expectedSerial: '', capabilityRecheckMs: config.snmp.capability_recheck_s * 1000,
              protectedOutlets: new Set(), utilitySource: 'A',
            },
            deps,
          ),
        );
        switchSimulator = await startSwitchSimulator({ count: config.demo.switches, bind: '127.0.0.1' });
        const pdu = simulator;
        demoModem = await startDemoModem({ powered: () => pdu.model.powered && pdu.outletState(DEMO_WATCHDOG_OUTLET) === 'on', clock });
        demo = demoScenarios(simulator, demoSwitchesOf(switchSimulator), demoModem);
        if (config.demo.plugs) {
          demoPlugs = await startDemoPlugs({ clock, ...(pollOverrideS !== null ? { pollIntervalS: pollOverrideS } : {}) });
          for (const s of demoPlugs.settings) registry.add(new PlugDevice(s, plugDeps));
          demo = withPlugScenarios(demo, demoPlugs);
        }
      }
      const fixedTargets: SwitchInput[] = [
        ...config.switches.targets,
        ...(switchSimulator
          ? switchSimulator.targets().map((t) => ({ ...t, group: 'demo' }))
          : []),
      ];
      switches = createSwitchService({ settings: config.switches, fixedTargets, store: history.power, clock, scheduler, bus, logger });
      if (config.outage.enabled) {
        outages = createOutageService({
          config: engineConfig(config.outage, config.switches), store: history.power, registry, clock, scheduler, bus, logger,
        });
      }
      notifier = createNotifier({ config, logger, clock, bus, store: history.notifyQueue });
      rules = createRulesService({
        path: config.rules.path, watch: config.rules.watch, retryS: config.rules.retry_s, tz: config.timezone,
        examplePath: config.demo.enabled ? RULES_EXAMPLE : null, registry, outages, store: history.rules, clock, scheduler, bus, logger,
      });
      for (const d of config.devices) {
        if (!d.enabled) continue;
        if (isPlugKind(d.kind)) {
          registry.add(new PlugDevice(plugSettingsFrom(config, { ...d, kind: d.kind }), plugDeps));
          continue;
        }
        registry.add(new PduDevice(pduSettingsFrom(config, d), deps));
      }
      if (config.mqtt.embedded.enabled) {
        const e = config.mqtt.embedded;
        broker = await startEmbeddedBroker({
          bind: e.bind, port: e.port, users: e.users, allowAnonymous: e.allow_anonymous, dataDir, logger, baseTopic: config.mqtt.base_topic,
          discoveryPrefix: config.homeassistant.discovery_prefix, clock,
        });
      }
      const connection = broker
        ? { url: broker.url, username: broker.bridgeCredentials.username, password: broker.bridgeCredentials.password, embedded: true }
        : { url: config.mqtt.url, username: config.mqtt.username, password: config.mqtt.password, embedded: false };
      // Outlet watchdogs: config-file ones, plus the demo's on the simulated modem (SPEC §12.7).
      const prober: TargetProber = {
        http: (url, timeoutMs, signal) => probeUrl(url, { timeoutMs, tlsErrors: config.switches.tls_errors, clock, ...(signal ? { signal } : {}) }),
        tcp: (host, port, timeoutMs, signal) => tcpConnect(host, port, { timeoutMs, clock, ...(signal ? { signal } : {}) }),
      };
      const fixedWatchdogs = [
        ...config.watchdogs,
        ...(demoModem && !config.watchdogs.some((w) => w.name === DEMO_WATCHDOG_NAME) ? [demoWatchdog(demoModem.url)] : []),
      ];
      watchdogs = createWatchdogService({
        fixed: fixedWatchdogs, registry, switches, outages, prober, store: history.watchdogs, clock, scheduler, bus, logger,
      });
      const watchdogPort = watchdogs;
      switches.guardNames((name) => switchInUse(name, watchdogPort.list().map((w) => ({ name: w.name, target: w.target }))));
      brokerLabel = redactUrl(connection.url);
      mqtt = createMqttService({
        config, logger, clock, bus, registry, version: VERSION, demo: config.demo.enabled, connection, switches, outages, rules, watchdogs,
        records: history?.store ?? null,
      });
      await mqtt.start();
      notifier.start();
      // The outage engine reads the last-seen time (restart gap) before the first new sample is stored.
      outages?.start();
      switches.start();
      // Before the pollers: the first sample of every device is evaluated (a level condition
      // already true at start-up fires after its delay, SPEC §12.4).
      rules.start();
      watchdogs.start();
      // Weekly/monthly reports: scheduled at 00:30 local, back-filled shortly after start (SPEC §13.7).
      reports = createReportsService({ config, logger, clock, data: reportData(history.store, history.power), registry });
      reports.start();
      // The web server before the pollers (SPEC §3.2): a port that cannot be bound stops start-up
      // before anything polls or switches.
      http = createHttpService({
        config, logger, clock, bus, registry, switches, checks: history.power, outages, health, demo, version: VERSION, rules,
        events: history.rules, history: history.queries, auth: history.auth, reports, watchdogs,
        pduTools: createPduTools({ registry, profile: getProfile(config.snmp.profile), transportFactory: deps.transportFactory, clock }),
        settings, system: systemPort(connection), deviceState: history.store,
      });
      await http.start();
      registry.startAll(scheduler);
      if (config.snmp.traps.enabled) {
        const t = config.snmp.traps;
        // A listener that cannot bind is logged; polling goes on without it (traps only speed it up).
        traps = await startTrapListener({
          bind: t.bind, port: t.port, community: t.community, clock, bus, logger,
          devices: () => registry.all().flatMap((d) => d instanceof PduDevice
            ? [{ id: d.id, host: d.currentHost(), version: d.settings.version, v3Username: d.settings.v3?.username ?? null, v3: d.settings.v3 ?? null, pollNow: () => d.schedulerTarget()?.triggerNow() }]
            : []),
        }).catch((err: unknown) => {
          log.error({ error: errorMessage(err) }, 'snmp trap listener not started');
          return null;
        });
      }
      for (const s of registry.restoreRuntimeDevices()) log.warn({ device_id: s.id, error: s.error }, 'saved runtime device not restored');
      const pdus = registry.all().filter((d) => d.kind === 'cyberpower');
      const plugs = registry.all().filter((d) => d.kind !== 'cyberpower');
      const web = http.address();
      const webUrl = web ? `http://${web.host.includes(':') ? `[${web.host}]` : web.host}:${web.port}/` : null;
      const switchCount = switches.list().length;
      log.info(
        {
          version: VERSION,
          config: opts.configFile ?? 'none (demo defaults)',
          demo: config.demo.enabled,
          simulator: simulator ? `udp://127.0.0.1:${simulator.port}` : null,
          mqtt: broker ? `embedded broker on mqtt://${config.mqtt.embedded.bind}:${broker.port}` : redactUrl(connection.url),
          pdus: pdus.map((d) => `${d.id}@${d.currentHost()}:${d.settings.port}/${d.settings.pollIntervalMs / 1000}s`),
          plugs: plugs.map((d) => `${d.id}@${d.kind}://${d.settings.host}:${d.settings.port}/${d.settings.pollIntervalMs / 1000}s`),
          switches: switchCount,
          web: webUrl,
        },
        `power2mqtt ${VERSION} running: polling ${pdus.length} PDU${pdus.length === 1 ? '' : 's'}` +
          (plugs.length > 0 ? ` and ${plugs.length} plug${plugs.length === 1 ? '' : 's'}` : '') +
          (simulator ? ` (demo: simulated PDU44001 on udp://127.0.0.1:${simulator.port})` : '') +
          (broker ? `; MQTT broker on mqtt://${config.mqtt.embedded.bind}:${broker.port}` : `; MQTT ${redactUrl(connection.url)}`) +
          `; topics under ${config.mqtt.base_topic}/` +
          `; probing ${switchCount} switch${switchCount === 1 ? '' : 'es'}` +
          (webUrl ? `; web on ${webUrl}` : '; web server off'),
      );
    },

    async stop() {
      await traps?.close();
      traps = null;
      await http?.stop();
      // Marked stopping before the scheduler aborts its probes: an aborted cycle is not stored.
      const switchesStopped = switches?.stop();
      await scheduler.stop();
      await switchesStopped;
      await watchdogs?.stop();
      await rules?.stop();
      await registry.stopAll();
      await outages?.stop();
      await notifier?.stop();
      await reports?.stop();
      // SPEC §3.3 order: `offline` is published and the broker closed before the database is
      // flushed, so a slow flush (or the 8 s limit of `run`) cannot cost the offline messages.
      await mqtt?.stop();
      await broker?.close();
      await history?.stop();
      await simulator?.close();
      await switchSimulator?.close();
      await demoModem?.close();
      await demoPlugs?.close();
      log.info('power2mqtt stopped');
    },
  };
  return app;
}
