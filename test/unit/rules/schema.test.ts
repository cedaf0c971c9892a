import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../src/core/rules.js';
import { checkRuleForDevice, parseRule, parseRules, ruleOutlets, ruleToJson } from '../../../src/rules/schema.js';

// rules.json entries (SPEC §12.1-§12.3, §12.6): defaults, aliases, normalisation, and every
// kind of bad input with the rule and field the issue must name.

const EXAMPLE = JSON.parse(readFileSync(join(import.meta.dirname, '../../../rules.json.example'), 'utf8')) as unknown[];
const BASE = { name: 'r', condition: 'outage_active', outlet: 1, action: 'off' };

function ok(input: Record<string, unknown>): Rule {
  const p = parseRule({ ...BASE, ...input }, 0);
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return p.rule;
}

describe('rules.json.example (SPEC §12.6)', () => {
  const { rules, issues } = parseRules(EXAMPLE);

  it('parses to the 6 documented rules without issues', () => {
    expect(issues).toEqual([]);
    expect(rules.map((r) => r.name)).toEqual(['brownout-shed', 'shed-on-backup', 'night-lights', 'outage-shed', 'after-outage-reboot-modem', 'bank2-overload']);
  });

  it('fills every default of SPEC §12.1', () => {
    expect(rules[0]).toEqual({
      name: 'brownout-shed', device: null, condition: 'voltage_below', input: 1, threshold: 108, outlet: '6-10', action: 'off',
      restore: true, delay: 10, restore_delay: 0, cooldown_s: 0, hysteresis: null, stagger_s: 0, notify: null, days_of_week: null,
      schedule_type: 'continuous', enabled: true,
    });
    expect(rules[1]).toMatchObject({ threshold: 0, outlet: [9, 10], input: 0 });
    expect(rules[2]).toMatchObject({ threshold: '22:00-06:00', days_of_week: [0, 1, 2, 3, 4], delay: 5 });
    expect(rules[3]).toMatchObject({ threshold: null, restore_delay: 300, delay: 60 });
    expect(rules[4]).toMatchObject({ condition: 'outage_end', outlet: 2, action: 'reboot' });
    expect(rules[5]).toMatchObject({ threshold: ['overload'], input: 2, schedule_type: 'oneshot' });
  });

  it('round-trips through ruleToJson with every field in a stable order', () => {
    for (const r of rules) {
      const json = ruleToJson(r);
      expect(Object.keys(json)).toEqual([
        'name', 'device', 'condition', 'input', 'threshold', 'hysteresis', 'outlet', 'action', 'restore', 'delay', 'restore_delay',
        'cooldown_s', 'stagger_s', 'notify', 'days_of_week', 'schedule_type', 'enabled',
      ]);
      expect(parseRule(JSON.parse(JSON.stringify(json)), 0)).toEqual({ ok: true, rule: r });
    }
  });
});

