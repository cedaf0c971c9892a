// `power2mqtt switch add|list|test|remove` (SPEC §17, §11.1, §11.2) in-process, on a real SQLite
// file named by a real config file, probing the real HTTP switch simulator on 127.0.0.1.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { switchCommand } from '../../../src/cli/switch.js';
import type { PowerCheck, SwitchStatus, SwitchTarget } from '../../../src/core/power.js';
import { startSwitchSimulator, type SwitchSimulator } from '../../../src/devices/switch/simulator.js';
import { syncFixedTargets } from '../../../src/devices/switch/sync.js';
import { DbHandle } from '../../../src/history/handle.js';
import { PowerStore } from '../../../src/history/power-store.js';
import { WatchdogSqlStore } from '../../../src/history/watchdog-store.js';
import { parseWatchdog } from '../../../src/watchdog/validate.js';

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

let dir: string;
let config: string;
let dbPath: string;
let sim: SwitchSimulator;
/** Ports of the simulated switches: [0] answers, [1] hangs, [2] refuses. */
let ports: number[];

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await switchCommand([...args, '--config', config], io);
  return { code, out: io.stdout, err: io.stderr };
}

/** Read the stored switches and checks straight from the database file (own connection, closed again). */
function readDb<T>(fn: (store: PowerStore) => T): T {
  const handle = new DbHandle(dbPath, 5000);
  try {
    return fn(new PowerStore(handle));
  } finally {
    handle.close();
  }
}

