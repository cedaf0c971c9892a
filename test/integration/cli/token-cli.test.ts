// `power2mqtt token create|list|revoke` (SPEC §16.2, §17) in-process on a real SQLite file named by
// a real config file; the tokens it prints are then used against the web server on that file.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { tokenCommand } from '../../../src/cli/token.js';
import { AuthSqlStore } from '../../../src/history/auth-store.js';
import { DbHandle } from '../../../src/history/handle.js';
import { buildHttpServer } from '../../../src/http/index.js';
import { configUsersInput } from '../../support/auth.js';
import { fakeHttpContext } from '../../support/http-ports.js';

let dir: string;
let config: string;
let dbPath: string;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) } satisfies CliIO & { stdout: string; stderr: string };
  const code = await tokenCommand([...args, '--config', config], io);
  return { code, out: io.stdout, err: io.stderr };
}

/** The web server on the same database, with users configured (auth on). */
async function statusWith(token: string): Promise<number> {
  const p = fakeHttpContext({ web: { auth: { users: configUsersInput() } } });
  const handle = new DbHandle(dbPath, 5000);
  p.ctx.auth = new AuthSqlStore(handle);
  const app = await buildHttpServer(p.ctx);
  try {
    return (await app.inject({ method: 'POST', url: '/api/switches', headers: { authorization: `Bearer ${token}` }, payload: { name: `s-${token.slice(4, 12)}`, url: 'http://10.0.0.9/' } })).statusCode;
  } finally {
    await app.close();
    handle.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-token-cli-'));
  dbPath = join(dir, 'data', 'power2mqtt.db');
  config = join(dir, 'config.yaml');
  writeFileSync(config, `history:\n  path: ${dbPath}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('power2mqtt token', () => {
  it('lists nothing before the database exists, and says so (exit 1)', async () => {
    const r = await cli('list');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no history database');
    expect(existsSync(dbPath)).toBe(false);
  });

  let adminToken = '';
  it('creates a token (creating the database), printing it once; the default scope is read', async () => {
    const r = await cli('create', 'home-assistant', '--scope', 'admin');
    expect(r.code).toBe(0);
    const m = /^created token 1 "home-assistant" \(scope admin, never expires\); it is shown only now:\n(p2m_[A-Za-z0-9_-]{43})\n$/.exec(r.out);
    expect(m).not.toBeNull();
    adminToken = m![1]!;
    const read = await cli('create', '--name', 'grafana', '--expires-days', '30', '--json');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.out)).toMatchObject({ id: 2, name: 'grafana', scope: 'read', last_used_at: null, token: expect.stringMatching(/^p2m_/) });
    expect(JSON.parse(read.out).expires_at - JSON.parse(read.out).created_at).toBe(30 * 86_400);
  });

  it('authenticates against the web server with the printed token (admin may create, read may not)', async () => {
    expect(await statusWith(adminToken)).toBe(201);
    const read = JSON.parse((await cli('create', 'viewer-bot', '--json')).out) as { token: string };
    expect(await statusWith(read.token)).toBe(403);
    expect(await statusWith('p2m_made-up')).toBe(401);
  });

  it('lists tokens without their secrets, with last use', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^ID\s+NAME\s+SCOPE\s+CREATED\s+LAST USED\s+EXPIRES$/);
    expect(r.out).toMatch(/1\s+home-assistant\s+admin\s+\S+Z\s+\d{4}-\S+Z\s+never/);
    expect(r.out).toMatch(/2\s+grafana\s+read\s+\S+Z\s+-\s+\d{4}-/);
    expect(r.out).not.toContain('p2m_');
    const json = JSON.parse((await cli('list', '--json')).out) as Array<Record<string, unknown>>;
    expect(json.map((t) => t.name)).toEqual(['home-assistant', 'grafana', 'viewer-bot']);
    expect(JSON.stringify(json)).not.toContain('p2m_');
  });

  it('revokes by id: the token answers 401 at once; unknown ids are exit 1', async () => {
    const r = await cli('revoke', '1');
    expect(r).toMatchObject({ code: 0, out: 'revoked token 1 "home-assistant" (scope admin)\n' });
    expect(await statusWith(adminToken)).toBe(401);
    expect((await cli('revoke', '1')).code).toBe(1);
  });

  it.each([
    [['create'], 'needs one NAME'],
    [['create', 'a', 'b'], 'needs one NAME'],
    [['create', 'x', '--scope', 'root'], '--scope must be read, control or admin'],
    [['create', 'x', '--expires-days', '0'], '--expires-days must be'],
    [['revoke'], 'needs one numeric ID'],
    [['revoke', 'grafana'], 'needs one numeric ID'],
    [['frobnicate'], 'unknown token command'],
    [['list', '--bogus'], 'Unknown option'],
  ])('%j → usage error (exit 2)', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('refuses a duplicate name (exit 1) and prints help (exit 0)', async () => {
    const dup = await cli('create', 'grafana');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('a token named "grafana" exists');
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('token create NAME');
  });
});
