import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { notifyCommand } from '../../../src/cli/notify.js';

// `power2mqtt notify test NAME` (SPEC §17, §11.8) in-process against a webhook server on 127.0.0.1.

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

interface Hit {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let dir: string;
let config: string;
let server: http.Server;
let deadPort: number;
const hits: Hit[] = [];

async function listen(s: http.Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(req.url?.startsWith('/broken') ? 500 : 204).end();
    });
  });
  const port = await listen(server);
  const dead = http.createServer();
  deadPort = await listen(dead);
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  dir = mkdtempSync(join(tmpdir(), 'p2m-notify-cli-'));
  config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'history:', `  path: ${join(dir, 'history.db')}`, 'notify:', '  webhooks:',
      '    - name: phone', `      url: http://127.0.0.1:${port}/hook/T0KEN?x=1`, '      secret: shh',
      '    - name: broken', `      url: http://127.0.0.1:${port}/broken/T0KEN`,
      '    - name: down', `      url: http://127.0.0.1:${deadPort}/down/T0KEN`, '',
    ].join('\n'),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('power2mqtt notify test', () => {
  it('delivers a signed event "test" and prints status and time', async () => {
    const io = captureIO();
    expect(await notifyCommand(['test', 'phone', '--config', config], io)).toBe(0);
    expect(io.stderr).toBe('');
    expect(io.stdout).toMatch(/^delivered: HTTP 204 in \d+ ms\n$/);
    const hit = hits.at(-1)!;
    expect(hit.url).toBe('/hook/T0KEN?x=1');
    expect(hit.headers['x-power2mqtt-signature']).toBe(`sha256=${createHmac('sha256', 'shh').update(hit.body).digest('hex')}`);
    expect(JSON.parse(hit.body)).toMatchObject({ event: 'test', text: 'test notification from power2mqtt', data: { webhook: 'phone' } });
  });

  it('a non-2xx answer: exit 1 with the status, the URL shown as scheme and host only', async () => {
    const io = captureIO();
    expect(await notifyCommand(['test', 'broken', '--config', config], io)).toBe(1);
    expect(io.stderr).toMatch(/^not delivered to http:\/\/127\.0\.0\.1:\d+: HTTP 500 \(after \d+ ms\)\n$/);
    expect(io.stderr).not.toContain('T0KEN');
  });

  it('nobody listening: exit 1 with the connection error', async () => {
    const io = captureIO();
    expect(await notifyCommand(['test', 'down', '--config', config], io)).toBe(1);
    expect(io.stderr).toContain(`not delivered to http://127.0.0.1:${deadPort}: connect ECONNREFUSED`);
    expect(io.stderr).not.toContain('T0KEN');
  });

  it.each([
    [['test', 'nope', '--config', 'CONFIG'], /^no webhook named "nope" \(configured: phone, broken, down\)/],
    [['test', '--config', 'CONFIG'], /notify test needs exactly one webhook NAME/],
    [['send', 'phone', '--config', 'CONFIG'], /unknown notify command "send"/],
    [['test', 'a', 'b', '--config', 'CONFIG'], /notify test needs exactly one webhook NAME/],
    [['test', 'phone', '--bogus'], /Unknown option/],
    [['test', 'phone', '--config', join(tmpdir(), 'p2m-missing-config.yaml')], /configuration is invalid .*config file not found/s],
  ])('usage and config errors exit 2: %j', async (args, message) => {
    const io = captureIO();
    // The table is built before beforeAll wrote the file: CONFIG stands for its path.
    expect(await notifyCommand((args as string[]).map((a) => (a === 'CONFIG' ? config : a)), io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stdout).toBe('');
  });

  it('--help prints the usage, exit 0', async () => {
    const io = captureIO();
    expect(await notifyCommand(['--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/^usage: power2mqtt notify test NAME \[--config FILE\]/);
  });
});
