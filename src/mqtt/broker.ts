// The embedded MQTT broker (SPEC §3.2 step 4, §16.3): aedes 1.x on a plain TCP server.
// aedes speaks MQTT 3.1.1 only (§2.1), so the bridge's client uses protocol 4 against it.
import type { EventEmitter } from 'node:events';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { RealClock, type Clock } from '../core/clock.js';
import { settlesWithin } from '../core/concurrency.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parsePasswordHash, verifyPassword } from '../core/password.js';
import { brokerSecurity, mayPublish } from './acl.js';

export const CREDENTIALS_FILE = 'mqtt-credentials.yaml';
export const GENERATED_USERNAME = 'power2mqtt';
const CLOSE_TIMEOUT_MS = 3000;
const LOGGED_KEYS_MAX = 1000;
// scrypt runs on libuv's small thread pool; a burst of failing logins must not occupy it.
const MAX_CONCURRENT_VERIFY = 4;

export interface BrokerUser {
  username: string;
  password_hash: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface EmbeddedBrokerOptions {
  bind: string;
  /** 0 = any free port */
  port: number;
  users: BrokerUser[];
  allowAnonymous: boolean;
  /** where `mqtt-credentials.yaml` lives (generated credentials, §16.3) */
  dataDir: string;
  logger: Logger;
  /** root of the topic tree the ACL protects (mqtt.base_topic), default `pdu` */
  baseTopic?: string;
  /** homeassistant.discovery_prefix: the bridge's own discovery configs there are protected too */
  discoveryPrefix?: string;
  /** bounds close(); default RealClock */
  clock?: Clock;
  /** override the exposure decision made from `bind` (tests: exposed mode on 127.0.0.1) */
  exposed?: boolean;
}

export interface EmbeddedBroker {
  /** address the bridge's own client connects to (a wildcard bind maps to loopback) */
  host: string;
  port: number;
  /** mqtt://host:port for `host` and `port` */
  url: string;
  /** credentials the bridge's own client must use (always set: a random internal user per process) */
  bridgeCredentials: Credentials;
  /** generated user for non-loopback binds without users (§16.3), else null */
  generated: (Credentials & { file: string }) | null;
  close(): Promise<void>;
}

const digest = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();
/** Constant-time string equality (digests have equal length whatever the inputs). */
const sameSecret = (a: string | Buffer, b: string | Buffer): boolean => timingSafeEqual(digest(a), digest(b));

function authError(returnCode: 3 | 4 | 5, message: string): AuthenticateError {
  // aedes types returnCode as a const enum, which isolatedModules cannot read: 3 = server
  // unavailable, 4 = bad username or password, 5 = not authorized (MQTT 3.1.1 §3.2.2.3).
  return Object.assign(new Error(message), { returnCode: returnCode as AuthenticateError['returnCode'] });
}

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 24 characters of [A-Za-z0-9] (~143 bits): easy to paste into Home Assistant, no quoting issues. */
function generatePassword(): string {
  let s = '';
  for (let i = 0; i < 24; i++) s += ALPHANUM[randomInt(ALPHANUM.length)];
  return s;
}

/** The generated credentials stored in `<dataDir>/mqtt-credentials.yaml`, or null when absent. */
export function readGeneratedCredentials(dataDir: string): (Credentials & { file: string }) | null {
  const file = join(dataDir, CREDENTIALS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const doc: unknown = parseYaml(text);
  const rec = (doc ?? {}) as Record<string, unknown>;
  if (typeof rec.username !== 'string' || typeof rec.password !== 'string' || rec.username === '' || rec.password === '') {
    // Never regenerate silently: the old password may be pasted into Home Assistant.
    throw new Error(`${file} is not a valid credentials file (username, password); delete it to generate new credentials`);
  }
  return { username: rec.username, password: rec.password, file };
}

/** Reuse the stored generated user, or create it (mode 0600) and log its password once. */
function generatedCredentials(dataDir: string, logger: Logger): Credentials & { file: string } {
  const existing = readGeneratedCredentials(dataDir);
  if (existing) {
    if ((statSync(existing.file).mode & 0o077) !== 0) {
      chmodSync(existing.file, 0o600);
      logger.warn({ file: existing.file }, 'embedded MQTT broker: credentials file was readable by others; set its mode to 0600');
    }
    logger.info({ file: existing.file }, `embedded MQTT broker: user "${existing.username}" from ${existing.file} (\`power2mqtt mqtt-credentials\` prints it)`);
    return existing;
  }
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CREDENTIALS_FILE);
  const creds = { username: GENERATED_USERNAME, password: generatePassword() };
  const header = '# Generated by power2mqtt for the embedded MQTT broker (SPEC §16.3). Delete to regenerate.\n';
  // 'wx': never overwrite a file another process created meanwhile; mode 0600 at creation.
  writeFileSync(file, header + stringifyYaml(creds), { mode: 0o600, flag: 'wx' });
  // The one time a secret is logged (§16.3): printed once at first start, for pasting into HA.
  logger.warn(
    { file },
    `embedded MQTT broker is reachable beyond this host and has no users: generated user "${creds.username}" ` +
      `with password "${creds.password}" (stored in ${file}; shown only this once, later via \`power2mqtt mqtt-credentials\`)`,
  );
  return { ...creds, file };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const hint = err.code === 'EADDRINUSE' ? ' (another broker already uses it: change mqtt.embedded.port or stop it)' : '';
      reject(new Error(`embedded MQTT broker cannot listen on ${host}:${port}: ${err.message}${hint}`));
    };
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Start aedes on `bind:port` with the authentication and ACL of SPEC §16.3. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = opts;
  const clock = opts.clock ?? new RealClock();
  const baseTopic = opts.baseTopic ?? 'pdu';
  const security = brokerSecurity({ bind: opts.bind, userCount: opts.users.length, allowAnonymous: opts.allowAnonymous, exposed: opts.exposed });
  const generated = security.mode === 'generated' ? generatedCredentials(opts.dataDir, logger) : null;
  const users = new Map(opts.users.map((u) => [u.username, u.password_hash]));
  for (const u of opts.users) {
    if (!parsePasswordHash(u.password_hash)) logger.warn({ username: u.username }, 'embedded MQTT broker: user has an unusable password hash and cannot log in');
  }
  let bridgeUser = `p2m-bridge-${randomBytes(6).toString('hex')}`;
  while (users.has(bridgeUser)) bridgeUser = `p2m-bridge-${randomBytes(6).toString('hex')}`;
  const bridgeCredentials: Credentials = { username: bridgeUser, password: randomBytes(24).toString('base64url') };

