import { describe, expect, it } from 'vitest';
import {
  commandDone, decide, FRESH, isFailing, NO_GUARDS, reset, statusOf, suppression, type DecideConfig, type Guards, type WatchdogMemory,
} from '../../../src/watchdog/decide.js';

// SPEC §12.7: the watchdog's judgement as a table of checks on a fake timeline (epoch seconds).

const CFG: DecideConfig = { fail_after_s: 180, boot_grace_s: 300, max_cycles: 3, window_h: 6 };
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

type Step =
  | { at: number; result: 'up' | 'down' | null; guards?: Partial<Guards>; expect: string; cycle?: boolean }
  | { at: number; done: boolean; expect: string }
  | { at: number; reset: true; expect: string };

/** Runs the steps, checking `state` or `state:reason` after each, and returns the final memory. */
function run(steps: Step[], cfg = CFG, start: WatchdogMemory = FRESH): WatchdogMemory {
  let m = start;
  for (const s of steps) {
    const now = T0 + s.at;
    let cycle = false;
    if ('result' in s) {
      const d = decide(cfg, m, { now, result: s.result, guards: { ...NO_GUARDS, ...s.guards } });
      m = d.memory;
      cycle = d.cycle;
      expect(cycle, `t+${s.at}: cycle`).toBe(s.cycle ?? false);
    } else if ('done' in s) {
      m = commandDone(cfg, m, { ok: s.done, now, error: s.done ? null : 'snmp timeout' }).memory;
    } else {
      m = reset(m);
    }
    const shown = m.state === 'suppressed' || m.state === 'gave_up' ? `${m.state}:${m.reason}` : m.state;
    expect(shown, `t+${s.at}`).toBe(s.expect);
  }
  return m;
}

