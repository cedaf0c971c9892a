import { describe, expect, it } from 'vitest';
import { zonedToEpoch } from '../../../src/core/calendar.js';
import type { ConditionLeaf, ConditionName, ConditionNode, Rule, Threshold } from '../../../src/core/rules.js';
import type { PduSnapshot } from '../../../src/core/types.js';
import { evaluate, evaluateRule, hasTimeCondition, isEdgeCondition, type EvalContext, type RuleEdge } from '../../../src/rules/conditions.js';
import { pduSnapshot, reducedSnapshot } from '../../support/pdu-snapshot.js';

// Condition evaluation (SPEC §12.3/§12.4): every condition true / false / missing value,
// hysteresis on clearing, composites, local time across midnight and DST, and edges.

const NOON_UTC = Date.UTC(2024, 5, 12, 12, 0) / 1000; // a Wednesday

function ctx(over: Partial<EvalContext> = {}): EvalContext {
  return { snapshot: pduSnapshot(), health: 'healthy', now: NOON_UTC, tz: 'UTC', outageActive: false, edges: new Set(), ...over };
}

function leaf(condition: ConditionName, threshold: Threshold = null, input = 0, hysteresis: number | null = null): ConditionLeaf {
  return { condition, input, threshold, hysteresis };
}

/** A snapshot with some fields changed (deep enough for these tests). */
function snap(edit: (s: PduSnapshot) => void): PduSnapshot {
  const s = pduSnapshot();
  edit(s);
  return s;
}

const low = snap((s) => {
  s.input.voltage = 99;
  s.sources = { a: { voltage: 104.2, frequency: 60, status: 'underVoltage' }, b: { voltage: 131, frequency: 60, status: 'overVoltage' } };
  s.ats = { current_source: 'B', preferred_source: 'A', auto_transfer: true, redundancy: 'lost' };
  s.banks[2]!.load_state = 'overload';
  s.banks[1]!.current = 9;
  s.banks[2]!.power = 1300;
  s.totals = { load: 11, power: 1600, energy: 1 };
  s.outlets[3]!.power = 300;
  s.outlets[4]!.power = 2;
});

