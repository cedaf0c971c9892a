import type { RuleAction, RulePhase } from '../core/rules.js';

// The per-rule state machine of SPEC §12.4, pure: the engine evaluates the condition and passes
// its truth in; the machine says what to send and when it next needs to look. One machine per
// rule and device.
//
//   idle ─cond ∧ day allowed→ pending ─held ≥ delay ∧ cooldown over→ (send action) → fired
//   pending ─cond false→ idle            fired ─cond false→ restoring (restore ∧ action ≠ reboot) | idle
//   restoring ─clear ≥ restore_delay→ (send opposite) → idle      restoring ─cond true→ fired
//
// Edge rules (outage_start/outage_end/device recovered) fire once per edge after `delay` and go
// back to idle; a new edge while pending restarts the delay. A failed command keeps the phase and
// retries after `retry_s` while the reason to act holds. Only one command sequence is in flight.

export interface MachineRule {
  action: RuleAction;
  restore: boolean;
  delay: number;
  restore_delay: number;
  cooldown_s: number;
  /** Edge-triggered (outage_start, outage_end, device_health_is recovered). */
  edge: boolean;
}

export interface MachineState {
  phase: RulePhase;
  /** When the condition (or the last edge) started holding, epoch s. */
  condition_since: number | null;
  /** When the condition cleared (restoring), epoch s. */
  clear_since: number | null;
  fired_at: number | null;
  /** Last successful firing, for the cooldown. */
  last_fire_at: number | null;
  /** After a failed command: not before this time. */
  retry_at: number | null;
  in_flight: 'fire' | 'restore' | null;
}

export interface MachineInput {
  now: number;
  /** The condition's truth now (hysteresis already applied); for edge rules: an edge happened now. */
  condition: boolean;
  /** Today is in days_of_week (gates entering pending only). */
  dayAllowed: boolean;
}

export type MachineEffect = 'fire' | 'restore';

export interface MachineStep {
  state: MachineState;
  effect: MachineEffect | null;
  /** When the machine next needs an evaluation without new data (a delay ends), epoch s. */
  wakeAt: number | null;
}

export const IDLE: MachineState = {
  phase: 'idle', condition_since: null, clear_since: null, fired_at: null, last_fire_at: null, retry_at: null, in_flight: null,
};

/** The action that undoes `action` on restore; null when it has none (reboot). */
export function oppositeAction(action: RuleAction): RuleAction | null {
  const map: Record<RuleAction, RuleAction | null> = { on: 'off', off: 'on', delayon: 'delayoff', delayoff: 'delayon', reboot: null };
  return map[action];
}

const restores = (r: MachineRule): boolean => r.restore && !r.edge && oppositeAction(r.action) !== null;

function fireAt(r: MachineRule, s: MachineState): number {
  const since = s.condition_since ?? 0;
  return Math.max(since + r.delay, s.last_fire_at === null ? -Infinity : s.last_fire_at + r.cooldown_s, s.retry_at ?? -Infinity);
}

function restoreAt(r: MachineRule, s: MachineState): number {
  return Math.max((s.clear_since ?? 0) + r.restore_delay, s.retry_at ?? -Infinity);
}

export function stepMachine(r: MachineRule, prev: MachineState, input: MachineInput): MachineStep {
  const { now, condition } = input;
  let s = prev;
  switch (s.phase) {
    case 'idle':
      if (condition && input.dayAllowed) s = { ...s, phase: 'pending', condition_since: now, retry_at: null };
      break;
    case 'pending':
      if (r.edge) {
        // A new edge restarts the delay (unless the firing is already under way).
        if (condition && s.in_flight === null) s = { ...s, condition_since: now, retry_at: null };
      } else if (!condition && s.in_flight === null) {
        s = { ...s, phase: 'idle', condition_since: null, retry_at: null };
      }
      break;
    case 'fired':
      if (!condition) {
        s = restores(r)
          ? { ...s, phase: 'restoring', clear_since: now, retry_at: null }
          : { ...s, phase: 'idle', condition_since: null, fired_at: null };
      }
      break;
    case 'restoring':
      if (condition && s.in_flight === null) s = { ...s, phase: 'fired', clear_since: null, retry_at: null };
      break;
  }
  if (s.in_flight !== null) return { state: s, effect: null, wakeAt: null };
  if (s.phase === 'pending') {
    const at = fireAt(r, s);
    if (now >= at) return { state: { ...s, in_flight: 'fire' }, effect: 'fire', wakeAt: null };
    return { state: s, effect: null, wakeAt: at };
  }
  if (s.phase === 'restoring') {
    const at = restoreAt(r, s);
    if (now >= at) return { state: { ...s, in_flight: 'restore' }, effect: 'restore', wakeAt: null };
    return { state: s, effect: null, wakeAt: at };
  }
  return { state: s, effect: null, wakeAt: null };
}

/**
 * The command sequence of `fire` or `restore` finished. `ok` = every SET was accepted. A failure
 * keeps the phase and sets the retry time; the caller re-evaluates at `wakeAt`.
 */
export function commandDone(r: MachineRule, s: MachineState, ok: boolean, now: number, retryS: number): MachineStep {
  const kind = s.in_flight;
  const base = { ...s, in_flight: null };
  if (kind === null) return { state: s, effect: null, wakeAt: null };
  if (!ok) {
    const retry = now + retryS;
    return { state: { ...base, retry_at: retry }, effect: null, wakeAt: retry };
  }
  if (kind === 'restore') return { state: { ...IDLE, last_fire_at: s.last_fire_at }, effect: null, wakeAt: null };
  // Fired. Edge rules and rules without a restore have nothing to wait for in `fired` except the
  // condition clearing, which only matters for level rules.
  if (r.edge) return { state: { ...IDLE, last_fire_at: now }, effect: null, wakeAt: null };
  return { state: { ...base, phase: 'fired', fired_at: now, last_fire_at: now, retry_at: null }, effect: null, wakeAt: null };
}
