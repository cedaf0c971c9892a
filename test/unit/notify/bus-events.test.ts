import { describe, expect, it } from 'vitest';
import type { HealthChange } from '../../../src/core/bus.js';
import type { OutageBusEvent, OutageRecord } from '../../../src/core/power.js';
import { conditionSince, healthWebhookEvent, outageWebhookEvent } from '../../../src/notify/bus-events.js';

// Bus events → webhook events (SPEC §11.8, §11.4, §7.7).

const rec = (over: Partial<OutageRecord> = {}): OutageRecord => ({
  id: 3, kind: 'power', started_at: 100, ended_at: null, duration_seconds: null, is_ongoing: true, cause: null, scope: null, confidence: null,
  switches_affected: [], outlets_shed: {}, evidence: {}, ...over,
});
const ev = (type: OutageBusEvent['type'], outage: OutageRecord | null): OutageBusEvent => ({ type, state: 'outage', outage, ts: 500 });
const done = rec({ ended_at: 200, duration_seconds: 100, is_ongoing: false });

describe('outageWebhookEvent', () => {
  it.each<[OutageBusEvent['type'], OutageRecord | null, string | null]>([
    ['opened', rec(), 'outage.opened'],
    ['closed', done, 'outage.closed'],
    ['network_fault_opened', rec({ kind: 'network' }), 'network_fault.opened'],
    ['network_fault_closed', { ...done, kind: 'network' }, 'network_fault.closed'],
    ['opened', done, null], // recorded already closed: only its outage.closed goes out
    ['updated', rec(), null],
    ['verdict', null, null],
    ['device_down', null, null],
  ])('%s → %s', (type, outage, event) => {
    const w = outageWebhookEvent(ev(type, outage));
    expect(w?.event ?? null).toBe(event);
    if (w) expect(w).toMatchObject({ data: outage, ts: 500 });
  });
});

describe('healthWebhookEvent', () => {
  const c = (from: HealthChange['from'], to: HealthChange['to']): HealthChange => ({ device_id: 'p', from, to, reason: null, consecutive_failures: 0, ts: 9 });
  it.each<[HealthChange['from'], HealthChange['to'], string | null]>([
    ['recovering', 'lost', 'device.lost'],
    ['lost', 'healthy', 'device.recovered'],
    ['lost', 'recovering', null],
    ['healthy', 'degraded', null],
    ['degraded', 'healthy', null],
    ['lost', 'lost', null],
  ])('%s → %s: %s', (from, to, event) => expect(healthWebhookEvent(c(from, to))?.event ?? null).toBe(event));
});

it('conditionSince: the outage start, else the event time', () => {
  expect(conditionSince(rec(), 500)).toBe(100);
  expect(conditionSince({ device_id: 'p' }, 500)).toBe(500);
  expect(conditionSince(null, 500)).toBe(500);
});
