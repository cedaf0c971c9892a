import type { SuppressReason, Watchdog, WatchdogMemory, WatchdogState, WatchdogStatus } from '../core/watchdog.js';

export type { WatchdogMemory };

// The watchdog's judgement (SPEC §12.7), one pure function over the evidence of one check: the
// target's result, the guards (outage, network, device health, upstream watchdog, outlet state)
// and the remembered state. It answers the next state and whether to power-cycle now. The
// service (service.ts) gathers the evidence, runs the outlet command and feeds its outcome back
// through commandDone(). Times are epoch seconds; nothing here reads a clock.

export const FRESH: WatchdogMemory = {
  state: 'ok', reason: null, failing_since: null, boot_until: null, cycle_times: [], last_cycle_at: null, last_result: null, last_check_at: null,
};

/** What holds a due cycle back (SPEC §12.7), each checked at the moment of a check. */
export interface Guards {
  /** A power outage is open (or the verdict says outage). */
  outage: boolean;
  /** A network fault is open, or an active control target's latest result is down. */
  network: boolean;
  /** The device is not `healthy` (or has not reported). */
  unhealthy: boolean;
  /** The depends_on watchdog's target is not answering (or its outlet is being cycled). */
  dependsOnFailing: boolean;
  /** The outlet's state as last read; `off` held by someone else stops the watchdog. */
  outlet: 'on' | 'off' | 'unknown';
}

export const NO_GUARDS: Guards = { outage: false, network: false, unhealthy: false, dependsOnFailing: false, outlet: 'on' };

export type DecideConfig = Pick<Watchdog, 'fail_after_s' | 'boot_grace_s' | 'max_cycles' | 'window_h'>;

export interface CheckInput {
  now: number;
  /** null: no judgement possible (e.g. a switch target without a result yet): nothing changes. */
  result: 'up' | 'down' | null;
  guards: Guards;
}

export interface Decision {
  memory: WatchdogMemory;
  /** Power-cycle the outlet now (the memory is already `cycling`). */
  cycle: boolean;
  /** State or reason changed: an event to publish. */
  changed: boolean;
}

/** Cycles still inside the window ending at `now`. */
export function cyclesInWindow(times: readonly number[], now: number, windowH: number): number[] {
  const from = now - windowH * 3600;
  return times.filter((t) => t > from);
}

export function statusOf(m: WatchdogMemory, now: number, windowH: number): WatchdogStatus {
  return { state: m.state, reason: m.reason, cycles: cyclesInWindow(m.cycle_times, now, windowH).length, last_cycle_at: m.last_cycle_at };
}

/** The first guard that holds, in the order of SPEC §12.7's reason list. */
export function suppression(g: Guards): SuppressReason | null {
  if (g.outage) return 'outage';
  if (g.network) return 'network';
  if (g.unhealthy || g.outlet === 'unknown') return 'unhealthy';
  if (g.dependsOnFailing) return 'depends_on';
  if (g.outlet === 'off') return 'outlet_off';
  return null;
}

function to(prev: WatchdogMemory, next: WatchdogMemory, cycle = false): Decision {
  return { memory: next, cycle, changed: next.state !== prev.state || next.reason !== prev.reason };
}

/** One check of the target → the next memory, and whether to cycle the outlet now. */
export function decide(cfg: DecideConfig, prev: WatchdogMemory, input: CheckInput): Decision {
  const { now, result } = input;
  // A command is running: its outcome (commandDone) moves the state on, not a check.
  if (prev.state === 'cycling' || result === null) return { memory: prev, cycle: false, changed: false };
  const base: WatchdogMemory = {
    ...prev, cycle_times: cyclesInWindow(prev.cycle_times, now, cfg.window_h), last_result: result, last_check_at: now,
  };
  const inGrace = prev.boot_until !== null && now < prev.boot_until;

  if (result === 'up') {
    // Booting → recovered (the cycle helped); recovered → ok at the next answer; an answer also
    // ends gave_up, waiting and suppressed. The cycle count stays until it leaves the window.
    const state: WatchdogState = prev.state === 'booting' ? 'recovered' : 'ok';
    return to(prev, { ...base, state, reason: null, failing_since: null, boot_until: inGrace ? prev.boot_until : null });
  }

  // The target does not answer.
  if (inGrace) {
    // Not judged while the device boots (at most one cycle per boot grace).
    return to(prev, { ...base, state: 'booting', reason: null, failing_since: null });
  }
  // Behind a failing upstream watchdog (e.g. a router behind the modem) the failure is the
  // upstream's: held, and the streak starts over once the upstream answers again.
  if (input.guards.dependsOnFailing && prev.state !== 'gave_up') {
    return to(prev, { ...base, state: 'suppressed', reason: 'depends_on', failing_since: null, boot_until: null });
  }
  const failingSince = prev.failing_since ?? now;
  const failing = { ...base, failing_since: failingSince, boot_until: null };
  // gave_up holds until the target answers or a reset.
  if (prev.state === 'gave_up') return to(prev, { ...failing, state: 'gave_up' });
  const silent = now - failingSince;
  if (silent < cfg.fail_after_s) return to(prev, { ...failing, state: 'waiting', reason: null });
  const held = suppression(input.guards);
  if (held) return to(prev, { ...failing, state: 'suppressed', reason: held });
  if (failing.cycle_times.length >= cfg.max_cycles) {
    return to(prev, { ...failing, state: 'gave_up', reason: `${failing.cycle_times.length} cycles within ${cfg.window_h} h` });
  }
  return to(prev, { ...failing, state: 'cycling', reason: `target silent ${Math.round(silent)} s` }, true);
}

/**
 * The outlet command finished. ok → booting for boot_grace_s (the cycle counts); failed →
 * waiting with the error, so the next check past fail_after_s tries again.
 */
export function commandDone(cfg: DecideConfig, prev: WatchdogMemory, outcome: { ok: boolean; now: number; error?: string | null }): Decision {
  if (prev.state !== 'cycling') return { memory: prev, cycle: false, changed: false };
  if (!outcome.ok) {
    return to(prev, { ...prev, state: 'waiting', reason: `outlet command failed: ${outcome.error ?? 'unknown error'}` });
  }
  const now = outcome.now;
  return to(prev, {
    ...prev, state: 'booting', reason: null, failing_since: null, boot_until: now + cfg.boot_grace_s,
    cycle_times: [...cyclesInWindow(prev.cycle_times, now, cfg.window_h), now], last_cycle_at: now,
  });
}

/** A person's reset (REST, MQTT, HA button, CLI): gave_up and the cycle count are cleared. */
export function reset(prev: WatchdogMemory): WatchdogMemory {
  // A running command keeps its state; its count is cleared all the same.
  if (prev.state === 'cycling') return { ...prev, cycle_times: [] };
  return { ...FRESH, last_result: prev.last_result, last_check_at: prev.last_check_at, last_cycle_at: prev.last_cycle_at };
}

/** Whether a downstream watchdog must wait for this one (SPEC §12.7 depends_on). */
export function isFailing(m: WatchdogMemory): boolean {
  return m.last_result === 'down' || m.state === 'cycling' || m.state === 'booting';
}
