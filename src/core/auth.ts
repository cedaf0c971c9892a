// Roles, token scopes and the secrets of web authentication (SPEC §16.1, §16.2): shared by the web
// server, the history store and the CLI. Pure except for the random generators.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export type AuthRole = 'admin' | 'operator' | 'viewer';
export type TokenScope = 'read' | 'control' | 'admin';

export const AUTH_ROLES: readonly AuthRole[] = ['admin', 'operator', 'viewer'];
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'control', 'admin'];

/** §16.1: a role grants the scope of the same rank. */
export const ROLE_SCOPE: Readonly<Record<AuthRole, TokenScope>> = { admin: 'admin', operator: 'control', viewer: 'read' };

const RANK: Readonly<Record<TokenScope, number>> = { read: 1, control: 2, admin: 3 };

/** Whether `held` covers `needed` (admin ⊇ control ⊇ read). */
export function scopeCovers(held: TokenScope, needed: TokenScope): boolean {
  return RANK[held] >= RANK[needed];
}

/** The cookie's session id: 32 random bytes, base64url (§16.2). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export const TOKEN_PREFIX = 'p2m_';

/** An API token: `p2m_` + 32 random bytes base64url (§16.2); shown once, stored hashed. */
export function newApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** How sessions and tokens are stored (§16.2): SHA-256, hex. They are random, so no salt is needed. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

// Setup codes (§16.3): 12 characters of an alphabet without look-alikes (0/O, 1/I/L), grouped by
// four; ~59 bits, entered by hand from the log, guessed at most `login_max_attempts` times per window.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;

export function newSetupCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** Case, dashes and spaces do not matter when the code is typed in. */
function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** Constant-time comparison of a typed setup code with the expected one. */
export function setupCodeMatches(typed: string, expected: string): boolean {
  const a = createHash('sha256').update(normalizeCode(typed)).digest();
  const b = createHash('sha256').update(normalizeCode(expected)).digest();
  return timingSafeEqual(a, b);
}
