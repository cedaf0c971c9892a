import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, type Clock, type TimerHandle } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { PduSnapshot } from '../src/core/types.js';
import { CPS_MIB_PROFILE } from '../src/devices/pdu/profiles/cps-mib.js';
import { WalCheckpointer } from '../src/history/checkpointer.js';
import { DbHandle } from '../src/history/handle.js';
import { HistoryStore } from '../src/history/store.js';
import { RANGES, type RangeName } from '../src/history/range.js';
import { RetentionJob } from '../src/history/retention.js';
import { HistoryWriter } from '../src/history/writer.js';
import { simulatedSamples } from './history-sim.js';

// The history benchmark (issue 5): one simulated PDU44001 at 1 Hz for N days through the real
// writer (one transaction per simulated second, compaction and rollups included), then the
// database size, ingest rate, query latencies per range and a 24 h raw CSV-style export.
// Simulated time: the writer's clock is set to each sample's second; work is timed for real.

export interface HistoryBenchOptions {
  days: number;
  /** PDUs written per commit in the ingest-rate run (a site with many PDUs). */
  ingestPdus: number;
  ingestSeconds: number;
  queryRuns: number;
}

export interface QueryTiming {
  range: RangeName;
  bucket: number;
  one_p50: number;
  one_p95: number;
  bundle_p50: number;
  bundle_p95: number;
  points: number;
}

export interface HistoryBenchResult {
  days: number;
  series: number;
  samples: number;
  db_bytes: number;
  bytes_per_day: number;
  write_ms_per_day: number;
  values_per_s_one_pdu: number;
  values_per_s_many: number;
  ingest_pdus: number;
  max_commit_ms: number;
  /** Commits that closed a chunk (compaction: hour block and rollup rows), their duration. */
  compaction: { count: number; p50_ms: number; p99_ms: number; max_ms: number };
  queries: QueryTiming[];
  export_24h_ms: number;
  export_rows: number;
  /** Retention of half the raw data (days / 2), run on the filled database. */
  retention: { deleted_blocks: number; steps: number; max_step_ms: number; max_step: string; total_ms: number; vacuumed_pages: number };
  /** WAL checkpoints of the worker thread during fill, queries, export and retention. */
  checkpoints: { runs: number; max_ms: number; max_pages: number };
}

/** What the dashboard charts for one PDU (issue 9): banks, outlets, input and total power. */
export const CHART_BUNDLE = [
  'input_voltage', 'total_power', 'bank_voltage', 'bank_current', 'bank_power', 'bank_power_factor', 'outlet_current', 'outlet_power',
];

