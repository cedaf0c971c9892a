import { Counter, Gauge, Summary, type MetricObjectWithValues, type MetricValueWithName, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';

// Two helpers of /metrics (SPEC §19): the process gauges of prom-client's default set that pass
// `promtool check metrics` (SPEC §2.1: its `nodejs_active_*_total` gauges do not, so
// collectDefaultMetrics() is not used, and it would also leave global observers behind), and a
// summary whose values come from the scheduler's statistics rather than from observe() calls.

/** `process_*` and `nodejs_heap_*` under prom-client's names, each read by its own collect() at scrape time. */
export function registerProcessMetrics(registry: Registry, clock: Clock): void {
  const registers = [registry];
  const startTime = Math.round(clock.now() / 1000 - process.uptime());
  // A counter from a running total: reset, then add the total (prom-client counters have no set()).
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name, help, registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name, help, registers,
      collect() {
        this.set(read());
      },
    });
  };
  counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', () => process.cpuUsage().user / 1e6);
  counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', () => process.cpuUsage().system / 1e6);
  counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', () => startTime);
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => process.memoryUsage().heapTotal);
  gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', () => process.memoryUsage().heapUsed);
}

/** One labelled series of a summary given as read-outs: quantile → value, plus the running count and sum. */
export interface SummaryRow<L extends string> {
  labels: Record<L, string>;
  quantiles: ReadonlyArray<readonly [number, number]>;
  count: number;
  sum: number;
}

/**
 * A summary whose series are set from outside before each scrape (`rows`), e.g. percentiles the
 * scheduler already keeps over its recent cycles with cumulative `_count` and `_sum`: no
 * per-cycle observe() in the poll path.
 */
export class ReadoutSummary<L extends string> extends Summary<L | 'quantile'> {
  rows: Array<SummaryRow<L>> = [];
  private readonly family: { name: string; help: string };

  constructor(cfg: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    super(cfg);
    this.family = { name: cfg.name, help: cfg.help };
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<L | 'quantile'>>> {
    const { name, help } = this.family;
    const values: Array<MetricValueWithName<L | 'quantile'>> = [];
    for (const r of this.rows) {
      const labels = r.labels as Partial<Record<L | 'quantile', string | number>>;
      for (const [q, v] of r.quantiles) values.push({ labels: { ...labels, quantile: q }, value: v });
      values.push({ metricName: `${name}_sum`, labels, value: r.sum });
      values.push({ metricName: `${name}_count`, labels, value: r.count });
    }
    // The registry prints `type` as given: prom-client's typings call it an enum, its code a string.
    const family = { name, help, type: 'summary', values, aggregator: 'sum', collect: () => {} };
    return family as unknown as MetricObjectWithValues<MetricValueWithName<L | 'quantile'>>;
  }
}
