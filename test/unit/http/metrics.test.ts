// /metrics (SPEC §19) over in-memory ports: each family from its source, label sets rebuilt per
// scrape (removed devices vanish), totals as counters, the route switch and its access level.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PollStats, RulesPort } from '../../../src/core/ports.js';
import type { RuleView } from '../../../src/core/rules.js';
import { declaredAccess, type RouteAccess } from '../../../src/http/access.js';
import { buildHttpServer } from '../../../src/http/index.js';
import { createMetrics, type Metrics } from '../../../src/http/metrics.js';
import { metricsAccess } from '../../../src/http/routes/metrics.js';
import { deviceInfo, fakeHttpContext, outageRecord, type FakeHttpPorts } from '../../support/http-ports.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';
import { parsePromText, type PromText } from '../../support/prom-text.js';

const poll = (device_id: string, over: Partial<PollStats> = {}): PollStats => ({
  device_id, cycles: 120, failures: 3, last_duration_ms: 42, lateness_ms: { p50: 2, p99: 15, total: 120, sum: 360 }, ...over,
});

function rules(views: Array<[string, number]>): RulesPort {
  const list = views.map(([name, n]) => ({ name, state: { execution_count: n } }) as unknown as RuleView);
  return { list: () => list } as unknown as RulesPort;
}

let ports: FakeHttpPorts;
let metrics: Metrics;
const scrape = async (): Promise<PromText> => parsePromText(await metrics.text());

beforeEach(() => {
  ports = fakeHttpContext();
  ports.registry.put(deviceInfo('pdu-01'), pduSnapshot({ deviceId: 'pdu-01' }));
  ports.health.runtime = {
    mqtt: { connected: true, publishes: 1234 }, history: { write_errors: 2, dropped_batches: 1 }, polls: [poll('pdu-01')],
    traps: { port: 1162, received: 9, accepted: 5, dropped: { unknown_source: 1, bad_community: 2, auth_failed: 0, malformed: 1 } },
  };
  ports.ctx.rules = rules([['shed', 2], ['shed', 3], ['night', 0]]);
  metrics = createMetrics(ports.ctx);
});
afterEach(() => metrics.close());

