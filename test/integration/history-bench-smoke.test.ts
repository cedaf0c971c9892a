import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHistoryBench } from '../../bench/history-bench.js';
import { runHistoryLayoutBench } from '../../bench/history-layouts.js';
import { HISTORY_SECTION_END, HISTORY_SECTION_START, renderHistorySection, replaceHistorySection } from '../../bench/history-report.js';

// Smoke version of `npm run bench -- --suite history`: one simulated day through the real writer
// and a 1 h layout comparison. Correctness only (every figure is present and plausible); the
// targets are judged by the benchmark and recorded in docs/PERFORMANCE.md.

describe('history benchmark smoke', () => {
  it('writes a simulated day, queries every range it covers and exports 24 h raw', async () => {
    const r = await runHistoryBench({ days: 1, ingestPdus: 5, ingestSeconds: 20, queryRuns: 3 }, () => {});
    expect(r.samples).toBe(86_400);
    expect(r.series).toBeGreaterThan(50);
    expect(r.db_bytes).toBeGreaterThan(100_000);
    expect(r.queries.map((q) => [q.range, q.bucket, q.points])).toEqual([['1h', 1, 3600], ['6h', 10, 2160], ['24h', 60, 1440]]);
    expect(r.export_rows).toBe(86_400);
    expect(r.values_per_s_many).toBeGreaterThan(0);
    expect(r.retention.deleted_blocks).toBeGreaterThan(0);
    expect(r.retention.steps).toBeGreaterThan(0);
    expect(r.retention.max_step).toMatch(/^(delete \w+ LIMIT \d+|incremental_vacuum\(\d+\)|optimize)$/);
    // The worker checkpointed while the day was written, before SQLite's main-thread fallback (10,000 pages).
    expect(r.checkpoints.runs).toBeGreaterThan(0);
    expect(r.checkpoints.max_pages).toBeGreaterThan(0);
    expect(r.checkpoints.max_pages).toBeLessThan(10_000);
    const section = renderHistorySection({ date: 'now', machine: 'test', result: r, layouts: null, layoutHours: 0, totalS: 1 });
    const doc = replaceHistorySection(`# x\n\n${HISTORY_SECTION_START}\nold\n${HISTORY_SECTION_END}\n`, section);
    expect(doc).not.toContain('\nold\n');
    expect(doc).toContain('| CSV export, 24 h raw, one outlet |');
    expect(doc).toContain(`WAL checkpoints ran in the worker thread as in the service (every 200 ms of real time here): ${r.checkpoints.runs},`);
  }, 120_000);

  it('compares the storage layouts on the same data (every layout reads back what it wrote)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2m-layout-smoke-'));
    try {
      const results = await runHistoryLayoutBench({ hours: 1, dir });
      const byName = new Map(results.map((x) => [x.layout, x]));
      expect([...byName.keys()]).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd', 'e900', 'e3600']));
      // The compact codec is an order of magnitude smaller than one row per value.
      expect(byName.get('e3600')!.dataBytesPerPduDay * 10).toBeLessThan(byName.get('a')!.dataBytesPerPduDay);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
