// A probe cycle enters the engine: the latest cycle, the bounded ring, the quorum and network
// streaks (SPEC §11.3–§11.4), and the per-switch `device_down` events. Mutates the state it is
// given (engine.ts hands it a private copy).
import type { EngineConfig } from './config.js';
import { RING_SIZE, type EngineEffect, type EngineState, type LastCycle, type Streak } from './engine-types.js';
import type { ProbeCycleEvidence } from './evidence.js';
import { lostPdus, rebootRecent, resetStreak } from './lifecycle.js';
import { signal } from './pdu-step.js';
import { verdict, type VerdictResult } from './verdict.js';
import type { SwitchId } from '../core/power.js';

/** A number 1 and a device sensor named "1" are different switches. */
export const switchKey = (id: SwitchId): string => `${typeof id === 'number' ? 'n' : 's'}:${id}`;

const extend = (st: Streak, on: boolean, ts: number): Streak => (on ? { count: st.count + 1, since: st.since ?? ts } : resetStreak());

function groupsOf(ev: ProbeCycleEvidence): LastCycle['groups'] {
  if (!ev.sensors.some((x) => x.group)) return null;
  const groups: Record<string, { down: number; total: number }> = {};
  for (const x of ev.sensors) {
    if (!x.group) continue;
    const g = (groups[x.group] ??= { down: 0, total: 0 });
    g.total++;
    if (x.result === 'down') g.down++;
  }
  return groups;
}

/** Records the cycle in the state and returns its verdict (before any record changes). */
export function applyCycle(s: EngineState, ev: ProbeCycleEvidence, cfg: EngineConfig): VerdictResult {
  const vr = verdict(ev, lostPdus(s, ev.ts, cfg).length > 0, rebootRecent(s, ev.ts, cfg), cfg);
  const controls: Record<string, 'up' | 'down'> = {};
  for (const c of ev.controls) controls[String(c.id)] = c.result;
  s.last_cycle = {
    ts: ev.ts, n: vr.n, up: vr.up, down: vr.down, quorum: vr.quorum, control_ok: vr.control_ok, verdict: vr.verdict,
    down_ids: vr.down_ids, controls, groups: groupsOf(ev), switch_count: ev.sensors.length + ev.controls.length,
  };
  s.ring = [...s.ring, { ts: ev.ts, n: vr.n, down: vr.down, verdict: vr.verdict }].slice(-RING_SIZE);
  s.first_cycle_at ??= ev.ts;
  if (vr.n === 0 || vr.down > 0) s.last_unproven_at = ev.ts;
  s.quorum_streak = extend(s.quorum_streak, vr.quorum && vr.control_ok, ev.ts);
  s.network_streak = extend(s.network_streak, vr.verdict === 'network_fault', ev.ts);
  return vr;
}

/**
 * The cycle's signals (a sensor plug's counter reset): kept, and attached to an open outage or
 * one within ± 2 cycles of it, like the PDU signals of §11.4. They never change the verdict, so a
 * reset alone never opens an outage.
 */
export function applyCycleSignals(s: EngineState, ev: ProbeCycleEvidence, cfg: EngineConfig, effects: EngineEffect[]): void {
  for (const sig of ev.signals ?? []) signal(s, { type: sig.type, device_id: sig.device_id, ts: sig.ts, data: sig.data }, cfg, effects);
}

/**
 * `device_down` once per silent switch after `confirm_cycles` (§11.4), again only after it
 * answered. Decision: not while an outage or network fault explains the silence (it is reported
 * afterwards if the switch stays silent), and controls count as switches too.
 */
export function deviceDownEvents(s: EngineState, ev: ProbeCycleEvidence, vr: VerdictResult, cfg: EngineConfig, effects: EngineEffect[]): void {
  const explained = s.open.power !== null || s.open.network !== null || (vr.verdict !== 'normal' && vr.verdict !== 'device_down');
  const seen: Record<string, true> = {};
  const all = [
    ...ev.sensors.map((x) => ({ id: x.id, result: x.result, role: 'sensor' as const })),
    ...ev.controls.map((x) => ({ id: x.id, result: x.result, role: 'control' as const })),
  ];
  for (const x of all) {
    const key = switchKey(x.id);
    seen[key] = true;
    if (x.result === 'up') {
      delete s.device_down[key];
      continue;
    }
    const d = s.device_down[key] ?? { id: x.id, role: x.role, count: 0, since: ev.ts, reported: false };
    d.count++;
    if (!d.reported && d.count >= cfg.confirm_cycles && !explained) {
      d.reported = true;
      const event = { type: 'event', event: 'device_down', ts: ev.ts, data: { switch_id: x.id, role: x.role, since: d.since } } as const;
      effects.push({ ...event, switch_id: x.id });
    }
    s.device_down[key] = d;
  }
  // Switches no longer in the cycle (removed, stale) are forgotten: the state stays bounded.
  for (const key of Object.keys(s.device_down)) if (!seen[key]) delete s.device_down[key];
}
