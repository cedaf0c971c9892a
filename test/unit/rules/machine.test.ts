import { describe, expect, it } from 'vitest';
import { commandDone, IDLE, oppositeAction, stepMachine, type MachineRule, type MachineState } from '../../../src/rules/machine.js';

// The per-rule state machine (SPEC §12.4), driven by scripts of (time, condition, command result).

const RULE: MachineRule = { action: 'off', restore: true, delay: 10, restore_delay: 0, cooldown_s: 0, edge: false };

type Step = { t: number; cond?: boolean; day?: boolean; done?: boolean };
interface Trace {
  phases: string[];
  effects: string[];
  wake: Array<number | null>;
  state: MachineState;
}

/** Runs a script: `done` finishes the command in flight (true ok / false failed) instead of evaluating. */
function run(rule: MachineRule, steps: Step[], retryS = 30): Trace {
  let s: MachineState = IDLE;
  const out: Trace = { phases: [], effects: [], wake: [], state: s };
  for (const st of steps) {
    const r = st.done === undefined
      ? stepMachine(rule, s, { now: st.t, condition: st.cond ?? false, dayAllowed: st.day ?? true })
      : commandDone(rule, s, st.done, st.t, retryS);
    s = r.state;
    out.phases.push(s.phase);
    out.effects.push(r.effect ?? '-');
    out.wake.push(r.wakeAt);
  }
  out.state = s;
  return out;
}

describe('rule state machine (SPEC §12.4)', () => {
  it.each([
    {
      what: 'fires after the delay, restores when the condition clears',
      rule: RULE,
      steps: [{ t: 0, cond: true }, { t: 5, cond: true }, { t: 10, cond: true }, { t: 10.2, done: true }, { t: 20, cond: false }, { t: 20.1, done: true }],
      phases: ['pending', 'pending', 'pending', 'fired', 'restoring', 'idle'],
      effects: ['-', '-', 'fire', '-', 'restore', '-'],
    },
    {
      what: 'a condition that clears before the delay never fires',
      rule: RULE,
      steps: [{ t: 0, cond: true }, { t: 9, cond: false }, { t: 10, cond: false }],
      phases: ['pending', 'idle', 'idle'],
      effects: ['-', '-', '-'],
    },
    {
      what: 'delay 0 fires on the first true evaluation',
      rule: { ...RULE, delay: 0 },
      steps: [{ t: 0, cond: true }],
      phases: ['pending'],
      effects: ['fire'],
    },
    {
      what: 'restore_delay: clear must hold; a relapse goes back to fired without a command',
      rule: { ...RULE, delay: 0, restore_delay: 30 },
      steps: [{ t: 0, cond: true }, { t: 0.1, done: true }, { t: 5, cond: false }, { t: 20, cond: true }, { t: 25, cond: false }, { t: 54, cond: false }, { t: 55, cond: false }],
      phases: ['pending', 'fired', 'restoring', 'fired', 'restoring', 'restoring', 'restoring'],
      effects: ['fire', '-', '-', '-', '-', '-', 'restore'],
    },
    {
      what: 'reboot never restores',
      rule: { ...RULE, action: 'reboot' as const, delay: 0 },
      steps: [{ t: 0, cond: true }, { t: 0.1, done: true }, { t: 5, cond: false }],
      phases: ['pending', 'fired', 'idle'],
      effects: ['fire', '-', '-'],
    },
    {
      what: 'restore false: back to idle without a command',
      rule: { ...RULE, restore: false, delay: 0 },
      steps: [{ t: 0, cond: true }, { t: 0.1, done: true }, { t: 5, cond: false }],
      phases: ['pending', 'fired', 'idle'],
      effects: ['fire', '-', '-'],
    },
    {
      what: 'days_of_week gates entering pending only',
      rule: { ...RULE, delay: 0 },
      steps: [{ t: 0, cond: true, day: false }, { t: 1, cond: true, day: true }, { t: 1.1, done: true }, { t: 2, cond: true, day: false }],
      phases: ['idle', 'pending', 'fired', 'fired'],
      effects: ['-', 'fire', '-', '-'],
    },
    {
      what: 'a failed command stays pending and retries after retry_s while the condition holds',
      rule: { ...RULE, delay: 0 },
      steps: [{ t: 0, cond: true }, { t: 0.5, done: false }, { t: 10, cond: true }, { t: 30.5, cond: true }, { t: 31, done: true }],
      phases: ['pending', 'pending', 'pending', 'pending', 'fired'],
      effects: ['fire', '-', '-', 'fire', '-'],
    },
    {
      what: 'cooldown: a second firing waits cooldown_s after the first',
      rule: { ...RULE, delay: 0, restore: false, cooldown_s: 60 },
      steps: [{ t: 0, cond: true }, { t: 0.1, done: true }, { t: 5, cond: false }, { t: 10, cond: true }, { t: 59, cond: true }, { t: 60.1, cond: true }],
      phases: ['pending', 'fired', 'idle', 'pending', 'pending', 'pending'],
      effects: ['fire', '-', '-', '-', '-', 'fire'],
    },
    {
      what: 'edge rule: fires once after the delay whatever the condition does, then idle',
      rule: { ...RULE, action: 'reboot' as const, delay: 120, edge: true },
      steps: [{ t: 0, cond: true }, { t: 1, cond: false }, { t: 120, cond: false }, { t: 121, done: true }, { t: 200, cond: false }],
      phases: ['pending', 'pending', 'pending', 'idle', 'idle'],
      effects: ['-', '-', 'fire', '-', '-'],
    },
    {
      what: 'edge rule: a new edge while pending restarts the delay',
      rule: { ...RULE, delay: 60, edge: true },
      steps: [{ t: 0, cond: true }, { t: 50, cond: true }, { t: 61, cond: false }, { t: 110, cond: false }],
      phases: ['pending', 'pending', 'pending', 'pending'],
      effects: ['-', '-', '-', 'fire'],
    },
  ])('$what', ({ rule, steps, phases, effects }) => {
    const t = run(rule, steps);
    expect(t.phases).toEqual(phases);
    expect(t.effects).toEqual(effects);
  });

  it('asks to be woken when a delay ends, and only one sequence is in flight', () => {
    const t = run({ ...RULE, delay: 10, restore_delay: 5 }, [
      { t: 100, cond: true }, { t: 110, cond: true }, { t: 111, cond: false }, { t: 112, cond: false }, { t: 112.5, done: true }, { t: 113, cond: false },
    ]);
    expect(t.wake[0]).toBe(110);
    expect(t.effects).toEqual(['-', 'fire', '-', '-', '-', '-']);
    // The condition cleared while the firing was in flight: fired first, then restoring from 113.
    expect(t.phases).toEqual(['pending', 'pending', 'pending', 'pending', 'fired', 'restoring']);
    expect(t.wake[5]).toBe(118);
  });

  it('keeps the last firing time across a restore (for the cooldown)', () => {
    const t = run({ ...RULE, delay: 0 }, [{ t: 0, cond: true }, { t: 1, done: true }, { t: 2, cond: false }, { t: 3, done: true }]);
    expect(t.state).toMatchObject({ phase: 'idle', last_fire_at: 1, fired_at: null, in_flight: null });
  });

  it.each([
    ['on', 'off'], ['off', 'on'], ['delayon', 'delayoff'], ['delayoff', 'delayon'], ['reboot', null],
  ] as const)('the opposite of %s is %s', (a, b) => {
    expect(oppositeAction(a)).toBe(b);
  });
});
