import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Availability } from './requires.js';

const run = promisify(execFile);

export function opensslAvailable(): Availability {
  const r = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  return r.status === 0 ? { ok: true } : { ok: false, reason: 'openssl not found (apt-get install openssl)' };
}

export interface TestPki {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  /** A CA that did NOT sign the server certificate. */
  otherCa: string;
}

/** A throw-away CA and a server certificate for 127.0.0.1 (2 days), made with the openssl CLI. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'p2m-pki-'));
  const f = (n: string) => join(dir, n);
  const ssl = (args: string[]) => run('openssl', args, { cwd: dir });
  for (const ca of ['ca', 'other-ca']) {
    await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${ca}.key`), '-out', f(`${ca}.pem`), '-days', '2', '-subj', `/CN=p2m-test-${ca}`]);
  }
  await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await ssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('san.ext')]);
  return { dir, ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key'), otherCa: f('other-ca.pem') };
}
