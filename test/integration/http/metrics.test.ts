// GET /metrics (SPEC §19) on the real app in demo mode: the simulated PDU over SNMP, the demo
// switches, the embedded broker and the SQLite history, scraped over HTTP like Prometheus does,
// and the text checked by Debian's promtool (SPEC §2.1).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_DEVICE_ID } from '../../../src/config/schema.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { parsePromText, type PromText } from '../../support/prom-text.js';
import { requires, type Availability } from '../../support/requires.js';

const device = DEMO_DEVICE_ID;
const SWITCHES = ['demo-switch-1', 'demo-switch-2', 'demo-switch-3', 'demo-gateway'];

function promtool(): Availability {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `promtool not found on PATH (${r.error.message}; apt-get install prometheus; .ci/run installs it)` };
  return r.status === 0 ? { ok: true } : { ok: false, reason: `promtool --version exited ${r.status}` };
}
const PROMTOOL = requires('promtool (Debian prometheus)', promtool());

let t: TestApp;

async function scrape(): Promise<{ status: number; type: string | null; text: string; m: PromText }> {
  const r = await fetch(`${t.webUrl}/metrics`);
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type'), text, m: parsePromText(text) };
}

beforeAll(async () => {
  t = await startTestApp({ switches: { interval_s: 1, timeout_ms: 400 } });
  expect(t.webUrl).not.toBeNull();
  // The first samples: the PDU polled, every demo switch probed, MQTT connected.
  await vi.waitFor(async () => {
    const { m } = await scrape();
    expect([m.value('power2mqtt_pdu_up', { device }), m.all('power2mqtt_switch_up').length, m.value('power2mqtt_mqtt_connected')]).toEqual([1, 4, 1]);
  }, { timeout: 15_000, interval: 200 });
}, 30_000);
afterAll(() => t?.stop());

describe('GET /metrics on the demo app (SPEC §19)', () => {
  it('answers the Prometheus text format with the demo PDU, its switches and the services', async () => {
    const { status, type, m } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m.value('power2mqtt_info', { version: '0.1.0' })).toBe(1);
    expect(m.value('power2mqtt_pdu_up', { device })).toBe(1);
    expect(m.all('power2mqtt_pdu_transport_state', { device }).map((s) => `${s.labels.state}=${s.value}`).sort()).toEqual(
      ['degraded=0', 'error=0', 'healthy=1', 'lost=0', 'recovering=0'],
    );
    const outlets = m.all('power2mqtt_outlet_on', { device });
    expect(outlets.map((s) => Number(s.labels.outlet)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outlets.every((s) => s.value === 0 || s.value === 1)).toBe(true);
    expect(m.value('power2mqtt_input_voltage_volts', { device })).toBeGreaterThan(90);
    expect(m.value('power2mqtt_source_voltage_volts', { device, source: 'A' })).toBeGreaterThan(90);
    expect(m.all('power2mqtt_bank_current_amperes', { device }).map((s) => s.labels.bank)).toEqual(['1', '2']);
    for (const s of m.all('power2mqtt_bank_power_watts', { device })) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(m.all('power2mqtt_outlet_power_watts', { device })).toHaveLength(10);
    expect(m.value('power2mqtt_energy_kwh', { device })).toBeGreaterThanOrEqual(0);
    // Poll cycles: the demo PDU polls at 1 Hz, each well inside its deadline.
    expect(m.value('power2mqtt_poll_duration_seconds', { device })).toBeLessThan(1);
    expect(m.value('power2mqtt_poll_lateness_seconds_count', { device })).toBeGreaterThanOrEqual(1);
    expect(m.value('power2mqtt_poll_lateness_seconds', { device, quantile: '0.99' })).toBeGreaterThanOrEqual(0);
    expect(m.value('power2mqtt_poll_failures_total', { device })).toBe(0);
    for (const name of SWITCHES) expect(m.value('power2mqtt_switch_up', { switch: name }), name).toBe(1);
    expect(m.value('power2mqtt_outage_active')).toBe(0);
    expect(m.value('power2mqtt_outages_total')).toBe(0);
    expect(m.value('power2mqtt_mqtt_publishes_total')).toBeGreaterThan(0);
    expect(m.value('power2mqtt_history_write_errors_total')).toBe(0);
    expect(m.value('power2mqtt_history_dropped_batches_total')).toBe(0);
    // The demo copies rules.json.example: its rules are listed, none has fired.
    const rules = m.all('power2mqtt_rule_executions_total');
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.every((s) => s.value === 0)).toBe(true);
    // The demo's outlet watchdog (SPEC §12.7): one state set to 1, no cycles yet.
    const dog = m.all('power2mqtt_watchdog_state', { watchdog: 'demo-modem' });
    expect(dog).toHaveLength(7);
    expect(dog.filter((s) => s.value === 1)).toHaveLength(1);
    expect(m.value('power2mqtt_watchdog_cycles', { watchdog: 'demo-modem' })).toBe(0);
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(m.types.get('power2mqtt_poll_lateness_seconds')).toBe('summary');
    expect(m.types.get('power2mqtt_energy_kwh')).toBe('gauge');
    // SPEC §19: `_total` only on counters, and every counter ends in `_total`.
    for (const [name, type] of m.types) expect(`${name} ${type}`).toMatch(type === 'counter' ? /_total counter$/ : /(?<!_total) \w+$/);
  });

  it('counts the MQTT publishes as a counter that only grows', async () => {
    const a = (await scrape()).m.value('power2mqtt_mqtt_publishes_total')!;
    await expect.poll(async () => (await scrape()).m.value('power2mqtt_mqtt_publishes_total'), { timeout: 5_000, interval: 200 }).toBeGreaterThan(a);
  });

  it('shows a lost utility feed: source A at 0 V, an open power outage, one outage counted', async () => {
    const r = await t.app.demo?.run('fail_source', { source: 'A' });
    expect(r).toMatchObject({ ok: true });
    await expect
      .poll(async () => {
        const { m } = await scrape();
        return [m.value('power2mqtt_source_voltage_volts', { device, source: 'A' }), m.value('power2mqtt_outage_active'), m.value('power2mqtt_outages_total')];
      }, { timeout: 15_000, interval: 200 })
      .toEqual([0, 1, 1]);
    const { m } = await scrape();
    expect(m.value('power2mqtt_source_voltage_volts', { device, source: 'B' })).toBeGreaterThan(90);
    expect(m.value('power2mqtt_pdu_up', { device })).toBe(1);
  }, 20_000);

  describe.runIf(PROMTOOL)('promtool check metrics', () => {
    it('accepts the real output without a single problem', async () => {
      const { text } = await scrape();
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
      expect(r.error).toBeUndefined();
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
      expect(r.status).toBe(0);
    });

    it('rejects a planted `_total` gauge (the check can fail)', () => {
      const bad = '# HELP bad_total A gauge named like a counter.\n# TYPE bad_total gauge\nbad_total 1\n';
      const r = spawnSync('promtool', ['check', 'metrics'], { input: bad, encoding: 'utf8', timeout: 10_000 });
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain('bad_total');
    });
  });
});
