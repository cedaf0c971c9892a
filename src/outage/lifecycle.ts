// Opening, updating and closing outage records after every evaluation (SPEC §11.4). The poll and
// cycle handlers update the evidence in the state, then call evaluate(). Mutates the state it
// is given (engine.ts hands it a private copy).
import { pduEvidenceTtlS, type EngineConfig } from './config.js';
import type { EngineEffect, EngineState, OutageKey, OutageModel, PduTrack, Streak } from './engine-types.js';
import {
  addAffected, addCause, attachSignal, confidenceOf, flushUpdate, markSent, newOutage, pduEntry, raiseConfidence, setSwitchEvidence, toOpen,
  toPatch, widenScope,
} from './outage-model.js';
import { classify } from './verdict.js';
import type { OutageScope, Verdict } from '../core/power.js';

export const resetStreak = (): Streak => ({ count: 0, since: null });

/** "± 2 cycles" (§11.4), in seconds. */
export const adjacencyS = (cfg: Pick<EngineConfig, 'interval_s'>): number => 2 * cfg.interval_s;

const byId = (a: PduTrack, b: PduTrack): number => a.device_id.localeCompare(b.device_id);

const isFresh = (p: PduTrack, ts: number, cfg: EngineConfig): boolean => ts - p.last_ok_at <= pduEvidenceTtlS(cfg);

/** PDUs whose latest successful poll is still valid evidence at `ts`, by device id. */
export function freshPdus(s: EngineState, ts: number, cfg: EngineConfig): PduTrack[] {
  return Object.values(s.pdus).filter((p) => isFresh(p, ts, cfg)).sort(byId);
}

/** `pdu_power_lost` confirmed on `pdu_confirm_polls` consecutive polls, by device id. */
export function lostPdus(s: EngineState, ts: number, cfg: EngineConfig): PduTrack[] {
  // Runs after every poll: filter first, so only the (few) lost PDUs are sorted.
  return Object.values(s.pdus).filter((p) => p.lost_streak.count >= cfg.pdu_confirm_polls && isFresh(p, ts, cfg)).sort(byId);
}

/** Every PDU with valid evidence lost all its feeds (and there is at least one). */
function allPdusDead(s: EngineState, ts: number, cfg: EngineConfig): boolean {
  let fresh = 0;
  for (const p of Object.values(s.pdus)) {
    if (!isFresh(p, ts, cfg)) continue;
    if (!p.both_lost) return false;
    fresh++;
  }
  return fresh > 0;
}

export function rebootRecent(s: EngineState, ts: number, cfg: EngineConfig): boolean {
  return s.last_reboot_seen_at !== null && ts - s.last_reboot_seen_at <= adjacencyS(cfg);
}

function currentScope(s: EngineState, ts: number, lost: PduTrack[], cfg: EngineConfig): OutageScope | null {
  const c = s.last_cycle;
  const allSensorsDown = c !== null && c.n > 0 && c.n >= cfg.min_switches && c.down === c.n;
  if (allSensorsDown || allPdusDead(s, ts, cfg)) return 'site';
  if (c?.quorum) return 'partial';
  const first = lost[0];
  if (!first) return null;
  if (first.utility_source === 'A') return 'source_a';
  if (first.utility_source === 'B') return 'source_b';
  return 'partial';
}

function openPower(s: EngineState, ts: number, lost: PduTrack[], switchConfirmed: boolean, cfg: EngineConfig, effects: EngineEffect[]): void {
  const starts = lost.map((p) => p.lost_streak.since ?? ts);
  if (switchConfirmed) starts.push(s.quorum_streak.since ?? ts);
  const o = newOutage('power', Math.min(...starts), cfg.confirm_cycles);
  if (lost.length > 0) addCause(o, 'utility_source_lost');
  if (switchConfirmed) {
    addCause(o, 'switch_quorum');
    o.evidence.first_cycle_at = s.quorum_streak.since;
  }
  if (s.last_cycle) {
    setSwitchEvidence(o.evidence, s.last_cycle);
    addAffected(o, s.last_cycle.down_ids);
  }
  for (const p of freshPdus(s, ts, cfg)) o.evidence.pdu[p.device_id] = pduEntry(p);
  for (const sig of s.signals) if (sig.ts >= o.started_at - adjacencyS(cfg)) attachSignal(o, sig);
  o.scope = currentScope(s, ts, lost, cfg) ?? 'partial';
  o.confidence = confidenceOf(o.causes);
  effects.push({ type: 'open', key: 'power', outage: toOpen(o) });
  markSent(o);
  s.open.power = o;
  s.clear.power = resetStreak();
}

function openNetwork(s: EngineState, cfg: EngineConfig, effects: EngineEffect[]): void {
  const c = s.last_cycle;
  const o = newOutage('network', s.network_streak.since ?? c?.ts ?? 0, cfg.confirm_cycles);
  o.evidence.first_cycle_at = s.network_streak.since;
  if (c) {
    setSwitchEvidence(o.evidence, c);
    addAffected(o, c.down_ids);
  }
  effects.push({ type: 'open', key: 'network', outage: toOpen(o) });
  markSent(o);
  s.open.network = o;
  s.clear.network = resetStreak();
}

