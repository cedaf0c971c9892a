// Run Debian's Mosquitto as a test broker: a private config, password file and log in a temp
// dir, listening on 127.0.0.1 at a random free port (never 1883, never the system service).
//
//   const broker = await startMosquitto({ users: { bridge: 'secret' } });
//   // ... mqtt://127.0.0.1:<broker.port>
//   await broker.restart(); // kill -9, start again on the same port
//   await broker.stop();
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Availability } from './requires.js';
import { freeTcpPort } from './net.js';

export const MOSQUITTO_PATH = '/usr/sbin/mosquitto';
const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 2_000;

export interface MosquittoHandle {
  host: '127.0.0.1';
  port: number;
  url: string;
  /** SIGTERM (SIGKILL after 2 s) and remove the temp dir; idempotent */
  stop(): Promise<void>;
  /** kill -9 (clients see their connection drop without DISCONNECT), then start again on the same port; retained messages are lost (persistence false) */
  restart(): Promise<void>;
  /** the broker's log file plus its stdout/stderr */
  logs(): string;
}

export interface StartMosquittoOptions {
  /** username → plain password, written with mosquitto_passwd */
  users?: Record<string, string>;
  /** default: true without users, false with users */
  allowAnonymous?: boolean;
  /** reuse a port (e.g. the port of a stopped broker); default a free random one */
  port?: number;
  /** TLS listener (mqtts://) with these PEM files */
  tls?: { cafile: string; certfile: string; keyfile: string };
}

function onPath(cmd: string): boolean {
  for (const d of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/bin']) {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** Is Debian's mosquitto broker and its client tools installed? (packages mosquitto, mosquitto-clients) */
export function mosquittoAvailable(): Availability {
  try {
    accessSync(MOSQUITTO_PATH, constants.X_OK);
  } catch {
    return { ok: false, reason: `${MOSQUITTO_PATH} not found (apt-get install --no-install-recommends mosquitto)` };
  }
  const missing = ['mosquitto_pub', 'mosquitto_sub', 'mosquitto_passwd'].filter((t) => !onPath(t));
  if (missing.length > 0) return { ok: false, reason: `${missing.join(', ')} not found (apt-get install --no-install-recommends mosquitto-clients mosquitto)` };
  return { ok: true };
}

export { freeTcpPort };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, timeout: 500 });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false));
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => resolve(true)).once('exit', () => clearTimeout(t));
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (bounded: 5 s, then SIGKILL). Never rejects. */
function exec(cmd: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

// Brokers still running when the test process exits (a crashed test) are killed by pid.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
});

