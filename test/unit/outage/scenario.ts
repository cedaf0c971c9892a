// Scenario helpers for the outage engine tests: timed inputs on a fake timeline (offsets from
// T0, epoch seconds), a compact name per effect, and a tiny in-memory "store" that applies the
// effects the way the service does, so a scenario can assert the records it leaves behind.
import { expect } from 'vitest';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../src/outage/config.js';
import { initialEngineState, step } from '../../../src/outage/engine.js';
import type { EngineEffect, EngineInput, EngineState, OutageKey } from '../../../src/outage/engine-types.js';
import type { PduPollEvidence, SourceEvidence } from '../../../src/outage/evidence.js';
import type { OutageRecord } from '../../../src/core/power.js';
import type { OutageOpen } from '../../../src/core/ports.js';

export const T0 = 1_750_000_000;

export interface PollSpec {
  id?: string;
  ok?: boolean;
  utility?: 'A' | 'B' | null;
  a?: 'ok' | 'lost' | null;
  b?: 'ok' | 'lost' | null;
  current?: 'A' | 'B' | null;
  redundancy?: 'ok' | 'lost' | null;
  input?: number | null;
  /** Offsets from T0. */
  reboot?: { boot: number; last_poll: number | null };
}

export type Step =
  | { at: number; cycle: string; controls?: string; expect?: string[] }
  | { at: number; poll: PollSpec; expect?: string[] }
  | { at: number; gap: { last_seen: number; boots: Record<string, number> }; expect?: string[] };

const source = (s: 'ok' | 'lost' | null | undefined): SourceEvidence | null =>
  s === null ? null : s === 'lost' ? { voltage: 0, status: 'underVoltage' } : { voltage: 230, status: 'normal' };

export function pollEvidence(ts: number, p: PollSpec): PduPollEvidence {
  return {
    device_id: p.id ?? 'pdu-1',
    ts,
    ok: p.ok ?? true,
    utility_source: p.utility === undefined ? 'A' : p.utility,
    source_a: source(p.a),
    source_b: source(p.b),
    current_source: p.current === undefined ? 'A' : p.current,
    redundancy: p.redundancy === undefined ? 'ok' : p.redundancy,
    input_voltage: p.input === undefined ? 230 : p.input,
    reboot: p.reboot ? { boot_at: T0 + p.reboot.boot, last_poll_at: p.reboot.last_poll === null ? null : T0 + p.reboot.last_poll } : null,
  };
}

/** "UUD" = sensors 1, 2 up and 3 down; controls are numbered from 101. */
export function toInput(s: Step): EngineInput {
  const ts = T0 + s.at;
  if ('cycle' in s) {
    const sensors = [...s.cycle].map((c, i) => ({ id: i + 1, result: c === 'D' ? ('down' as const) : ('up' as const) }));
    const controls = [...(s.controls ?? '')].map((c, i) => ({ id: 101 + i, result: c === 'D' ? ('down' as const) : ('up' as const) }));
    return { kind: 'cycle', evidence: { ts, sensors, controls } };
  }
  if ('poll' in s) return { kind: 'poll', evidence: pollEvidence(ts, s.poll) };
  const boots = Object.fromEntries(Object.entries(s.gap.boots).map(([k, v]) => [k, T0 + v]));
  return { kind: 'restart_gap', last_seen: T0 + s.gap.last_seen, now: ts, pdu_boot_times: boots };
}

/** `open:power`, `update:power`, `update:power:closed`, `close:network`, `record_closed`, `event:device_down`, `verdict:outage`. */
export function effectName(e: EngineEffect): string {
  switch (e.type) {
    case 'open':
    case 'close':
      return `${e.type}:${e.key}`;
    case 'update':
      return e.closed ? `update:${e.key}:closed` : `update:${e.key}`;
    case 'record_closed':
      return 'record_closed';
    case 'event':
      return `event:${e.event}`;
    case 'verdict':
      return `verdict:${e.verdict}`;
  }
}

export type StoredRecord = Omit<OutageRecord, 'id' | 'duration_seconds' | 'is_ongoing' | 'outlets_shed'> & { is_ongoing: boolean };

/** Applies effects like the service: one open record per key, and the last closed one per key. */
export class MemoryStore {
  readonly records: StoredRecord[] = [];
  private readonly open = new Map<OutageKey, StoredRecord>();
  private readonly lastClosed = new Map<OutageKey, StoredRecord>();

  private static fromOpen(o: OutageOpen): StoredRecord {
    return {
      kind: o.kind, started_at: o.started_at, ended_at: o.ended_at ?? null, is_ongoing: o.ended_at == null, cause: o.cause ?? null,
      scope: o.scope ?? null, confidence: o.confidence ?? null, switches_affected: [...(o.switches_affected ?? [])], evidence: o.evidence ?? {},
    };
  }

  /** A record read back at start-up, still open. */
  resume(key: OutageKey, r: OutageRecord): void {
    const { id: _id, duration_seconds: _d, outlets_shed: _o, ...rest } = r;
    const rec: StoredRecord = { ...rest, switches_affected: [...r.switches_affected] };
    this.records.push(rec);
    this.open.set(key, rec);
  }

