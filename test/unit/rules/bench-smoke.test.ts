import { describe, expect, it } from 'vitest';
import {
  RULES_SECTION_END, RULES_SECTION_START, renderRulesSection, replaceRulesSection, runRulesBench,
} from '../../../bench/rules-bench.js';
import { ruleMix } from '../../../bench/rules-mix.js';
import { CONDITION_NAMES } from '../../../src/core/rules.js';
import { parseRules } from '../../../src/rules/schema.js';

// Smoke version of the rules benchmark (`npm run bench -- --suite rules`): the same code on a
// few PDUs for a few cycles. Correctness only: no timing is judged here.

const conditionsOf = (c: unknown): string[] => {
  if (typeof c === 'string') return [c];
  if (c && typeof c === 'object') {
    const o = c as Record<string, unknown>;
    if (typeof o.condition === 'string') return [o.condition];
    return Object.values(o).flatMap((v) => (Array.isArray(v) ? v.flatMap(conditionsOf) : []));
  }
  return [];
};

describe('rules benchmark smoke', () => {
  it('the rule mix is valid, covers every condition and spreads per-device rules over the PDUs', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const mix = ruleMix(1000, 10, ids);
    expect(mix).toMatchObject({ perDevice: 990, fleet: 10 });
    const parsed = parseRules(mix.entries);
    expect(parsed.issues).toEqual([]);
    expect(parsed.rules).toHaveLength(1000);
    expect(parsed.rules.filter((r) => r.device === 'all')).toHaveLength(10);
    expect(ids.map((id) => parsed.rules.filter((r) => r.device === id).length)).toEqual([248, 248, 247, 247]);
    const used = new Set(mix.entries.flatMap((e) => conditionsOf(e.condition)));
    expect([...CONDITION_NAMES].filter((c) => !used.has(c))).toEqual([]);
  });

  it('evaluates every PDU once per cycle and fires rules on the simulated data', async () => {
    const r = await runRulesBench({ pdus: 4, rules: 40, fleetRules: 4, cycles: 5, warmup: 2 });
    // 36 per-device rules (9 per PDU) + 4 fleet rules on each of the 4 PDUs.
    expect(r.evaluationsPerCycle).toBe(36 + 4 * 4);
    expect(r.cycles).toBe(5);
    expect(r.triggered).toBeGreaterThan(0);
    expect(r.commands).toBeGreaterThanOrEqual(r.triggered);
    expect(r.commandFailed).toBe(0);
    for (const d of [r.cpuMs, r.wallMs]) {
      expect(Number.isFinite(d.mean) && d.mean >= 0).toBe(true);
      expect(d.max).toBeGreaterThanOrEqual(d.p50);
    }
    expect(r.rssMb).toBeGreaterThan(0);
  });

  it('writes its own marked section and leaves the rest of the document alone', async () => {
    const row = await runRulesBench({ pdus: 2, rules: 10, fleetRules: 2, cycles: 2, warmup: 1 });
    const section = renderRulesSection({ rows: [row], note: 'Before the fix: 133 ms.', totalS: 1 }, { date: '2026-11-24', text: 'test', command: 'npm run bench' });
    const doc = `# perf\n\nkeep me\n\n${RULES_SECTION_START}\nold\n${RULES_SECTION_END}\n\ntail\n`;
    const out = replaceRulesSection(doc, section);
    expect(out).toContain('keep me');
    expect(out).toContain('tail');
    expect(out).not.toContain('\nold\n');
    expect(out.split(RULES_SECTION_START)).toHaveLength(2);
    expect(out).toContain('Before the fix: 133 ms.');
    expect(out).toContain(`| ${row.label} | 2 | ${row.evaluationsPerCycle} |`);
    expect(replaceRulesSection(null, section)).toContain(RULES_SECTION_END);
  });
});
