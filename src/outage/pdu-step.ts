// A PDU poll enters the engine: the per-PDU track, the signals that never open an outage on their
// own (ATS transfer, redundancy lost) and PDU reboots (SPEC §7.8, §11.4). Mutates the state it
// is given (engine.ts hands it a private copy).
import type { EngineConfig } from './config.js';
import {
  SIGNALS_KEPT, type EngineEffect, type EngineState, type OutageModel, type OutageSignal, type PduTrack,
} from './engine-types.js';
import { pduBothSourcesLost, pduSourceLost, type PduPollEvidence } from './evidence.js';
import { adjacencyS, resetStreak } from './lifecycle.js';
import {
  addCause, attachSignal, confidenceOf, flushUpdate, markSent, newOutage, pduEntry, raiseConfidence, toOpen,
} from './outage-model.js';

interface Nearby {
  o: OutageModel;
  closed: boolean;
}

/**
 * The open power outage, or the last closed one, overlapping [from, to] within ± 2 cycles. The
 * caller may change it: a closed one is copied first (step() shares it with the previous state).
 */
function nearbyOutage(s: EngineState, from: number, to: number, cfg: EngineConfig): Nearby | null {
  const adj = adjacencyS(cfg);
  const open = s.open.power;
  if (open && to >= open.started_at - adj) return { o: open, closed: false };
  const last = s.last_closed.power;
  if (last && last.ended_at !== null && from <= last.ended_at + adj && to >= last.started_at - adj) {
    const copy = structuredClone(last);
    s.last_closed.power = copy;
    return { o: copy, closed: true };
  }
  return null;
}

/** Keeps a recent signal and attaches it to a nearby outage (by default: near its time). */
export function signal(s: EngineState, sig: OutageSignal, cfg: EngineConfig, effects: EngineEffect[], near = nearbyOutage(s, sig.ts, sig.ts, cfg)): void {
  s.signals = [...s.signals, sig].slice(-SIGNALS_KEPT);
  if (!near) return;
  attachSignal(near.o, sig);
  // An open outage is flushed by evaluate(); a closed one only here.
  if (near.closed) flushUpdate(near.o, 'power', effects, true);
}

/**
 * Did every sensor answer through [from, to] (a management-card restart, not a power loss)?
 * From the ring when it reaches back far enough, else from the latest cycle that had a sensor
 * down; one cycle of slack on both sides, since cycles do not line up with the window.
 */
export function sensorsAnsweredThroughout(s: EngineState, from: number, to: number, cfg: EngineConfig): boolean {
  if (!s.last_cycle || s.last_cycle.n === 0) return false;
  const slack = cfg.interval_s;
  const oldest = s.ring[0];
  if (oldest && oldest.ts <= from) {
    const inside = s.ring.filter((c) => c.ts >= from - slack && c.ts <= to + slack);
    return inside.length > 0 && inside.every((c) => c.n > 0 && c.down === 0);
  }
  return s.first_cycle_at !== null && s.first_cycle_at <= from && (s.last_unproven_at === null || s.last_unproven_at < from - slack);
}

function handleReboot(s: EngineState, e: PduPollEvidence, t: PduTrack, cfg: EngineConfig, effects: EngineEffect[]): void {
  const r = e.reboot;
  if (!r) return;
  const from = Math.min(r.last_poll_at ?? r.boot_at, r.boot_at);
  const to = r.boot_at;
  t.rebooted_at = to;
  const near = nearbyOutage(s, from, to, cfg);
  if (sensorsAnsweredThroughout(s, from, to, cfg)) {
    const data = { device_id: e.device_id, boot_at: to, last_poll_at: r.last_poll_at, management_restart: true };
    effects.push({ type: 'event', event: 'pdu_reboot', ts: e.ts, data });
    if (near) near.o.evidence.pdu[e.device_id] = pduEntry(t);
    signal(s, { type: 'pdu_reboot', device_id: e.device_id, ts: e.ts, data }, cfg, effects, near);
    return;
  }
  s.last_reboot_seen_at = e.ts;
  if (near) {
    addCause(near.o, 'pdu_reboot');
    near.o.evidence.pdu[e.device_id] = pduEntry(t);
    near.o.confidence = raiseConfidence(near.o.confidence, confidenceOf(near.o.causes));
    if (near.closed) flushUpdate(near.o, 'power', effects, true);
    return;
  }
  // Learnt after the fact: recorded already closed (§11.4).
  const o = newOutage('power', from, cfg.confirm_cycles);
  o.ended_at = to;
  addCause(o, 'pdu_reboot');
  o.scope = 'site';
  o.confidence = 'low';
  o.evidence.switches_total = s.last_cycle?.n ?? 0;
  o.evidence.pdu[e.device_id] = pduEntry(t);
  effects.push({ type: 'record_closed', outage: { ...toOpen(o), ended_at: to } });
  markSent(o);
  s.last_closed.power = o;
}

/** A successful poll updates the PDU's track; a failed one changes nothing (neutral). */
export function applyPoll(s: EngineState, e: PduPollEvidence, cfg: EngineConfig, effects: EngineEffect[]): boolean {
  if (!e.ok) return false;
  const prev = s.pdus[e.device_id];
  const lost = cfg.use_pdu_signals && pduSourceLost(e, cfg);
  const prevStreak = prev?.lost_streak ?? resetStreak();
  const t: PduTrack = {
    device_id: e.device_id,
    utility_source: e.utility_source,
    last_ok_at: e.ts,
    lost_streak: lost ? { count: prevStreak.count + 1, since: prevStreak.since ?? e.ts } : resetStreak(),
    both_lost: cfg.use_pdu_signals && pduBothSourcesLost(e, cfg),
    source_a: e.source_a && { ...e.source_a },
    source_b: e.source_b && { ...e.source_b },
    current_source: e.current_source,
    redundancy: e.redundancy,
    rebooted_at: prev?.rebooted_at ?? null,
  };
  s.pdus[e.device_id] = t;

  if (prev?.current_source && e.current_source && prev.current_source !== e.current_source) {
    const data = { device_id: e.device_id, from: prev.current_source, to: e.current_source };
    effects.push({ type: 'event', event: 'ats_transfer', ts: e.ts, data });
    signal(s, { type: 'ats_transfer', device_id: e.device_id, ts: e.ts, data }, cfg, effects);
  }
  if (prev?.redundancy === 'ok' && e.redundancy === 'lost') {
    const data = { device_id: e.device_id, current_source: e.current_source };
    effects.push({ type: 'event', event: 'redundancy_lost', ts: e.ts, data });
    signal(s, { type: 'redundancy_lost', device_id: e.device_id, ts: e.ts, data }, cfg, effects);
  }
  if (e.reboot && cfg.use_pdu_signals) handleReboot(s, e, t, cfg, effects);

  // The open outage keeps each PDU's state as it was during the loss (not after it came back).
  const open = s.open.power;
  if (open && (lost || !(e.device_id in open.evidence.pdu))) open.evidence.pdu[e.device_id] = pduEntry(t);
  return true;
}
