// web: HTTP server, exposure and authentication (§14, §16).
import { z } from 'zod';
import { checkUnique, doc, fail, int, list, optionalHttpUrl, portNumber, section } from './common.js';

/** §16.1 `scrypt$N$r$p$<salt b64>$<hash b64>`; the parameters travel with the hash. */
export function isPasswordHash(value: string): boolean {
  const parts = value.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN));
  if (!n || !r || !p || n < 2 || (n & (n - 1)) !== 0) return false;
  const b64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
  return b64.test(parts[4] ?? '') && b64.test(parts[5] ?? '');
}

const HASH_HINT = 'create one with `power2mqtt hash-password` and paste the whole line (plain-text passwords are not accepted)';

/** A required password hash (list entries). */
export const passwordHash = (): z.ZodString =>
  z.string().superRefine((v, ctx) => {
    if (!isPasswordHash(v)) fail(ctx, [], 'is not a password hash of the form scrypt$N$r$p$salt$hash', HASH_HINT);
  });

const optionalPasswordHash = z.string().superRefine((v, ctx) => {
  if (v !== '' && !isPasswordHash(v)) fail(ctx, [], 'is not a password hash of the form scrypt$N$r$p$salt$hash', HASH_HINT);
});

const webUser = z.strictObject({
  username: doc(z.string().min(1).max(64), 'login name', { example: 'alice' }),
  password_hash: doc(passwordHash(), 'scrypt hash from `power2mqtt hash-password`', {
    secret: 'value',
    example: 'scrypt$16384$8$5$<salt>$<hash>',
  }),
  // Least privilege when the role is left out: an omitted role must not grant admin.
  role: doc(z.enum(['admin', 'operator', 'viewer']).default('viewer'), 'admin | operator | viewer (§16.1)'),
});

const authSchema = section(
  z
    .strictObject({
      users: list(webUser, '[{username, password_hash, role: admin|operator|viewer}]'),
      username: doc(z.string().min(1).max(64).default('admin'), 'shorthand for one admin user, with password_hash'),
      password_hash: doc(
        optionalPasswordHash.default(''),
        '"" = no shorthand user; create with `power2mqtt hash-password`',
        { secret: 'value' },
      ),
      session_timeout_s: doc(int().min(1).max(31_536_000).default(86400), 'session lifetime, sliding on use', {
        unit: 'seconds',
      }),
      secure_cookie: doc(
        z.union([z.literal('auto'), z.boolean()]).default('auto'),
        'auto = Secure flag when the request is HTTPS (or X-Forwarded-Proto https with trust_proxy)',
      ),
      login_max_attempts: doc(int().min(1).max(1000).default(5), 'failed logins per client IP per window'),
      login_window_s: doc(int().min(1).max(86400).default(900), 'rate-limit window for failed logins', { unit: 'seconds' }),
    })
    .superRefine((v, ctx) => {
      checkUnique(ctx, v.users, 'username', ['users'], 'username');
      if (v.password_hash !== '' && Array.isArray(v.users)) {
        const i = v.users.findIndex((u) => u?.username === v.username);
        if (i >= 0) {
          fail(
            ctx,
            ['username'],
            `duplicate username "${v.username}" (also in users[${i}])`,
            'remove the shorthand username/password_hash or rename one of the users',
          );
        }
      }
    }),
  'auth is on when any user exists (§16.1)',
);

function originProblem(v: string): string | null {
  try {
    const url = new URL(v);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === v.replace(/\/$/, '')) return null;
  } catch {
    // fall through
  }
  return 'is not an origin (scheme://host[:port], no path)';
}

export const webSchema = section(
  z.strictObject({
    enabled: doc(z.boolean().default(true), 'REST API, WebSocket and dashboard'),
    bind: doc(z.string().min(1).default('127.0.0.1'), 'the Docker image sets 0.0.0.0'),
    port: doc(portNumber().default(8080), 'HTTP port'),
    public_url: doc(optionalHttpUrl().default(''), 'used for HA configuration_url and links in reports'),
    trust_proxy: doc(z.boolean().default(false), 'honour X-Forwarded-* headers of one reverse proxy in front (the client is the address it appends); only when the app is reachable through that proxy alone'),
    cors_origins: doc(
      z
        .array(
          z.string().superRefine((v, ctx) => {
            const p = originProblem(v);
            if (p) fail(ctx, [], p, 'write e.g. https://dash.example.net');
          }),
        )
        .default([]),
      'empty = no CORS headers (same-origin only)',
    ),
    allow_unauthenticated_remote: doc(
      z.boolean().default(false),
      'true = no auth on a non-loopback bind without users (warning at every start)',
    ),
    allowed_hosts: doc(
      z.array(z.string().min(1)).default([]),
      'extra Host names accepted (DNS-rebinding guard, §16.2); IP literals, localhost and the public_url host always',
    ),
    auth: authSchema,
  }),
  'web server: REST API, WebSocket, dashboard (§14-§16)',
);
