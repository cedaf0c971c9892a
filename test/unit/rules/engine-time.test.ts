import { afterEach, describe, expect, it } from 'vitest';
import type { OutageEventType, Verdict } from '../../../src/core/power.js';
import { Harness, rule, setSourceA } from './engine-harness.js';

// Time conditions (30 s tick, overnight windows, days_of_week, DST in the service's time zone)
// and the transitions that are not samples: outage open/close/verdict, device health (SPEC §12.4).

let h: Harness;
afterEach(async () => h.close());

const at = (iso: string): number => Date.parse(iso) / 1000;

function outage(type: OutageEventType, state: Verdict): void {
  h.outage = state;
  h.bus.emit('outage', { type, state, outage: null, ts: h.now });
}

const night = (over: Record<string, unknown> = {}) =>
  rule('night', { condition: 'time_between', input: 0, threshold: '22:00-06:00', outlet: 8, delay: 5, ...over });

describe('time conditions', () => {
  it('are evaluated by the 30 s tick without samples; other conditions are not', async () => {
    h = new Harness({ startMs: Date.UTC(2026, 10, 24, 21, 59, 50) });
    h.start([night({ threshold: '22:00-23:00' }), rule('volts')]);
    setSourceA(h.registry.snapshot('pdu-01'), 100); // changed, but never published as a sample
    await h.advance(29); // 22:00:19: the window holds, but no tick has looked yet
    expect(h.state('night').phase).toBe('idle');
    await h.advance(1); // 22:00:20: the tick (30 s after start)
    expect(h.state('night')).toMatchObject({ phase: 'pending', condition_since: at('2026-11-24T22:00:20Z') });
    await h.advance(4);
    expect(h.sent()).toEqual([]);
    await h.advance(1);
    expect(h.sent()).toEqual(['pdu-01:8:off']);
    expect(h.registry.calls[0]?.at).toBe(at('2026-11-24T22:00:25Z'));
    await h.advance(60);
    expect(h.state('volts').phase).toBe('idle');
  });

  it('22:00-06:00 on Fridays only: enters Friday 22:00, ends 06:00 Saturday (days not re-checked while fired)', async () => {
    h = new Harness({ startMs: Date.UTC(2026, 10, 27, 21, 59, 0) }); // Friday
    h.start([night({ days_of_week: [4] })]);
    await h.advance(64);
    expect(h.state('night').phase).toBe('pending');
    await h.advance(1);
    expect(h.sent()).toEqual(['pdu-01:8:off']);
    expect(h.registry.calls[0]?.at).toBe(at('2026-11-27T22:00:05Z'));
    await h.advance(at('2026-11-28T05:59:40Z') - h.now); // past midnight: Saturday, still fired
    expect(h.state('night').phase).toBe('fired');
    expect(h.registry.calls).toHaveLength(1);
    await h.advance(30);
    expect(h.sent()).toEqual(['pdu-01:8:off', 'pdu-01:8:on']);
    expect(h.registry.calls[1]?.at).toBe(at('2026-11-28T06:00:00Z'));
    await h.advance(at('2026-11-28T22:10:00Z') - h.now); // Saturday night: not a Friday
    expect(h.registry.calls).toHaveLength(2);
    expect(h.state('night').phase).toBe('idle');
  });

  it('days_of_week gates entering only: a Thursday-night window enters at Friday 00:00 when only Friday is allowed', async () => {
    h = new Harness({ startMs: Date.UTC(2026, 10, 26, 21, 0, 0) }); // Thursday
    h.start([night({ days_of_week: [4], delay: 0 })]);
    await h.advance(at('2026-11-27T07:00:00Z') - h.now); // Thursday 22:00-24:00 is not allowed; Friday 00:00-06:00 is
    expect(h.registry.calls.map((c) => [c.action, c.at])).toEqual([['off', at('2026-11-27T00:00:00Z')], ['on', at('2026-11-27T06:00:00Z')]]);
  });

  it('follows the service time zone across the spring DST change (Europe/Berlin)', async () => {
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00 UTC; 02:30 local never happens.
    h = new Harness({ startMs: Date.UTC(2026, 2, 29, 0, 59, 0), tz: 'Europe/Berlin' });
    h.start([night({ threshold: '02:30-03:30', delay: 0 })]);
    await h.advance(3600);
    // A fixed UTC+1 would have fired at 01:30 UTC (02:30 "CET") and restored at 02:30 UTC.
    expect(h.registry.calls.map((c) => [c.action, c.at])).toEqual([['off', at('2026-03-29T01:00:00Z')], ['on', at('2026-03-29T01:30:00Z')]]);
  });

  it('a local window inside the repeated autumn hour holds twice (Europe/Berlin)', async () => {
    // 25 October 2026: 03:00 CEST goes back to 02:00 CET at 01:00 UTC.
    h = new Harness({ startMs: Date.UTC(2026, 9, 24, 23, 59, 0), tz: 'Europe/Berlin' });
    h.start([night({ threshold: '02:00-02:30', delay: 0 })]);
    await h.advance(2 * 3600);
    expect(h.registry.calls.map((c) => [c.action, c.at])).toEqual([
      ['off', at('2026-10-25T00:00:00Z')], ['on', at('2026-10-25T00:30:00Z')], ['off', at('2026-10-25T01:00:00Z')], ['on', at('2026-10-25T01:30:00Z')],
    ]);
  });
});

