// The built CLI as a user runs it: `node dist/main.js …` in a fresh directory.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../support/net.js';
import { isPasswordHash } from '../../src/config/index.js';
import { verifyPassword } from '../../src/core/password.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/main.js');
let cwd: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  cwd = mkdtempSync(join(tmpdir(), 'p2m-e2e-'));
}, 120_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Run the CLI to completion (bounded), capturing output. */
function run(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(kill);
      res({ code, out, err });
    });
  });
}

describe('power2mqtt CLI (built)', () => {
  it('with no config file runs the demo: simulator up, PDU identified and polled; SIGTERM exits 0', async () => {
    const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', POWER2MQTT_DEMO__SNMP_PORT: '0', POWER2MQTT_MQTT__EMBEDDED__PORT: '0', POWER2MQTT_WEB__PORT: '0' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const deadline = Date.now() + 10_000;
    while (!out.includes('"msg":"pdu polling"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const code = new Promise<number | null>((r) => child.on('close', r));
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const msgs = lines.map((l) => l.msg);
    expect(msgs.find((m) => String(m).includes(' running: '))).toMatch(
      /^power2mqtt \d+\.\d+\.\d+ running: polling 1 PDU and 2 plugs \(demo: simulated PDU44001 on udp:\/\/127\.0\.0\.1:\d+\); MQTT broker on mqtt:\/\/127\.0\.0\.1:\d+; topics under pdu\/; probing 4 switches; web on http:\/\/127\.0\.0\.1:\d+\/$/,
    );
    expect(lines.find((l) => l.msg === 'pdu identified')).toMatchObject({ device_id: 'demo-pdu', model: 'PDU44001', outlets: 10, banks: 2 });
    expect(lines.find((l) => l.msg === 'pdu polling')).toMatchObject({ device_id: 'demo-pdu', outlets_on: '10/10', source: 'A' });
    expect(msgs.at(-1)).toBe('power2mqtt stopped');
    expect(lines.every((l) => l.level === 30)).toBe(true); // nothing above info in a healthy demo
  });

  it('POST /api/system/restart restarts in-process with the saved settings; check-config shows them as runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2m-restart-'));
    const port = await freeTcpPort();
    const env = { PATH: process.env.PATH ?? '', POWER2MQTT_DEMO__SNMP_PORT: '0', POWER2MQTT_MQTT__EMBEDDED__PORT: '0', POWER2MQTT_WEB__PORT: String(port) };
    const child = spawn(process.execPath, [MAIN], { cwd: dir, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = new Promise<number | null>((r) => child.on('close', r));
    const until = async (what: () => boolean): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(what(), out.slice(-2000)).toBe(true);
    };
    const running = (): number => out.split('\n').filter((l) => l.includes(' running: ')).length;
    try {
      await until(() => out.includes('"msg":"pdu polling"'));
      const base = `http://127.0.0.1:${port}`;
      const put = await fetch(`${base}/api/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'devices[].poll_interval_s': 2, 'snmp.retries': 1 }) });
      expect(((await put.json()) as { restart_required: string[] }).restart_required).toEqual(['devices[].poll_interval_s', 'snmp.retries']);
      expect((await fetch(`${base}/api/system/restart`, { method: 'POST' })).status).toBe(200);
      await until(() => running() === 2 && out.lastIndexOf('"msg":"pdu polling"') > out.lastIndexOf('"msg":"restarting"'));
      const info = (await (await fetch(`${base}/api/system/info`)).json()) as { restart_required: string[] };
      expect(info.restart_required).toEqual([]);
      expect(out).toMatch(/demo-pdu@127\.0\.0\.1:\d+\/2s/);
      child.kill('SIGTERM');
      expect(await code).toBe(0);
      const checked = await new Promise<string>((res) => {
        const c = spawn(process.execPath, [MAIN, 'check-config'], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
        let text = '';
        c.stdout.on('data', (d) => (text += d));
        c.on('close', () => res(text));
      });
      expect(checked).toMatch(/retries: 1\s+# runtime/);
      expect(checked).toMatch(/timeout_ms: 800\s+# default/);
      expect(checked).toContain('runtime (saved with PUT /api/config)');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a bad config exits 2 with every problem named and a hint, never a stack trace', async () => {
    writeFileSync(join(cwd, 'bad.yaml'), 'devices:\n  - host: 10.0.0.1\n    poll_interval_s: 0\n    comunity: x\nlog:\n  level: loud\n');
    const r = await run(['run', '--config', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/devices\[0\]\.poll_interval_s/);
    expect(r.err).toMatch(/comunity/);
    expect(r.err).toMatch(/log\.level/);
    expect(r.err).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });

  it('a config-file watchdog naming no switch exits 2 at start-up, naming the key (SPEC §12.7)', async () => {
    writeFileSync(
      join(cwd, 'wd.yaml'),
      'devices:\n  - host: 127.0.0.1\n    port: 1\nwatchdogs:\n  - name: router\n    outlet: 3\n    target: no-such-switch\n' +
        'mqtt:\n  embedded:\n    port: 0\nweb:\n  port: 0\nhistory:\n  path: ./wd.db\nrules:\n  path: ./wd-rules.json\n',
    );
    const r = await run(['run', '--config', 'wd.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('power2mqtt: invalid configuration:\n  watchdogs[0].target (router): "no-such-switch" names no switch (known: none)');
    expect(r.err).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });

  it('a named config file that does not exist is an error (exit 2), never a silent demo', async () => {
    const r = await run(['run', '--config', 'missing.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/config file not found: .*missing\.yaml/);
  });

  it('check-config masks secrets and shows where each value came from', async () => {
    writeFileSync(join(cwd, 'ok.yaml'), 'devices:\n  - host: 192.0.2.7\n    community: s3cret-read\n');
    const r = await run(['check-config', '--config', 'ok.yaml'], { POWER2MQTT_DEVICES__0__WRITE_COMMUNITY: 'env-s3cret', POWER2MQTT_LOG__LEVEL: 'debug' });
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/s3cret/);
    expect(r.out).toMatch(/community: "\*\*\*"\s+# file/);
    expect(r.out).toMatch(/write_community: "\*\*\*"\s+# env/);
    expect(r.out).toMatch(/level: debug\s+# env/);
  });

  it('--set KEY=VALUE is the top config layer (above env), named as its origin; a bad key or pair exits 2 naming it', async () => {
    const ok = await run(['check-config', '--set', 'web.port=9090', '--set=log.level=debug'], { POWER2MQTT_LOG__LEVEL: 'warn', POWER2MQTT_WEB__PORT: '8181' });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/port: 9090\s+# cli/);
    expect(ok.out).toMatch(/level: debug\s+# cli/);
    const badKey = await run(['check-config', '--set', 'web.prot=1']);
    expect(badKey.code).toBe(2);
    expect(badKey.err).toMatch(/command line \(web\.prot\).*unknown config key/);
    const badPair = await run(['run', '--set', 'web.port']);
    expect(badPair).toMatchObject({ code: 2, out: '' });
    expect(badPair.err).toMatch(/--set needs KEY=VALUE .*\(got "web\.port"\)/);
    // A command that reads no config does not take it.
    expect((await run(['probe', '127.0.0.1', '--set', 'web.port=1'])).code).toBe(2);
  });

  it('every command answers --help with its own usage (exit 0); the overview lists the exit codes', async () => {
    const commands = ['run', 'check-config', 'healthcheck', 'probe', 'discover', 'mock-pdu', 'export', 'report', 'switch', 'watchdog', 'stats', 'cleanup', 'notify', 'hash-password', 'token', 'mqtt-credentials'];
    const replies = await Promise.all(commands.map((c) => run([c, '--help'])));
    for (const [i, c] of commands.entries()) {
      const r = replies[i]!;
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(new RegExp(`usage: power2mqtt ${c}\\b`));
    }
    expect((await run(['--help'])).out).toMatch(/exit codes: 0 done · 1 failed at run time.*2 bad usage or invalid configuration/s);
  });

  it('--help and unknown commands', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/usage: power2mqtt <command>/);
    const bad = await run(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown command "frobnicate"/);
  });

  it('hash-password reads stdin and prints a hash the config accepts; mqtt-credentials explains when there are none', async () => {
    const out = await new Promise<{ code: number | null; out: string }>((res) => {
      const child = spawn(process.execPath, [MAIN, 'hash-password'], { cwd, env: { PATH: process.env.PATH ?? '' } });
      let o = '';
      child.stdout.on('data', (d) => (o += d));
      child.on('close', (code) => res({ code, out: o }));
      child.stdin.end('correct horse\n');
    });
    expect(out.code).toBe(0);
    const hash = out.out.trim();
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    const creds = await run(['mqtt-credentials']);
    expect(creds.code).toBe(1);
    expect(creds.err).toMatch(/no generated broker credentials/);
  });
});