  const bridgeClients = new WeakSet<Client>();
  // A successful scrypt check per user is remembered (digest of the password) so reconnects
  // cost a hash, not 100+ ms of scrypt. Failures are never cached.
  const verified = new Map<string, Buffer>();
  const logged = new Set<string>();
  let verifying = 0;
  const bridgeClientIds = new Set<string>();
  const logOnce = (key: string, fn: () => void): void => {
    if (logged.has(key)) return;
    if (logged.size >= LOGGED_KEYS_MAX) logged.clear(); // bounded memory; repeats may log again
    logged.add(key);
    fn();
  };

  const BAD = (): AuthenticateError => authError(4, 'bad username or password');

  async function checkUser(username: string, hash: string, password: Buffer): Promise<AuthenticateError | null> {
    const known = verified.get(username);
    if (known && timingSafeEqual(known, digest(password))) return null;
    if (verifying >= MAX_CONCURRENT_VERIFY) return authError(3, 'server busy verifying other logins; retry');
    verifying++;
    try {
      if (!(await verifyPassword(password.toString('utf8'), hash))) return BAD();
      verified.set(username, digest(password));
      return null;
    } finally {
      verifying--;
    }
  }

  /** null = accepted; otherwise why not (never contains the password). */
  async function authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<AuthenticateError | null> {
    const pw = password ?? Buffer.alloc(0);
    if (username === bridgeCredentials.username) {
      if (!sameSecret(pw, bridgeCredentials.password)) return BAD();
      bridgeClients.add(client);
      bridgeClientIds.add(client.id);
      return null;
    }
    // A second client with the bridge's client id would disconnect it (MQTT-3.1.4-2): with
    // authentication on, nobody else may take that id over.
    if (security.acl && bridgeClientIds.has(client.id)) return authError(5, 'not authorized: client id in use by the bridge');
    if (username === undefined || username === '') {
      return security.anonymous ? null : authError(5, 'not authorized: this broker requires a username and password');
    }
    if (generated && username === generated.username) return sameSecret(pw, generated.password) ? null : BAD();
    const hash = users.get(username);
    if (hash !== undefined) return checkUser(username, hash, pw);
    // Without any configured user, credentials are ignored (as Mosquitto without a password file).
    return security.mode === 'open' ? null : BAD();
  }

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      authenticate(client, username, password).then(
        (err) => {
          if (err) {
            const remote = (client.conn as Socket).remoteAddress ?? '?';
            logOnce(`auth:${username ?? ''}:${remote}`, () =>
              logger.warn({ clientId: client.id, username, remote }, `embedded MQTT broker refused a client: ${err.message}`),
            );
          }
          done(err, err === null);
        },
        (err: unknown) => done(authError(5, `authentication failed: ${errorMessage(err)}`), false),
      );
    },
    authorizePublish(client, packet, done) {
      if (mayPublish(packet.topic, { bridge: client !== null && bridgeClients.has(client) }, { acl: security.acl, baseTopic, discoveryPrefix: opts.discoveryPrefix ?? 'homeassistant' })) {
        done(null);
        return;
      }
      // MQTT 3.1.1 has no negative PUBACK: aedes closes the connection (MQTT-3.3.5-2).
      logOnce(`acl:${client?.id ?? ''}:${packet.topic}`, () =>
        logger.warn({ clientId: client?.id, topic: packet.topic }, 'embedded MQTT broker: publish refused (state topics are published by the bridge only)'),
      );
      done(new Error(`not authorized to publish to ${packet.topic}`));
    },
  });
  broker.on('clientError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'mqtt broker: client error'));
  broker.on('connectionError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'mqtt broker: connection error'));
  // aedes emits 'error' for persistence failures; an unhandled 'error' event would crash the process.
  const emitter: EventEmitter = broker;
  emitter.on('error', (err: unknown) => logger.error({ err: errorMessage(err) }, 'embedded MQTT broker error'));

  const sockets = new Set<Socket>();
  // noDelay: without it Nagle's algorithm adds ~40 ms at p99 (§2.1).
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  server.on('error', (err) => logger.error({ err: err.message }, 'embedded MQTT broker: server error'));
  try {
    await listen(server, opts.port, opts.bind);
  } catch (err) {
    await new Promise<void>((r) => broker.close(() => r()));
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const wildcard = opts.bind === '0.0.0.0' || opts.bind === '::' || opts.bind === '';
  const host = wildcard ? (opts.bind === '::' ? '::1' : '127.0.0.1') : opts.bind;
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`;

  logger.info(
    { bind: opts.bind, port, auth: security.mode, anonymous: security.anonymous, acl: security.acl },
    `embedded MQTT broker listening on ${opts.bind}:${port}`,
  );
  if (security.exposed && security.mode === 'open') {
    logger.warn({ bind: opts.bind }, 'embedded MQTT broker accepts anonymous clients beyond this host (mqtt.embedded.allow_anonymous: true)');
  }

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const done = Promise.all([
        new Promise<void>((r) => server.close(() => r())),
        new Promise<void>((r) => broker.close(() => r())),
      ]);
      // Shutdown ends every connection now: aedes only knows clients that sent CONNECT, and
      // server.close() would otherwise wait for the rest.
      for (const s of sockets) if (!s.destroyed) s.destroy();
      await settlesWithin(clock, done, CLOSE_TIMEOUT_MS);
      for (const s of sockets) s.destroy();
    })();
    return closing;
  };

  return { host, port, url, bridgeCredentials, generated, close };
}