describe('createMetrics', () => {
  it('reads every family of SPEC §19 from its port', async () => {
    const m = await scrape();
    const device = 'pdu-01';
    const table: Array<[string, Record<string, string>, number]> = [
      ['power2mqtt_info', { version: '0.0.0-test' }, 1],
      ['power2mqtt_pdu_up', { device }, 1],
      ['power2mqtt_pdu_transport_state', { device, state: 'healthy' }, 1],
      ['power2mqtt_pdu_transport_state', { device, state: 'lost' }, 0],
      ['power2mqtt_poll_duration_seconds', { device }, 0.042],
      ['power2mqtt_poll_lateness_seconds', { device, quantile: '0.5' }, 0.002],
      ['power2mqtt_poll_lateness_seconds', { device, quantile: '0.99' }, 0.015],
      ['power2mqtt_poll_lateness_seconds_sum', { device }, 0.36],
      ['power2mqtt_poll_lateness_seconds_count', { device }, 120],
      ['power2mqtt_poll_failures_total', { device }, 3],
      ['power2mqtt_input_voltage_volts', { device }, 120.4],
      ['power2mqtt_source_voltage_volts', { device, source: 'A' }, 120.1],
      ['power2mqtt_source_voltage_volts', { device, source: 'B' }, 120.1],
      ['power2mqtt_bank_current_amperes', { device, bank: '2' }, 1.2],
      ['power2mqtt_bank_power_watts', { device, bank: '1' }, 140],
      ['power2mqtt_outlet_on', { device, outlet: '1' }, 1],
      ['power2mqtt_outlet_on', { device, outlet: '3' }, 0],
      ['power2mqtt_outlet_power_watts', { device, outlet: '10' }, 45],
      ['power2mqtt_energy_kwh', { device }, 24.6],
      ['power2mqtt_outage_active', {}, 0],
      ['power2mqtt_outages_total', {}, 0],
      ['power2mqtt_mqtt_connected', {}, 1],
      ['power2mqtt_mqtt_publishes_total', {}, 1234],
      ['power2mqtt_history_write_errors_total', {}, 2],
      ['power2mqtt_history_dropped_batches_total', {}, 1],
      ['power2mqtt_rule_executions_total', { rule: 'shed' }, 5],
      ['power2mqtt_rule_executions_total', { rule: 'night' }, 0],
      ['power2mqtt_snmp_traps_received_total', {}, 9],
      ['power2mqtt_snmp_traps_accepted_total', {}, 5],
      ['power2mqtt_snmp_traps_dropped_total', { reason: 'bad_community' }, 2],
      ['power2mqtt_snmp_traps_dropped_total', { reason: 'auth_failed' }, 0],
    ];
    for (const [name, labels, value] of table) expect(m.value(name, labels), `${name} ${JSON.stringify(labels)}`).toBeCloseTo(value, 9);
    expect(m.all('power2mqtt_outlet_on')).toHaveLength(10);
    expect(m.all('power2mqtt_pdu_transport_state')).toHaveLength(5);
    for (const [name, type] of m.types) expect(`${name} ${type}`).toMatch(type === 'counter' ? /_total counter$/ : /(?<!_total) \w+$/);
  });

  it('drops a removed device and keeps only the label sets of this scrape', async () => {
    ports.registry.put(deviceInfo('pdu-02'), pduSnapshot({ deviceId: 'pdu-02', outlets: 8 }));
    ports.health.runtime.polls.push(poll('pdu-02'));
    expect((await scrape()).all('power2mqtt_outlet_on', { device: 'pdu-02' })).toHaveLength(8);
    ports.registry.devices.delete('pdu-02');
    ports.health.runtime.polls.pop();
    const m = await scrape();
    expect(m.samples.filter((s) => s.labels.device === 'pdu-02')).toEqual([]);
    expect(m.all('power2mqtt_outlet_on', { device: 'pdu-01' })).toHaveLength(10);
  });

  it('shows a lost PDU as down, in state lost, without its last readings', async () => {
    ports.registry.put(deviceInfo('pdu-01', { state: 'lost', availability: 'offline' }), pduSnapshot({ deviceId: 'pdu-01' }));
    const m = await scrape();
    expect(m.value('power2mqtt_pdu_up', { device: 'pdu-01' })).toBe(0);
    expect(m.value('power2mqtt_pdu_transport_state', { device: 'pdu-01', state: 'lost' })).toBe(1);
    expect(m.value('power2mqtt_pdu_transport_state', { device: 'pdu-01', state: 'healthy' })).toBe(0);
    expect(m.all('power2mqtt_input_voltage_volts')).toEqual([]);
    expect(m.all('power2mqtt_outlet_on')).toEqual([]);
    expect(m.value('power2mqtt_poll_failures_total', { device: 'pdu-01' })).toBe(3);
  });

  it('leaves out what is unknown: null readings, outlets in state unknown, a device not polled yet', async () => {
    const snap = pduSnapshot({ deviceId: 'pdu-01', capabilities: [] });
    snap.input.voltage = null;
    snap.outlets[2]!.state = 'unknown';
    ports.registry.put(deviceInfo('pdu-01'), snap);
    ports.registry.put(deviceInfo('pdu-03'), null);
    ports.health.runtime.polls = [poll('pdu-01'), poll('pdu-03', { cycles: 0, failures: 0, lateness_ms: { p50: 0, p99: 0, total: 0, sum: 0 } })];
    const m = await scrape();
    expect(m.all('power2mqtt_input_voltage_volts')).toEqual([]);
    expect(m.all('power2mqtt_source_voltage_volts')).toEqual([]);
    expect(m.all('power2mqtt_outlet_power_watts')).toEqual([]);
    expect(m.all('power2mqtt_energy_kwh')).toEqual([]);
    expect(m.all('power2mqtt_outlet_on', { device: 'pdu-01' }).map((s) => s.labels.outlet)).not.toContain('2');
    expect(m.value('power2mqtt_pdu_up', { device: 'pdu-03' })).toBe(0);
    expect(m.all('power2mqtt_poll_duration_seconds', { device: 'pdu-03' })).toEqual([]);
    expect(m.all('power2mqtt_poll_lateness_seconds_count', { device: 'pdu-03' })).toEqual([]);
  });

  it('reports switches by name: up 1, down and stale 0, never-probed and inactive ones absent', async () => {
    const s = ports.switches;
    for (const name of ['up', 'down', 'stale', 'unknown', 'inactive']) s.seed({ name, ip: '192.0.2.1', active: name !== 'inactive' });
    const state = (name: string, v: 'up' | 'down' | 'stale') => (s.get(name)!.state = v);
    state('up', 'up');
    state('down', 'down');
    state('stale', 'stale');
    state('inactive', 'up');
    const m = await scrape();
    expect(m.all('power2mqtt_switch_up').map((x) => `${x.labels.switch}=${x.value}`)).toEqual(['up=1', 'down=0', 'stale=0']);
  });

  it('counts power outages opened on the bus, shows the open one, and ignores network faults', async () => {
    const rec = outageRecord({ id: 1, started_at: 1000 });
    ports.ctx.bus.emit('outage', { type: 'opened', state: 'outage', outage: rec, ts: 1000 });
    ports.ctx.bus.emit('outage', { type: 'network_fault_opened', state: 'network_fault', outage: { ...rec, kind: 'network' }, ts: 1000 });
    ports.outages.records = [rec];
    let m = await scrape();
    expect([m.value('power2mqtt_outage_active'), m.value('power2mqtt_outages_total')]).toEqual([1, 1]);
    ports.outages.records = [{ ...rec, kind: 'network' }];
    m = await scrape();
    expect([m.value('power2mqtt_outage_active'), m.value('power2mqtt_outages_total')]).toEqual([0, 1]);
    metrics.close();
    ports.ctx.bus.emit('outage', { type: 'opened', state: 'outage', outage: rec, ts: 1001 });
    expect((await scrape()).value('power2mqtt_outages_total')).toBe(1);
  });

  it('reads 0 for MQTT and history when they do not run, and nothing per rule without rules', async () => {
    ports.health.runtime = { mqtt: null, history: null, polls: [], traps: null };
    ports.ctx.rules = null;
    ports.ctx.outages = null;
    const m = await scrape();
    expect(['mqtt_connected', 'mqtt_publishes_total', 'history_write_errors_total', 'history_dropped_batches_total', 'outage_active'].map((n) => m.value(`power2mqtt_${n}`))).toEqual([0, 0, 0, 0, 0]);
    expect(m.all('power2mqtt_rule_executions_total')).toEqual([]);
    // No trap listener: 0 like the other unlabelled families, and no per-reason samples.
    expect(m.value('power2mqtt_snmp_traps_received_total')).toBe(0);
    expect(m.all('power2mqtt_snmp_traps_dropped_total')).toEqual([]);
  });

  it('registers only process_* and nodejs_heap_* of the default metrics', async () => {
    const names = [...(await scrape()).types.keys()].filter((n) => !n.startsWith('power2mqtt_'));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toMatch(/^(process_|nodejs_heap_)/);
  });
});

