import { describe, expect, it } from 'vitest';
import type { OutageRecord } from '../../../src/core/power.js';
import { formatDuration, localClock, oneLine, outageLine, reminderText, summaryText, webhookBody } from '../../../src/notify/payload.js';

// Webhook bodies and their one-line texts (SPEC §11.8).

const at = (iso: string): number => Date.parse(iso) / 1000;

function outage(over: Partial<OutageRecord> = {}): OutageRecord {
  return {
    id: 7, kind: 'power', started_at: at('2026-11-24T02:13:05Z'), ended_at: null, duration_seconds: null, is_ongoing: true,
    cause: 'utility_source_lost', scope: 'source_a', confidence: 'medium', switches_affected: [], outlets_shed: {}, evidence: {}, ...over,
  };
}
const closed = (over: Partial<OutageRecord> = {}): OutageRecord =>
  outage({ ended_at: at('2026-11-24T02:41:05Z'), duration_seconds: 28 * 60, is_ongoing: false, ...over });

describe('formatDuration', () => {
  it.each([
    [0, '0 s'], [45, '45 s'], [60, '1 min'], [28 * 60, '28 min'], [89, '1 min'], [90, '2 min'], [3600, '1 h'], [3900, '1 h 5 min'],
    [86_400, '1 d'], [86_400 + 3 * 3600, '1 d 3 h'], [-5, '0 s'],
  ])('%s s → %s', (s, text) => expect(formatDuration(s)).toBe(text));
});

describe('outage texts', () => {
  it('the SPEC example: mains out 02:13–02:41 (28 min), source A, outlets shed: 3, 5', () => {
    expect(outageLine(closed({ outlets_shed: { 'pdu-1': [3, 5] } }), 'UTC')).toBe('mains out 02:13–02:41 (28 min), source A, outlets shed: 3, 5');
  });

  it('times are shown in the configured zone', () => {
    expect(outageLine(closed(), 'Europe/Berlin')).toBe('mains out 03:13–03:41 (28 min), source A');
    expect(outageLine(closed(), 'America/New_York')).toBe('mains out 21:13–21:41 (28 min), source A');
  });

  it('an ongoing outage, other scopes, several PDUs shed', () => {
    expect(outageLine(outage({ scope: 'site' }), 'UTC')).toBe('mains out since 02:13, whole site');
    expect(outageLine(outage({ scope: 'partial' }), 'UTC')).toBe('mains out since 02:13, partial');
    expect(outageLine(outage({ scope: null }), 'UTC')).toBe('mains out since 02:13');
    expect(outageLine(closed({ scope: 'source_b', outlets_shed: { a: [1], b: [], c: [2, 4] } }), 'UTC')).toBe(
      'mains out 02:13–02:41 (28 min), source B, outlets shed: a 1; c 2, 4',
    );
  });

  it('a span of a day or more shows dates', () => {
    const o = closed({ ended_at: at('2026-11-25T04:13:05Z'), duration_seconds: 26 * 3600 });
    expect(outageLine(o, 'UTC')).toBe('mains out 2026-11-24 02:13–2026-11-25 04:13 (1 d 2 h), source A');
  });

  it('a network record is a network fault, without power scope', () => {
    expect(outageLine(outage({ kind: 'network', scope: null }), 'UTC')).toBe('network fault since 02:13');
    expect(summaryText('network_fault.closed', closed({ kind: 'network', scope: null }), 'UTC')).toBe('network fault 02:13–02:41 (28 min)');
  });
});

describe('summaryText of the other events', () => {
  const health = { device_id: 'pdu-1', from: 'recovering', to: 'lost', reason: 'timeout', consecutive_failures: 35, ts: 0 };
  it.each([
    ['outage.opened', outage(), 'mains out since 02:13, source A'],
    ['device.lost', health, 'device pdu-1 lost (timeout, 35 failed polls)'],
    ['device.lost', { device_id: 'pdu-1' }, 'device pdu-1 lost'],
    ['device.recovered', { ...health, from: 'lost', to: 'healthy' }, 'device pdu-1 recovered'],
    ['rule.failed', { rule: 'shed', type: 'command_failed', details: 'outlet 3: timeout' }, 'rule "shed" failed: outlet 3: timeout'],
    ['rule.fired', { rule: 'shed' }, 'rule "shed" fired'],
    ['watchdog.cycling', { name: 'modem', reason: 'target silent 180 s', cycles: 2 }, 'watchdog modem is power-cycling its outlet (target silent 180 s), cycle 2'],
    ['watchdog.gave_up', { name: 'modem', cycles: 3 }, 'watchdog modem gave up after 3 cycles'],
    ['test', { webhook: 'phone' }, 'test notification from power2mqtt'],
    ['something.else', null, 'something.else'],
  ])('%s', (event, data, text) => expect(summaryText(event, data, 'UTC')).toBe(text));
});

describe('webhook body', () => {
  it('is {event, ts, text, data} with the summary as text', () => {
    const o = closed();
    expect(webhookBody('outage.closed', o, 1_790_000_000, 'UTC')).toEqual({ event: 'outage.closed', ts: 1_790_000_000, text: 'mains out 02:13–02:41 (28 min), source A', data: o });
  });

  it('a caller text wins and is flattened to one bounded line; missing data is null', () => {
    const b = webhookBody('rule.fired', undefined, 5, 'UTC', 'line one\n  line two');
    expect(b).toEqual({ event: 'rule.fired', ts: 5, text: 'line one line two', data: null });
    expect(oneLine('x'.repeat(1000))).toHaveLength(300);
  });

  it('a reminder tells how long the condition lasts', () => {
    expect(reminderText('mains out since 02:13, source A', 100, 100 + 3900)).toBe('mains out since 02:13, source A; still ongoing after 1 h 5 min');
  });

  it('localClock pads and can show the date', () => {
    expect(localClock(at('2026-01-02T03:04:59Z'), 'UTC')).toBe('03:04');
    expect(localClock(at('2026-01-02T03:04:59Z'), 'UTC', true)).toBe('2026-01-02 03:04');
  });
});