/** Start mosquitto; resolves once it accepts TCP connections (rejects with its log after 5 s). */
export async function startMosquitto(opts: StartMosquittoOptions = {}): Promise<MosquittoHandle> {
  const avail = mosquittoAvailable();
  if (!avail.ok) throw new Error(`cannot start mosquitto: ${avail.reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'p2m-mosquitto-'));
  const logFile = join(dir, 'mosquitto.log');
  const users = Object.entries(opts.users ?? {});
  const port = opts.port ?? (await freeTcpPort());
  const lines = [`listener ${port} 127.0.0.1`, `allow_anonymous ${opts.allowAnonymous ?? users.length === 0}`, 'persistence false'];
  if (opts.tls) lines.push(`cafile ${opts.tls.cafile}`, `certfile ${opts.tls.certfile}`, `keyfile ${opts.tls.keyfile}`);
  lines.push(`log_dest file ${logFile}`, 'log_type all', 'connection_messages true');
  // As root, mosquitto drops to user "mosquitto", which cannot read our 0700 temp dir.
  if (process.getuid?.() === 0) lines.push(`user ${userInfo().username}`);
  if (users.length > 0) {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, '', { mode: 0o600 });
    for (const [name, password] of users) {
      const r = await exec('mosquitto_passwd', ['-b', passwd, name, password]);
      if (r.code !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    lines.push(`password_file ${passwd}`);
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);

  let output = '';
  let child: ChildProcess | null = null;
  let stopped = false;

  async function launch(): Promise<void> {
    const c = spawn(MOSQUITTO_PATH, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    live.add(c);
    c.once('exit', () => live.delete(c));
    for (const stream of [c.stdout, c.stderr]) stream?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) break;
      if (await canConnect(port)) return;
      await sleep(25);
    }
    c.kill('SIGKILL');
    await waitExit(c, STOP_TIMEOUT_MS);
    throw new Error(`mosquitto did not start on 127.0.0.1:${port}:\n${logs()}`);
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    if (!(await waitExit(c, STOP_TIMEOUT_MS))) {
      c.kill('SIGKILL');
      await waitExit(c, STOP_TIMEOUT_MS);
    }
  }

  const logs = (): string => {
    try {
      return readFileSync(logFile, 'utf8') + output;
    } catch {
      return output; // no log file yet
    }
  };

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    logs,
    async restart() {
      if (stopped) throw new Error('mosquitto was stopped');
      await kill('SIGKILL');
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run `mosquitto_pub` with `args` (bounded: 5 s). Never rejects. */
export const mosquittoPub = (args: string[]): Promise<CliResult> => exec('mosquitto_pub', args);

const hasStdbuf = onPath('stdbuf');

/**
 * Start `mosquitto_sub -v -C count -W timeoutS` and resolve once its SUBACK arrived (it prints
 * debug lines with -d), so a following publish cannot race the subscription. `done` resolves
 * when `count` messages arrived or the subscriber exited/timed out, with `topic payload` lines.
 */
export async function mosquittoSub(args: string[], count: number, timeoutS = 5): Promise<{ done: Promise<CliResult & { lines: string[] }> }> {
  const subArgs = ['-d', '-v', '-C', String(count), '-W', String(timeoutS), ...args];
  // stdout is a pipe, so mosquitto_sub's stdio buffers its debug lines (SUBACK) until exit;
  // coreutils' stdbuf makes it line-buffered.
  const [cmd, argv] = hasStdbuf ? ['stdbuf', ['-oL', 'mosquitto_sub', ...subArgs]] : ['mosquitto_sub', subArgs];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult & { lines: string[] }>((resolve) => {
    child.once('close', (code) => {
      const lines = stdout.split('\n').filter((l) => l !== '' && !/^(Client \S+ (sending|received) |Subscribed \(mid)/.test(l));
      resolve({ code: code ?? -1, stdout, stderr, lines });
    });
  });
  if (!hasStdbuf) await sleep(300);
  else await until(() => /received SUBACK/.test(stdout) || child.exitCode !== null, timeoutS * 1000).catch(() => undefined);
  return { done };
}

export interface TcpProxy {
  port: number;
  /** connections accepted so far (= connect attempts of the clients behind it) */
  readonly accepted: number;
  /** kill every connection abruptly (the broker sees a dead client: its will fires) and refuse new ones */
  cut(): Promise<void>;
  /** accept connections again, on the same port */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a broker, to kill a client's socket or take "the
 * network" down without touching the broker or the client.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer({ noDelay: true }, (inbound) => {
    accepted++;
    const outbound = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.once('close', () => outbound.destroy());
    outbound.once('close', () => inbound.destroy());
  });
  const listen = (p: number): Promise<void> => new Promise((r, j) => server.once('error', j).listen(p, '127.0.0.1', () => r()));
  await listen(0);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const stopListening = (): Promise<void> => new Promise((r) => (server.listening ? server.close(() => r()) : r()));
  return {
    port,
    get accepted() {
      return accepted;
    },
    async cut() {
      const closed = stopListening();
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
    resume: () => listen(port),
    async close() {
      const closed = stopListening();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** Wait (real time, bounded) until `cond()` holds; throws after `ms`. */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}
