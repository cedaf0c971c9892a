// The Dockerfile's runtime without docker (no engine on the build machine, issue 10): the packed
// package installed with production dependencies only, started with the Dockerfile's own CMD, ENV
// and WORKDIR layout (read from the Dockerfile, so the two cannot drift), asked with its
// HEALTHCHECK command, stopped with SIGTERM. Plus a lint of the Dockerfile (dockerfile-utils).
//
// The one step not repeated here is compiling better-sqlite3 (~2 minutes): the install runs with
// --ignore-scripts and takes the addon compiled by this checkout's own `npm ci` (same platform and
// Node ABI). What is checked is what a packaging mistake breaks: the files of the package, a
// runtime dependency kept in devDependencies, the container's env and commands, the shutdown.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../support/net.js';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { jemallocPath } from '../../bench/malloc.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The instructions of the last stage (the image that runs), continuation lines joined. */
function runtimeStage(text: string): Array<{ op: string; args: string }> {
  const lines = text.replace(/\\\r?\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push([]);
    stages.at(-1)?.push(l);
  }
  return (stages.at(-1) ?? []).map((l) => {
    const m = /^(\S+)\s+(.*)$/.exec(l);
    return { op: (m?.[1] ?? l).toUpperCase(), args: m?.[2] ?? '' };
  });
}

const STAGE = runtimeStage(DOCKERFILE);
const jsonArgs = (s: string): string[] => JSON.parse(s.slice(s.indexOf('['))) as string[];

function dockerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of STAGE.filter((x) => x.op === 'ENV')) {
    for (const m of i.args.matchAll(/(\w+)=(\S+)/g)) env[m[1] as string] = m[2] as string;
  }
  return env;
}

let dir: string;
let app: string;
let data: string;
let env: Record<string, string>;
let webPort: number;

/** The image's jemalloc link (its RUN line) and where Debian's libjemalloc2 is on this machine (null: not installed). */
const IMAGE_JEMALLOC = '/usr/local/lib/libjemalloc.so.2';
const HOST_JEMALLOC = jemallocPath();

/** The container's paths mapped into the temp dir: /app → the installed package, /data → data/; the jemalloc link → this machine's library. */
const mapPath = (p: string): string =>
  p === IMAGE_JEMALLOC ? (HOST_JEMALLOC ?? p) : p.replace(/^\/app(?=\/|$)/, app).replace(/^\/data(?=\/|$)/, data);

