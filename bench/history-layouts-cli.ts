import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatLayoutTable, runHistoryLayoutBench } from './history-layouts.js';

// `node dist-bench/bench/history-layouts-cli.js [--hours N]`: the history storage-layout
// comparison on its own, in a temporary directory that is removed afterwards (also on failure),
// so repeated runs never fill the disk with multi-megabyte SQLite files.

const { values } = parseArgs({ options: { hours: { type: 'string', default: '6' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  process.stdout.write('usage: node dist-bench/bench/history-layouts-cli.js [--hours N]   (default 6 simulated hours)\n');
  process.exit(0);
}
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 7) {
  process.stderr.write(`--hours must be a number in (0, 168], got ${values.hours}\n`);
  process.exit(2);
}

const dir = mkdtempSync(join(os.tmpdir(), 'power2mqtt-history-layouts-'));
const t = performance.now();
try {
  process.stderr.write(`history layouts: ${hours} h of 1 Hz samples of one simulated PDU44001 in ${dir}\n`);
  const results = await runHistoryLayoutBench({ hours, dir });
  const series = results[0]?.series ?? 0;
  process.stdout.write(`\n${hours} h × 3600 s × ${series} series, one transaction per second; bytes / PDU-day = file size × 24 / ${hours}\n\n`);
  process.stdout.write(`${formatLayoutTable(results)}\n`);
  process.stderr.write(`done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