export class SimClock implements Clock {
  t = 0;
  now(): number {
    return this.t * 1000;
  }
  monotonic(): number {
    return performance.now();
  }
  setTimeout(): TimerHandle {
    return { id: 0 };
  }
  clearTimeout(): void {}
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

function writerFor(handle: DbHandle, clock: SimClock): HistoryWriter {
  return new HistoryWriter(handle, {
    clock, logger: silentLogger(), commitIntervalMs: 1000, profileOf: () => CPS_MIB_PROFILE, pollIntervalOf: () => 1, maxHeldBatches: 10,
  });
}

/**
 * Feed `days` of one PDU, one commit per second; returns the time spent in the writer. It yields
 * to the event loop every 5 simulated minutes, so timers (the WAL checkpointer's) run meanwhile.
 */
export async function fill(
  handle: DbHandle, clock: SimClock, startS: number, days: number, onDay: (d: number) => void,
): Promise<{ ms: number; samples: number; maxCommit: number; compactions: number[] }> {
  const writer = writerFor(handle, clock);
  let ms = 0;
  let samples = 0;
  let maxCommit = 0;
  const compactions: number[] = [];
  for (let d = 0; d < days; d++) {
    for (const snap of simulatedSamples({ startS: startS + d * 86_400, seconds: 86_400, seed: d + 1, events: d === 0 })) {
      clock.t = snap.ts;
      const closed = writer.stats.chunks_closed;
      const t = performance.now();
      writer.ingest(snap);
      writer.commit();
      const dt = performance.now() - t;
      ms += dt;
      if (dt > maxCommit) maxCommit = dt;
      if (writer.stats.chunks_closed > closed) compactions.push(dt);
      if (++samples % 300 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    onDay(d + 1);
  }
  clock.t += 86_400;
  writer.compactAll();
  return { ms, samples, maxCommit, compactions };
}

/** Many PDUs per commit: the writer's sustained rate when the per-transaction cost is shared. */
function ingestMany(dir: string, pdus: number, seconds: number): number {
  const handle = new DbHandle(join(dir, 'many.db'), 20);
  const clock = new SimClock();
  const writer = writerFor(handle, clock);
  const base = [...simulatedSamples({ startS: 1_800_000_000, seconds, events: false })];
  let ms = 0;
  let values = 0;
  for (const snap of base) {
    clock.t = snap.ts;
    const copies: PduSnapshot[] = Array.from({ length: pdus }, (_, i) => ({ ...snap, device_id: `pdu-${i}` }));
    const t = performance.now();
    for (const c of copies) writer.ingest(c);
    writer.commit();
    ms += performance.now() - t;
  }
  values = writer.stats.samples_written * (handle.catalog.seriesOf(1).length || 1);
  handle.close();
  return values / (ms / 1000);
}

export async function runHistoryBench(opts: HistoryBenchOptions, progress: (msg: string) => void): Promise<HistoryBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'p2m-hbench-'));
  try {
    const path = join(dir, 'history.db');
    const handle = new DbHandle(path, 20);
    const clock = new SimClock();
    // As in the service: WAL checkpoints in the worker, on real time. The simulated day passes in
    // about a second here, so the interval is 200 ms rather than the service's 2 s.
    const checkpointer = new WalCheckpointer({ handle, clock: new RealClock(), logger: silentLogger(), intervalMs: 200 });
    checkpointer.start();
    const startS = 1_800_000_000 - (1_800_000_000 % 86_400);
    const filled = await fill(handle, clock, startS, opts.days, (d) => progress(`history: day ${d}/${opts.days} written`));
    handle.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = statSync(path).size;
    const series = handle.catalog.seriesOf(1).length;
    const store = new HistoryStore(handle, {
      retentionDays: 730, clock, writer: null, tariff: { type: 'flat', price_per_kwh: 0, currency: 'USD', periods: [] }, timezone: 'UTC',
    });
    const end = startS + opts.days * 86_400;
    const queries: QueryTiming[] = [];
    for (const range of Object.keys(RANGES) as RangeName[]) {
      if (RANGES[range] > opts.days * 86_400) continue;
      const one: number[] = [];
      const bundle: number[] = [];
      let points = 0;
      const params = { start: end - RANGES[range], end };
      for (let i = 0; i < opts.queryRuns; i++) {
        let t = performance.now();
        const r = store.series('sim-pdu44001', ['bank_power'], params);
        one.push(performance.now() - t);
        points = r.series[0]?.points.length ?? 0;
        t = performance.now();
        store.series('sim-pdu44001', CHART_BUNDLE, params);
        bundle.push(performance.now() - t);
      }
      queries.push({
        range, bucket: store.window(params).bucket, points,
        one_p50: pct(one, 50), one_p95: pct(one, 95), bundle_p50: pct(bundle, 50), bundle_p95: pct(bundle, 95),
      });
    }
    // 24 h of raw 1 s rows of one outlet through the real streamed CSV export.
    let t = performance.now();
    let rows = -1; // minus the header
    for await (const line of store.csv('outlets', 'sim-pdu44001', { start: end - 86_400, end, raw: true, instance: 5 })) if (line) rows++;
    const exportMs = performance.now() - t;
    // Retention on the filled file: drop the older half of the raw data, in the job's small steps.
    const retention = new RetentionJob({
      handle, clock, logger: silentLogger(), rawRetentionDays: Math.max(1, Math.floor(opts.days / 2)), retentionDays: 730, checkRetentionDays: 30,
    });
    const rep = await retention.runOnce();
    await checkpointer.stop();
    const ckpt = checkpointer.stats();
    handle.close();
    t = performance.now();
    const many = ingestMany(dir, opts.ingestPdus, opts.ingestSeconds);
    progress(`history: ingest run of ${opts.ingestPdus} PDUs × ${opts.ingestSeconds} s in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return {
      days: opts.days, series, samples: filled.samples, db_bytes: bytes, bytes_per_day: bytes / opts.days,
      write_ms_per_day: filled.ms / opts.days, values_per_s_one_pdu: (filled.samples * series) / (filled.ms / 1000),
      values_per_s_many: many, ingest_pdus: opts.ingestPdus, max_commit_ms: filled.maxCommit,
      compaction: { count: filled.compactions.length, p50_ms: pct(filled.compactions, 50), p99_ms: pct(filled.compactions, 99), max_ms: Math.max(0, ...filled.compactions) },
      queries, export_24h_ms: exportMs, export_rows: rows,
      retention: { deleted_blocks: rep.deleted.raw_chunk, steps: rep.steps, max_step_ms: rep.maxStepMs, max_step: rep.maxStep, total_ms: rep.totalMs, vacuumed_pages: rep.vacuumedPages },
      checkpoints: { runs: ckpt.runs, max_ms: ckpt.maxMs, max_pages: ckpt.maxLog },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
