import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../src/outage/config.js';
import { counterResetSignals, deviceSensorEvidence, type SensorDevice } from '../../../src/outage/device-sensors.js';
import { initialEngineState, step, type EngineState } from '../../../src/outage/engine.js';

const dev = (o: Partial<SensorDevice>): SensorDevice => ({ device_id: 'p', poll_interval_s: 2, state: 'healthy', last_sample_ts: 100, voltage: 230, ...o });
const cfg = { source_lost_voltage: 80 };

describe('plugs with role sensor as outage evidence', () => {
  it.each([
    ['answered in the last poll interval', dev({}), 'up'],
    ['answered 5 s ago at 2 s polls (= 2 × interval + 1)', dev({ last_sample_ts: 95 }), 'up'],
    ['silent for more than two polls', dev({ last_sample_ts: 94 }), 'down'],
    ['answers with a brownout voltage', dev({ voltage: 60 }), 'down'],
    ['answers without a voltage reading', dev({ voltage: null }), 'up'],
    ['degraded but still answering', dev({ state: 'degraded' }), 'up'],
  ])('%s → %s', (_n, d, result) => {
    expect(deviceSensorEvidence([d], 100, cfg)).toEqual([{ id: 'device:p', result }]);
  });

  it.each([
    ['never sampled since start', dev({ last_sample_ts: null })],
    ['in health error (needs credentials)', dev({ state: 'error' })],
  ])('%s → no evidence', (_n, d) => {
    expect(deviceSensorEvidence([d], 100, cfg)).toEqual([]);
  });

  it('the engine opens a power outage when the sensor plugs go silent, like sensor switches', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, confirm_cycles: 2 };
    let s: EngineState = initialEngineState([], 0, config);
    const effects: string[] = [];
    const cycle = (ts: number, lastSample: number): void => {
      const sensors = deviceSensorEvidence([dev({ device_id: 'a', last_sample_ts: lastSample }), dev({ device_id: 'b', last_sample_ts: lastSample })], ts, cfg);
      const r = step(s, { kind: 'cycle', evidence: { ts, sensors, controls: [] } }, config);
      s = r.state;
      effects.push(...r.effects.map((e) => e.type));
    };
    cycle(10, 10);
    cycle(20, 20);
    expect(s.verdict).toBe('normal');
    cycle(30, 20); // both plugs silent for 10 s at 2 s polls
    cycle(40, 20);
    expect(s.verdict).toBe('outage');
    expect(effects).toContain('open');
    expect(s.open.power?.switches_affected).toEqual(['device:a', 'device:b']);
  });
});

