import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../../src/cli/export.js';
import { startTestApp, type TestApp } from '../../support/app.js';

// The demo app records history from the simulated PDU; `power2mqtt export` reads it back as CSV
// while the app keeps running (WAL), then again after a clean stop (flushed on stop).

let t: TestApp | undefined;
afterAll(async () => t?.stop());

function capture(): { io: { out: (s: string) => void; err: (s: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s) => void out.push(s), err: (s) => void err.push(s) }, out, err };
}

describe('demo history and `power2mqtt export`', () => {
  it('exports the live demo history as CSV, also after stop', async () => {
    t = await startTestApp({ history: { commit_interval_ms: 200 } });
    const cfg = join(t.dir, 'config.yaml');
    writeFileSync(cfg, `history:\n  path: ${JSON.stringify(t.config.history.path)}\n`);
    await new Promise((r) => setTimeout(r, 4000));

    const live = capture();
    expect(await exportCommand(['--config', cfg, '--kind', 'outlets', '--range', '1h'], live.io)).toBe(0);
    const lines = live.out.join('').trim().split('\n');
    expect(lines[0]).toBe('bucket,epoch,outlet,current,power,energy');
    expect(lines.length).toBeGreaterThan(10 * 2); // ≥ 2 s of 10 outlets
    const [iso, epoch, outlet, current, power] = lines[1]!.split(',');
    expect(new Date(iso!).getTime() / 1000).toBe(Number(epoch));
    expect(Number(outlet)).toBeGreaterThanOrEqual(1);
    expect(Number(current)).toBeGreaterThanOrEqual(0);
    expect(Number(power)).toBeGreaterThan(0);

    const before = lines.length;
    await t.app.stop();
    const after = capture();
    expect(await exportCommand(['--config', cfg, '--kind', 'outlets', '--range', '1h', '--outlet', '4'], after.io)).toBe(0);
    const rows = after.out.join('').trim().split('\n').slice(1);
    expect(rows.every((r) => r.split(',')[2] === '4')).toBe(true);
    expect(rows.length * 10).toBeGreaterThanOrEqual(before - 1 - 10);

    const bad = capture();
    expect(await exportCommand(['--config', cfg, '--range', '2h'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/--range: range must be one of 1h/);
    const none = capture();
    writeFileSync(cfg, `history:\n  path: ${JSON.stringify(join(t.dir, 'missing.db'))}\n`);
    expect(await exportCommand(['--config', cfg], none.io)).toBe(1);
    expect(none.err.join('')).toMatch(/no history database at .*missing\.db/);
  }, 30_000);
});