describe('GET /metrics route', () => {
  let app: FastifyInstance | undefined;
  afterEach(() => app?.close());

  it('answers the text format with prom-client content type, and is absent from the OpenAPI document', async () => {
    app = await buildHttpServer(ports.ctx);
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parsePromText(r.body).value('power2mqtt_pdu_up', { device: 'pdu-01' })).toBe(1);
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it('is not served with metrics.enabled: false (404)', async () => {
    app = await buildHttpServer(fakeHttpContext({ metrics: { enabled: false } }).ctx);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });

  it.each([
    [true, 'read'],
    [false, 'public'],
  ] as const)('declares access %s → %s for the auth layer (SPEC §16.3)', async (requireAuth, access) => {
    expect(metricsAccess({ enabled: true, require_auth: requireAuth })).toBe(access);
    app = await buildHttpServer(fakeHttpContext({ metrics: { require_auth: requireAuth } }).ctx);
    const seen: Array<RouteAccess | null> = [];
    app.addHook('onRequest', async (req) => void seen.push(declaredAccess(req)));
    await app.inject({ method: 'GET', url: '/metrics' });
    await app.inject({ method: 'GET', url: '/api/health' });
    // /api/health declares public itself (always open, SPEC §16.3).
    expect(seen).toEqual([access, 'public']);
  });
});