describe('each condition: true, false, missing value', () => {
  it.each<[string, ConditionLeaf, Partial<EvalContext>, boolean, RegExp]>([
    ['source A below', leaf('voltage_below', 108, 1), { snapshot: low }, true, /^source A voltage 104.2 V < 108 V$/],
    ['source A not below', leaf('voltage_below', 108, 1), {}, false, /source A voltage 120.1 V ≥ 108 V/],
    ['source A missing', leaf('voltage_below', 108, 1), { snapshot: reducedSnapshot() }, false, /source A voltage unknown/],
    ['no data at all', leaf('voltage_below', 108, 1), { snapshot: null }, false, /unknown/],
    ['input voltage (input 0)', leaf('voltage_below', 100, 0), { snapshot: low }, true, /input voltage 99 V < 100 V/],
    ['source B above', leaf('voltage_above', 130, 2), { snapshot: low }, true, /source B voltage 131 V > 130 V/],
    ['source B not above', leaf('voltage_above', 130, 2), {}, false, /≤ 130 V/],
    ['ats source is B', leaf('ats_source_is', 'B'), { snapshot: low }, true, /on source B/],
    ['ats source not B', leaf('ats_source_is', 'B'), {}, false, /on source A, not B/],
    ['ats source missing', leaf('ats_source_is', 'A'), { snapshot: reducedSnapshot() }, false, /unknown/],
    ['preferred lost', leaf('ats_preferred_lost'), { snapshot: low }, true, /on source B, preferred A/],
    ['preferred kept', leaf('ats_preferred_lost'), {}, false, /on preferred source A/],
    ['preferred unknown', leaf('ats_preferred_lost'), { snapshot: snap((s) => { s.ats!.preferred_source = null; }) }, false, /unknown/],
    ['redundancy lost', leaf('redundancy_lost'), { snapshot: low }, true, /ATS redundancy lost/],
    ['redundancy ok', leaf('redundancy_lost'), {}, false, /ATS redundancy ok/],
    ['redundancy missing', leaf('redundancy_lost'), { snapshot: reducedSnapshot() }, false, /unknown/],
    ['outage active', leaf('outage_active'), { outageActive: true }, true, /power outage open/],
    ['no outage', leaf('outage_active'), {}, false, /no power outage/],
    ['outage start edge', leaf('outage_start'), { edges: new Set<RuleEdge>(['outage_start']) }, true, /outage started/],
    ['other edge only', leaf('outage_start'), { edges: new Set<RuleEdge>(['outage_end']), outageActive: true }, false, /no "outage started"/],
    ['outage end edge', leaf('outage_end'), { edges: new Set<RuleEdge>(['outage_end']) }, true, /outage ended/],
    ['any bank overload', leaf('bank_load_is', ['nearOverload', 'overload'], 0), { snapshot: low }, true, /bank 2 load overload/],
    ['no bank overloaded', leaf('bank_load_is', 'overload', 0), {}, false, /no bank load in overload/],
    ['bank 2 overload', leaf('bank_load_is', ['overload'], 2), { snapshot: low }, true, /bank 2 load overload/],
    ['bank 1 normal', leaf('bank_load_is', ['overload'], 1), { snapshot: low }, false, /bank 1 load normal, not overload/],
    ['bank 1 unknown state', leaf('bank_load_is', 'normal', 1), { snapshot: snap((s) => { s.banks[1]!.load_state = 'unknown'; }) }, false, /unknown/],
    ['bank 3 missing', leaf('bank_load_is', 'normal', 3), {}, false, /bank 3 load unknown/],
    ['total current', leaf('bank_current_above', 10, 0), { snapshot: low }, true, /total current 11 A > 10 A/],
    ['total current from banks', leaf('bank_current_above', 2, 0), { snapshot: snap((s) => { s.totals.load = null; }) }, true, /total current 2.4 A > 2 A/],
    ['total current missing', leaf('bank_current_above', 2, 0), { snapshot: snap((s) => { s.totals.load = null; s.banks[2]!.current = null; }) }, false, /unknown/],
    ['bank 1 current', leaf('bank_current_above', 8, 1), { snapshot: low }, true, /bank 1 current 9 A > 8 A/],
    ['bank 1 current low', leaf('bank_current_above', 8, 1), {}, false, /bank 1 current 1.2 A ≤ 8 A/],
    ['total power', leaf('bank_power_above', 1500, 0), { snapshot: low }, true, /total power 1600 W > 1500 W/],
    ['bank 2 power', leaf('bank_power_above', 1500, 2), { snapshot: low }, false, /bank 2 power 1300 W ≤ 1500 W/],
    ['bank 5 power missing', leaf('bank_power_above', 1, 5), {}, false, /bank 5 power unknown/],
    ['outlet 3 above', leaf('outlet_power_above', 250, 3), { snapshot: low }, true, /outlet 3 power 300 W > 250 W/],
    ['outlet 3 not above', leaf('outlet_power_above', 250, 3), {}, false, /outlet 3 power 45 W ≤ 250 W/],
    ['outlet 4 below', leaf('outlet_power_below', 5, 4), { snapshot: low }, true, /outlet 4 power 2 W < 5 W/],
    ['unmetered outlet', leaf('outlet_power_below', 5, 4), { snapshot: reducedSnapshot() }, false, /outlet 4 power unknown/],
    ['device lost', leaf('device_health_is', 'lost'), { health: 'lost' }, true, /device lost/],
    ['device degraded', leaf('device_health_is', 'lost'), { health: 'degraded' }, false, /device degraded/],
    ['device recovered edge', leaf('device_health_is', 'recovered'), { edges: new Set<RuleEdge>(['health_recovered']) }, true, /device recovered/],
    ['no recovery edge', leaf('device_health_is', 'recovered'), {}, false, /no "device recovered"/],
  ])('%s', (_, node, over, value, reason) => {
    const r = evaluate(node, ctx(over), []);
    expect(r.value).toBe(value);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toMatch(reason);
  });
});

