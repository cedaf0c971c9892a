// The outage engine (SPEC §11.3–§11.6) as a pure reducer: step(state, input, cfg) returns the
// next state and the effects the service carries out (store, publish, notify). No I/O, no clock:
// every time is an input (epoch seconds, fractions allowed). The state is plain JSON data.
//
// Decisions where the SPEC leaves room (each is also noted where it is implemented):
//  1. Two cadences, one evaluation: after every successful poll and every probe cycle the verdict
//     is recomputed from the latest cycle, the PDUs whose `pdu_power_lost` held for
//     `pdu_confirm_polls` polls, and a PDU reboot in the last 2 cycles. A failed PDU poll is
//     neutral (it neither confirms nor clears a loss); a PDU not polled successfully for
//     max(60 s, 10 polls) no longer counts as lost, so a PDU that vanished cannot hold an outage.
//  2. Switch quorum needs `confirm_cycles` consecutive cycles with quorum and control_ok, also to
//     join an outage already opened by the PDU (cause `switch_quorum`).
//  3. Closing: `clear_cycles` consecutive probe cycles whose verdict is `normal` or `device_down`
//     (one dead plug must not hold an outage open for ever). The clearing streak starts at the
//     first poll or cycle with that verdict (ended_at) and any other verdict resets it. With no
//     switch configured (PDU-only site) successful polls are counted instead of cycles. Before the
//     first cycle after a (re)start nothing is counted (unless no cycle comes within 3 cycle
//     lengths), so a resumed outage is re-evaluated on the first cycle, not closed by two polls.
//  4. A network record (`network_fault` on confirm_cycles cycles) is not opened while a power
//     outage is open (controls go silent when a UPS runs flat); it closes after clear_cycles
//     cycles whose verdict is anything but `network_fault`. Its cause, scope and confidence are null.
//  5. While open, scope only widens (source_a/b < partial < site) and confidence only rises;
//     causes only grow. Scope precedence follows §11.4: site, then partial, then the lost source
//     (a lost PDU without utility_source, i.e. a dead input, gives partial).
//  6. Evidence keeps the worst cycle (most sensors down) and each PDU's state while it was lost,
//     not the state after recovery (a PDU first heard of while the outage is open is added with
//     the state it reports then). Signals (ats_transfer, redundancy_lost, management-card
//     pdu_reboot) go to `evidence.signals` (bounded) of an open outage, of the last closed one
//     within ± 2 cycles, or of one opening within 2 cycles after them.
//  7. PDU reboot: "all sensors answered throughout" is read from a bounded ring of cycles
//     (one cycle of slack each side) or, when the window is older than the ring, from the last
//     cycle that had a sensor down. A reboot joining the last closed outage emits `update` with
//     `closed: true` (the service keeps the last closed id per key). The event `pdu_reboot` is
//     emitted for management-card restarts only (the poller reports every reboot itself).
//  8. Restart gap: nothing when the gap is at most `restart_gap_s`. When an outage is open (resumed
//     or opened since start-up) the gap goes to its `evidence.restart_gap`, and only a PDU boot
//     inside the gap adds the cause `bridge_restart_gap`; `bridge_down` is emitted whenever no PDU
//     booted inside the gap.
//  9. device_down: controls count too; not while an outage or network fault explains the silence.
// 10. Published verdict (`verdict` effect): outage while a power record is open, else
//     network_fault while a network record is open, else device_down while a reported switch is
//     still silent, else normal — debounced like the records, never a single cycle's raw verdict.
// 11. A resumed outage keeps its stored evidence; the first evaluations after start-up re-check it
//     (it closes after clear_cycles clearing cycles, like any other).
// 12. Confidence: `bridge_restart_gap` counts as two kinds by itself (the gap and the PDU boot
//     inside it), which gives the `high` §11.6 asks for the gap record.
// 13. Causes of a network record: none (null); cause tokens are defined for power outages only.
// 14. A sensor plug's energy counter reset (it lost power between two polls, SPEC §11.3 gives it
//     no place in the quorum: a poll that answered is `up`) arrives with the next probe cycle as a
//     `counter_reset` signal: kept and attached like the §11.4 signals, never a verdict, so a reset
//     alone never opens an outage.
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './config.js';
import { applyCycle, applyCycleSignals, deviceDownEvents } from './cycle-step.js';
import type { DeviceDownTrack, EngineEffect, EngineInput, EngineState, OutageModel, StepResult } from './engine-types.js';
import { absorbCycle, evaluate, publishVerdict, resetStreak } from './lifecycle.js';
import { copyModel, fromRecord } from './outage-model.js';
import { applyPoll } from './pdu-step.js';
import { applyRestartGap } from './gap-step.js';
import type { OutageKind, OutageRecord } from '../core/power.js';

