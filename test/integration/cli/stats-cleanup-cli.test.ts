// `power2mqtt stats` and `power2mqtt cleanup` (SPEC §17, §11.7, §13.3) in-process on real SQLite
// files seeded through the history store the service uses; and the built entry point's --help.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupCommand } from '../../../src/cli/cleanup.js';
import type { CliIO } from '../../../src/cli/io.js';
import { statsCommand } from '../../../src/cli/stats.js';
import type { PowerCheck, PowerStatistics } from '../../../src/core/power.js';
import { DbHandle } from '../../../src/history/handle.js';
import { PowerStore } from '../../../src/history/power-store.js';

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

const HOUR = 3600;
const DAY = 86_400;
let dir: string;

/** A config file whose history.path is `<name>.db` in the temp dir (plus extra YAML lines). */
function configFor(name: string, extra: string[] = []): { config: string; db: string } {
  const db = join(dir, `${name}.db`);
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, ['history:', `  path: ${db}`, ...extra, ''].join('\n'));
  return { config, db };
}

function seed(db: string, fn: (store: PowerStore, now: number) => void): void {
  const handle = new DbHandle(db, 5000);
  try {
    fn(new PowerStore(handle), Math.floor(Date.now() / 1000));
  } finally {
    handle.close();
  }
}

function check(switchId: number, checkedAt: number, result: 'up' | 'down', responseTime: number | null): PowerCheck {
  return {
    id: 0, switch_id: switchId, result, is_online: result === 'up', http_status: result === 'up' ? 200 : null, response_time: responseTime,
    error_message: result === 'up' ? null : 'no response within 300 ms', reason: result === 'up' ? 'http' : 'timeout', checked_at: checkedAt,
  };
}

