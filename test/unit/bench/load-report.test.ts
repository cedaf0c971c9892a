// The load report's steady-state verdict (bench/load-report.ts): slopes with their 95 % interval
// over the intervals after the history store's first chunk cycle. Pure: rows are made up here.
import { describe, expect, it } from 'vitest';
import type { LoadInterval } from '../../../bench/load-app.js';
import { loadTable, loadVerdict, loadVerdictTable, nativeMb, slopeFit, STEADY, steadyFrom, type LoadResult, type LoadRow } from '../../../bench/load-report.js';

/** RssFile is a constant 40 MB, so native = RSS − 40 − heap total − external. */
function row(label: string, rssMb: number, heapFloorMb: number): LoadRow {
  const interval: LoadInterval = {
    wallMs: 60_000, cpuPct: 60, rssMb, rssMaxMb: rssMb, rssFloorMb: rssMb - 10, heapUsedMb: heapFloorMb, heapFloorMb, heapTotalMb: 600, externalMb: 90, rssAnonMb: rssMb - 40, rssFileMb: 40, due: 30_000, done: 30_000,
    missed: 0, failed: 0, overruns: 0, skipped: 0, unsettled: 0, latenessMs: { p50: 0.1, p99: 30, max: 40, count: 30_000 }, samplesWritten: 29_900, writeErrors: 0,
    droppedSamples: 0, mqttPublished: 605_000, mqttDropped: 0, ruleEvaluations: 60_000, ruleExecutions: 790, ruleCommandFailures: 0,
  };
  return { ...interval, label, mqttReceived: 605_000, loadAvg: 1, brokerRssMb: null };
}

/** `minutes` rows at 60 s; RSS/heap of minute k from the functions. */
function result(minutes: number, rss: (k: number) => number, heap: (k: number) => number = () => 160): LoadResult {
  return {
    pdus: 500, intervalMs: 60_000, warmupMs: 30_000, warmup: row('warm-up', 800, 60),
    rows: Array.from({ length: minutes }, (_, i) => row(String(i + 1), rss(i + 1), heap(i + 1))),
    final: { storedSamples: 0, samplesWritten: 0, writeErrors: 0, ruleStates: 0, ruleStatesActive: 0, ruleExecutionCount: 0, stoppedCleanly: true, checkpoints: null },
    agentCpuPct: null, subscriberCpuPct: null, startupMs: 400, wallMs: 0, broker: { kind: 'aedes', text: 'aedes', cpuPct: null },
    allocator: 'glibc malloc (default arenas)',
  };
}

// Deterministic ±10 MB noise (no randomness in tests).
const noise = (k: number): number => 10 * Math.sin(k * 1.7) * Math.cos(k * 0.3);

describe('slopeFit', () => {
  it.each([
    { ys: [1, 2, 3, 4, 5], slope: 1, ci95: 0 },
    { ys: [5, 5, 5, 5], slope: 0, ci95: 0 },
  ])('exact lines have no interval: $ys', ({ ys, slope, ci95 }) => {
    const f = slopeFit(ys);
    expect(f?.slope).toBeCloseTo(slope);
    expect(f?.ci95).toBeCloseTo(ci95);
  });

  it('noise widens the interval; fewer than 3 points give null', () => {
    const f = slopeFit([0, 2, 0, 2, 0, 2]);
    expect(f?.slope).toBeCloseTo(3 / 17.5, 6); // Σ(x−x̄)(y−ȳ) / Σ(x−x̄)²
    expect(f?.ci95).toBeCloseTo(1.96 * Math.sqrt((6 - (3 / 17.5) ** 2 * 17.5) / 4 / 17.5), 6);
    expect(slopeFit([1, 2])).toBeNull();
  });
});

describe('steady state', () => {
  it('starts after the first chunk cycle (a 900 s chunk + up to 454 s close delay) counted from the warm-up', () => {
    expect(steadyFrom(60_000, 30_000)).toBe(24); // 1354 s − 30 s = 22.07 intervals → from the 24th
    expect(steadyFrom(5_000, 5_000)).toBe(271); // (1354 − 5) / 5 = 269.8 → from the 271st
  });

  it.each([
    { name: 'flat after warm-up growth: pass', minutes: 130, rss: (k: number) => Math.min(800 + 3 * k, 870) + noise(k), heap: () => 160, verdict: 'pass' },
    { name: 'a slow leak of 0.3 MB/min: FAIL', minutes: 130, rss: (k: number) => 860 + 0.3 * k + noise(k), heap: () => 160, verdict: '**FAIL**' },
    { name: 'a live-heap leak of 0.2 MB/min with flat RSS: FAIL', minutes: 130, rss: (k: number) => 860 + noise(k), heap: (k: number) => 150 + 0.2 * k, verdict: '**FAIL**' },
    { name: 'a 10-minute run: too short', minutes: 10, rss: (k: number) => 800 + k, heap: () => 160, verdict: '– (run too short)' },
    { name: `${STEADY.minIntervals + 22} minutes: one short`, minutes: STEADY.minIntervals + 22, rss: () => 860, heap: () => 160, verdict: '– (run too short)' },
  ])('$name', ({ minutes, rss, heap, verdict }) => {
    const r = result(minutes, rss, heap);
    const line = loadVerdictTable(r).split('\n').find((l) => l.startsWith('| no growth in steady state'));
    expect(line?.endsWith(`| ${verdict} |`), line).toBe(true);
    if (minutes >= 24 + STEADY.minIntervals - 1) expect(loadVerdict(r).steady).toMatchObject({ from: 24, to: minutes });
  });

  it('reports the native part (RssAnon − V8 heap total − external) with its own slope; absent without /proc', () => {
    const r = result(60, (k) => 860 + 0.3 * k);
    const native = loadVerdict(r).steady?.native;
    expect(native?.slope).toBeCloseTo(0.3, 6);
    expect(nativeMb(r.rows[0] as LoadRow)).toBeCloseTo(860.3 - 40 - 600 - 90, 6);
    expect(loadVerdictTable(r)).toContain('native +0.300 ± 0.000 MB/min');
    expect(loadTable(r).split('\n')[3]).toContain('| 130.3 |'); // minute 1: 860.3 − 40 − 600 − 90
    const noProc = { ...r, rows: r.rows.map((x) => ({ ...x, rssAnonMb: null })) };
    expect(loadVerdict(noProc).steady?.native).toBeNull();
    expect(loadVerdictTable(noProc)).not.toContain('native');
  });

  it('the verdict reads the RSS floor: a GC-phase swing of the end reading does not fail it, a rising floor does', () => {
    const swing = (k: number): number => (k % 2 === 0 ? 60 : 0) + (k % 7) * 5; // V8's heap caught before or after a collection
    const withFloor = (floor: (k: number) => number) => {
      const r = result(130, (k) => 860 + swing(k));
      return { ...r, rows: r.rows.map((x, i) => ({ ...x, rssFloorMb: floor(i + 1) })) };
    };
    const verdict = (r: LoadResult) => loadVerdictTable(r).split('\n').find((l) => l.startsWith('| no growth in steady state'));
    expect(verdict(withFloor(() => 850))).toMatch(/RSS floor \+0\.000 ± 0\.000 MB\/min .*\| pass \|$/);
    expect(verdict(withFloor((k) => 850 + 0.3 * k))).toMatch(/\| \*\*FAIL\*\* \|$/);
  });
});
