import { describe, expect, it } from 'vitest';
import type { QueuedNotification } from '../../../src/core/notify.js';
import {
  backoffSeconds, conditionOf, giveUpBefore, isExpired, nextRepeatAt, nextToSend, quietUntil, repeatKey, type QuietHours,
} from '../../../src/notify/schedule.js';

// Backoff, 24 h give-up, quiet hours, repeat_s and delivery order (SPEC §11.8).

const at = (iso: string): number => Date.parse(iso) / 1000;

describe('backoff: 5 s doubling to a 1 h cap', () => {
  it.each([
    [0, 5], [1, 5], [2, 10], [3, 20], [4, 40], [5, 80], [10, 2560], [11, 3600], [12, 3600], [100, 3600],
  ])('after failure %i wait %i s', (attempts, seconds) => expect(backoffSeconds(attempts)).toBe(seconds));
});

describe('24 h give-up', () => {
  const T = 1_790_000_000;
  it.each([
    [T + 86_399, false], [T + 86_400, false], [T + 86_401, true], [T + 200_000, true],
  ])('created at T, now %i → expired %s', (now, expired) => expect(isExpired(T, now)).toBe(expired));
  it('giveUpBefore is the dropOlderThan bound', () => expect(giveUpBefore(T + 86_401.7)).toBe(T + 1));
});

describe('quiet hours', () => {
  const night: QuietHours = { start: '22:00', end: '07:00', except: ['outage.opened'] };
  const noon: QuietHours = { start: '12:00', end: '13:00', except: [] };
  const early: QuietHours = { start: '01:00', end: '02:30', except: [] };
  it.each<[string, QuietHours | null, string, string, string, string | null]>([
    ['no quiet hours', null, 'outage.closed', 'UTC', '2026-06-01T23:00:00Z', null],
    ['wrap, evening part → tomorrow 07:00', night, 'outage.closed', 'UTC', '2026-06-01T23:00:00Z', '2026-06-02T07:00:00Z'],
    ['wrap, start is inside', night, 'outage.closed', 'UTC', '2026-06-01T22:00:00Z', '2026-06-02T07:00:00Z'],
    ['wrap, morning part → today 07:00', night, 'device.lost', 'UTC', '2026-06-02T03:00:00Z', '2026-06-02T07:00:00Z'],
    ['wrap, end is outside', night, 'device.lost', 'UTC', '2026-06-02T07:00:00Z', null],
    ['wrap, before start', night, 'device.lost', 'UTC', '2026-06-01T21:59:59Z', null],
    ['except list passes', night, 'outage.opened', 'UTC', '2026-06-01T23:00:00Z', null],
    ['plain window inside', noon, 'rule.failed', 'UTC', '2026-06-01T12:30:00Z', '2026-06-01T13:00:00Z'],
    ['plain window end', noon, 'rule.failed', 'UTC', '2026-06-01T13:00:00Z', null],
    ['plain window before', noon, 'rule.failed', 'UTC', '2026-06-01T11:59:00Z', null],
    ['start = end is empty', { start: '08:00', end: '08:00', except: [] }, 'rule.failed', 'UTC', '2026-06-01T08:00:00Z', null],
    ['wall time of the zone (22:30 CEST)', night, 'device.lost', 'Europe/Berlin', '2026-06-01T20:30:00Z', '2026-06-02T05:00:00Z'],
    ['same instant is 20:30 in UTC: outside', night, 'device.lost', 'UTC', '2026-06-01T20:30:00Z', null],
    ['Berlin spring-forward night is 1 h shorter', night, 'device.lost', 'Europe/Berlin', '2026-03-28T22:00:00Z', '2026-03-29T05:00:00Z'],
    ['Berlin fall-back night is 1 h longer', night, 'device.lost', 'Europe/Berlin', '2026-10-24T21:00:00Z', '2026-10-25T06:00:00Z'],
    ['Berlin end in the skipped hour → the transition instant', early, 'device.lost', 'Europe/Berlin', '2026-03-29T00:30:00Z', '2026-03-29T01:00:00Z'],
    ['Berlin end in the repeated hour → its first occurrence', early, 'device.lost', 'Europe/Berlin', '2026-10-24T23:30:00Z', '2026-10-25T00:30:00Z'],
    ['New York wrap', night, 'device.lost', 'America/New_York', '2026-01-15T04:00:00Z', '2026-01-15T12:00:00Z'],
  ])('%s', (_name, quiet, event, tz, now, until) => {
    expect(quietUntil(at(now), quiet, event, tz)).toBe(until === null ? null : at(until));
  });
});

