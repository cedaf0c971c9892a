import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { FailureStreak, type Logger } from '../core/logger.js';
import type { OutageKind, OutageRecord, OutageStatus, PowerStatistics, ProbeCycleEvent, Verdict } from '../core/power.js';
import type { DeviceRegistryPort, OutagePort, OutageStore, SwitchStore } from '../core/ports.js';
import type { Scheduler, ScheduledTarget } from '../core/scheduler.js';
import type { PduSnapshot } from '../core/types.js';
import type { EngineConfig } from './config.js';
import { initialEngineState, step, type EngineEffect, type EngineInput, type EngineState } from './engine.js';
import type { ProbeCycleEvidence, PduPollEvidence } from './evidence.js';
import { powerStatistics } from './statistics.js';
import { RestartGapWatch } from './boot-watch.js';
import { counterResetSignals, deviceSensorEvidence, MAX_PENDING_RESETS, type CounterReset, type SensorDevice } from './device-sensors.js';

// The outage service (SPEC §11.3-§11.6): turns polls and probe cycles into evidence, runs the
// pure engine, and applies its effects — records in the store, `outage` events on the bus.
// The engine decides; this file only translates and stores.

const HEARTBEAT_S = 60;

export interface OutageServiceOptions {
  config: EngineConfig;
  store: OutageStore & Pick<SwitchStore, 'listSwitches' | 'checkStats'>;
  registry: Pick<DeviceRegistryPort, 'list' | 'info'>;
  clock: Clock;
  scheduler: Scheduler;
  bus: EventBus;
  logger: Logger;
}

export interface OutageService extends OutagePort {
  start(): void;
  stop(): Promise<void>;
}

export function pollEvidence(snap: PduSnapshot, utility: 'A' | 'B' | null, reboot: PduPollEvidence['reboot']): PduPollEvidence {
  return {
    device_id: snap.device_id, ts: snap.ts, ok: true, utility_source: utility,
    source_a: snap.sources?.a ? { voltage: snap.sources.a.voltage, status: snap.sources.a.status } : null,
    source_b: snap.sources?.b ? { voltage: snap.sources.b.voltage, status: snap.sources.b.status } : null,
    current_source: snap.ats?.current_source ?? null, redundancy: snap.ats?.redundancy ?? null, input_voltage: snap.input.voltage, reboot,
  };
}

/** Sensors and controls of a probe cycle; stale and never-checked switches are left out (SPEC §11.3). */
export function cycleEvidence(e: ProbeCycleEvent): ProbeCycleEvidence {
  const sensors: ProbeCycleEvidence['sensors'] = [];
  const controls: ProbeCycleEvidence['controls'] = [];
  for (const s of e.switches) {
    if (!s.target.active) continue;
    if (s.target.role === 'control') {
      // A stale control is silent: it cannot vouch for the network.
      if (s.state !== 'unknown') controls.push({ id: s.target.id, result: s.state === 'up' ? 'up' : 'down' });
    } else if (s.state === 'up' || s.state === 'down') {
      sensors.push({ id: s.target.id, result: s.state, ...(s.target.group ? { group: s.target.group } : {}) });
    }
  }
  return { ts: e.ts, sensors, controls };
}