// A sensor plug's counter reset (it lost power between two polls) is evidence for the record of a
// nearby outage; SPEC §11.3 counts an answering device `up`, so it never opens one by itself.
describe('counter resets of sensor plugs', () => {
  const reset = (device_id: string, ts: number, outlet: number | null = 1) => ({ device_id, ts, outlet });
  it.each([
    ['no resets', [], []],
    ['one reset of a sensor plug', [reset('a', 12)], [{ device_id: 'a', ts: 12, outlets: [1] }]],
    ['a strip resetting three outlets: one signal at the first', [reset('a', 12.5, 3), reset('a', 12, 1), reset('a', 12.5, 2)], [{ device_id: 'a', ts: 12, outlets: [1, 2, 3] }]],
    ['a plug that is not a sensor: dropped', [reset('kettle', 12)], []],
    ['two sensor plugs', [reset('b', 13), reset('a', 12)], [{ device_id: 'b', ts: 13, outlets: [1] }, { device_id: 'a', ts: 12, outlets: [1] }]],
  ])('%s', (_n, resets, want) => {
    const sensors = [dev({ device_id: 'a' }), dev({ device_id: 'b' })];
    const got = counterResetSignals(sensors, resets).map((s) => ({ device_id: s.device_id, ts: s.ts, outlets: s.data.outlets }));
    expect(got).toEqual(want);
    for (const s of counterResetSignals(sensors, resets)) expect(s).toMatchObject({ type: 'counter_reset', data: { sensor: `device:${s.device_id}` } });
  });

  type Cycle = { ts: number; down?: boolean; resetAt?: number };
  /** Probe cycles over sensor switches 1, 2 and sensor plug a (all silent when `down`). */
  function run(cycles: Cycle[], over: Partial<typeof DEFAULT_ENGINE_CONFIG> = {}) {
    const config = { ...DEFAULT_ENGINE_CONFIG, interval_s: 10, confirm_cycles: 2, clear_cycles: 2, ...over };
    let s: EngineState = initialEngineState([], 0, config);
    const effects: Array<{ type: string; closed?: true }> = [];
    for (const c of cycles) {
      const result = c.down ? 'down' : 'up';
      const signals = c.resetAt === undefined ? [] : counterResetSignals([dev({ device_id: 'a' })], [{ device_id: 'a', ts: c.resetAt, outlet: 1 }]);
      const r = step(s, {
        kind: 'cycle',
        evidence: { ts: c.ts, sensors: [{ id: 1, result }, { id: 2, result }, { id: 'device:a', result }], controls: [], ...(signals.length ? { signals } : {}) },
      }, config);
      s = r.state;
      effects.push(...r.effects.map((e) => ({ type: e.type, ...(e.type === 'update' && e.closed ? { closed: true as const } : {}) })));
    }
    const attached = [...(s.open.power?.evidence.signals ?? []), ...(s.last_closed.power?.evidence.signals ?? [])]
      .filter((x) => x.type === 'counter_reset').map((x) => x.ts);
    return { s, effects, attached };
  }
  const ups = (...ts: number[]): Cycle[] => ts.map((t) => ({ ts: t }));
  const downs = (...ts: number[]): Cycle[] => ts.map((t) => ({ ts: t, down: true }));

  it.each<[string, Cycle[], Partial<typeof DEFAULT_ENGINE_CONFIG>, { opens: number; attached: number[]; verdict: string; closedUpdate?: boolean }]>([
    ['a reset alone, every sensor answering: no outage', [...ups(10, 20), { ts: 30, resetAt: 29 }, ...ups(40, 50)], {}, { opens: 0, attached: [], verdict: 'normal' }],
    ['a reset while an outage is open: on its record', [...ups(10, 20), ...downs(30, 40), { ts: 50, down: true, resetAt: 45 }], {}, { opens: 1, attached: [45], verdict: 'outage' }],
    ['a reset learnt right after it closed (within ± 2 cycles): joins the closed record', [...ups(10, 20), ...downs(30, 40), ...ups(50, 60), { ts: 70, resetAt: 65 }], {}, { opens: 1, attached: [65], verdict: 'normal', closedUpdate: true }],
    ['a reset just before the outage opens: attached when it opens', [...ups(10), { ts: 20, resetAt: 15 }, ...downs(30, 40)], {}, { opens: 1, attached: [15], verdict: 'outage' }],
    ['a reset long after the outage: not attached', [...ups(10, 20), ...downs(30, 40), ...ups(50, 60, 100, 150), { ts: 200, resetAt: 199 }], {}, { opens: 1, attached: [], verdict: 'normal' }],
  ])('%s', (_n, cycles, over, want) => {
    const r = run(cycles, over);
    expect(r.effects.filter((e) => e.type === 'open')).toHaveLength(want.opens);
    expect(r.attached).toEqual(want.attached);
    expect(r.s.verdict).toBe(want.verdict);
    if (want.closedUpdate) expect(r.effects.some((e) => e.type === 'update' && e.closed)).toBe(true);
  });

  it('the only sensor resetting on every cycle, confirm_cycles 1: no outage (a reset is never a `down`)', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, interval_s: 10, confirm_cycles: 1, min_switches: 1 };
    let s: EngineState = initialEngineState([], 0, config);
    const types: string[] = [];
    for (const ts of [10, 20, 30, 40]) {
      const signals = counterResetSignals([dev({ device_id: 'a' })], [{ device_id: 'a', ts: ts - 1, outlet: 1 }]);
      const r = step(s, { kind: 'cycle', evidence: { ts, sensors: deviceSensorEvidence([dev({ device_id: 'a', last_sample_ts: ts })], ts, cfg), controls: [], signals } }, config);
      s = r.state;
      types.push(...r.effects.map((e) => e.type));
    }
    expect(types.filter((t) => t === 'open' || t === 'record_closed')).toEqual([]);
    expect(s.verdict).toBe('normal');
    expect(s.signals.map((x) => [x.type, x.ts])).toEqual([['counter_reset', 9], ['counter_reset', 19], ['counter_reset', 29], ['counter_reset', 39]]);
  });

  it('the step leaves the given state untouched (signals are replaced, not pushed)', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, interval_s: 10 };
    const s0 = initialEngineState([], 0, config);
    const frozen = JSON.stringify(s0);
    const signals = counterResetSignals([dev({ device_id: 'a' })], [{ device_id: 'a', ts: 9, outlet: 2 }]);
    const r = step(s0, { kind: 'cycle', evidence: { ts: 10, sensors: [{ id: 'device:a', result: 'up' }], controls: [], signals } }, config);
    expect(JSON.stringify(s0)).toBe(frozen);
    expect(r.state.signals).toEqual([{ type: 'counter_reset', device_id: 'a', ts: 9, data: { sensor: 'device:a', outlets: [2] } }]);
  });
});