describe('repeat_s', () => {
  it.each([
    [1000, 0, 1500, null], [1000, 60, 999, 1060], [1000, 60, 1000, 1060], [1000, 60, 1059, 1060], [1000, 60, 1060, 1120], [1000, 60, 1200, 1240],
  ])('first %i, every %i s, now %i → %s', (first, every, now, next) => expect(nextRepeatAt(first, every, now)).toBe(next));

  it.each([
    ['outage.opened', { id: 4 }, { key: 'outage:4', phase: 'open' }],
    ['network_fault.closed', { id: 4 }, { key: 'outage:4', phase: 'close' }],
    ['device.lost', { device_id: 'pdu-1' }, { key: 'device:pdu-1', phase: 'open' }],
    ['device.recovered', { device_id: 'pdu-1' }, { key: 'device:pdu-1', phase: 'close' }],
    ['outage.opened', { id: '4' }, null],
    ['device.lost', null, null],
    ['rule.failed', { id: 1 }, null],
  ])('conditionOf(%s, %j)', (event, data, cond) => expect(conditionOf(event, data)).toEqual(cond));

  it('repeat rows have their own key', () => expect(repeatKey('outage:4')).toBe('repeat:outage:4'));
});

describe('nextToSend: order, backoff, holds', () => {
  const T = 1_790_000_000;
  let id = 0;
  const row = (over: Partial<QueuedNotification> = {}): QueuedNotification => ({
    id: ++id, webhook: 'w', event: 'outage.closed', dedupe_key: null, body: '{}', created_at: T, next_attempt_at: T, attempts: 0, last_error: null, ...over,
  });
  const free = (): null => null;

  it('nothing queued: nothing to do, no wake', () => expect(nextToSend([], T, false, free)).toEqual({ row: null, wakeAt: null }));

  it('the oldest due row goes first', () => {
    const a = row();
    expect(nextToSend([a, row()], T, false, free)).toEqual({ row: a });
  });

  it('a failed row waiting out its backoff blocks the later rows; a probe (force) tries it now', () => {
    const head = row({ attempts: 2, next_attempt_at: T + 10 });
    const rows = [head, row()];
    expect(nextToSend(rows, T, false, free)).toEqual({ row: null, wakeAt: T + 10 });
    expect(nextToSend(rows, T + 10, false, free)).toEqual({ row: head });
    expect(nextToSend(rows, T, true, free)).toEqual({ row: head });
  });

  it('a row held by quiet hours lets an excepted later row pass and sets the wake', () => {
    const held = row({ event: 'outage.closed' });
    const excepted = row({ event: 'outage.opened' });
    const quiet = (r: QueuedNotification): number | null => (r.event === 'outage.opened' ? null : T + 3600);
    expect(nextToSend([held, excepted], T, false, quiet)).toEqual({ row: excepted });
    expect(nextToSend([held], T, true, quiet)).toEqual({ row: null, wakeAt: T + 3600 });
  });

  it('a row queued with a later time (held when queued) does not block', () => {
    const later = row({ next_attempt_at: T + 50 });
    const now = row();
    expect(nextToSend([later, now], T, false, free)).toEqual({ row: now });
    expect(nextToSend([later], T, true, free)).toEqual({ row: null, wakeAt: T + 50 });
  });

  it('the wake is the earliest of holds and backoff', () => {
    const rows = [row({ next_attempt_at: T + 500 }), row({ attempts: 1, next_attempt_at: T + 40 }), row({ next_attempt_at: T + 5 })];
    expect(nextToSend(rows, T, false, free)).toEqual({ row: null, wakeAt: T + 40 });
  });
});