export type { EngineEffect, EngineInput, EngineState, StepResult } from './engine-types.js';

function newestOngoing(records: readonly OutageRecord[], kind: OutageKind): OutageRecord | null {
  let best: OutageRecord | null = null;
  for (const r of records) if (r.kind === kind && r.is_ongoing && (!best || r.started_at > best.started_at)) best = r;
  return best;
}

/**
 * The state at start-up. An ongoing record survives a restart (§11.5): the newest ongoing one of
 * each kind is resumed; the service should close any other ongoing record it holds.
 */
export function initialEngineState(ongoing: readonly OutageRecord[], nowTs: number, cfg: EngineConfig = DEFAULT_ENGINE_CONFIG): EngineState {
  const power = newestOngoing(ongoing, 'power');
  const network = newestOngoing(ongoing, 'network');
  return {
    verdict: power ? 'outage' : network ? 'network_fault' : 'normal',
    started_at: nowTs,
    pdus: {},
    last_cycle: null,
    ring: [],
    first_cycle_at: null,
    last_unproven_at: null,
    quorum_streak: resetStreak(),
    network_streak: resetStreak(),
    clear: { power: resetStreak(), network: resetStreak() },
    device_down: {},
    last_reboot_seen_at: null,
    signals: [],
    open: { power: power && fromRecord(power, cfg.confirm_cycles), network: network && fromRecord(network, cfg.confirm_cycles) },
    last_closed: { power: null, network: null },
  };
}

const cloneModel = (o: OutageModel | null): OutageModel | null => o && copyModel(o);

/**
 * The copy step() works on. Structural sharing instead of a deep clone (which was ~40 µs of a
 * ~45 µs step): the handlers replace, never mutate, PDU tracks, the last cycle, ring entries,
 * signals and streaks, so those are shared; containers they assign into are copied shallowly;
 * device_down entries and open outages are mutated, so they are copied (copyModel); the last
 * closed outages are copied by pdu-step.ts right before it changes one. engine.test.ts checks that a step
 * leaves the given state untouched.
 */
function copyForStep(st: EngineState): EngineState {
  const device_down: Record<string, DeviceDownTrack> = {};
  for (const [k, v] of Object.entries(st.device_down)) device_down[k] = { ...v };
  return {
    ...st,
    pdus: { ...st.pdus },
    clear: { ...st.clear },
    device_down,
    open: { power: cloneModel(st.open.power), network: cloneModel(st.open.network) },
    last_closed: { ...st.last_closed },
  };
}

/** One input in, the next state and the effects out. The given state is not changed. */
export function step(state: EngineState, input: EngineInput, cfg: EngineConfig): StepResult {
  const s = copyForStep(state);
  const effects: EngineEffect[] = [];
  let ts: number;
  switch (input.kind) {
    case 'poll': {
      ts = input.evidence.ts;
      if (applyPoll(s, input.evidence, cfg, effects)) evaluate(s, ts, 'poll', cfg, effects);
      break;
    }
    case 'cycle': {
      ts = input.evidence.ts;
      const vr = applyCycle(s, input.evidence, cfg);
      applyCycleSignals(s, input.evidence, cfg, effects);
      absorbCycle(s);
      evaluate(s, ts, 'cycle', cfg, effects);
      deviceDownEvents(s, input.evidence, vr, cfg, effects);
      break;
    }
    case 'restart_gap': {
      ts = input.now;
      applyRestartGap(s, input, cfg, effects);
      break;
    }
  }
  publishVerdict(s, ts, effects);
  return { state: s, effects };
}