/** Feeds `values` through one leaf, carrying the latch; returns the truth after each value. */
function hover(node: ConditionLeaf, values: Array<number | null>): boolean[] {
  let latch: boolean[] = [];
  return values.map((v) => {
    const r = evaluate(node, ctx({ snapshot: snap((s) => { s.sources!.a!.voltage = v; s.input.voltage = v; }) }), latch);
    latch = r.latch;
    return r.value;
  });
}

const flips = (xs: boolean[]): number => xs.reduce((n, x, i) => n + (x !== (i === 0 ? false : xs[i - 1]) ? 1 : 0), 0);

describe('hysteresis (applied on clearing)', () => {
  it('a value hovering around 108 V with hysteresis 2 flips exactly twice', () => {
    const values = [108.1, 107.9, 108.1, 107.9, 108.1, 109.9, 108.1, 110.1, 109.9, 108.1, 109.9, 108.1];
    const out = hover(leaf('voltage_below', 108, 1, 2), values);
    expect(out).toEqual([false, true, true, true, true, true, true, false, false, false, false, false]);
    expect(flips(out)).toBe(2);
  });

  it('the default is 2 V; an explicit 0 disables it', () => {
    expect(hover(leaf('voltage_below', 108, 1), [107, 109.9, 110])).toEqual([true, true, false]);
    expect(hover(leaf('voltage_below', 108, 1, 0), [107, 108])).toEqual([true, false]);
  });

  it('_above clears at threshold - hysteresis', () => {
    expect(hover(leaf('voltage_above', 130, 0, 3), [131, 128, 127.1, 127, 129, 130.5])).toEqual([true, true, true, false, false, true]);
  });

  it('a missing value is false and clears the latch', () => {
    expect(hover(leaf('voltage_below', 108, 1, 2), [107, null, 109])).toEqual([true, false, false]);
  });

  it('defaults 0.5 A and 25 W; the clearing level of _above stops at 0', () => {
    const cur = leaf('bank_current_above', 8, 1);
    let r = evaluate(cur, ctx({ snapshot: low }), []);
    r = evaluate(cur, ctx({ snapshot: snap((s) => { s.banks[1]!.current = 7.6; }) }), r.latch);
    expect(r.value).toBe(true);
    expect(r.reasons[0]).toMatch(/7.6 A > 7.5 A \(8 A - hysteresis 0.5\)/);
    const pow = leaf('outlet_power_above', 10, 3);
    const at = (w: number) => snap((s) => { s.outlets[3]!.power = w; });
    r = evaluate(pow, ctx({ snapshot: at(20) }), []);
    expect(evaluate(pow, ctx({ snapshot: at(1) }), r.latch).value).toBe(true);
    expect(evaluate(pow, ctx({ snapshot: at(0) }), r.latch).value).toBe(false);
  });
});

