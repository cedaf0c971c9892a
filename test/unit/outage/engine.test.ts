// The outage engine (SPEC §11.3–§11.4) as table-driven scenarios: timed inputs on a fake
// timeline (offsets from T0), the effects each input must produce (exactly, when given), and
// the records the effects leave in an in-memory store. PDU reboots and the restart gap are in
// engine-reboot.test.ts.
import { describe, expect, it } from 'vitest';
import { initialEngineState, step } from '../../../src/outage/engine.js';
import { RING_SIZE } from '../../../src/outage/engine-types.js';
import { T0, checkScenario, cycles, engineCfg, ongoingRecord, run, timeline, toInput, type Scenario, type Step } from './scenario.js';

const lost = { a: 'lost', current: 'B', redundancy: 'lost' } as const;
const normal = {} as const;

const scenarios: Scenario[] = [
  {
    name: 'a flapping single switch never opens an outage nor reports device_down',
    steps: Array.from({ length: 20 }, (_, i) => ({ at: i * 10, cycle: i % 2 === 0 ? 'DUUUU' : 'UUUUU', expect: [] })),
    records: [],
    events: [],
  },
  {
    name: 'LAN down (all sensors and controls silent) opens a network record, not a power outage',
    steps: [
      { at: 0, cycle: 'UUUU', controls: 'U', expect: [] },
      { at: 10, cycle: 'DDDD', controls: 'D', expect: [] },
      { at: 20, cycle: 'DDDD', controls: 'D', expect: ['open:network', 'verdict:network_fault'] },
      { at: 30, cycle: 'DDDD', controls: 'D', expect: [] },
      { at: 40, cycle: 'UUUU', controls: 'U', expect: [] },
      { at: 50, cycle: 'UUUU', controls: 'U', expect: ['close:network', 'verdict:normal'] },
    ],
    records: [{ kind: 'network', started_at: T0 + 10, ended_at: T0 + 40, cause: null, scope: null, switches_affected: [1, 2, 3, 4] }],
    events: [],
  },
  {
    name: 'source A lost with ATS transfer opens on the first poll; switches going down grow cause, confidence and switches_affected',
    steps: [
      { at: 0, cycle: 'UUUU', expect: [] },
      { at: 0.5, poll: normal, expect: [] },
      { at: 1.5, poll: lost, expect: ['event:ats_transfer', 'event:redundancy_lost', 'open:power', 'verdict:outage'] },
      { at: 2.5, poll: lost, expect: [] },
      { at: 10, cycle: 'DDUU', expect: ['update:power'] },
      { at: 10.5, poll: lost, expect: [] },
      { at: 20, cycle: 'DDDU', expect: ['update:power'] },
      { at: 30.5, poll: normal, expect: ['event:ats_transfer', 'update:power'] },
      { at: 40, cycle: 'UUUU', expect: [] },
      { at: 50, cycle: 'UUUU', expect: ['close:power', 'verdict:normal'] },
    ],
    records: [
      {
        kind: 'power', started_at: T0 + 1.5, ended_at: T0 + 40, cause: 'switch_quorum+utility_source_lost', confidence: 'high',
        // Opened as source_a, widened to partial when the quorum (some sensors still up) came.
        scope: 'partial', switches_affected: [1, 2, 3],
        evidence: expect.objectContaining({
          first_cycle_at: T0 + 10, switches_down: [1, 2, 3], switches_total: 4, fraction: 0.75,
          pdu: { 'pdu-1': expect.objectContaining({ current_source: 'B', redundancy: 'lost', source_a: { voltage: 0, status: 'underVoltage' } }) },
          signals: [
            expect.objectContaining({ type: 'ats_transfer', ts: T0 + 1.5 }),
            expect.objectContaining({ type: 'redundancy_lost', ts: T0 + 1.5 }),
            expect.objectContaining({ type: 'ats_transfer', ts: T0 + 30.5 }),
          ],
        }),
      },
    ],
    events: ['ats_transfer', 'redundancy_lost', 'ats_transfer'],
  },
  {
    name: 'source A lost opens with scope source_a and confidence medium',
    steps: [
      { at: 0, cycle: 'UUUU' },
      { at: 1, poll: lost },
    ],
    records: [{ kind: 'power', started_at: T0 + 1, ended_at: null, cause: 'utility_source_lost', scope: 'source_a', confidence: 'medium' }],
  },
  {
    name: 'both sources lost and every switch down: scope site',
    steps: [
      { at: 0, cycle: 'UUU', expect: [] },
      { at: 0.5, poll: normal, expect: [] },
      { at: 1, poll: { a: 'lost', b: 'lost', redundancy: 'lost' }, expect: ['event:redundancy_lost', 'open:power', 'verdict:outage'] },
      { at: 10, cycle: 'DDD', expect: ['update:power'] },
      { at: 20, cycle: 'DDD', expect: ['update:power'] },
    ],
    records: [{ started_at: T0 + 1, cause: 'switch_quorum+utility_source_lost', scope: 'site', confidence: 'high', switches_affected: [1, 2, 3] }],
  },
  {
    name: 'partial outage: quorum met with some sensors up',
    steps: [
      { at: 0, cycle: 'DDUU', expect: [] },
      { at: 10, cycle: 'DDUU', expect: ['open:power', 'verdict:outage'] },
    ],
    records: [{ started_at: T0, ended_at: null, cause: 'switch_quorum', scope: 'partial', confidence: 'medium', switches_affected: [1, 2] }],
  },
  {
    name: 'recovery flaps do not close before clear_cycles consecutive normals; ended_at = first normal of the final streak',
    steps: [
      ...cycles(0, 2, 'DDDD'),
      { at: 20, cycle: 'UUUU', expect: [] },
      { at: 30, cycle: 'DDDD', expect: [] },
      { at: 40, cycle: 'UUUU', expect: [] },
      { at: 50, cycle: 'DDUU', expect: [] },
      { at: 60, cycle: 'UUUU', expect: [] },
      { at: 70, cycle: 'UUUU', expect: ['close:power', 'verdict:normal'] },
    ],
    records: [{ started_at: T0, ended_at: T0 + 60, scope: 'site' }],
  },
  {
    name: 'one plug still dead after the power came back does not hold the outage open; it is reported as device_down then',
    steps: [
      ...cycles(0, 2, 'DDDD'),
      { at: 20, cycle: 'UUUD', expect: [] },
      { at: 30, cycle: 'UUUD', expect: ['close:power', 'event:device_down', 'verdict:device_down'] },
    ],
    records: [{ started_at: T0, ended_at: T0 + 20 }],
    events: ['device_down:4'],
  },
  {
    name: 'no switch at all (min_switches) never declares an outage',
    steps: Array.from({ length: 5 }, (_, i) => ({ at: i * 10, cycle: '', expect: [] })),
    records: [],
  },
  {
    name: 'fewer classified sensors than min_switches: no switch verdict',
    cfg: { min_switches: 3 },
    steps: cycles(0, 5, 'DD'),
    records: [],
    events: ['device_down:1', 'device_down:2'],
  },
  {
    name: 'device_down once per silent switch, again only after it came back',
    steps: [
      { at: 0, cycle: 'UDUU', expect: [] },
      { at: 10, cycle: 'UDUU', expect: ['event:device_down', 'verdict:device_down'] },
      ...cycles(20, 3, 'UDUU').map((s) => ({ ...s, expect: [] })),
      { at: 50, cycle: 'UUUU', expect: ['verdict:normal'] },
      { at: 60, cycle: 'UDUU', expect: [] },
      { at: 70, cycle: 'UDUU', expect: ['event:device_down', 'verdict:device_down'] },
    ],
    records: [],
    events: ['device_down:2', 'device_down:2'],
  },
  {
    name: 'PDU-only site: closes after clear_cycles good polls; a failed poll is neutral',
    steps: [
      { at: 0, poll: normal, expect: [] },
      { at: 1, poll: { a: 'lost' }, expect: ['open:power', 'verdict:outage'] },
      { at: 2, poll: { ok: false }, expect: [] },
      { at: 3, poll: normal, expect: [] },
      { at: 4, poll: { ok: false }, expect: [] },
      { at: 5, poll: normal, expect: ['close:power', 'verdict:normal'] },
    ],
    records: [{ started_at: T0 + 1, ended_at: T0 + 3, cause: 'utility_source_lost', scope: 'source_a', confidence: 'medium' }],
  },
  {
    name: 'the clearing streak starts at the poll where the source came back (ended_at)',
    steps: [
      { at: 0, cycle: 'UUU' },
      { at: 1, poll: { a: 'lost' }, expect: ['open:power', 'verdict:outage'] },
      { at: 10, cycle: 'UUU', expect: [] },
      { at: 15, poll: normal, expect: [] },
      { at: 20, cycle: 'UUU', expect: [] },
      { at: 30, cycle: 'UUU', expect: ['close:power', 'verdict:normal'] },
    ],
    records: [{ started_at: T0 + 1, ended_at: T0 + 15 }],
  },
  {
    name: 'a PDU that stops answering while lost stops counting after its evidence expires',
    steps: [
      { at: 0, cycle: 'UUU' },
      { at: 1, poll: { a: 'lost' }, expect: ['open:power', 'verdict:outage'] },
      ...cycles(10, 6, 'UUU').map((s) => ({ ...s, expect: [] })),
      { at: 61, poll: { ok: false }, expect: [] },
      { at: 70, cycle: 'UUU', expect: [] },
      { at: 80, cycle: 'UUU', expect: ['close:power', 'verdict:normal'] },
    ],
    records: [{ started_at: T0 + 1, ended_at: T0 + 70 }],
  },
  {
    name: 'pdu_confirm_polls 3: two lost polls do nothing; three open, back-dated to the first',
    cfg: { pdu_confirm_polls: 3 },
    steps: [
      { at: 0, poll: { a: 'lost' }, expect: [] },
      { at: 1, poll: { a: 'lost' }, expect: [] },
      { at: 2, poll: normal, expect: [] },
      { at: 3, poll: { a: 'lost' }, expect: [] },
      { at: 4, poll: { a: 'lost' }, expect: [] },
      { at: 5, poll: { a: 'lost' }, expect: ['open:power', 'verdict:outage'] },
    ],
    records: [{ started_at: T0 + 3, cause: 'utility_source_lost' }],
  },
  {
    name: 'controls going silent during a power outage do not open a network record',
    steps: [
      ...cycles(0, 2, 'DDD', 'U'),
      ...cycles(20, 3, 'DDD', 'D').map((s) => ({ ...s, expect: [] })),
      ...cycles(50, 2, 'UUU', 'U'),
    ],
    records: [{ kind: 'power', started_at: T0, ended_at: T0 + 50 }],
  },
];

