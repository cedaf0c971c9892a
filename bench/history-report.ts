import type { HistoryBenchResult } from './history-bench.js';
import { formatLayoutTable, type LayoutResult } from './history-layouts.js';
import { fmt, replaceSection } from './report.js';

// The history section of docs/PERFORMANCE.md (issue 5 targets), between its own markers.

export const HISTORY_SECTION_START = '<!-- bench:history:start -->';
export const HISTORY_SECTION_END = '<!-- bench:history:end -->';

export interface HistoryReport {
  date: string;
  machine: string;
  result: HistoryBenchResult;
  layouts: LayoutResult[] | null;
  layoutHours: number;
  totalS: number;
}

const mark = (ok: boolean): string => (ok ? '✔' : '✘');

export function historyTargetsTable(r: HistoryBenchResult): string {
  const mbPerDay = r.bytes_per_day / 1e6;
  const worstOne = Math.max(...r.queries.map((q) => q.one_p95));
  const worstBundle = Math.max(...r.queries.map((q) => q.bundle_p95));
  const rows: Array<[string, string, string, boolean]> = [
    ['database per PDU-day (file size / days, rollups included)', '≤ 1 MB', `${fmt(mbPerDay, 3)} MB`, mbPerDay <= 1],
    [`database for ${r.days} days`, r.days >= 60 ? '≤ 60 MB' : `≤ ${r.days} MB`, `${fmt(r.db_bytes / 1e6, 1)} MB`, r.db_bytes / 1e6 <= r.days],
    [`ingest through the real writer, ${r.ingest_pdus} PDUs per commit`, '≥ 1,000,000 values/s', `${fmt(r.values_per_s_many, 0)} values/s`, r.values_per_s_many >= 1e6],
    ['query p95, one series, worst range', '≤ 5 ms', `${fmt(worstOne, 2)} ms`, worstOne <= 5],
    ['query p95, chart bundle of one PDU, worst range', '≤ 30 ms', `${fmt(worstBundle, 2)} ms`, worstBundle <= 30],
    ['CSV export, 24 h raw, one outlet', '< 1 s', `${fmt(r.export_24h_ms, 0)} ms (${r.export_rows} rows)`, r.export_24h_ms < 1000],
    [
      `retention: longest step (${r.retention.deleted_blocks} hour blocks deleted in ${r.retention.steps} steps)`, '≤ 20 ms',
      `${fmt(r.retention.max_step_ms, 1)} ms (\`${r.retention.max_step}\`)`, r.retention.max_step_ms <= 20,
    ],
  ];
  return ['| Target | Goal | Measured | |', '|---|---|---|---|', ...rows.map(([a, b, c, ok]) => `| ${a} | ${b} | ${c} | ${mark(ok)} |`)].join('\n');
}

export function historyQueryTable(r: HistoryBenchResult): string {
  const head = '| Range | Bucket s | Points / series | one series p50 / p95 ms | bundle p50 / p95 ms |\n|---|---:|---:|---:|---:|';
  return [head, ...r.queries.map((q) => `| ${q.range} | ${q.bucket} | ${q.points} | ${fmt(q.one_p50, 2)} / ${fmt(q.one_p95, 2)} | ${fmt(q.bundle_p50, 2)} / ${fmt(q.bundle_p95, 2)} |`)].join('\n');
}

export function renderHistorySection(rep: HistoryReport): string {
  const r = rep.result;
  return [
    HISTORY_SECTION_START,
    '## History store (issue 5)',
    '',
    `Run ${rep.date} on ${rep.machine}; ${fmt(rep.totalS, 0)} s. One simulated PDU44001 (demo simulator values through the poller's decoder, ` +
      `${r.series} series) at 1 Hz for ${r.days} days through the real writer on a simulated clock: one transaction per second, tail rows, ` +
      'compaction into hour blocks and rollups included. Queries end at the last sample; the chart bundle is input voltage, total power, ' +
      'bank voltage/current/power/pf and outlet current/power (30 series).',
    '',
    historyTargetsTable(r),
    '',
    historyQueryTable(r),
    '',
    `Writer: ${fmt(r.write_ms_per_day / 1000, 1)} s of CPU per simulated PDU-day (${fmt(r.values_per_s_one_pdu, 0)} values/s with one commit per ` +
      `second for one PDU, so mostly per-transaction cost); longest single commit ${fmt(r.max_commit_ms, 0)} ms. ` +
      `Commits that closed a 15-minute chunk (hour block and rollup rows): ${r.compaction.count}, p50 ${fmt(r.compaction.p50_ms, 1)} ms, ` +
      `p99 ${fmt(r.compaction.p99_ms, 1)} ms, max ${fmt(r.compaction.max_ms, 1)} ms. ` +
      `WAL checkpoints ran in the worker thread as in the service (every 200 ms of real time here): ${r.checkpoints.runs}, ` +
      `longest ${fmt(r.checkpoints.max_ms, 1)} ms off the event loop, at most ${r.checkpoints.max_pages} WAL pages at a time.`,
    '',
    rep.layouts
      ? `Storage layouts measured on ${rep.layoutHours} h of the same data (bytes per PDU-day extrapolated; our store uses the codec with hour blocks):\n\n${formatLayoutTable(rep.layouts)}`
      : 'Storage layouts: not measured in this run (--no-layouts).',
    HISTORY_SECTION_END,
  ].join('\n');
}

export function replaceHistorySection(doc: string | null, section: string): string {
  return replaceSection(doc, section, HISTORY_SECTION_START, HISTORY_SECTION_END);
}