describe('composites', () => {
  const below = leaf('voltage_below', 108, 1);
  const edge = leaf('outage_start');
  const cases: Array<[string, ConditionNode, boolean]> = [
    ['all true', { all: [below, leaf('redundancy_lost')] }, true],
    ['all with one false', { all: [below, leaf('outage_active')] }, false],
    ['any with one true', { any: [leaf('outage_active'), below] }, true],
    ['any all false', { any: [leaf('outage_active'), edge] }, false],
    ['nested', { all: [{ any: [leaf('outage_active'), below] }, { all: [leaf('ats_source_is', 'B')] }] }, true],
  ];
  it.each(cases)('%s', (_, node, value) => {
    expect(evaluate(node, ctx({ snapshot: low }), []).value).toBe(value);
  });

  it('keeps one latch slot per numeric leaf (depth first) and one reason per leaf', () => {
    const node: ConditionNode = { any: [below, leaf('outage_active'), { all: [leaf('voltage_above', 200, 2), leaf('bank_power_above', 100, 0)] }] };
    const r = evaluate(node, ctx({ snapshot: low }), []);
    expect(r.latch).toEqual([true, false, true]);
    expect(r.reasons).toHaveLength(4);
    // the latch of the first leaf holds it within the band even though the others do not move
    const r2 = evaluate(node, ctx({ snapshot: snap((s) => { s.sources!.a!.voltage = 109; }) }), r.latch);
    expect(r2.latch).toEqual([true, false, true]);
  });

  it('evaluateRule uses the rule-level input/threshold/hysteresis for a plain condition', () => {
    const rule = { condition: 'voltage_below', input: 1, threshold: 108, hysteresis: 5 } as const;
    const r = evaluateRule(rule, ctx({ snapshot: low }), []);
    expect(r.value).toBe(true);
    expect(evaluateRule(rule, ctx({ snapshot: snap((s) => { s.sources!.a!.voltage = 112; }) }), r.latch).value).toBe(true);
  });
});

describe('time conditions (local time)', () => {
  const utc = (h: number, m: number, day = 12) => Date.UTC(2024, 5, day, h, m) / 1000;
  const at = (node: ConditionLeaf, now: number, tz = 'UTC') => evaluate(node, ctx({ now, tz }), []);

  it.each<[string, ConditionLeaf, number, boolean, string]>([
    ['after, before', leaf('time_after', '22:00'), utc(21, 59), false, 'time 21:59 before 22:00'],
    ['after, at', leaf('time_after', '22:00'), utc(22, 0), true, 'time 22:00 at or after 22:00'],
    ['after, until midnight', leaf('time_after', '22:00'), utc(23, 59), true, 'time 23:59 at or after 22:00'],
    ['after, from midnight', leaf('time_after', '22:00'), utc(0, 0), false, 'time 00:00 before 22:00'],
    ['before, from midnight', leaf('time_before', '06:00'), utc(0, 0), true, 'time 00:00 before 06:00'],
    ['before, at', leaf('time_before', '06:00'), utc(6, 0), false, 'time 06:00 at or after 06:00'],
    ['wrapping window, evening', leaf('time_between', '22:00-06:00'), utc(23, 10), true, 'time 23:10 in 22:00-06:00'],
    ['wrapping window, morning', leaf('time_between', '22:00-06:00'), utc(5, 59), true, 'time 05:59 in 22:00-06:00'],
    ['wrapping window, end', leaf('time_between', '22:00-06:00'), utc(6, 0), false, 'time 06:00 not in 22:00-06:00'],
    ['wrapping window, noon', leaf('time_between', '22:00-06:00'), utc(12, 0), false, 'time 12:00 not in 22:00-06:00'],
    ['day window, start', leaf('time_between', '08:00-17:00'), utc(8, 0), true, 'time 08:00 in 08:00-17:00'],
    ['day window, night', leaf('time_between', '08:00-17:00'), utc(23, 0), false, 'time 23:00 not in 08:00-17:00'],
  ])('%s', (_, node, now, value, reason) => {
    expect(at(node, now)).toMatchObject({ value, reasons: [reason] });
  });

  it('uses the configured zone', () => {
    // 21:30 UTC in June is 23:30 in Berlin (CEST, +2)
    expect(at(leaf('time_between', '22:00-06:00'), utc(21, 30), 'Europe/Berlin')).toMatchObject({ value: true, reasons: ['time 23:30 in 22:00-06:00'] });
  });

  it('spring forward in Europe/Berlin (2024-03-31, 02:00 → 03:00)', () => {
    const tz = 'Europe/Berlin';
    const before = zonedToEpoch(2024, 3, 31, 1 * 3600 + 59 * 60, tz);
    const skipped = zonedToEpoch(2024, 3, 31, 2 * 3600 + 30 * 60, tz); // resolves to 03:00
    const window = leaf('time_between', '02:00-03:30');
    expect(at(window, before, tz)).toMatchObject({ value: false, reasons: ['time 01:59 not in 02:00-03:30'] });
    expect(at(window, skipped, tz)).toMatchObject({ value: true, reasons: ['time 03:00 in 02:00-03:30'] });
    expect(skipped - before).toBe(60);
    expect(at(leaf('time_after', '02:30'), before + 60, tz).value).toBe(true);
    expect(at(window, zonedToEpoch(2024, 3, 31, 3 * 3600 + 30 * 60, tz), tz).value).toBe(false);
  });

  it('fall back in Europe/Berlin (2024-10-27): 02:15 happens twice, both in the window', () => {
    const tz = 'Europe/Berlin';
    const first = zonedToEpoch(2024, 10, 27, 2 * 3600 + 15 * 60, tz);
    const window = leaf('time_between', '02:00-02:30');
    expect(at(window, first, tz)).toMatchObject({ value: true, reasons: ['time 02:15 in 02:00-02:30'] });
    expect(at(window, first + 3600, tz)).toMatchObject({ value: true, reasons: ['time 02:15 in 02:00-02:30'] });
    expect(at(window, first + 1800, tz).value).toBe(false); // 02:45 CEST
  });

  it('holds on every weekday (days_of_week is gated by the engine, not here)', () => {
    for (let day = 10; day < 17; day++) expect(at(leaf('time_between', '22:00-06:00'), utc(3, 0, day)).value).toBe(true);
  });
});