describe('outage engine scenarios (SPEC §11.3–§11.4)', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, sc) => checkScenario(sc));
});

describe('outage engine state', () => {
  it('resumes an ongoing outage with the published verdict outage', () => {
    const s = initialEngineState([ongoingRecord({ started: -60 }), ongoingRecord({ started: -30, kind: 'network', cause: null })], T0);
    expect(s.verdict).toBe('outage');
    expect(s.open.power?.started_at).toBe(T0 - 60);
    expect(s.open.network?.started_at).toBe(T0 - 30);
    expect(s.open.power?.causes).toEqual(['switch_quorum']);
  });

  it('is plain JSON data and step() leaves the given state untouched', () => {
    const cfg = engineCfg();
    const steps = timeline(cycles(0, 3, 'DDDD', 'U'), { at: 1, poll: { a: 'lost', current: 'B', redundancy: 'lost' } });
    let state = initialEngineState([], T0, cfg);
    for (const s of steps) {
      const before = JSON.stringify(state);
      const r = step(state, toInput(s), cfg);
      expect(JSON.stringify(state)).toBe(before);
      expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
      state = r.state;
    }
    expect(state.open.power).not.toBeNull();
  });

  it('keeps the ring of cycles, the signals and the device_down map bounded', () => {
    const cfg = engineCfg();
    const steps: Step[] = [];
    for (let i = 0; i < 300; i++) {
        steps.push({ at: i * 10, cycle: 'UUUD' });
      steps.push({ at: i * 10 + 1, poll: { current: i % 2 === 0 ? 'A' : 'B', redundancy: i % 2 === 0 ? 'ok' : 'lost' } });
    }
    const r = run(steps, cfg);
    expect(r.state.ring).toHaveLength(RING_SIZE);
    expect(r.state.ring.at(-1)?.ts).toBe(T0 + 2990);
    expect(r.state.signals.length).toBeLessThanOrEqual(16);
    expect(Object.keys(r.state.device_down)).toEqual(['n:4']);
    // A switch no longer in the cycle (removed, stale) is forgotten.
    const shrink = step(r.state, { kind: 'cycle', evidence: { ts: T0 + 3000, sensors: [{ id: 'plug-1', result: 'down' }], controls: [] } }, cfg);
    expect(Object.keys(shrink.state.device_down)).toEqual(['s:plug-1']);
  });
});