describe('fields, aliases and normalisation', () => {
  it.each<[string, Record<string, unknown>, Partial<Rule> & { description?: string }]>([
    ['outlets alias', { outlet: undefined, outlets: '1-3' }, { outlet: '1-3' }],
    ['one_shot: true', { one_shot: true }, { schedule_type: 'oneshot' }],
    ['one_shot: false', { one_shot: false }, { schedule_type: 'continuous' }],
    ['schedule_type', { schedule_type: 'oneshot' }, { schedule_type: 'oneshot' }],
    ['device all', { device: 'all' }, { device: 'all' }],
    ['device id', { device: 'pdu-02' }, { device: 'pdu-02' }],
    ['days [] = every day', { days_of_week: [] }, { days_of_week: null }],
    ['days sorted', { days_of_week: [6, 0, 3] }, { days_of_week: [0, 3, 6] }],
    ['notify "" = none', { notify: '' }, { notify: null }],
    ['notify mqtt', { notify: 'mqtt' }, { notify: 'mqtt' }],
    ['timings', { delay: 0, restore_delay: 30, cooldown_s: 600, stagger_s: 0.5 }, { delay: 0, restore_delay: 30, cooldown_s: 600, stagger_s: 0.5 }],
    ['flags', { restore: false, enabled: false }, { restore: false, enabled: false }],
    ['description kept', { description: 'why' }, { description: 'why' }],
    ['outlet all', { outlet: 'all' }, { outlet: 'all' }],
    ['outlet "" with notify', { outlet: '', notify: 'mqtt' }, { outlet: '' }],
    ['ats source 1', { condition: 'ats_source_is', threshold: 1 }, { threshold: 'A' }],
    ['ats source "b"', { condition: 'ats_source_is', threshold: 'b' }, { threshold: 'B' }],
    ['time_after', { condition: 'time_after', threshold: '07:30' }, { threshold: '07:30' }],
    ['time_between spaces', { condition: 'time_between', threshold: ' 22:00 - 06:00 ' }, { threshold: '22:00-06:00' }],
    ['bank load state', { condition: 'bank_load_is', threshold: 'overload' }, { threshold: 'overload', input: 0 }],
    ['bank load list', { condition: 'bank_load_is', input: 1, threshold: ['NearOverload', 'overload'] }, { threshold: ['nearOverload', 'overload'] }],
    ['health', { condition: 'device_health_is', threshold: 'Recovered' }, { threshold: 'recovered' }],
    ['voltage input 0', { condition: 'voltage_above', threshold: 130, hysteresis: 1.5 }, { input: 0, hysteresis: 1.5 }],
    ['outlet power', { condition: 'outlet_power_below', input: 3, threshold: 5 }, { input: 3, threshold: 5 }],
    ['bank totals', { condition: 'bank_power_above', input: 0, threshold: 1500 }, { input: 0 }],
    ['ignored threshold kept', { threshold: 'x' }, { threshold: 'x' }],
    ['ignored odd threshold dropped', { threshold: { x: 1 } }, { threshold: null }],
    ['hysteresis ignored without unit', { condition: 'time_after', threshold: '07:00', hysteresis: 'x' }, { hysteresis: null }],
  ])('%s', (_, input, expected) => {
    expect(ok(input)).toMatchObject(expected);
  });

  it('composite conditions fill each leaf and nest up to 4 levels', () => {
    const leaf = { condition: 'outage_active' };
    const deep = { all: [{ any: [{ all: [leaf] }] }] }; // 3 levels, 4 with the rule's own group
    const r = ok({ condition: { any: [{ condition: 'voltage_below', input: 2, threshold: 100 }, deep] } });
    expect(r.condition).toEqual({
      any: [
        { condition: 'voltage_below', input: 2, threshold: 100, hysteresis: null },
        { all: [{ any: [{ all: [{ condition: 'outage_active', input: 0, threshold: null, hysteresis: null }] }] }] },
      ],
    });
    expect(parseRule({ ...BASE, condition: { all: [{ any: [deep] }] } }, 0).ok).toBe(false);
  });
});