function close(s: EngineState, key: OutageKey, o: OutageModel, endedAt: number, effects: EngineEffect[]): void {
  o.ended_at = Math.max(o.started_at, endedAt);
  effects.push({ type: 'close', key, ended_at: o.ended_at, patch: toPatch(o) });
  markSent(o);
  s.open[key] = null;
  s.last_closed[key] = o;
  s.clear[key] = resetStreak();
}

/** Streak of clearing evaluations; only evaluations of the counting cadence advance the count. */
function advanceClear(st: Streak, clearing: boolean, counts: boolean, ts: number): Streak {
  if (!clearing) return resetStreak();
  return { count: st.count + (counts ? 1 : 0), since: st.since ?? ts };
}

/**
 * What counts toward `clear_cycles`: probe cycles when switches are configured, successful polls
 * on a PDU-only site. Before the first cycle after a (re)start nothing counts (a resumed outage is
 * re-evaluated on the first cycle, §11.5), unless no cycle comes within 3 cycle lengths.
 */
function clearingCadence(s: EngineState, ts: number, cfg: EngineConfig): 'cycle' | 'poll' | null {
  if (s.last_cycle) return s.last_cycle.switch_count > 0 ? 'cycle' : 'poll';
  return ts - s.started_at > 3 * cfg.interval_s ? 'poll' : null;
}

/** The latest cycle's switch evidence enters the open outages (switches_affected, worst cycle). */
export function absorbCycle(s: EngineState): void {
  const c = s.last_cycle;
  if (!c) return;
  for (const o of [s.open.power, s.open.network]) {
    if (!o) continue;
    addAffected(o, c.down_ids);
    if (c.down > o.evidence.switches_down.length || (o.evidence.switches_total === 0 && c.n > 0)) setSwitchEvidence(o.evidence, c);
  }
}

/** The verdict of the current evidence (latest cycle + confirmed PDU loss + recent reboot). */
function currentVerdict(s: EngineState, ts: number, lost: boolean, cfg: EngineConfig): Verdict {
  const c = s.last_cycle;
  if (!c) return lost ? 'outage' : 'normal';
  return classify(c, lost, rebootRecent(s, ts, cfg), cfg.min_switches);
}

/** After a poll (`cadence` poll) or a probe cycle: open, grow or close the records. */
export function evaluate(s: EngineState, ts: number, cadence: 'poll' | 'cycle', cfg: EngineConfig, effects: EngineEffect[]): void {
  const lost = lostPdus(s, ts, cfg);
  const v = currentVerdict(s, ts, lost.length > 0, cfg);
  const switchConfirmed = s.quorum_streak.count >= cfg.confirm_cycles;

  const power = s.open.power;
  if (!power) {
    if (lost.length > 0 || switchConfirmed) openPower(s, ts, lost, switchConfirmed, cfg, effects);
  } else {
    if (lost.length > 0) addCause(power, 'utility_source_lost');
    if (switchConfirmed) {
      addCause(power, 'switch_quorum');
      power.evidence.first_cycle_at ??= s.quorum_streak.since;
    }
    power.scope = widenScope(power.scope, currentScope(s, ts, lost, cfg));
    power.confidence = raiseConfidence(power.confidence, confidenceOf(power.causes));
    // Decision: device_down clears too, or one dead plug would hold an outage open for ever.
    const clearing = v === 'normal' || v === 'device_down';
    s.clear.power = advanceClear(s.clear.power, clearing, cadence === clearingCadence(s, ts, cfg), ts);
    if (s.clear.power.count >= cfg.clear_cycles) close(s, 'power', power, s.clear.power.since ?? ts, effects);
    else flushUpdate(power, 'power', effects);
  }

  if (cadence !== 'cycle') return;
  const network = s.open.network;
  if (!network) {
    // Decision: while a power outage is open, silent controls (a UPS running flat) do not open a
    // second, network record.
    if (!s.open.power && s.network_streak.count >= cfg.confirm_cycles) openNetwork(s, cfg, effects);
    return;
  }
  s.clear.network = advanceClear(s.clear.network, v !== 'network_fault', true, ts);
  if (s.clear.network.count >= cfg.clear_cycles) close(s, 'network', network, s.clear.network.since ?? ts, effects);
  else flushUpdate(network, 'network', effects);
}

/** outage > network_fault > a reported device_down still silent > normal. */
export function publishVerdict(s: EngineState, ts: number, effects: EngineEffect[]): void {
  let v: Verdict = 'normal';
  if (s.open.power) v = 'outage';
  else if (s.open.network) v = 'network_fault';
  else if (Object.values(s.device_down).some((d) => d.reported)) v = 'device_down';
  if (v === s.verdict) return;
  s.verdict = v;
  effects.push({ type: 'verdict', verdict: v, ts });
}
