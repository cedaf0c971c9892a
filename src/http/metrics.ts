import { Counter, Gauge, Registry } from 'prom-client';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { TRAP_DROP_REASONS, type DeviceRegistryPort, type HealthPort, type OutagePort, type RulesPort, type SwitchesPort, type WatchdogsPort } from '../core/ports.js';
import { WATCHDOG_STATES } from '../core/watchdog.js';
import type { PduSnapshot, TransportState } from '../core/types.js';
import { ReadoutSummary, registerProcessMetrics } from './metrics-process.js';

// GET /metrics (SPEC §19): every value is read through the ports when Prometheus scrapes, from
// the latest snapshots and the services' running totals; nothing is done per sample. Each
// scrape rebuilds the label sets, so a device, switch or rule removed at runtime disappears.

export const TRANSPORT_STATES: readonly TransportState[] = ['healthy', 'degraded', 'recovering', 'lost', 'error'];

/** What the metrics read (a subset of HttpContext). */
export interface MetricsSources {
  registry: DeviceRegistryPort;
  health: HealthPort;
  switches: SwitchesPort | null;
  outages: OutagePort | null;
  rules: RulesPort | null;
  /** Outlet watchdogs (SPEC §12.7); absent/null when not running. */
  watchdogs?: WatchdogsPort | null;
  bus: EventBus;
  clock: Clock;
  version: string;
}

export interface Metrics {
  /** prom-client's Prometheus text content type (`text/plain; version=0.0.4; charset=utf-8`). */
  readonly contentType: string;
  /** Reads every source, then renders the exposition text. */
  text(): Promise<string>;
  /** Stops counting bus events. */
  close(): void;
}

const P = 'power2mqtt_';

