// `power2mqtt watchdog list|test|reset` (SPEC §17, §12.7) in-process on a real SQLite file seeded
// through the store the service uses, with a real local TCP target for `test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { watchdogCommand } from '../../../src/cli/watchdog.js';
import { DbHandle } from '../../../src/history/handle.js';
import { WatchdogSqlStore } from '../../../src/history/watchdog-store.js';
import { FRESH } from '../../../src/watchdog/decide.js';

let dir: string;
let config: string;
let db: string;
let listener: net.Server;
let port: number;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = { out: '', err: '' };
  const cli: CliIO = { out: (t) => void (io.out += t), err: (t) => void (io.err += t) };
  const code = await watchdogCommand([...args, '--config', config], cli);
  return { code, ...io };
}

function withStore<T>(fn: (s: WatchdogSqlStore) => T): T {
  const handle = new DbHandle(db, 5000);
  try {
    return fn(new WatchdogSqlStore(handle));
  } finally {
    handle.close();
  }
}

beforeAll(async () => {
  listener = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), 'p2m-wd-cli-'));
  db = join(dir, 'p2m.db');
  config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'history:', `  path: ${db}`,
    'watchdogs:', '  - name: modem', '    outlet: 2', `    target: 127.0.0.1:${port}`, '    timeout_ms: 1000',
    '  - name: dead', '    outlet: 3', '    target: 127.0.0.1:1', '    timeout_ms: 1000', '',
  ].join('\n'));
  const now = Math.floor(Date.now() / 1000);
  withStore((s) => {
    s.saveState('modem', { ...FRESH, state: 'gave_up', reason: '3 cycles within 6 h', cycle_times: [now - 300, now - 200, now - 100], last_cycle_at: now - 100 }, now);
    s.saveRuntimeWatchdog({ ...FRESH_WD, name: 'nas', target: 'http://127.0.0.1:1/' }, now);
  });
});

const FRESH_WD = {
  name: '', device: '', outlet: 4, target: '', interval_s: 10, timeout_ms: 1000, fail_after_s: 180, action: 'reboot' as const, off_s: 10,
  boot_grace_s: 300, max_cycles: 3, window_h: 6, depends_on: '',
};

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe('power2mqtt watchdog', () => {
  it('list: config and runtime watchdogs with state and cycles', async () => {
    const r = await run(['list']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SOURCE\s+DEVICE\s+OUTLET\s+TARGET\s+STATE\s+CYCLES\s+LAST CYCLE$/);
    expect(lines.find((l) => l.startsWith('modem'))).toMatch(/config .* 2 .*gave_up \(3 cycles within 6 h\)\s+3\s/);
    expect(lines.find((l) => l.startsWith('nas'))).toMatch(/runtime .* 4 .*http:\/\/127\.0\.0\.1:1\/\s+ok\s+0/);
    const json = JSON.parse((await run(['list', '--json'])).out) as Array<{ name: string; cycles: number }>;
    expect(json.map((w) => `${w.name}:${w.cycles}`)).toEqual(['modem:3', 'dead:0', 'nas:0']);
  });

  it('test: one check now; an accepted TCP connection is up, a refused one down', async () => {
    const up = await run(['test', 'modem']);
    expect(up.code).toBe(0);
    expect(up.out).toMatch(new RegExp(`^modem: 127\\.0\\.0\\.1:${port} up in \\d+ ms\\n$`));
    const down = await run(['test', 'dead', '--json']);
    expect(JSON.parse(down.out)).toMatchObject({ name: 'dead', result: 'down', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('reset: clears gave_up and the count, bumping the counter the service reads', async () => {
    const r = await run(['reset', 'modem']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('next check');
    const st = withStore((s) => ({ state: s.loadStates().get('modem'), seq: s.resetSeq('modem') }));
    expect(st.state).toMatchObject({ state: 'ok', reason: null, cycle_times: [] });
    expect(st.seq).toBe(1);
  });

  it('exit 1 for an unknown watchdog, 2 for bad usage', async () => {
    expect(await run(['reset', 'ghost'])).toMatchObject({ code: 1, err: expect.stringContaining('no watchdog named "ghost"') });
    expect((await run(['test'])).code).toBe(2);
    expect((await run(['frob'])).code).toBe(2);
  });
});