/** One bad field: the issue must name the rule, the index and the field. */
describe('bad input names the rule and the field', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['unknown condition', { condition: 'voltage_bellow' }, 'condition', /did you mean "voltage_below"/],
    ['condition missing', { condition: undefined }, 'condition', /required/],
    ['condition as one leaf object', { condition: { condition: 'outage_active' } }, 'condition', /"all"/],
    ['unknown key', { outlts: 3 }, 'outlts', /did you mean "outlets"/],
    ['unknown key far off', { colour: 'red' }, 'colour', /remove it/],
    ['name with /', { name: 'a/b' }, 'name', /"\/".*use "-"/],
    ['name empty', { name: '' }, 'name', /empty/],
    ['name too long', { name: 'x'.repeat(65) }, 'name', /65 characters.*at most 64/],
    ['negative delay', { delay: -5 }, 'delay', /negative.*0 or more/],
    ['fractional delay', { delay: 2.5 }, 'delay', /whole seconds.*use 3/],
    ['delay beyond a week', { delay: 700_000 }, 'delay', /7 days/],
    ['restore_delay as text', { restore_delay: '10' }, 'restore_delay', /without quotes/],
    ['negative cooldown', { cooldown_s: -1 }, 'cooldown_s', /negative/],
    ['negative stagger', { stagger_s: -0.5 }, 'stagger_s', /negative/],
    ['overlapping ranges', { outlet: '1-5,3' }, 'outlet', /overlaps "1-5".*only once/],
    ['bad outlet syntax', { outlet: '1;2' }, 'outlet', /e\.g\./],
    ['outlet 0', { outlet: 0 }, 'outlet', /outlet spec/],
    ['outlet list item', { outlet: [1, 'x'] }, 'outlet[1]', /numbered from 1/],
    ['duplicate in list', { outlet: [9, 9] }, 'outlet', /overlaps/],
    ['outlet missing', { outlet: undefined }, 'outlet', /required/],
    ['no outlet and no notify', { outlet: '' }, 'outlet', /do nothing.*notify/],
    ['outlet and outlets', { outlets: '2' }, 'outlets', /keep only one/],
    ['one_shot contradicts', { one_shot: true, schedule_type: 'continuous' }, 'one_shot', /keep only/],
    ['action typo', { action: 'of' }, 'action', /did you mean "off"/],
    ['action missing', { action: undefined }, 'action', /required.*"action": "off"/],
    ['restore yes', { restore: 'yes' }, 'restore', /true or false/],
    ['device with a dot', { device: 'pdu.1' }, 'device', /"\."/],
    ['notify number', { notify: 5 }, 'notify', /webhook name/],
    ['weekday 7', { days_of_week: [1, 7] }, 'days_of_week[1]', /0 \(Monday\) to 6 \(Sunday\)/],
    ['weekday twice', { days_of_week: [1, 1] }, 'days_of_week', /twice/],
    ['schedule_type typo', { schedule_type: 'once' }, 'schedule_type', /"oneshot"/],
    ['voltage threshold missing', { condition: 'voltage_below' }, 'threshold', /required for voltage_below.*108/],
    ['voltage threshold quoted', { condition: 'voltage_below', threshold: '108' }, 'threshold', /without quotes/],
    ['negative current', { condition: 'bank_current_above', threshold: -1 }, 'threshold', /amperes, 0 or more/],
    ['voltage input 3', { condition: 'voltage_below', input: 3, threshold: 100 }, 'input', /0 \(PDU input\), 1 \(source A\) or 2/],
    ['input not an integer', { condition: 'voltage_below', input: 1.5, threshold: 100 }, 'input', /whole number/],
    ['bank input negative', { condition: 'bank_load_is', input: -1, threshold: 'overload' }, 'input', /bank number/],
    ['outlet input missing', { condition: 'outlet_power_above', threshold: 100 }, 'input', /outlet number/],
    ['outlet input 0', { condition: 'outlet_power_above', input: 0, threshold: 100 }, 'input', /1 or more/],
    ['ats source C', { condition: 'ats_source_is', threshold: 'C' }, 'threshold', /"A", 2 or "B"/],
    ['time 24:00', { condition: 'time_after', threshold: '24:00' }, 'threshold', /HH:MM/],
    ['time 7:30', { condition: 'time_before', threshold: '7:30' }, 'threshold', /HH:MM/],
    ['window start = end', { condition: 'time_between', threshold: '06:00-06:00' }, 'threshold', /same time/],
    ['window not a range', { condition: 'time_between', threshold: '22:00' }, 'threshold', /HH:MM-HH:MM/],
    ['load state typo', { condition: 'bank_load_is', threshold: 'overloaded' }, 'threshold', /nearOverload/],
    ['load state list item', { condition: 'bank_load_is', threshold: ['normal', 'x'] }, 'threshold[1]', /bank load state/],
    ['load list empty', { condition: 'bank_load_is', threshold: [] }, 'threshold', /empty list/],
    ['health dead', { condition: 'device_health_is', threshold: 'dead' }, 'threshold', /"lost" or "recovered"/],
    ['negative hysteresis', { condition: 'voltage_below', threshold: 100, hysteresis: -1 }, 'hysteresis', /volts, 0 or more/],
    ['empty group', { condition: { all: [] } }, 'condition.all', /1 to 16/],
    ['17 conditions', { condition: { any: Array(17).fill({ condition: 'outage_active' }) } }, 'condition.any', /1 to 16/],
    ['all and any together', { condition: { all: [{ condition: 'outage_active' }], any: [] } }, 'condition', /only "all" or only "any"/],
    ['leaf threshold', { condition: { all: [{ condition: 'outage_active' }, { condition: 'voltage_below', threshold: -1 }] } }, 'condition.all[1].threshold', /volts/],
    ['leaf unknown key', { condition: { any: [{ condition: 'voltage_below', treshold: 100 }] } }, 'condition.any[0].treshold', /did you mean "threshold"/],
    ['leaf not an object', { condition: { any: ['outage_active'] } }, 'condition.any[0]', /must be an object/],
    ['nested too deep', { condition: { all: [{ all: [{ all: [{ all: [{ all: [{ condition: 'outage_active' }] }] }] }] }] } }, 'condition.all[0].all[0].all[0].all[0].all', /at most 4/],
  ])('%s', (_, input, field, message) => {
    const p = parseRule({ ...BASE, name: 'bad-rule', ...input }, 4);
    expect(p.ok).toBe(false);
    const issues = p.ok ? [] : p.issues;
    const hit = issues.find((i) => i.field === field);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit).toMatchObject({ rule: typeof input.name === 'string' && input.name !== '' ? input.name : input.name === undefined ? 'bad-rule' : null, index: 4 });
    expect(hit?.message).toMatch(message);
    expect(hit?.message).toMatch(/: /); // what is wrong, then how to fix it
  });

  it('reports every problem of a rule at once', () => {
    const p = parseRule({ ...BASE, delay: -1, condition: 'nope', outlet: '1-5,3' }, 0);
    expect(p.ok ? [] : p.issues.map((i) => i.field).sort()).toEqual(['condition', 'delay', 'outlet']);
  });

  it('a rule that is not an object', () => {
    expect(parseRule('voltage_below', 2)).toEqual({ ok: false, issues: [expect.objectContaining({ rule: null, index: 2, field: '(rule)' })] });
  });
});