function count(db: string, sql: string): number {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare(sql).get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

async function run(cmd: typeof statsCommand, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await cmd(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-stats-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('power2mqtt stats', () => {
  let config: string;
  let seededAt: number;

  beforeAll(() => {
    const c = configFor('stats');
    config = c.config;
    seed(c.db, (store, now) => {
      seededAt = now;
      const t = { role: 'sensor' as const, group: '', source: 'runtime' as const, created_at: now - 40 * DAY, updated_at: now - 40 * DAY };
      const kitchen = store.insertSwitch({ ...t, name: 'kitchen', url: 'http://192.0.2.10/', ip: '192.0.2.10', active: true });
      const garage = store.insertSwitch({ ...t, name: 'garage', url: 'http://192.0.2.11/', ip: '192.0.2.11', active: true });
      store.insertSwitch({ ...t, name: 'old-plug', url: 'http://192.0.2.12/', ip: '192.0.2.12', active: false });
      store.insertChecks([
        // kitchen: 3 up of 4 in the last hour, answers in 10/20/30 ms (a timeout has no time)
        check(kitchen.id, now - 3000, 'up', 10), check(kitchen.id, now - 2000, 'up', 20), check(kitchen.id, now - 1000, 'up', 30),
        check(kitchen.id, now - 500, 'down', null),
        // garage: silent 25 and 26 h ago (outside a 24 h window), up 10 min ago in 100 ms
        check(garage.id, now - 26 * HOUR, 'down', null), check(garage.id, now - 25 * HOUR, 'down', null), check(garage.id, now - 600, 'up', 100),
      ]);
      // power: 10 min two hours ago, 20 min 30 hours ago; a network fault (not counted as power)
      store.openOutage({ kind: 'power', started_at: now - 2 * HOUR, ended_at: now - 2 * HOUR + 600, cause: 'switch_quorum', scope: 'site', confidence: 'medium' });
      store.openOutage({ kind: 'power', started_at: now - 30 * HOUR, ended_at: now - 30 * HOUR + 1200, cause: 'utility_source_lost', scope: 'source_a', confidence: 'medium' });
      store.openOutage({ kind: 'network', started_at: now - 3 * HOUR, ended_at: now - 3 * HOUR + 300, cause: 'switch_quorum' });
      // long before any window
      store.openOutage({ kind: 'power', started_at: now - 60 * DAY, ended_at: now - 60 * DAY + 5000, cause: 'switch_quorum' });
    });
  });

  it('--json --hours 24: site uptime, outage totals and per-switch numbers of the window', async () => {
    const r = await run(statsCommand, ['--config', config, '--hours', '24', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as PowerStatistics & { outages: Array<{ kind: string; duration_seconds: number }> };
    expect(s).toMatchObject({
      window_hours: 24, total_switches: 3, active_switches: 2,
      uptime_percentage: 99.306, // 100 × (86400 − 600) / 86400
      total_outages: 1, total_outage_seconds: 600, average_outage_seconds: 600, longest_outage_seconds: 600, ongoing_outage: null,
    });
    expect(s.switches).toEqual([
      { id: 1, name: 'kitchen', uptime_percentage: 75, checks: 4, avg_response_time_ms: 20, last_check_at: seededAt - 500 },
      { id: 2, name: 'garage', uptime_percentage: 100, checks: 1, avg_response_time_ms: 100, last_check_at: seededAt - 600 },
      { id: 3, name: 'old-plug', uptime_percentage: null, checks: 0, avg_response_time_ms: null, last_check_at: null },
    ]);
    // every kind in the window, newest first
    expect(s.outages.map((o) => [o.kind, o.duration_seconds])).toEqual([['power', 600], ['network', 300]]);
  });

  it('--json with the default window (720 h): both power outages, the network fault left out of the numbers', async () => {
    const r = await run(statsCommand, ['--config', config, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as PowerStatistics & { outages: unknown[] };
    expect(s).toMatchObject({
      window_hours: 720,
      uptime_percentage: 99.931, // 100 × (2592000 − 1800) / 2592000
      total_outages: 2, total_outage_seconds: 1800, average_outage_seconds: 900, longest_outage_seconds: 1200, ongoing_outage: null,
    });
    expect(s.switches[1]).toMatchObject({ name: 'garage', uptime_percentage: 33.333, checks: 3, avg_response_time_ms: 100 });
    expect(s.outages).toHaveLength(3);
  });

  it('text: the same numbers as a summary and two tables', async () => {
    const r = await run(statsCommand, ['--config', config, '--hours', '24']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = r.out;
    expect(out).toMatch(/^window: +last 24 h\n/);
    expect(out).toMatch(/\nsite uptime: +99\.306 %\n/);
    expect(out).toMatch(/\npower outages: +1 \(total 10 min 0 s, mean 10 min 0 s, longest 10 min 0 s\)\n/);
    expect(out).toMatch(/\nongoing outage: +none\n/);
    expect(out).toMatch(/\nswitches: +2 active of 3\n/);
    expect(out).toMatch(/\nID +NAME +UPTIME % +CHECKS +AVG MS +LAST CHECK\n/);
    expect(out).toMatch(/\n1 +kitchen +75\.000 +4 +20 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
    expect(out).toMatch(/\n2 +garage +100\.000 +1 +100 +\d{4}-/);
    expect(out).toMatch(/\n3 +old-plug +- +0 +- +-\n/);
    expect(out).toMatch(/\nID +KIND +STARTED +ENDED +DURATION +CAUSE +SCOPE +CONFIDENCE\n/);
    expect(out).toMatch(/\n1 +power +\S+Z +\S+Z +10 min 0 s +switch_quorum +site +medium\n/);
    expect(out).toMatch(/\n3 +network +\S+Z +\S+Z +5 min 0 s +switch_quorum +- +-\n/);
    expect(out).not.toMatch(/utility_source_lost/); // 30 h ago: outside the window
    const started = new Date((seededAt - 2 * HOUR) * 1000).toISOString().replace('.000Z', 'Z');
    expect(out).toContain(started);
  });

  it('an ongoing outage counts up to now and is named', async () => {
    const c = configFor('stats-ongoing');
    let started = 0;
    seed(c.db, (store, now) => {
      started = now - 2 * HOUR;
      store.openOutage({ kind: 'power', started_at: started, cause: 'switch_quorum', scope: 'site', confidence: 'high' });
    });
    const json = await run(statsCommand, ['--config', c.config, '--hours', '1', '--json']);
    expect(json.code).toBe(0);
    const s = JSON.parse(json.out) as PowerStatistics;
    // the whole 1 h window lies inside the outage
    expect(s).toMatchObject({ uptime_percentage: 0, total_outages: 1, total_outage_seconds: 3600, longest_outage_seconds: 3600, total_switches: 0 });
    expect(s.ongoing_outage).toMatchObject({ id: 1, is_ongoing: true, started_at: started, ended_at: null, duration_seconds: null });
    const text = await run(statsCommand, ['--config', c.config, '--hours', '1']);
    expect(text.out).toMatch(/\nsite uptime: +0\.000 %\n/);
    expect(text.out).toContain(`ongoing outage:    since ${new Date(started * 1000).toISOString().replace('.000Z', 'Z')} (switch_quorum)`);
    expect(text.out).toMatch(/\nno switches\n/);
    expect(text.out).toMatch(/\n1 +power +\S+Z +ongoing +- +switch_quorum +site +high\n/);
  });

  it('an empty database: 100 % and no outages', async () => {
    const c = configFor('stats-empty');
    seed(c.db, () => {});
    const r = await run(statsCommand, ['--config', c.config]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nsite uptime: +100\.000 %\n/);
    expect(r.out).toMatch(/\npower outages: +0 \(total 0 s, mean 0 s, longest 0 s\)\n/);
    expect(r.out).toMatch(/\nno outages or network faults in the window\n$/);
  });

  it.each([
    [['--hours', '0'], /--hours must be a whole number from 1 to 87600 \(got "0"\)/],
    [['--hours', '1.5'], /--hours must be a whole number from 1 to 87600 \(got "1\.5"\)/],
    [['--hours', 'week'], /--hours must be a whole number from 1 to 87600 \(got "week"\)/],
    [['--hours', '87601'], /--hours must be a whole number/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'|positional/i],
  ])('usage errors exit 2: %j', async (args, message) => {
    const r = await run(statsCommand, [...(args as string[]), '--config', config]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  it('no database yet: exit 1 naming the path, nothing created', async () => {
    const c = configFor('stats-missing');
    const r = await run(statsCommand, ['--config', c.config]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`no history database at ${c.db}: power2mqtt creates it when it runs (history.path sets where)\n`);
    expect(() => count(c.db, 'SELECT 1 AS n')).toThrow();
  });

  it('--help prints the usage, exit 0', async () => {
    const r = await run(statsCommand, ['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: power2mqtt stats \[--config FILE\] \[--hours 720\] \[--json\]/);
  });
});

describe('power2mqtt cleanup', () => {
  let config: string;
  let db: string;

  beforeAll(() => {
    // check_retention_days 20 in the file (the default would be 30)
    ({ config, db } = configFor('cleanup', ['switches:', '  check_retention_days: 20']));
    seed(db, (store, now) => {
      const sw = store.insertSwitch({
        name: 'plug', url: 'http://192.0.2.10/', ip: '192.0.2.10', role: 'sensor', active: true, group: '', source: 'runtime', created_at: now, updated_at: now,
      });
      store.insertChecks([
        check(sw.id, now - 40 * DAY, 'up', 5), check(sw.id, now - 40 * DAY + 10, 'down', null), // older than 30 days
        check(sw.id, now - 25 * DAY, 'up', 5), // older than 20, newer than 30 days
        check(sw.id, now - 15 * DAY, 'up', 5), // newer than 20 days, older than 7
        check(sw.id, now - HOUR, 'up', 5), check(sw.id, now - 60, 'down', null), // recent
      ]);
      // history.retention_days (730) for closed outages and events; an ongoing one stays whatever its age
      store.openOutage({ kind: 'power', started_at: now - 800 * DAY, ended_at: now - 800 * DAY + 60, cause: 'switch_quorum' });
      store.openOutage({ kind: 'power', started_at: now - 10 * DAY, ended_at: now - 10 * DAY + 60, cause: 'switch_quorum' });
      store.openOutage({ kind: 'network', started_at: now - 800 * DAY, cause: 'switch_quorum' });
      store.addOutageEvent({ ts: now - 800 * DAY, kind: 'outage', type: 'opened', details: 'old', data: {} });
      store.addOutageEvent({ ts: now - DAY, kind: 'outage', type: 'opened', details: 'new', data: {} });
    });
    expect(count(db, 'SELECT count(*) AS n FROM power_checks')).toBe(6);
  });

  it('deletes power checks older than switches.check_retention_days and keeps newer ones; runs the history retention', async () => {
    const r = await run(cleanupCommand, ['--config', config]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^deleted: 3 power checks \(older than 20 days\), 0 raw rows, 0 rollups, 1 events, 1 outages; \d+ pages vacuumed\n$/);
    const now = Math.floor(Date.now() / 1000);
    expect(count(db, 'SELECT count(*) AS n FROM power_checks')).toBe(3);
    expect(count(db, `SELECT count(*) AS n FROM power_checks WHERE checked_at < ${now - 20 * DAY}`)).toBe(0);
    expect(count(db, `SELECT count(*) AS n FROM power_checks WHERE checked_at >= ${now - 16 * DAY}`)).toBe(3);
    expect(count(db, 'SELECT count(*) AS n FROM outages')).toBe(2); // the recent closed one and the old ongoing one
    expect(count(db, 'SELECT count(*) AS n FROM outages WHERE is_ongoing = 1')).toBe(1);
    expect(count(db, "SELECT count(*) AS n FROM events WHERE details = 'new'")).toBe(1);
    expect(count(db, "SELECT count(*) AS n FROM events WHERE details = 'old'")).toBe(0);
  });

  it('--days N overrides the config; a second run finds nothing more', async () => {
    const r = await run(cleanupCommand, ['--config', config, '--days', '7']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^deleted: 1 power checks \(older than 7 days\), 0 raw rows, 0 rollups, 0 events, 0 outages;/);
    expect(count(db, 'SELECT count(*) AS n FROM power_checks')).toBe(2);
    const again = await run(cleanupCommand, ['--config', config, '--days', '7']);
    expect(again.out).toMatch(/^deleted: 0 power checks \(older than 7 days\), 0 raw rows, 0 rollups, 0 events, 0 outages;/);
    expect(count(db, 'SELECT count(*) AS n FROM power_checks')).toBe(2);
  });

  it.each([
    [['--days', '0'], /--days must be a whole number from 1 to 3650 \(got "0"\)/],
    [['--days', '2.5'], /--days must be a whole number from 1 to 3650 \(got "2\.5"\)/],
    [['--days', 'x'], /--days must be a whole number from 1 to 3650 \(got "x"\)/],
    [['--days', '3651'], /--days must be a whole number/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('usage errors exit 2 and delete nothing: %j', async (args, message) => {
    const r = await run(cleanupCommand, [...(args as string[]), '--config', config]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(count(db, 'SELECT count(*) AS n FROM power_checks')).toBe(2);
  });

  it('no database yet: exit 1 naming the path', async () => {
    const c = configFor('cleanup-missing');
    const r = await run(cleanupCommand, ['--config', c.config]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no history database at ${c.db}`);
  });

  it('--help prints the usage, exit 0', async () => {
    const r = await run(cleanupCommand, ['-h']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: power2mqtt cleanup \[--config FILE\] \[--days N\]/);
  });
});

describe('built entry point (node dist/main.js)', () => {
  const ROOT = resolve(import.meta.dirname, '../../..');
  const MAIN = join(ROOT, 'dist/main.js');

  beforeAll(() => {
    // as test/e2e/cli.test.ts: compile when dist/ is missing or older than src/
    execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  function main(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((res) => {
      const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('close', (code) => {
        clearTimeout(kill);
        res({ code, out, err });
      });
    });
  }

  it('--help lists switch, stats, cleanup and notify', async () => {
    const r = await main(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of [/\n {2}switch add NAME IP_OR_URL/, /\n {2}switch list \| switch test/, /\n {2}stats \[--hours 720\]/, /\n {2}cleanup \[--days N\]/, /\n {2}notify test NAME/]) {
      expect(r.out).toMatch(cmd);
    }
  });

  it('<command> --help reaches each command\'s own usage', async () => {
    const results = await Promise.all(['switch', 'stats', 'cleanup'].map((c) => main([c, '--help'])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(results[0]!.out).toMatch(/^usage: power2mqtt switch /);
    expect(results[1]!.out).toMatch(/^usage: power2mqtt stats /);
    expect(results[2]!.out).toMatch(/^usage: power2mqtt cleanup /);
  });

  it('stats runs end to end from the built CLI', async () => {
    const c = configFor('built');
    seed(c.db, (store, now) => {
      store.openOutage({ kind: 'power', started_at: now - HOUR, ended_at: now - HOUR + 90, cause: 'switch_quorum' });
    });
    const r = await main(['stats', '--config', c.config, '--hours', '24', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ total_outages: 1, total_outage_seconds: 90 });
  });
});