export function createOutageService(opts: OutageServiceOptions): OutageService {
  const { config, store, clock, bus } = opts;
  const log = opts.logger.child({ module: 'outage' });
  const nowS = (): number => clock.now() / 1000;
  let state: EngineState = initialEngineState([], 0, config);
  const ids = new Map<'power' | 'network', number>();
  const records = new Map<'power' | 'network', OutageRecord>();
  // Id of the most recently closed record per key: a PDU reboot learnt after an outage closed
  // joins that record (engine `update` with `closed: true`).
  const closedIds = new Map<'power' | 'network', number>();
  let verdict: Verdict = 'normal';
  const lastPollTs = new Map<string, number>();
  const lastVoltage = new Map<string, number | null>();
  const pendingReboot = new Map<string, number>();
  /** Plug counter resets since the last probe cycle (device-sensors.ts). */
  const pendingResets: CounterReset[] = [];
  const offs: Array<() => void> = [];
  let heartbeat: ScheduledTarget | null = null;
  let gapWatch: RestartGapWatch | null = null;
  const recordStore = new FailureStreak(log, 'outage record not stored', 'outage records stored again');
  const stored = <T>(what: string, fn: () => T): T | null => recordStore.run(fn, { what });

  function emitRecord(type: 'opened' | 'updated' | 'closed', kind: OutageKind, rec: OutageRecord): void {
    const t = kind === 'network' && type !== 'updated' ? (type === 'opened' ? 'network_fault_opened' : 'network_fault_closed') : type;
    bus.emit('outage', { type: t, state: verdict, outage: rec, ts: nowS() });
  }

  function apply(e: EngineEffect): void {
    switch (e.type) {
      case 'open': {
        const rec = stored('open', () => store.openOutage(e.outage));
        if (!rec) return;
        ids.set(e.key, rec.id);
        records.set(e.key, rec);
        log.warn({ outage_id: rec.id, kind: rec.kind, cause: rec.cause, scope: rec.scope, started_at: rec.started_at }, `${e.key === 'power' ? 'power outage' : 'network fault'} opened`);
        emitRecord('opened', rec.kind, rec);
        return;
      }
      case 'update': {
        const id = e.closed ? closedIds.get(e.key) : ids.get(e.key);
        const rec = id === undefined ? null : stored('update', () => store.updateOutage(id, e.patch));
        if (!rec) return;
        if (!e.closed) records.set(e.key, rec);
        emitRecord('updated', rec.kind, rec);
        return;
      }
      case 'close': {
        const id = ids.get(e.key);
        ids.delete(e.key);
        records.delete(e.key);
        const rec = id === undefined ? null : stored('close', () => store.closeOutage(id, e.ended_at, e.patch));
        if (!rec) return;
        closedIds.set(e.key, rec.id);
        log.warn({ outage_id: rec.id, kind: rec.kind, duration_s: rec.duration_seconds }, `${rec.kind === 'power' ? 'power outage' : 'network fault'} closed`);
        emitRecord('closed', rec.kind, rec);
        return;
      }
      case 'record_closed': {
        const rec = stored('record', () => store.openOutage(e.outage));
        if (!rec) return;
        closedIds.set('power', rec.id);
        log.warn({ outage_id: rec.id, cause: rec.cause, started_at: rec.started_at, ended_at: rec.ended_at }, 'power outage recorded after the fact');
        emitRecord('opened', rec.kind, rec);
        emitRecord('closed', rec.kind, rec);
        return;
      }
      case 'event': {
        const details = eventText(e.event, e.data);
        stored('event', () => store.addOutageEvent({ ts: e.ts, kind: 'outage', type: e.event, details, data: e.data }));
        log.info({ event: e.event, ...e.data }, details);
        if (e.event === 'device_down') bus.emit('outage', { type: 'device_down', state: verdict, outage: null, ...(e.switch_id === undefined ? {} : { switch_id: e.switch_id }), ts: e.ts });
        return;
      }
      case 'verdict':
        verdict = e.verdict;
        bus.emit('outage', { type: 'verdict', state: verdict, outage: records.get('power') ?? records.get('network') ?? null, ts: e.ts });
        return;
    }
  }

  function feed(input: EngineInput): void {
    const r = step(state, input, config);
    state = r.state;
    // Every event of this step carries the verdict after it (an `opened` event must not say
    // "normal"), so the new verdict is taken before the effects are applied in order.
    for (const e of r.effects) if (e.type === 'verdict') verdict = e.verdict;
    for (const e of r.effects) apply(e);
  }

  /** Outlets a rule switched off while a power outage is open join its record (SPEC §11.5 outlets_shed). */
  function noteShed(deviceId: string, action: unknown, outlets: unknown): void {
    const open = records.get('power');
    const id = ids.get('power');
    if (!open || id === undefined || (action !== 'off' && action !== 'delayoff') || !Array.isArray(outlets)) return;
    const before = open.outlets_shed[deviceId] ?? [];
    const merged = [...new Set([...before, ...outlets.filter((n): n is number => typeof n === 'number')])].sort((a, b) => a - b);
    if (merged.length === before.length) return;
    const rec = stored('shed', () => store.updateOutage(id, { outlets_shed: { ...open.outlets_shed, [deviceId]: merged } }));
    if (!rec) return;
    records.set('power', rec);
    emitRecord('updated', rec.kind, rec);
  }

  /** Devices with role `sensor` (metered plugs) and what their polls last said (SPEC §11.3). */
  function sensorDevices(): SensorDevice[] {
    const out: SensorDevice[] = [];
    for (const d of opts.registry.list()) {
      const info = opts.registry.info(d.id);
      if (info?.role !== 'sensor') continue;
      out.push({
        device_id: d.id, poll_interval_s: info.pollIntervalS, state: d.state,
        last_sample_ts: lastPollTs.get(d.id) ?? null, voltage: lastVoltage.get(d.id) ?? null,
      });
    }
    return out;
  }

  function onSample(snap: PduSnapshot): void {
    const bootAt = pendingReboot.get(snap.device_id);
    pendingReboot.delete(snap.device_id);
    const prev = lastPollTs.get(snap.device_id) ?? null;
    lastPollTs.set(snap.device_id, snap.ts);
    lastVoltage.set(snap.device_id, snap.input.voltage);
    gapWatch?.sample(snap);
    if (!config.use_pdu_signals) return;
    const reboot = bootAt === undefined ? null : { boot_at: bootAt, last_poll_at: prev };
    feed({ kind: 'poll', evidence: pollEvidence(snap, opts.registry.info(snap.device_id)?.utilitySource ?? null, reboot) });
  }

  return {
    start() {
      const now = nowS();
      const ongoing = stored('load', () => store.ongoingOutages()) ?? [];
      state = initialEngineState(ongoing, now, config);
      // A resumed outage is the published verdict from the start (status(), MQTT, rules), not
      // only once the engine next changes it.
      verdict = state.verdict;
      for (const o of ongoing) {
        ids.set(o.kind, o.id);
        records.set(o.kind, o);
      }
      if (ongoing.length) log.warn({ outages: ongoing.map((o) => o.id) }, 'resuming ongoing outages from before the restart');
      const lastSeen = stored('last seen', () => store.lastSeen()) ?? null;
      if (lastSeen !== null && now - lastSeen > config.restart_gap_s) {
        gapWatch = new RestartGapWatch({
          devices: opts.registry.list().map((d) => d.id), clock,
          done: (bootTimes) => {
            gapWatch = null;
            feed({ kind: 'restart_gap', last_seen: lastSeen, now, pdu_boot_times: bootTimes });
          },
        });
        gapWatch.begin();
      }
      offs.push(
        bus.on('sample', onSample),
        bus.on('device.event', (e) => {
          if (e.type === 'counter_reset') {
            const outlet = typeof e.data.outlet === 'number' ? e.data.outlet : null;
            if (pendingResets.length < MAX_PENDING_RESETS) pendingResets.push({ device_id: e.device_id, ts: e.ts, outlet });
            return;
          }
          if (e.type !== 'pdu_reboot' || typeof e.data.boot_at !== 'string') return;
          pendingReboot.set(e.device_id, Date.parse(e.data.boot_at) / 1000);
        }),
        bus.on('probe', (e) => {
          if (e.manual) return;
          const evidence = cycleEvidence(e);
          const sensors = sensorDevices();
          evidence.sensors.push(...deviceSensorEvidence(sensors, e.ts, config));
          const signals = counterResetSignals(sensors, pendingResets.splice(0));
          if (signals.length > 0) evidence.signals = signals;
          feed({ kind: 'cycle', evidence });
        }),
        bus.on('automation', (e) => {
          if (e.type === 'triggered' && e.device_id !== null) noteShed(e.device_id, e.data?.action, e.data?.outlets);
        }),
      );
      stored('heartbeat', () => store.saveHeartbeat(now));
      heartbeat = opts.scheduler.add({
        id: 'bridge-heartbeat', periodMs: HEARTBEAT_S * 1000, deadlineMs: 1000, offsetMs: HEARTBEAT_S * 1000,
        run: async () => {
          stored('heartbeat', () => store.saveHeartbeat(nowS()));
        },
      });
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      gapWatch?.cancel();
      heartbeat?.cancel();
      stored('heartbeat', () => store.saveHeartbeat(nowS()));
    },
    status(): OutageStatus {
      return {
        state: verdict, outage: records.get('power') ?? records.get('network') ?? null,
        last: stored('last', () => store.lastClosedOutage('power')) ?? null, ts: nowS(),
      };
    },
    list(hours, kind) {
      const since = nowS() - hours * 3600;
      return store.listOutages({ since, ...(kind === 'all' ? {} : { kind }), limit: 1000 });
    },
    statistics(hours): PowerStatistics {
      const now = nowS();
      const since = now - hours * 3600;
      return powerStatistics({
        hours, now, outages: store.listOutages({ since, kind: 'power', limit: 1000 }), switches: store.listSwitches(),
        checkStats: store.checkStats(since, now + 1),
      });
    },
  };
}

function eventText(event: string, data: Record<string, unknown>): string {
  switch (event) {
    case 'device_down':
      return `switch ${String(data.name ?? data.switch_id ?? '?')} stopped answering while the others answer`;
    case 'bridge_down':
      return `power2mqtt was down for ${Math.round(Number(data.gap_s ?? 0))} s (no PDU rebooted meanwhile)`;
    case 'pdu_reboot':
      return data.management_restart ? 'PDU management card restarted (switches answered throughout)' : 'PDU rebooted';
    default:
      return event.replace(/_/g, ' ');
  }
}
