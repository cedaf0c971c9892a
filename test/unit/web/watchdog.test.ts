// The Watchdogs section's pure helpers (web/src/lib/watchdog.ts): state text and tone, the create body, the test line.
import { describe, expect, it } from 'vitest';
import { blankWatchdog, testResultText, watchdogBody, watchdogStateText, watchdogTone } from '../../../web/src/lib/watchdog.js';

describe('watchdog display', () => {
  it.each([
    [{ state: 'suppressed', reason: 'network' }, 'suppressed: network'],
    [{ state: 'suppressed', reason: null }, 'suppressed'],
    [{ state: 'waiting', reason: 'target down for 10 s' }, 'waiting'],
    [{ state: 'ok', reason: null }, 'ok'],
  ])('watchdogStateText(%j) = %s', (s, want) => {
    expect(watchdogStateText(s)).toBe(want);
  });

  it.each([
    ['ok', 'ok'], ['recovered', 'ok'], ['waiting', 'warn'], ['suppressed', 'warn'], ['cycling', 'info'], ['booting', 'info'], ['gave_up', 'bad'], ['other', 'muted'],
  ])('watchdogTone(%s) = %s', (state, want) => {
    expect(watchdogTone(state)).toBe(want);
  });

  it.each([
    [{ result: 'up', response_time: 12.4, error: null }, 'up in 12 ms'],
    [{ result: 'down', response_time: null, error: 'connect ECONNREFUSED' }, 'down (connect ECONNREFUSED)'],
  ])('testResultText(%j) = %s', (r, want) => {
    expect(testResultText(r)).toBe(want);
  });
});

describe('watchdogBody', () => {
  it.each([
    [{ ...blankWatchdog, name: ' modem ', outlet: '2', target: 'http://192.168.1.1/' }, { name: 'modem', outlet: 2, target: 'http://192.168.1.1/', fail_after_s: 180 }],
    [{ ...blankWatchdog, name: 'nas', device: 'pdu-1', outlet: '3', target: 'nas:22', fail_after_s: '' }, { name: 'nas', device: 'pdu-1', outlet: 3, target: 'nas:22' }],
    // Text the server must reject goes through as typed, so its message names the field.
    [{ ...blankWatchdog, name: 'x', outlet: 'two', target: '' }, { name: 'x', outlet: 'two', target: '', fail_after_s: 180 }],
    [{ ...blankWatchdog, name: 'x' }, { name: 'x', target: '', fail_after_s: 180 }],
  ])('%j → %j', (form, want) => {
    expect(watchdogBody(form)).toEqual(want);
  });
});