function runOnce(cmd: string[], timeoutMs = 15_000): { code: number | null; out: string } {
  try {
    const out = execFileSync(cmd[0] === 'node' ? process.execPath : (cmd[0] as string), cmd.slice(1).map(mapPath), { cwd: data, env, timeout: timeoutMs, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status?: number | null; stdout?: string; stderr?: string };
    return { code: e.status ?? null, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'p2m-package-'));
  const packed = JSON.parse(execFileSync(NPM, ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string }>;
  execFileSync('tar', ['-xzf', join(dir, packed[0]!.filename), '-C', dir]);
  app = join(dir, 'package');
  copyFileSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  execFileSync(NPM, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, stdio: 'pipe', timeout: 240_000 });
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  mkdirSync(join(app, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
  copyFileSync(join(ROOT, addon), join(app, addon));
  data = join(dir, 'data');
  mkdirSync(data);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  it('passes dockerfile-utils with every check at error level, which does catch a broken file', () => {
    const all = { deprecatedMaintainer: ValidationSeverity.ERROR, directiveCasing: ValidationSeverity.ERROR, emptyContinuationLine: ValidationSeverity.ERROR,
      instructionCasing: ValidationSeverity.ERROR, instructionCmdMultiple: ValidationSeverity.ERROR, instructionEntrypointMultiple: ValidationSeverity.ERROR,
      instructionHealthcheckMultiple: ValidationSeverity.ERROR, instructionJSONInSingleQuotes: ValidationSeverity.ERROR, instructionWorkdirRelative: ValidationSeverity.ERROR };
    expect(validate(DOCKERFILE, all).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    expect(validate(`${DOCKERFILE}\nEXPOSE port-eighty\nworkdir data\n`, all).length).toBeGreaterThanOrEqual(2);
  });

  it('runs as a non-root user from /data, with the env, ports and healthcheck of SPEC §20', () => {
    expect(DOCKERFILE).toMatch(/^FROM node:22-bookworm-slim AS build$/m);
    expect(STAGE[0]).toEqual({ op: 'FROM', args: 'node:22-bookworm-slim' });
    expect(STAGE.find((i) => i.op === 'USER')?.args).toBe('node');
    expect(STAGE.filter((i) => i.op === 'WORKDIR').at(-1)?.args).toBe('/data');
    expect(STAGE.find((i) => i.op === 'EXPOSE')?.args).toBe('8080 1883');
    expect(dockerEnv()).toMatchObject({
      POWER2MQTT_WEB__BIND: '0.0.0.0', POWER2MQTT_MQTT__EMBEDDED__BIND: '0.0.0.0', POWER2MQTT_HISTORY__PATH: '/data/power2mqtt.db',
      POWER2MQTT_RULES__PATH: '/data/rules.json', POWER2MQTT_REPORTS__PATH: '/data/reports',
    });
    expect(dockerEnv()).not.toHaveProperty('POWER2MQTT_CONFIG');
    // jemalloc (docs/RELIABILITY.md): installed, linked to the one path LD_PRELOAD names.
    expect(dockerEnv().LD_PRELOAD).toBe(IMAGE_JEMALLOC);
    const run = STAGE.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(run).toMatch(/apt-get install -y --no-install-recommends libjemalloc2/);
    expect(run).toContain(`ln -s "$(dpkg -L libjemalloc2 | grep '/libjemalloc\\.so\\.2$')" ${IMAGE_JEMALLOC}`);
    expect(DOCKERFILE).toMatch(/npm run build/);
    // better-sqlite3 compiled in the build stage for the target platform, never a downloaded binary (SPEC §2.1).
    const fromSource = DOCKERFILE.indexOf('\nENV npm_config_build_from_source=true\n');
    expect(fromSource).toBeGreaterThan(0);
    expect(fromSource).toBeLessThan(DOCKERFILE.indexOf('RUN npm ci'));
    expect(DOCKERFILE).toMatch(/npm prune --omit=dev/);
  });

  it('the package holds everything the runtime stage copies, and no dev dependency is installed', () => {
    for (const c of STAGE.filter((i) => i.op === 'COPY')) {
      for (const src of c.args.replace(/--from=\S+\s+/, '').split(/\s+/).slice(0, -1)) {
        const name = src.replace(/^\/src\//, '');
        expect(existsSync(join(app, name)), `${name} (COPY ${c.args})`).toBe(true);
      }
    }
    expect(existsSync(join(app, 'dist/main.js'))).toBe(true);
    expect(existsSync(join(app, 'dist/web/index.html'))).toBe(true);
    // A dev dependency may still arrive as a production package's own dependency (mqtt brings @types/node).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const prodTree = execFileSync(NPM, ['ls', '--omit=dev', '--all', '--parseable'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => !prodTree.includes(`/node_modules/${d}\n`));
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'vitest', 'vite', 'playwright-core']));
    for (const dev of devOnly) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
  });
});

describe('the container command on the production install (demo, no config file)', () => {
  let child: ChildProcess;
  let out = '';

  it('starts locked on 0.0.0.0, answers its HEALTHCHECK, and stops on SIGTERM in time with the bridge offline', async () => {
    webPort = await freeTcpPort();
    env = {
      PATH: process.env.PATH ?? '', HOME: dir, ...Object.fromEntries(Object.entries(dockerEnv()).map(([k, v]) => [k, mapPath(v)])),
      POWER2MQTT_WEB__PORT: String(webPort), POWER2MQTT_MQTT__EMBEDDED__PORT: '0', POWER2MQTT_DEMO__SNMP_PORT: '0',
    };
    const cmd = jsonArgs(STAGE.find((i) => i.op === 'CMD')!.args);
    expect(cmd).toEqual(['node', '/app/dist/main.js', 'run']);
    if (!HOST_JEMALLOC) {
      // CI installs libjemalloc2 (.ci/run): there the container's allocator must be checked.
      if (process.env.CI === 'true') throw new Error('libjemalloc2 is not installed: the image preloads it (apt-get install libjemalloc2)');
      process.stderr.write('package test: libjemalloc2 not installed, the app runs on glibc malloc here (the image preloads jemalloc)\n');
      delete env.LD_PRELOAD;
    }
    child = spawn(process.execPath, cmd.slice(1).map(mapPath), { cwd: data, env });
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      const health = jsonArgs(STAGE.find((i) => i.op === 'HEALTHCHECK')!.args);
      let h = { code: null as number | null, out: '' };
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        h = runOnce(health);
        if (h.code === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(h, out.slice(-3000)).toMatchObject({ code: 0, out: expect.stringMatching(/^200 healthy/) });
      expect(out).toMatch(/locked/);
      expect(out).toMatch(/Setup code/);
      // The checkpoint worker loads better-sqlite3 from the production install (src/history/checkpointer.ts).
      expect(out).toMatch(/"msg":"WAL checkpoints run in a worker thread"/);
      if (HOST_JEMALLOC) expect(readFileSync(`/proc/${child.pid}/maps`, 'utf8')).toContain(HOST_JEMALLOC); // really preloaded
      // The broker got generated credentials (0.0.0.0 without users): read them as a user would.
      const creds = runOnce(['node', '/app/dist/main.js', 'mqtt-credentials']);
      expect(creds.code, creds.out).toBe(0);
      const username = /username:\s*(\S+)/.exec(creds.out)?.[1];
      const password = /password:\s*(\S+)/.exec(creds.out)?.[1];
      const brokerPort = Number(/MQTT broker on mqtt:\/\/0\.0\.0\.0:(\d+)/.exec(out)?.[1]);
      expect(username && password && brokerPort).toBeTruthy();
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { username, password, protocolVersion: 4, reconnectPeriod: 0 });
      const states: string[] = [];
      client.on('message', (t, p) => t === 'pdu/bridge/state' && states.push(p.toString()));
      await client.subscribeAsync('pdu/bridge/state');
      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(states.at(0)).toBe('online');
      expect(states.at(-1)).toBe('offline');
      client.end(true);
      expect(out).toMatch(/"msg":"power2mqtt stopped"/);
      expect(out).not.toMatch(/checkpoint worker stopped|WAL checkpoint failed/);
      expect(existsSync(join(data, 'power2mqtt.db'))).toBe(true);
      expect(runOnce(health).code).toBe(1); // nothing answers any more
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
