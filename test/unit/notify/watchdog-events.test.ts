import { describe, expect, it } from 'vitest';
import type { WatchdogBusEvent, WatchdogState } from '../../../src/core/watchdog.js';
import { watchdogWebhookEvent } from '../../../src/notify/bus-events.js';
import { summaryText } from '../../../src/notify/payload.js';

// SPEC §11.8: a watchdog entering cycling or gave_up is a webhook event; nothing else is.

const ev = (kind: WatchdogBusEvent['kind'], state: WatchdogState, reason: string | null = null, cycles = 1): WatchdogBusEvent => ({
  kind, name: 'modem', status: { state, reason, cycles, last_cycle_at: null }, device_id: 'pdu1', outlet: 2, details: '', ts: 100,
});

describe('watchdogWebhookEvent', () => {
  it.each<[WatchdogBusEvent, string | null]>([
    [ev('state', 'cycling', 'target silent 181 s', 0), 'watchdog.cycling'],
    [ev('state', 'gave_up', '3 cycles within 6 h', 3), 'watchdog.gave_up'],
    [ev('state', 'waiting'), null],
    [ev('state', 'suppressed', 'outage'), null],
    [ev('state', 'recovered'), null],
    [ev('check', 'cycling'), null],
    [ev('cycle', 'booting'), null],
    [{ ...ev('changed', 'ok'), status: null }, null],
  ])('%j → %s', (e, event) => {
    expect(watchdogWebhookEvent(e)?.event ?? null).toBe(event);
  });

  it('carries name, reason and cycles, which the summary line reads', () => {
    const w = watchdogWebhookEvent(ev('state', 'gave_up', '3 cycles within 6 h', 3));
    expect(w).toMatchObject({ ts: 100, data: { name: 'modem', cycles: 3, device_id: 'pdu1', outlet: 2 } });
    expect(summaryText(w!.event, w!.data, 'UTC')).toBe('watchdog modem gave up after 3 cycles (3 cycles within 6 h)');
    const c = watchdogWebhookEvent(ev('state', 'cycling', 'target silent 181 s', 0));
    expect(summaryText(c!.event, c!.data, 'UTC')).toBe('watchdog modem is power-cycling its outlet (target silent 181 s), cycle 1');
  });
});
