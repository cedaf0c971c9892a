// The real app as a child process (`node dist/main.js run --config FILE`, demo mode: a simulated
// PDU at 1 Hz, switches and scenarios), for faults that need a process boundary: kill -9, a file
// size limit set from outside (prlimit), a lock held by another process. Shared by the fault
// tests and bench/kill9-bench.ts, so it imports nothing from vitest.
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { SeriesCatalog } from '../../src/history/catalog.js';
import { readRaw } from '../../src/history/raw.js';

/** The repository root: the nearest folder with a package.json (works from test/ and dist-bench/test/). */
function findRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('kill9: repository root not found');
    d = up;
  }
  return d;
}
export const ROOT = findRoot();

/** Builds dist/ when it is missing or older than src/ (the child runs the built app). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs'), '--no-web'], { cwd: ROOT, stdio: 'pipe' });
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number; module?: string };
type Section = Record<string, unknown>;

export interface AppChild {
  readonly pid: number;
  readonly webUrl: string;
  /** mqtt://127.0.0.1:PORT of the embedded broker. */
  readonly mqttUrl: string;
  readonly dbPath: string;
  /** Every JSON log line the child printed so far (pino on stdout). */
  readonly logs: LogLine[];
  /** Date.now() at spawn. */
  readonly spawnedAt: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill9(): Promise<void>;
  /** SIGTERM (clean shutdown, SPEC §3.3); SIGKILL if it has not exited within 10 s. */
  stop(): Promise<number | null>;
}

/** Writes config.yaml (JSON is YAML) for a demo on random ports with all data under `dir`. */
export function writeConfig(dir: string, extra: Record<string, Section> = {}): string {
  mkdirSync(dir, { recursive: true });
  const base: Record<string, Section> = {
    demo: { enabled: true, snmp_port: 0, plugs: false },
    mqtt: { embedded: { port: 0 } },
    history: { path: join(dir, 'power2mqtt.db') },
    web: { port: 0 },
    rules: { path: join(dir, 'rules.json') },
    reports: { path: join(dir, 'reports') },
    // Probe cycles every 2 s: an outage closes within clear_cycles × 2 s (the default 10 s is slow for a test).
    switches: { interval_s: 2 },
  };
  for (const [k, v] of Object.entries(extra)) base[k] = { ...(base[k] ?? {}), ...v };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, JSON.stringify(base, null, 2));
  return path;
}

/** Starts the app on `dir`'s config and resolves once it logged that it runs (bounded: 30 s). */
export async function startAppChild(dir: string): Promise<AppChild> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('POWER2MQTT_')));
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js'), 'run', '--config', join(dir, 'config.yaml')], {
    cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      try {
        logs.push(JSON.parse(l) as LogLine);
      } catch {
        logs.push({ msg: l });
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));
  const end = Date.now() + 30_000;
  let web: string | undefined;
  while (!web) {
    web = logs.find((l) => l.module === 'app' && typeof l.web === 'string')?.web as string | undefined;
    if (web) break;
    if (gone || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`app did not start (${gone ? 'exited' : 'timeout'}): ${stderr}${logs.slice(-5).map((l) => JSON.stringify(l)).join('\n')}`);
    }
    await sleep(20);
  }
  const pid = child.pid as number;
  const mqttUrl = String(logs.find((l) => l.msg === 'mqtt bridge started')?.url ?? '');
  return {
    pid, webUrl: web.replace(/\/$/, ''), mqttUrl, dbPath: join(dir, 'power2mqtt.db'), logs, spawnedAt, exited,
    async kill9() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone) return (await exited).code;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const r = await exited;
      clearTimeout(t);
      return r.code;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` until it returns a value other than undefined/false; throws after `ms` (real time). */
export async function waitFor<T>(what: string, cond: () => T | undefined | false | Promise<T | undefined | false>, ms: number, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(everyMs);
  }
}

/**
 * The samples the running app has taken, as seen from outside: every `status` message of /ws
 * (one after every poll, SPEC §15) carries the sample's ts.
 */
export class SampleWatch {
  /** Sample seconds in arrival order. */
  readonly ts: number[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type?: string; ts?: number };
      if (m.type === 'status' && typeof m.ts === 'number') {
        const t = Math.floor(m.ts);
        if (this.ts[this.ts.length - 1] !== t) this.ts.push(t);
      }
    });
    ws.on('error', () => undefined);
  }

  static open(webUrl: string, deviceId: string): Promise<SampleWatch> {
    const ws = new WebSocket(`${webUrl.replace(/^http/, 'ws')}/ws?device_id=${deviceId}`, { handshakeTimeout: 5000 });
    const w = new SampleWatch(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(w));
      ws.once('error', reject);
    });
  }

  /** Waits until `n` more samples than `from` were seen. */
  async samples(n: number, from = this.ts.length, ms = 15_000): Promise<void> {
    await waitFor(`${n} samples over /ws`, () => this.ts.length >= from + n, ms, 20);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A JSON request to the app (loopback, no auth: the demo binds 127.0.0.1 without users). */
export async function api(webUrl: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${webUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a Prometheus text or an empty body stays text
  }
  return { status: res.status, body: parsed };
}

export interface OutageRow {
  id: number;
  kind: string;
  started_at: number;
  ended_at: number | null;
  is_ongoing: number;
  cause: string | null;
}

export interface DbFacts {
  integrity: string;
  /** Stored sample seconds of the device in [from, to). */
  ts: number[];
  outages: OutageRow[];
}

/** Opens the database read-only from this process (the app may be running or dead) and reads what a check needs. */
export function inspectDb(path: string, deviceId: string, from: number, to: number): DbFacts {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const cat = new SeriesCatalog(db);
    const dev = cat.findDev(deviceId);
    const ts = dev ? [...readRaw(db, cat, dev.id, from, to).ts] : [];
    const outages = db.prepare('SELECT id, kind, started_at, ended_at, is_ongoing, cause FROM outages ORDER BY id').all() as OutageRow[];
    return { integrity, ts, outages };
  } finally {
    db.close();
  }
}

/** Records of the same kind whose time ranges overlap: a second record for one outage. */
export function overlappingOutages(rows: readonly OutageRow[]): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i] as OutageRow;
      const b = rows[j] as OutageRow;
      if (a.kind !== b.kind) continue;
      const aEnd = a.ended_at ?? Infinity;
      const bEnd = b.ended_at ?? Infinity;
      if (a.started_at < bEnd && b.started_at < aEnd) n++;
    }
  }
  return n;
}