/** A private registry (never prom-client's global one) with the families of SPEC §19. */
export function createMetrics(src: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: P + name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: P + name, help, labelNames, registers });

  const m = {
    info: gauge('info', 'Build information: always 1, the version as a label.', ['version']),
    up: gauge('pdu_up', '1 while the PDU answers its polls (healthy, with a sample), else 0.', ['device']),
    state: gauge('pdu_transport_state', 'Transport state of the PDU: 1 for the current state, 0 for the others.', ['device', 'state']),
    duration: gauge('poll_duration_seconds', 'Duration of the last poll cycle.', ['device']),
    lateness: new ReadoutSummary({
      name: `${P}poll_lateness_seconds`, help: 'Start of a poll cycle after its due time (quantiles over the last 512 cycles).', labelNames: ['device'], registers,
    }),
    failures: counter('poll_failures_total', 'Poll cycles that produced no sample.', ['device']),
    input: gauge('input_voltage_volts', 'Input voltage.', ['device']),
    source: gauge('source_voltage_volts', 'Voltage of an ATS input source (A, B).', ['device', 'source']),
    bankCurrent: gauge('bank_current_amperes', 'Bank current.', ['device', 'bank']),
    bankPower: gauge('bank_power_watts', 'Bank active power.', ['device', 'bank']),
    outletOn: gauge('outlet_on', '1 when the outlet is on, 0 when off (absent while unknown).', ['device', 'outlet']),
    outletPower: gauge('outlet_power_watts', 'Outlet active power (metered outlets only).', ['device', 'outlet']),
    energy: gauge('energy_kwh', 'Energy counted by the PDU (a gauge: the device counter may be reset).', ['device']),
    switchUp: gauge('switch_up', '1 when the probed switch answered its last probe, 0 when down or stale (absent until probed).', ['switch']),
    outageActive: gauge('outage_active', '1 while a power outage is open.'),
    outages: counter('outages_total', 'Power outages opened since the process started.'),
    mqttConnected: gauge('mqtt_connected', '1 while the MQTT client is connected.'),
    mqttPublishes: counter('mqtt_publishes_total', 'MQTT messages published.'),
    writeErrors: counter('history_write_errors_total', 'Failed history write transactions.'),
    droppedBatches: counter('history_dropped_batches_total', 'History batches dropped because the write buffer was full.'),
    ruleRuns: counter('rule_executions_total', 'Rule executions (stored counts, kept across restarts).', ['rule']),
    watchdogState: gauge('watchdog_state', 'Outlet watchdog state: 1 for the current one (SPEC §12.7).', ['watchdog', 'state']),
    trapsReceived: counter('snmp_traps_received_total', 'SNMP traps received by the trap listener (SPEC §7.10).'),
    trapsAccepted: counter('snmp_traps_accepted_total', 'SNMP traps from a configured PDU that triggered a poll.'),
    trapsDropped: counter('snmp_traps_dropped_total', 'SNMP traps dropped, by reason.', ['reason']),
    watchdogCycles: gauge('watchdog_cycles', 'Power cycles of the watchdog within its window_h (a gauge: it drops as cycles age out).', ['watchdog']),
  };
  registerProcessMetrics(registry, src.clock);

  let outagesOpened = 0;
  const off = src.bus.on('outage', (e) => {
    if (e.type === 'opened') outagesOpened++; // network faults are `network_fault_opened`
  });

  /** Counters fed from running totals: reset, then add the total (prom-client counters have no set()). */
  const total = <L extends string>(c: Counter<L>, value: number, labels?: Partial<Record<L, string>>): void => {
    if (labels) c.inc(labels, value);
    else c.inc(value);
  };

  function refresh(): void {
    for (const g of Object.values(m)) g.reset();
    m.info.set({ version: src.version }, 1);
    const stats = src.health.stats();
    const polls = new Map(stats.polls.map((p) => [p.device_id, p]));
    const rows: typeof m.lateness.rows = [];
    for (const d of src.registry.list()) {
      const device = d.id;
      // Readings only while the PDU answers: a lost PDU's last snapshot is not current.
      const snap = d.availability === 'online' ? src.registry.snapshot(device) : null;
      m.up.set({ device }, snap ? 1 : 0);
      for (const s of TRANSPORT_STATES) m.state.set({ device, state: s }, s === d.state ? 1 : 0);
      const p = polls.get(device);
      if (p) {
        total(m.failures, p.failures, { device });
        if (p.cycles > 0) m.duration.set({ device }, p.last_duration_ms / 1000);
        const l = p.lateness_ms;
        if (l.total > 0) rows.push({ labels: { device }, quantiles: [[0.5, l.p50 / 1000], [0.99, l.p99 / 1000]], count: l.total, sum: l.sum / 1000 });
      }
      if (snap) readings(device, snap);
    }
    m.lateness.rows = rows;
    for (const s of src.switches?.list() ?? []) {
      if (!s.target.active || s.state === 'unknown') continue;
      m.switchUp.set({ switch: s.target.name }, s.state === 'up' ? 1 : 0);
    }
    const outage = src.outages?.status().outage ?? null;
    m.outageActive.set(outage?.kind === 'power' && outage.is_ongoing ? 1 : 0);
    total(m.outages, outagesOpened);
    m.mqttConnected.set(stats.mqtt?.connected ? 1 : 0);
    total(m.mqttPublishes, stats.mqtt?.publishes ?? 0);
    total(m.writeErrors, stats.history?.write_errors ?? 0);
    total(m.droppedBatches, stats.history?.dropped_batches ?? 0);
    if (stats.traps) {
      total(m.trapsReceived, stats.traps.received);
      total(m.trapsAccepted, stats.traps.accepted);
      for (const reason of TRAP_DROP_REASONS) total(m.trapsDropped, stats.traps.dropped[reason], { reason });
    }
    const runs = new Map<string, number>();
    for (const r of src.rules?.list() ?? []) runs.set(r.name, (runs.get(r.name) ?? 0) + r.state.execution_count);
    for (const [rule, n] of runs) total(m.ruleRuns, n, { rule });
    for (const w of src.watchdogs?.list() ?? []) {
      for (const state of WATCHDOG_STATES) m.watchdogState.set({ watchdog: w.name, state }, state === w.state.state ? 1 : 0);
      m.watchdogCycles.set({ watchdog: w.name }, w.state.cycles);
    }
  }

  function readings(device: string, s: PduSnapshot): void {
    const set = <L extends string>(g: Gauge<L>, labels: Partial<Record<L, string>>, v: number | null): void => {
      if (v !== null && Number.isFinite(v)) g.set(labels, v);
    };
    set(m.input, { device }, s.input.voltage);
    set(m.source, { device, source: 'A' }, s.sources?.a?.voltage ?? null);
    set(m.source, { device, source: 'B' }, s.sources?.b?.voltage ?? null);
    for (const [bank, b] of Object.entries(s.banks)) {
      set(m.bankCurrent, { device, bank }, b.current);
      set(m.bankPower, { device, bank }, b.power);
    }
    for (const [outlet, o] of Object.entries(s.outlets)) {
      if (o.state !== 'unknown') m.outletOn.set({ device, outlet }, o.state === 'on' ? 1 : 0);
      set(m.outletPower, { device, outlet }, o.power);
    }
    set(m.energy, { device }, s.totals.energy);
  }

  return {
    contentType: registry.contentType,
    async text() {
      refresh();
      return registry.metrics();
    },
    close() {
      off();
    },
  };
}