describe('isEdgeCondition / hasTimeCondition', () => {
  const rule = (condition: Rule['condition'], threshold: Threshold = null) => ({ condition, input: 0, threshold, hysteresis: null });
  it.each<[string, ReturnType<typeof rule>, boolean, boolean]>([
    ['level', rule('voltage_below', 108), false, false],
    ['outage_start', rule('outage_start'), true, false],
    ['outage_end', rule('outage_end'), true, false],
    ['health recovered', rule('device_health_is', 'recovered'), true, false],
    ['health lost', rule('device_health_is', 'lost'), false, false],
    ['time', rule('time_between', '22:00-06:00'), false, true],
    ['composite with an edge leaf', rule({ all: [leaf('outage_active'), { any: [leaf('outage_end')] }] }), true, false],
    ['composite with a time leaf', rule({ any: [leaf('outage_active'), { all: [leaf('time_after', '07:00')] }] }), false, true],
  ])('%s', (_, r, edge, time) => {
    expect(isEdgeCondition(r)).toBe(edge);
    expect(hasTimeCondition(r)).toBe(time);
  });
});

describe('explain: false (the engine per sample) decides exactly as explain: true', () => {
  const leaves: ConditionLeaf[] = [
    leaf('voltage_below', 108, 1), leaf('voltage_above', 100, 0), leaf('bank_current_above', 8, 1), leaf('bank_power_above', 1200, 2),
    leaf('outlet_power_above', 250, 3), leaf('outlet_power_below', 10, 4), leaf('outlet_power_above', 10, 4, 25), leaf('voltage_below', 104, 1, 2),
  ];
  const trees: ConditionNode[] = [...leaves, { all: leaves.slice(0, 3) }, { any: [leaves[4] as ConditionLeaf, { all: leaves.slice(5) }] }];
  it.each(trees.map((t, i) => [i, t] as const))('tree %i: same value and latch for every previous latch, no reasons', (_i, tree) => {
    for (const snapshot of [low, pduSnapshot()]) {
      for (const prev of [[], [true, true, true, true, true, true], [false, true, false, true, false, true]]) {
        const loud = evaluate(tree, ctx({ snapshot }), prev);
        const quiet = evaluate(tree, ctx({ snapshot, explain: false }), prev);
        expect(quiet.value).toBe(loud.value);
        expect(quiet.latch).toEqual(loud.latch);
        expect(quiet.reasons).toEqual([]);
        expect(loud.reasons.length).toBeGreaterThan(0);
      }
    }
  });
});
