// The embedded broker's generated credentials (SPEC §16.3) and its start/close edges.
// Real aedes on 127.0.0.1, port 0; exposed mode is forced with the `exposed` option.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../../../src/core/logger.js';
import { CREDENTIALS_FILE, GENERATED_USERNAME, readGeneratedCredentials, startEmbeddedBroker } from '../../../src/mqtt/broker.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'p2m-broker-'));
  dirs.push(d);
  return d;
};

function captureLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  return { logger: createLogger('debug', { write: (s: string) => void lines.push(s) }), text: () => lines.join('') };
}

const exposedOpts = (dataDir: string, logger: Logger) => ({ bind: '127.0.0.1', port: 0, users: [], allowAnonymous: false, dataDir, logger, exposed: true });

describe('generated credentials (exposed bind, no users)', () => {
  it('creates mqtt-credentials.yaml with mode 0600, logs the password once, reuses it later without logging it', async () => {
    const dataDir = join(tempDir(), 'data'); // created on demand
    const first = captureLogger();
    const b1 = await startEmbeddedBroker(exposedOpts(dataDir, first.logger));
    await b1.close();
    expect(b1.generated?.username).toBe(GENERATED_USERNAME);
    const password = b1.generated?.password ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    const file = join(dataDir, CREDENTIALS_FILE);
    expect(b1.generated?.file).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readGeneratedCredentials(dataDir)).toEqual({ username: GENERATED_USERNAME, password, file });
    expect(first.text().split(password).length - 1).toBe(1);

    const second = captureLogger();
    const b2 = await startEmbeddedBroker(exposedOpts(dataDir, second.logger));
    await b2.close();
    expect(b2.generated?.password).toBe(password);
    expect(second.text()).not.toContain(password);
    expect(second.text()).toContain(file);
  });

  it('tightens a credentials file that others can read, and refuses a malformed one', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, CREDENTIALS_FILE);
    writeFileSync(file, 'username: power2mqtt\npassword: abcdefghijklmnopqrstuvwx\n', { mode: 0o644 });
    const log = captureLogger();
    const b = await startEmbeddedBroker(exposedOpts(dataDir, log.logger));
    await b.close();
    expect(b.generated?.password).toBe('abcdefghijklmnopqrstuvwx');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(log.text()).toMatch(/readable by others/);

    writeFileSync(file, 'user: x\n');
    await expect(startEmbeddedBroker(exposedOpts(dataDir, silentLogger()))).rejects.toThrow(/not a valid credentials file.*delete it/);
    expect(readFileSync(file, 'utf8')).toBe('user: x\n'); // never overwritten silently
  });

  it('is not generated on loopback, with users, or with allow_anonymous', async () => {
    const dataDir = tempDir();
    const base = { bind: '127.0.0.1', port: 0, users: [], allowAnonymous: false, dataDir, logger: silentLogger() };
    for (const o of [base, { ...base, exposed: true, allowAnonymous: true }]) {
      const b = await startEmbeddedBroker(o);
      await b.close();
      expect(b.generated).toBeNull();
    }
    expect(readGeneratedCredentials(dataDir)).toBeNull();
  });
});

describe('startEmbeddedBroker', () => {
  it('reports host, port and url; bridge credentials are random per process; close() is idempotent', async () => {
    const a = await startEmbeddedBroker({ bind: '127.0.0.1', port: 0, users: [], allowAnonymous: false, dataDir: tempDir(), logger: silentLogger() });
    const b = await startEmbeddedBroker({ bind: '127.0.0.1', port: 0, users: [], allowAnonymous: false, dataDir: tempDir(), logger: silentLogger() });
    expect(a.host).toBe('127.0.0.1');
    expect(a.port).toBeGreaterThan(0);
    expect(a.url).toBe(`mqtt://127.0.0.1:${a.port}`);
    expect(a.bridgeCredentials.username).not.toBe(b.bridgeCredentials.username);
    expect(a.bridgeCredentials.password).not.toBe(b.bridgeCredentials.password);
    expect(a.bridgeCredentials.password.length).toBeGreaterThanOrEqual(32);
    await Promise.all([a.close(), a.close(), b.close()]);
  });

  it('fails readably when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const addr = blocker.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      await expect(
        startEmbeddedBroker({ bind: '127.0.0.1', port, users: [], allowAnonymous: false, dataDir: tempDir(), logger: silentLogger() }),
      ).rejects.toThrow(new RegExp(`cannot listen on 127.0.0.1:${port}.*EADDRINUSE.*mqtt.embedded.port`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