  apply(e: EngineEffect): void {
    if (e.type === 'open') {
      if (this.open.has(e.key)) throw new Error(`second open ${e.key} outage`);
      const r = MemoryStore.fromOpen(e.outage);
      this.records.push(r);
      this.open.set(e.key, r);
    } else if (e.type === 'update' || e.type === 'close') {
      const r = e.type === 'update' && e.closed ? this.lastClosed.get(e.key) : this.open.get(e.key);
      if (!r) throw new Error(`${e.type} without a record (${e.key})`);
      Object.assign(r, {
        ...e.patch,
        switches_affected: [...(e.patch.switches_affected ?? r.switches_affected)],
      });
      if (e.type === 'close') {
        r.ended_at = e.ended_at;
        r.is_ongoing = false;
        this.open.delete(e.key);
        this.lastClosed.set(e.key, r);
      }
    } else if (e.type === 'record_closed') {
      const r = MemoryStore.fromOpen(e.outage);
      this.records.push(r);
      this.lastClosed.set(e.outage.kind, r);
    }
  }
}

export interface RunResult {
  state: EngineState;
  effects: Array<EngineEffect & { at: number }>;
  store: MemoryStore;
  /** Per step, the compact effect names. */
  names: string[][];
}

export function engineCfg(over: Partial<EngineConfig> = {}): EngineConfig {
  return { ...DEFAULT_ENGINE_CONFIG, ...over };
}

export function run(steps: readonly Step[], cfg: EngineConfig, start?: EngineState, store = new MemoryStore()): RunResult {
  let state = start ?? initialEngineState([], T0 - 1000, cfg);
  const effects: RunResult['effects'] = [];
  const names: string[][] = [];
  for (const s of steps) {
    const before = JSON.stringify(state);
    const r = step(state, toInput(s), cfg);
    // step() is a pure reducer: the state it was given must not change (structural sharing).
    if (JSON.stringify(state) !== before) throw new Error(`step at ${s.at} changed the state it was given`);
    state = r.state;
    names.push(r.effects.map(effectName));
    for (const e of r.effects) {
      effects.push({ ...e, at: s.at });
      store.apply(e);
    }
  }
  return { state, effects, store, names };
}

/** Steps in time order (stable for equal times), so a scenario can be written by topic. */
export function timeline(...groups: Array<Step | Step[]>): Step[] {
  return groups.flat().sort((a, b) => a.at - b.at);
}

/** `n` cycles `every` seconds from `from`, all with the same pattern. */
export function cycles(from: number, n: number, pattern: string, controls = '', every = 10): Step[] {
  return Array.from({ length: n }, (_, i) => ({ at: from + i * every, cycle: pattern, controls }));
}

/** A record ongoing since `started` (offset), as the store hands it back at start-up. */
export function ongoingRecord(over: Partial<OutageRecord> & { started: number }): OutageRecord {
  const { started, ...rest } = over;
  return {
    id: 7, kind: 'power', started_at: T0 + started, ended_at: null, duration_seconds: null, is_ongoing: true, cause: 'switch_quorum',
    scope: 'site', confidence: 'medium', switches_affected: [1, 2], outlets_shed: {}, evidence: { switches_total: 2, switches_down: [1, 2] },
    ...rest,
  };
}

export interface Scenario {
  name: string;
  cfg?: Partial<EngineConfig>;
  /** A power record ongoing before the (re)start. */
  ongoing?: OutageRecord;
  /** When the engine (re)started (offset; default -100). */
  startedAt?: number;
  steps: Step[];
  /** Every record left in the store, in creation order (partial match each). */
  records: Array<Partial<StoredRecord> & Record<string, unknown>>;
  /** Every `event` effect in order, as `name:switch_id` or `name`. */
  events?: string[];
}

function eventNames(effects: RunResult['effects']): string[] {
  return effects.flatMap((e) => (e.type === 'event' ? [e.switch_id === undefined ? e.event : `${e.event}:${e.switch_id}`] : []));
}

/** Runs one scenario and checks the effects of each step that lists them, the records and the events. */
export function checkScenario(sc: Scenario): void {
  const cfg = engineCfg(sc.cfg);
  const store = new MemoryStore();
  if (sc.ongoing) store.resume('power', sc.ongoing);
  const start = initialEngineState(sc.ongoing ? [sc.ongoing] : [], T0 + (sc.startedAt ?? -100), cfg);
  const r = run(sc.steps, cfg, start, store);
  sc.steps.forEach((s, i) => {
    if (s.expect) expect({ at: s.at, effects: r.names[i] }).toEqual({ at: s.at, effects: s.expect });
  });
  expect(r.store.records).toHaveLength(sc.records.length);
  sc.records.forEach((rec, i) => expect(r.store.records[i]).toMatchObject(rec));
  if (sc.events) expect(eventNames(r.effects)).toEqual(sc.events);
}
