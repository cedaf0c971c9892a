// `power2mqtt report generate|list` (SPEC §13.7, §17) in-process on a real SQLite file with
// seeded energy rows, the config pointing reports.path into a temp folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { reportCommand } from '../../../src/cli/report.js';
import { addDays } from '../../../src/core/calendar.js';
import { upsertDays } from '../../../src/history/energy-store.js';
import { lastComplete } from '../../../src/reports/periods.js';
import { tempHistory, type TempHistory } from '../../support/history.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

let h: TempHistory;
let config: string;
let week: string;
const DEV = 'pdu-01';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO();
  const code = await reportCommand([...argv, '--config', config], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

beforeAll(() => {
  h = tempHistory({ startMs: Date.now() });
  h.writer.ingest({ ...pduSnapshot({ deviceId: DEV }), ts: Math.floor(Date.now() / 1000) });
  h.writer.commit();
  const p = lastComplete('weekly', Date.now() / 1000, 'UTC');
  week = p.period;
  const rows = [];
  for (let d = p.start; d <= p.end; d = addDays(d, 1)) rows.push({ date: d, device_id: DEV, source: null, outlet: null, kwh: 1.5, peak_power_w: 300, avg_power_w: 62.5, samples: 86_400 });
  upsertDays(h.handle.db, rows);
  config = join(h.dir, 'config.yaml');
  writeFileSync(config, ['timezone: UTC', 'history:', `  path: ${h.path}`, 'reports:', `  path: ${join(h.dir, 'reports')}`, ''].join('\n'));
});
afterAll(() => h?.cleanup());

describe('power2mqtt report', () => {
  it('generate writes both files of the last complete week and prints their paths', async () => {
    const r = await cli('generate', '--device', DEV, '--type', 'weekly');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const paths = r.stdout.trim().split('\n');
    expect(paths).toEqual([join(h.dir, 'reports', DEV, `weekly-${week}.pdf`), join(h.dir, 'reports', DEV, `weekly-${week}.html`)]);
    expect(readFileSync(paths[0]!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(paths[1]!, 'utf8')).toContain('10.50 kWh'); // 7 × 1.5
  });

  it('generate exits 1 without a file when the period has no data', async () => {
    const r = await cli('generate', '--device', DEV, '--type', 'weekly', '--period', '2020-01-08');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no energy data');
    expect(existsSync(join(h.dir, 'reports', DEV, 'weekly-2020-01-06.pdf'))).toBe(false);
  });

  it.each([
    [['generate', '--device', DEV], /--type weekly\|monthly/],
    [['generate', '--device', DEV, '--type', 'monthly', '--period', '2020-1'], /--period: period must be a month YYYY-MM/],
    [['generate', '--device', 'ghost', '--type', 'weekly'], /--device: .*unknown device "ghost"/],
    [['publish'], /unknown report subcommand "publish"/],
    [[], /report needs a subcommand/],
  ])('%j exits 2: %s', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('list prints the stored files, as a table or JSON', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^DEVICE\\s+TYPE\\s+PERIOD[\\s\\S]*${DEV}\\s+weekly\\s+${week}\\s+html`));
    const j = await cli('list', '--json', '--device', DEV);
    expect(JSON.parse(j.stdout)).toMatchObject({ count: 2, reports: [{ format: 'html' }, { format: 'pdf' }] });
    expect(JSON.parse((await cli('list', '--json', '--device', 'other')).stdout)).toEqual({ reports: [], count: 0 });
  });

  it('--help prints the usage', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: power2mqtt report generate');
  });
});
