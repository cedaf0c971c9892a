// The bridge's own downtime, examined once at start-up (SPEC §11.6). Mutates the state it is
// given (engine.ts hands it a private copy).
import type { EngineConfig } from './config.js';
import type { EngineEffect, EngineState } from './engine-types.js';
import { addCause, confidenceOf, flushUpdate, markSent, newOutage, raiseConfidence, toOpen } from './outage-model.js';

export interface RestartGapInput {
  last_seen: number;
  now: number;
  pdu_boot_times: Record<string, number>;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function applyRestartGap(s: EngineState, g: RestartGapInput, cfg: EngineConfig, effects: EngineEffect[]): void {
  const gap = g.now - g.last_seen;
  if (!(gap > cfg.restart_gap_s)) return;
  const inside = Object.entries(g.pdu_boot_times)
    .filter(([, t]) => t > g.last_seen && t <= g.now)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const info = { gap_s: round3(gap), last_seen: g.last_seen, pdu_boot_times: Object.fromEntries(inside) };
  const bootedInside = cfg.use_pdu_signals && inside.length > 0;

  const open = s.open.power;
  if (open) {
    // The outage was already going on (resumed from the store) or opened since start-up: the gap
    // joins it instead of opening a second one.
    open.evidence.restart_gap = info;
    if (bootedInside) addCause(open, 'bridge_restart_gap');
    open.confidence = raiseConfidence(open.confidence, confidenceOf(open.causes));
    flushUpdate(open, 'power', effects);
  }
  const first = inside[0];
  if (!bootedInside || !first) {
    effects.push({ type: 'event', event: 'bridge_down', ts: g.now, data: { gap_s: info.gap_s, last_seen: g.last_seen } });
    return;
  }
  if (open) return;
  const o = newOutage('power', g.last_seen, cfg.confirm_cycles);
  o.ended_at = first[1];
  addCause(o, 'bridge_restart_gap');
  o.scope = 'site';
  o.confidence = 'high';
  o.evidence = { ...o.evidence, gap_s: info.gap_s, last_seen: g.last_seen, pdu_boot_times: info.pdu_boot_times };
  effects.push({ type: 'record_closed', outage: { ...toOpen(o), ended_at: first[1] } });
  markSent(o);
  s.last_closed.power = o;
}