describe('outage edges and level', () => {
  it('outage_start fires once per opened outage after its delay; verdicts do not restart it', async () => {
    h = new Harness();
    h.start([rule('modem', { condition: 'outage_start', input: 0, threshold: null, outlet: 2, action: 'reboot', delay: 10 })]);
    outage('opened', 'outage');
    const t0 = h.now;
    expect(h.state('modem').phase).toBe('pending');
    await h.advance(3);
    outage('verdict', 'outage');
    await h.advance(6, 'pdu-01');
    expect(h.sent()).toEqual([]);
    await h.advance(1, 'pdu-01');
    expect(h.sent()).toEqual(['pdu-01:2:reboot']);
    expect(h.registry.calls[0]?.at).toBe(t0 + 10);
    expect(h.state('modem')).toMatchObject({ phase: 'idle', execution_count: 1 });
    await h.advance(60, 'pdu-01');
    outage('verdict', 'outage');
    await h.advance(30);
    expect(h.registry.calls).toHaveLength(1);
  });

  it('a new edge while pending restarts the delay', async () => {
    h = new Harness();
    h.start([rule('modem', { condition: 'outage_start', input: 0, threshold: null, outlet: 2, action: 'reboot', delay: 10 })]);
    outage('opened', 'outage');
    const t0 = h.now;
    await h.advance(5);
    outage('opened', 'outage');
    await h.advance(9);
    expect(h.sent()).toEqual([]);
    await h.advance(1);
    expect(h.registry.calls.map((c) => c.at)).toEqual([t0 + 15]);
  });

  it('outage_end fires on the closed event; its restore is ignored', async () => {
    h = new Harness();
    h.start([rule('after', { condition: 'outage_end', input: 0, threshold: null, outlet: 2, action: 'on', delay: 5, restore: true })]);
    outage('opened', 'outage');
    await h.advance(30, 'pdu-01');
    expect(h.sent()).toEqual([]);
    outage('closed', 'normal');
    await h.advance(5, 'pdu-01');
    await h.advance(60, 'pdu-01');
    expect(h.sent()).toEqual(['pdu-01:2:on']);
  });

  it('outage_active follows the outage verdict on the bus: shed after delay, restore after restore_delay', async () => {
    h = new Harness();
    h.start([rule('shed', { condition: 'outage_active', input: 0, threshold: null, outlet: '1,3', delay: 60, restore_delay: 300 })]);
    outage('verdict', 'outage');
    expect(h.state('shed').phase).toBe('pending');
    await h.advance(59, 'pdu-01');
    expect(h.sent()).toEqual([]);
    await h.advance(1, 'pdu-01');
    expect(h.sent()).toEqual(['pdu-01:1:off', 'pdu-01:3:off']);
    outage('closed', 'normal');
    expect(h.state('shed').phase).toBe('restoring');
    await h.advance(299, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
    await h.advance(1, 'pdu-01');
    expect(h.sent().slice(2)).toEqual(['pdu-01:1:on', 'pdu-01:3:on']);
  });
});

describe('device health', () => {
  const recovered = rule('revive', { condition: 'device_health_is', input: 0, threshold: 'recovered', outlet: 2, action: 'reboot', delay: 0 });

  it('`recovered` fires on the lost → healthy edge only', async () => {
    h = new Harness();
    h.start([recovered]);
    h.bus.emit('health', { device_id: 'pdu-01', from: 'degraded', to: 'healthy', reason: null, consecutive_failures: 0, ts: h.now });
    await h.advance(5);
    expect(h.sent()).toEqual([]);
    h.registry.device('pdu-01').state = 'lost';
    h.bus.emit('health', { device_id: 'pdu-01', from: 'healthy', to: 'lost', reason: 'timeout', consecutive_failures: 5, ts: h.now });
    await h.advance(5);
    h.registry.device('pdu-01').state = 'healthy';
    h.bus.emit('health', { device_id: 'pdu-01', from: 'lost', to: 'healthy', reason: null, consecutive_failures: 0, ts: h.now });
    await h.advance(30, 'pdu-01');
    expect(h.sent()).toEqual(['pdu-01:2:reboot']);
    expect(h.state('revive')).toMatchObject({ phase: 'idle', execution_count: 1 });
  });

  it('`lost` is a level read from the registry on the health transition', async () => {
    h = new Harness();
    h.start([rule('gone', { condition: 'device_health_is', input: 0, threshold: 'lost', outlet: 5, action: 'on', delay: 0, restore: false })]);
    h.registry.device('pdu-01').state = 'lost';
    h.bus.emit('health', { device_id: 'pdu-01', from: 'healthy', to: 'lost', reason: 'timeout', consecutive_failures: 5, ts: h.now });
    await h.advance(1);
    expect(h.sent()).toEqual(['pdu-01:5:on']);
    expect(h.state('gone').phase).toBe('fired');
  });
});