describe('parseRules', () => {
  it('requires an array', () => {
    expect(parseRules({ rules: [] }).issues).toEqual([expect.objectContaining({ rule: null, field: '(file)', message: expect.stringMatching(/JSON array.*\[/) })]);
  });

  it('a bad rule does not hide the good ones; duplicates (any case) are an issue on the later one', () => {
    const { rules, issues } = parseRules([
      EXAMPLE[0], { ...BASE, name: 'broken', delay: -1 }, { ...BASE, name: 'Brownout-Shed' }, { ...BASE, name: undefined }, EXAMPLE[1],
    ]);
    expect(rules.map((r) => r.name)).toEqual(['brownout-shed', 'shed-on-backup']);
    expect(issues).toEqual([
      expect.objectContaining({ rule: 'broken', index: 1, field: 'delay' }),
      expect.objectContaining({ rule: 'Brownout-Shed', index: 2, field: 'name', message: expect.stringMatching(/duplicate.*rename/) }),
      expect.objectContaining({ rule: null, index: 3, field: 'name', message: expect.stringMatching(/required/) }),
    ]);
  });
});

describe('device checks (SPEC §12.2)', () => {
  const dev = { id: 'pdu-01', outletCount: 10, protectedOutlets: [2] };

  it.each<[string, Record<string, unknown>, RegExp | null]>([
    ['inside the count', { outlet: '6-10' }, null],
    ['all is never beyond', { outlet: 'all', action: 'on', restore: false }, null],
    ['one outlet beyond', { outlet: [9, 10, 11] }, /outlet 11 is beyond the 10 outlets of pdu-01: drop it from "outlet"/],
    ['a range beyond', { outlet: '1,8-12' }, /outlets 11-12 are beyond.*drop them from "outlet"/],
    ['protected, off', { outlet: '1-3' }, /outlet 2 of pdu-01 is protected.*"off".*drop it from "outlet" or from devices\[\]\.protected_outlets/],
    ['protected, delayoff', { outlet: 2, action: 'delayoff' }, /outlet 2.*"delayoff"/],
    ['protected, reboot', { outlet: 'all', action: 'reboot' }, /outlet 2.*"reboot"/],
    ['protected, on with restore', { outlet: 2, action: 'on' }, /outlet 2.*restore/],
    ['protected, delayon with restore', { outlet: '1-4', action: 'delayon' }, /outlet 2.*restore/],
    ['protected, on without restore', { outlet: 2, action: 'on', restore: false }, null],
    ['protected, on after an edge (never restores)', { outlet: 2, action: 'on', condition: 'outage_end' }, null],
  ])('%s', (_, input, message) => {
    const issue = checkRuleForDevice(ok({ name: 'dev-rule', ...input }), dev);
    if (message === null) expect(issue).toBeNull();
    else expect(issue).toMatchObject({ rule: 'dev-rule', field: 'outlet', message: expect.stringMatching(message) });
  });

  it('the example brownout rule does not fit an 8-outlet PDU', () => {
    const r = parseRules(EXAMPLE).rules[0] as Rule;
    expect(checkRuleForDevice(r, { id: 'small', outletCount: 8, protectedOutlets: [] })?.message).toMatch(/outlets 9-10 are beyond the 8 outlets/);
  });

  it.each<[unknown, number, number[]]>([
    ['all', 8, [1, 2, 3, 4, 5, 6, 7, 8]],
    [[9, 10], 10, [9, 10]],
    ['1, 3, 5-7', 10, [1, 3, 5, 6, 7]],
    [4, 10, [4]],
  ])('ruleOutlets(%j) on %i outlets', (outlet, count, expected) => {
    expect(ruleOutlets(ok({ outlet }), count)).toEqual(expected);
  });
});