const byName = (name: string): SwitchTarget => {
  const t = readDb((s) => s.listSwitches()).find((x) => x.name === name);
  if (!t) throw new Error(`switch ${name} not stored`);
  return t;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-switch-cli-'));
  dbPath = join(dir, 'history.db');
  config = join(dir, 'config.yaml');
  // timeout_ms 300: the hanging switch is declared down quickly.
  writeFileSync(config, ['history:', `  path: ${dbPath}`, 'switches:', '  timeout_ms: 300', ''].join('\n'));
  sim = await startSwitchSimulator({ count: 3, bind: '127.0.0.1' });
  await sim.setMode(1, 'hang');
  await sim.setMode(2, 'refuse');
  ports = sim.switches.map((s) => s.port);
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('power2mqtt switch: before the first run', () => {
  it('list, test and remove need the database: exit 1 naming the path; nothing is created', async () => {
    for (const args of [['list'], ['test'], ['remove', 'x']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toContain(`no history database at ${dbPath}`);
      expect(r.out).toBe('');
    }
    expect(existsSync(dbPath)).toBe(false);
  });
});

describe('power2mqtt switch add', () => {
  it('host:port form: stored as http://host:port/ (creates the database)', async () => {
    const r = await cli('add', 'plug-answer', `127.0.0.1:${ports[0]}`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`added switch 1 "plug-answer" http://127.0.0.1:${ports[0]}/ (sensor)\n`);
    expect(existsSync(dbPath)).toBe(true);
    expect(byName('plug-answer')).toMatchObject({
      id: 1, url: `http://127.0.0.1:${ports[0]}/`, ip: '127.0.0.1', role: 'sensor', active: true, source: 'runtime', group: '',
    });
  });

  it('URL form: scheme lower-cased, fragment dropped, path kept; --role control and --group', async () => {
    const r = await cli('add', 'plug-hang', `HTTP://127.0.0.1:${ports[1]}/status#frag`, '--role', 'control', '--group', 'rack-2');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`added switch 2 "plug-hang" http://127.0.0.1:${ports[1]}/status (control)\n`);
    expect(byName('plug-hang')).toMatchObject({ url: `http://127.0.0.1:${ports[1]}/status`, ip: '127.0.0.1', role: 'control', group: 'rack-2' });
  });

  it('host:port of the refusing switch', async () => {
    const r = await cli('add', 'plug-refuse', `127.0.0.1:${ports[2]}`);
    expect(r.code).toBe(0);
    expect(byName('plug-refuse').url).toBe(`http://127.0.0.1:${ports[2]}/`);
  });

  it('bare IP form means http://{ip}/; --inactive', async () => {
    const r = await cli('add', 'lamp', '127.0.0.1', '--inactive');
    expect(r.code).toBe(0);
    expect(r.out).toBe('added switch 4 "lamp" http://127.0.0.1/ (sensor, inactive)\n');
    expect(byName('lamp')).toMatchObject({ url: 'http://127.0.0.1/', ip: '127.0.0.1', active: false });
  });

  it('a duplicate name (any case) is refused: exit 1, the name and the fix in the message, nothing stored', async () => {
    const r = await cli('add', 'PLUG-ANSWER', '127.0.0.1:9');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('switch not added: name "PLUG-ANSWER" is already used by another switch: pick another name\n');
    expect(readDb((s) => s.listSwitches())).toHaveLength(4);
  });

  it.each([
    [['add', 'x', 'ftp://127.0.0.1/'], /url: must start with http:\/\/ or https:\/\//],
    [['add', 'x', 'http://127.0.0.1:99999/'], /url: is not a valid URL: write e\.g\. http:\/\/192\.168\.1\.20\//],
    [['add', 'x', 'http://user:pw@127.0.0.1/'], /url: must not contain a user name or password .*remove "user:password@"/],
    [['add', 'x', 'ftp://127.0.0.1/'], /\(got ftp:\/\/\): write e\.g\. http:\/\/192\.168\.1\.20\//],
    [['add', 'x', '127.0.0.1/status'], /url: must start with http:\/\/ or https:\/\/ \(e\.g\. http:\/\/127\.0\.0\.1\/status\)/],
    [['add', 'x', '127.0.0.1:99999'], /ip: "127\.0\.0\.1:99999" is not a host name, IP address or host:port: write e\.g\. 192\.168\.1\.20 or 192\.168\.1\.20:8080/],
    [['add', ' ', '127.0.0.1'], /name: must not be empty: give the switch a name/],
    [['add', 'x', '127.0.0.1', '--role', 'boss'], /--role must be sensor or control \(got "boss"\)/],
    [['add', 'only-a-name'], /switch add needs NAME and IP_OR_URL\nusage: power2mqtt switch/],
    [['add', 'a', 'b', 'c'], /switch add needs NAME and IP_OR_URL/],
    [['add', 'x', '127.0.0.1', '--bogus'], /Unknown option '--bogus'/],
  ])('bad input %j: exit 2 naming the argument and the fix, nothing stored', async (args, message) => {
    const r = await cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    // The field is named once, not "url: url: …".
    expect(r.err).not.toMatch(/\b(url|ip|name): \1:/);
    expect(readDb((s) => s.listSwitches()).map((t) => t.name)).toEqual(['plug-answer', 'plug-hang', 'plug-refuse', 'lamp']);
  });
});

describe('power2mqtt switch list', () => {
  it('text: one row per switch with id, name, url, role, active, group, source, state', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +URL +ROLE +ACTIVE +GROUP +SOURCE +STATE +LAST CHECK$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(new RegExp(`^1 +plug-answer +http://127\\.0\\.0\\.1:${ports[0]}/ +sensor +yes +- +runtime +unknown +-$`));
    expect(lines[2]).toMatch(new RegExp(`^2 +plug-hang +http://127\\.0\\.0\\.1:${ports[1]}/status +control +yes +rack-2 +runtime +unknown +-$`));
    expect(lines[4]).toMatch(/^4 +lamp +http:\/\/127\.0\.0\.1\/ +sensor +no +- +runtime +unknown +-$/);
  });

  it('--json: the switch objects with state and last check', async () => {
    const r = await cli('list', '--json');
    expect(r.code).toBe(0);
    const all = JSON.parse(r.out) as SwitchStatus[];
    expect(all.map((s) => [s.target.id, s.target.name, s.target.url, s.target.active, s.state, s.last_check])).toEqual([
      [1, 'plug-answer', `http://127.0.0.1:${ports[0]}/`, true, 'unknown', null],
      [2, 'plug-hang', `http://127.0.0.1:${ports[1]}/status`, true, 'unknown', null],
      [3, 'plug-refuse', `http://127.0.0.1:${ports[2]}/`, true, 'unknown', null],
      [4, 'lamp', 'http://127.0.0.1/', false, 'unknown', null],
    ]);
  });
});

describe('power2mqtt switch test', () => {
  it('probes every active switch now: answer → up (HTTP 200), hang → down (timeout), refuse → up; one check each is stored', async () => {
    const r = await cli('test');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +RESULT +URL$/);
    expect(lines).toHaveLength(4); // the inactive lamp is not probed
    expect(lines[1]).toMatch(/^1 +plug-answer +up \(HTTP 200 \d+ ms\) +http:/);
    expect(lines[2]).toMatch(/^2 +plug-hang +down \(timeout\): no response within 300 ms +http:/);
    expect(lines[3]).toMatch(/^3 +plug-refuse +up \(refused \d+ ms\) +http:/);

    const checks = readDb((s) => s.listChecks({ since: 0 }));
    expect(checks).toHaveLength(3);
    const of = (id: number): PowerCheck => checks.find((c) => c.switch_id === id)!;
    expect(of(1)).toMatchObject({ result: 'up', reason: 'http', http_status: 200, is_online: true });
    expect(of(2)).toMatchObject({ result: 'down', reason: 'timeout', http_status: null, response_time: null, is_online: false });
    expect(of(3)).toMatchObject({ result: 'up', reason: 'refused', http_status: null, is_online: true });
    expect(of(3).error_message).toMatch(/ECONNREFUSED/);
    const nowS = Date.now() / 1000;
    for (const c of checks) expect(Math.abs(c.checked_at - nowS)).toBeLessThan(60);
  });

  it('named by id or name, --json: the stored checks; list then shows the latest result', async () => {
    const r = await cli('test', 'plug-hang', '3', '--json');
    expect(r.code).toBe(0);
    const checks = JSON.parse(r.out) as PowerCheck[];
    expect(checks.map((c) => [c.switch_id, c.result, c.reason])).toEqual([[2, 'down', 'timeout'], [3, 'up', 'refused']]);
    for (const c of checks) expect(c.id).toBeGreaterThan(0);
    expect(readDb((s) => s.listChecks({ since: 0 }))).toHaveLength(5);

    const list = JSON.parse((await cli('list', '--json')).out) as SwitchStatus[];
    expect(list.map((s) => [s.target.name, s.state, s.last_check?.result ?? null])).toEqual([
      ['plug-answer', 'up', 'up'], ['plug-hang', 'down', 'down'], ['plug-refuse', 'up', 'up'], ['lamp', 'unknown', null],
    ]);
    const text = (await cli('list')).out;
    expect(text).toMatch(/plug-hang .* down +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ down \(timeout\): no response within 300 ms/);
  });

  it('an unknown switch: exit 1, the others are still probed and stored', async () => {
    const r = await cli('test', 'nope', 'plug-answer');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\nnope +- +not found +no switch "nope"\n/);
    expect(r.out).toMatch(/\n1 +plug-answer +up \(HTTP 200/);
    expect(readDb((s) => s.listChecks({ since: 0, switchId: 1 }))).toHaveLength(2);
  });
});

describe('power2mqtt switch remove', () => {
  it('removes a runtime switch by name; its id is never reused', async () => {
    const r = await cli('remove', 'plug-refuse');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe('removed switch 3 "plug-refuse" (its checks stay until retention)\n');
    expect(readDb((s) => s.listSwitches()).map((t) => t.name)).toEqual(['plug-answer', 'plug-hang', 'lamp']);
    // its checks stay (retention deletes them)
    expect(readDb((s) => s.listChecks({ since: 0, switchId: 3 }))).toHaveLength(2);
    const again = await cli('add', 'plug-refuse', `127.0.0.1:${ports[2]}`);
    expect(again.out).toMatch(/^added switch 5 "plug-refuse"/);
  });

  it('removes by id', async () => {
    const r = await cli('remove', '5');
    expect(r.code).toBe(0);
    expect(readDb((s) => s.listSwitches()).some((t) => t.id === 5)).toBe(false);
  });

  it('a switch from the config file is refused: exit 1, where to change it', async () => {
    // The running service stores config-file switches with source "config" at every start.
    readDb((s) => syncFixedTargets(s, [{ name: 'from-config', url: `http://127.0.0.1:${ports[0]}/` }], Date.now() / 1000));
    const r = await cli('remove', 'from-config');
    expect(r.code).toBe(1);
    expect(r.err).toBe('switch not removed: switch "from-config" is defined in the config file: change it there\n');
    expect(byName('from-config').source).toBe('config');
    const list = await cli('list');
    expect(list.out).toMatch(/from-config .* config +unknown/);
  });

  it('a switch a watchdog targets (config file or stored) is refused: exit 1 naming the watchdog', async () => {
    const withWatchdog = join(dir, 'with-watchdog.yaml');
    writeFileSync(withWatchdog, ['history:', `  path: ${dbPath}`, 'watchdogs:', '  - name: modem', '    outlet: 2', '    target: lamp', ''].join('\n'));
    const io = captureIO();
    expect(await switchCommand(['remove', 'lamp', '--config', withWatchdog], io)).toBe(1);
    expect(io.stderr).toBe('switch not removed: switch "lamp" is the target of watchdog modem: point it at another target or remove it first\n');
    const handle = new DbHandle(dbPath, 5000);
    try {
      const parsed = parseWatchdog({ name: 'router', outlet: 3, target: 'lamp' });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      new WatchdogSqlStore(handle).saveRuntimeWatchdog(parsed.watchdog, Math.floor(Date.now() / 1000));
    } finally {
      handle.close();
    }
    const stored = await cli('remove', 'lamp');
    expect(stored).toMatchObject({ code: 1, err: expect.stringContaining('is the target of watchdog router') });
    expect(byName('lamp').name).toBe('lamp');
  });

  it('unknown switch: exit 1; no or two ids: exit 2', async () => {
    const unknown = await cli('remove', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe('switch not removed: no switch "nope"\n');
    const none = await cli('remove');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^switch remove needs one ID or NAME\nusage: power2mqtt switch/);
    const two = await cli('remove', '1', '2');
    expect(two.code).toBe(2);
    expect(readDb((s) => s.listSwitches())).toHaveLength(4);
  });
});

describe('power2mqtt switch usage', () => {
  it('--help prints the usage to stdout, exit 0', async () => {
    for (const args of [['--help'], ['add', '--help'], ['-h']]) {
      const io = captureIO();
      expect(await switchCommand(args, io), args.join(' ')).toBe(0);
      expect(io.stdout).toMatch(/^usage: power2mqtt switch <add\|list\|test\|remove>/);
      expect(io.stdout).toContain('switch add NAME IP_OR_URL [--role sensor|control]');
      expect(io.stderr).toBe('');
    }
  });

  it('no subcommand or an unknown one: the usage on stderr, exit 2', async () => {
    const none = captureIO();
    expect(await switchCommand([], none)).toBe(2);
    expect(none.stderr).toMatch(/^usage: power2mqtt switch/);
    const bad = await cli('frob');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^unknown switch command "frob"\nusage: power2mqtt switch/);
  });

  it('a config file that does not exist: exit 2', async () => {
    const io = captureIO();
    expect(await switchCommand(['list', '--config', join(dir, 'missing.yaml')], io)).toBe(2);
    expect(io.stderr).toMatch(/configuration is invalid .*config file not found/s);
  });
});
