import { describe, expect, it } from 'vitest';
import {
  HEALTH_LIMITS, availabilityOf, initialHealth, onCycleFailure, onCycleSuccess, onIdentityError, type HealthState,
} from '../../../src/devices/pdu/health.js';

const BASE = 1000;

/** Drive the machine with failed cycles at its own cadence; returns states and events seen. */
function failFor(start: HealthState, cycles: number, t0 = 0) {
  let s = start;
  let t = t0;
  const events: string[] = [];
  const states: string[] = [];
  let attempts = 0;
  for (let i = 0; i < cycles; i++) {
    const step = onCycleFailure(s, t, 'timeout', BASE);
    s = step.next;
    if (step.recoveryAttempt) attempts++;
    events.push(...step.events.map((e) => e.type));
    states.push(s.state);
    t += s.intervalMs;
  }
  return { s, events, states, attempts, t };
}

describe('transport health machine (SPEC §7.7, counted in cycles)', () => {
  it.each([
    [9, 'healthy', []],
    [10, 'degraded', ['conn_degraded']],
    [29, 'degraded', ['conn_degraded']],
    [30, 'recovering', ['conn_degraded', 'conn_lost']],
  ])('%i failed cycles → %s', (n, state, events) => {
    const r = failFor(initialHealth(BASE), n);
    expect(r.s.state).toBe(state);
    expect(r.events).toEqual(events);
    expect(r.s.consecutiveFailures).toBe(n);
  });

  it('cadence: base interval while degraded, doubling up to 60 s while recovering', () => {
    const r = failFor(initialHealth(BASE), 36);
    const degradedAt = r.states.indexOf('degraded');
    expect(degradedAt).toBe(9);
    const recoveringIntervals: number[] = [];
    let s = failFor(initialHealth(BASE), 29).s;
    expect(s.intervalMs).toBe(BASE); // degraded polls at the normal rate
    let t = 0;
    for (let i = 0; i < 12; i++) {
      s = onCycleFailure(s, t, 'x', BASE).next;
      if (s.state === 'recovering') recoveringIntervals.push(s.intervalMs);
      t += s.intervalMs;
    }
    expect(recoveringIntervals.slice(0, 8)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });

  it('5 failed recovery attempts (one per 60 s) → lost, with backoff from 60 s up to 300 s', () => {
    const r = failFor(initialHealth(BASE), 200);
    expect(r.s.state).toBe('lost');
    expect(r.events.filter((e) => e === 'conn_lost')).toHaveLength(2); // recovering, then lost
    expect(r.s.intervalMs).toBe(HEALTH_LIMITS.lostMaxIntervalMs);
    const firstLost = r.states.indexOf('lost');
    // at least 5 recovery attempts, each ≥ 60 s apart, happened before lost
    expect(firstLost).toBeGreaterThan(30);
    expect(r.attempts).toBeGreaterThanOrEqual(6);
  });

  it('a success from any failing state restores healthy, emits conn_restored and resets the cadence', () => {
    for (const n of [10, 30, 200]) {
      const r = failFor(initialHealth(BASE), n);
      const step = onCycleSuccess(r.s, r.t, BASE);
      expect(step.next.state).toBe('healthy');
      expect(step.events.map((e) => e.type)).toEqual(['conn_restored']);
      expect(step.next.intervalMs).toBe(BASE);
      expect(step.changed).toBe(true);
    }
    const ok = onCycleSuccess(initialHealth(BASE), 5, BASE);
    expect(ok.events).toEqual([]);
    expect(ok.changed).toBe(false);
  });

  it('a single success resets the failure count (failures must be consecutive)', () => {
    let s = failFor(initialHealth(BASE), 9).s;
    s = onCycleSuccess(s, 0, BASE).next;
    expect(failFor(s, 9).s.state).toBe('healthy');
  });

  it('identity errors: error state, one event per reason, 300 s re-check, not left by failures', () => {
    const a = onIdentityError(initialHealth(BASE), 'serial_mismatch', 'x', BASE);
    expect(a.next.state).toBe('error');
    expect(a.events.map((e) => e.type)).toEqual(['serial_mismatch']);
    expect(a.next.intervalMs).toBe(HEALTH_LIMITS.errorRecheckMs);
    expect(onIdentityError(a.next, 'serial_mismatch', 'x', BASE).events).toEqual([]);
    expect(onCycleFailure(a.next, 0, 'timeout', BASE).next.state).toBe('error');
    expect(onIdentityError(a.next, 'not_a_pdu', 'y', BASE).events.map((e) => e.type)).toEqual(['not_a_pdu']);
  });

  it.each([
    ['healthy', 'online'],
    ['degraded', 'offline'],
    ['recovering', 'offline'],
    ['lost', 'offline'],
    ['error', 'offline'],
  ] as const)('availability of %s is %s', (state, avail) => {
    expect(availabilityOf(state)).toBe(avail);
  });
});
