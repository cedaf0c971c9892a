import type { PowerCheck, SwitchState, SwitchStatus, SwitchTarget } from '../../core/power.js';

// What the prober remembers per target between cycles (SPEC §11.2): the latest check, when it
// last answered, and since when it has been silent (a target silent for stale_after_h is
// `stale`: out of the quorum and probed every 60 s). Pure; times are epoch seconds.

export const STALE_PROBE_EVERY_S = 60;

export interface TargetMemory {
  last_check: PowerCheck | null;
  last_up_at: number | null;
  /** Start of the current silent streak; null while answering or unknown. */
  down_since: number | null;
}

export const EMPTY_MEMORY: TargetMemory = { last_check: null, last_up_at: null, down_since: null };

/** Memory rebuilt from the store at start-up: a silent streak counts from the last answer (or creation). */
export function memoryFromStore(target: SwitchTarget, latest: PowerCheck | undefined, lastUpAt: number | undefined): TargetMemory {
  if (!latest) return { ...EMPTY_MEMORY, last_up_at: lastUpAt ?? null };
  return {
    last_check: latest,
    last_up_at: lastUpAt ?? null,
    down_since: latest.result === 'down' ? Math.max(lastUpAt ?? target.created_at, target.created_at) : null,
  };
}

export function remember(mem: TargetMemory, check: PowerCheck): TargetMemory {
  if (check.result === 'up') return { last_check: check, last_up_at: check.checked_at, down_since: null };
  return { last_check: check, last_up_at: mem.last_up_at, down_since: mem.down_since ?? check.checked_at };
}

export function isStale(mem: TargetMemory, nowS: number, staleAfterS: number): boolean {
  return mem.down_since !== null && nowS - mem.down_since >= staleAfterS;
}

/** A stale target is probed once a minute; the others every cycle. */
export function dueForProbe(mem: TargetMemory, nowS: number, staleAfterS: number): boolean {
  if (!isStale(mem, nowS, staleAfterS)) return true;
  // Half a second of slack: a 10 s cycle grid must not push the minute probe to 70 s.
  return mem.last_check === null || nowS - mem.last_check.checked_at >= STALE_PROBE_EVERY_S - 0.5;
}

export function statusOf(target: SwitchTarget, mem: TargetMemory, nowS: number, staleAfterS: number): SwitchStatus {
  const stale = isStale(mem, nowS, staleAfterS);
  const state: SwitchState = !target.active || mem.last_check === null ? 'unknown' : stale ? 'stale' : mem.last_check.result;
  return { target, state, last_check: mem.last_check, last_up_at: mem.last_up_at, stale };
}

export function countStates(statuses: readonly SwitchStatus[]): { total: number; up: number; down: number; unknown: number; stale: number } {
  const c = { total: 0, up: 0, down: 0, unknown: 0, stale: 0 };
  for (const s of statuses) {
    if (!s.target.active) continue;
    c.total++;
    c[s.state]++;
  }
  return c;
}