describe('decide (SPEC §12.7)', () => {
  it('fail → waiting → cycling → booting → recovered → ok', () => {
    const m = run([
      { at: 0, result: 'up', expect: 'ok' },
      { at: 10, result: 'down', expect: 'waiting' },
      { at: 100, result: 'down', expect: 'waiting' },
      { at: 189, result: 'down', expect: 'waiting' },
      { at: 190, result: 'down', expect: 'cycling', cycle: true },
      // Checks while the command runs change nothing.
      { at: 195, result: 'down', expect: 'cycling' },
      { at: 200, done: true, expect: 'booting' },
      // Not judged within boot_grace_s: no failure streak, no cycle.
      { at: 400, result: 'down', expect: 'booting' },
      { at: 450, result: 'up', expect: 'recovered' },
      { at: 460, result: 'up', expect: 'ok' },
    ]);
    expect(statusOf(m, T0 + 460, 6)).toEqual({ state: 'ok', reason: null, cycles: 1, last_cycle_at: T0 + 200 });
  });

  it('names the silence as the reason of a cycle', () => {
    const d = decide(CFG, { ...FRESH, state: 'waiting', failing_since: T0 }, { now: T0 + 181, result: 'down', guards: NO_GUARDS });
    expect(d).toMatchObject({ cycle: true, changed: true, memory: { state: 'cycling', reason: 'target silent 181 s' } });
  });

  it('a flapping target restarts the failure timer at every answer', () => {
    run([
      { at: 0, result: 'down', expect: 'waiting' },
      { at: 170, result: 'down', expect: 'waiting' },
      { at: 175, result: 'up', expect: 'ok' },
      { at: 180, result: 'down', expect: 'waiting' },
      { at: 350, result: 'down', expect: 'waiting' },
      { at: 355, result: 'up', expect: 'ok' },
      { at: 360, result: 'down', expect: 'waiting' },
      { at: 540, result: 'down', expect: 'cycling', cycle: true },
    ]);
  });

  it('an ISP outage (control target down) holds the cycle, and it happens when the guard lifts', () => {
    run([
      { at: 0, result: 'down', guards: { network: true }, expect: 'waiting' },
      { at: 180, result: 'down', guards: { network: true }, expect: 'suppressed:network' },
      { at: 3600, result: 'down', guards: { network: true }, expect: 'suppressed:network' },
      { at: 3610, result: 'down', expect: 'cycling', cycle: true },
    ]);
  });

  it.each<[string, Partial<Guards>, string]>([
    ['a mains outage', { outage: true }, 'outage'],
    ['a network fault', { network: true }, 'network'],
    ['an unhealthy device', { unhealthy: true }, 'unhealthy'],
    ['a device without outlet data', { outlet: 'unknown' }, 'unhealthy'],
    ['an outlet switched off by someone else', { outlet: 'off' }, 'outlet_off'],
    // The first reason of the list wins.
    ['an outage with the device lost', { outage: true, unhealthy: true, outlet: 'off' }, 'outage'],
  ])('%s suppresses a due cycle (%j → %s), never switching anything', (_what, guards, reason) => {
    run([
      { at: 0, result: 'down', guards, expect: 'waiting' },
      { at: 180, result: 'down', guards, expect: `suppressed:${reason}` },
      { at: 7200, result: 'down', guards, expect: `suppressed:${reason}` },
    ]);
  });

  it('an outlet held off by another cause is never switched on: an answer after it is switched on again is just ok', () => {
    run([
      { at: 0, result: 'down', guards: { outlet: 'off' }, expect: 'waiting' },
      { at: 200, result: 'down', guards: { outlet: 'off' }, expect: 'suppressed:outlet_off' },
      { at: 900, result: 'up', expect: 'ok' },
    ]);
  });

  it('after max_cycles within window_h it gives up; an answer clears it, the count ages out of the window', () => {
    const cfg = { ...CFG, max_cycles: 2, window_h: 1, boot_grace_s: 60, fail_after_s: 60 };
    const m = run([
      { at: 0, result: 'down', expect: 'waiting' },
      { at: 60, result: 'down', expect: 'cycling', cycle: true },
      { at: 61, done: true, expect: 'booting' },
      { at: 130, result: 'down', expect: 'waiting' },
      { at: 190, result: 'down', expect: 'cycling', cycle: true },
      { at: 191, done: true, expect: 'booting' },
      { at: 260, result: 'down', expect: 'waiting' },
      { at: 320, result: 'down', expect: 'gave_up:2 cycles within 1 h' },
      { at: 2000, result: 'down', expect: 'gave_up:2 cycles within 1 h' },
      // gave_up holds whatever the guards say.
      { at: 2010, result: 'down', guards: { outage: true }, expect: 'gave_up:2 cycles within 1 h' },
      { at: 2020, result: 'up', expect: 'ok' },
    ], cfg);
    expect(statusOf(m, T0 + 2020, 1).cycles).toBe(2);
    expect(statusOf(m, T0 + 3700, 1).cycles).toBe(1);
    expect(statusOf(m, T0 + 3800, 1).cycles).toBe(0);
  });

  it('a reset clears gave_up and the count; the failure timer starts over', () => {
    const cfg = { ...CFG, max_cycles: 1, boot_grace_s: 10, fail_after_s: 30 };
    const m = run([
      { at: 0, result: 'down', expect: 'waiting' },
      { at: 30, result: 'down', expect: 'cycling', cycle: true },
      { at: 31, done: true, expect: 'booting' },
      { at: 50, result: 'down', expect: 'waiting' },
      { at: 80, result: 'down', expect: 'gave_up:1 cycles within 6 h' },
      { at: 90, reset: true, expect: 'ok' },
      { at: 100, result: 'down', expect: 'waiting' },
      { at: 130, result: 'down', expect: 'cycling', cycle: true },
    ], cfg);
    expect(m.cycle_times).toEqual([]);
  });

  it('a failed outlet command counts no cycle and is retried at the next failing check', () => {
    const m = run([
      { at: 0, result: 'down', expect: 'waiting' },
      { at: 180, result: 'down', expect: 'cycling', cycle: true },
      { at: 181, done: false, expect: 'waiting' },
      { at: 190, result: 'down', expect: 'cycling', cycle: true },
    ]);
    expect(m.cycle_times).toEqual([]);
    expect(commandDone(CFG, { ...m }, { ok: false, now: T0 + 191, error: 'protected outlet' }).memory.reason).toBe('outlet command failed: protected outlet');
  });

  it('a check without a result (switch not probed yet) changes nothing', () => {
    const before = { ...FRESH, state: 'waiting' as const, failing_since: T0 };
    expect(decide(CFG, before, { now: T0 + 500, result: null, guards: NO_GUARDS })).toEqual({ memory: before, cycle: false, changed: false });
  });

  it('depends_on chain: the router waits while the modem is failing or booting; its own streak starts when the modem answers', () => {
    // Upstream (modem) and downstream (router) fed with the same timeline.
    let modem = FRESH;
    let router = FRESH;
    const states: string[] = [];
    for (const [at, modemUp, routerUp] of [[0, false, false], [180, false, false], [181, false, false], [400, true, false], [500, true, false], [580, true, false]] as const) {
      const now = T0 + at;
      const dm = decide(CFG, modem, { now, result: modemUp ? 'up' : 'down', guards: NO_GUARDS });
      modem = dm.cycle ? commandDone(CFG, dm.memory, { ok: true, now }).memory : dm.memory;
      const dr = decide(CFG, router, { now, result: routerUp ? 'up' : 'down', guards: { ...NO_GUARDS, dependsOnFailing: isFailing(modem) } });
      router = dr.memory;
      states.push(`${modem.state}/${router.state}${router.reason && router.state === 'suppressed' ? `:${router.reason}` : ''}${dr.cycle ? '!' : ''}`);
    }
    expect(states).toEqual([
      'waiting/suppressed:depends_on', 'booting/suppressed:depends_on', 'booting/suppressed:depends_on', 'recovered/waiting', 'ok/waiting', 'ok/cycling!',
    ]);
  });

  it('a failing upstream watchdog holds the downstream at once, its failure not counted', () => {
    run([
      { at: 0, result: 'down', guards: { dependsOnFailing: true }, expect: 'suppressed:depends_on' },
      { at: 500, result: 'down', guards: { dependsOnFailing: true }, expect: 'suppressed:depends_on' },
      { at: 510, result: 'down', expect: 'waiting' },
    ]);
  });

  it('suppression order follows the reason list of SPEC §12.7', () => {
    expect(suppression(NO_GUARDS)).toBeNull();
    expect(suppression({ ...NO_GUARDS, network: true, dependsOnFailing: true })).toBe('network');
    expect(suppression({ ...NO_GUARDS, dependsOnFailing: true, outlet: 'off' })).toBe('depends_on');
  });
});
