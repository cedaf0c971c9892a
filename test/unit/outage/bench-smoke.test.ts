import { describe, expect, it } from 'vitest';
import { runOutageBench } from '../../../bench/outage-bench.js';
import { POWER_SECTION_END, POWER_SECTION_START, renderPowerSection, replacePowerSection } from '../../../bench/power-suite.js';

// Smoke version of the outage benchmark (`npm run bench -- --suite power`): the same code on a
// short run (50 trials, 1 simulated hour). Correctness only: latencies are simulated-clock values,
// the step times are not judged here.

describe('outage benchmark smoke', () => {
  const rows = runOutageBench({ latencyTrials: 50, days: 1 / 24 });

  it('measures ATS and quorum detection within the targets on the simulated clock', () => {
    const byMetric = (s: string) => rows.find((r) => r.metric.includes(s));
    const ats = byMetric('ATS');
    const quorum = byMetric('quorum');
    expect(ats?.pass).toBe(true);
    expect(quorum?.pass).toBe(true);
    // 1 Hz polls: a lost feed is seen within a couple of seconds, never instantly.
    expect(ats?.values.p99_s).toBeGreaterThan(0);
    expect(ats?.values.p99_s).toBeLessThanOrEqual(2);
  });

  it('runs the lossy hour cycle by cycle, with the expectation printed beside the count', () => {
    const loss = rows.find((r) => r.metric.startsWith('false outages'));
    expect(loss?.values.cycles).toBe(360);
    expect(loss?.values.false_outages).toBe(0);
    expect(loss?.values.expected).toBeGreaterThan(0);
    expect(rows.find((r) => r.metric.includes('probe-cycle step'))?.values.steps).toBe(360);
  });

  it('writes its own marked section and leaves the rest of the document alone', () => {
    const probe = { rows: [], cpu_per_second: [] };
    const section = renderPowerSection({ probe, outage: rows, totalS: 1 }, { date: '2026-11-24', text: 'test', command: 'npm run bench' });
    const doc = `# perf\n\nkeep me\n\n${POWER_SECTION_START}\nold\n${POWER_SECTION_END}\n\ntail\n`;
    const out = replacePowerSection(doc, section);
    expect(out).toContain('keep me');
    expect(out).toContain('tail');
    expect(out).not.toContain('\nold\n');
    expect(out.split(POWER_SECTION_START)).toHaveLength(2);
    expect(out).toContain('| Metric | Target | Result | Met |');
  });
});
