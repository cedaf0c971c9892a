// Password hashing for web users and embedded-broker users (SPEC §16.1):
// `scrypt$N$r$p$<salt b64>$<hash b64>`. The parameters travel with the hash, so they can be
// raised later without invalidating stored hashes; verification reads them from the string.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** §16.1: N=2^14, r=8, p=5 is OWASP's minimum at N=2^14; 16-byte salt, 64-byte key. */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 5, saltBytes: 16, keyBytes: 64 } as const;

// Bounds for parameters read from a hash string. A hash comes from the config file, but a typo
// (or a pasted hash from elsewhere) must not make one verification allocate gigabytes or run
// for minutes: such hashes are treated as malformed (verify → false).
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 64;
const MAX_MEM_BYTES = 256 * 1024 * 1024;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 256;

function scryptAsync(plain: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Memory scrypt needs for these parameters (V: 128·N·r, B: 128·r·p), plus headroom for Node's check. */
function maxmemFor(N: number, r: number, p: number): number {
  return 128 * N * r + 128 * r * p + 1024 * 1024;
}

/** Hash a password with fresh random salt; the result satisfies `isPasswordHash` (config/schema/web.ts). */
export async function hashPassword(plain: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_PARAMS;
  const salt = randomBytes(saltBytes);
  const key = await scryptAsync(plain, salt, keyBytes, { N, r, p, maxmem: maxmemFor(N, r, p) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function decodeB64(s: string): Buffer | null {
  if (!B64.test(s)) return null;
  // Buffer accepts both the standard and the url-safe alphabet, like isPasswordHash does.
  const buf = Buffer.from(s, 'base64');
  return buf.length > 0 ? buf : null;
}

/** Parse and bound-check a hash string; null for anything malformed or out of bounds. */
export function parsePasswordHash(hash: string): ParsedHash | null {
  if (typeof hash !== 'string') return null;
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const nums = parts.slice(1, 4).map((s) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN));
  const [N, r, p] = nums as [number, number, number];
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p)) return null;
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return null;
  if (r < 1 || r > MAX_R || p < 1 || p > MAX_P) return null;
  if (maxmemFor(N, r, p) > MAX_MEM_BYTES) return null;
  const salt = decodeB64(parts[4] ?? '');
  const key = decodeB64(parts[5] ?? '');
  if (!salt || !key || key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return null;
  return { N, r, p, salt, key };
}

/**
 * Check `plain` against `hash` in constant time (timingSafeEqual on equal-length keys).
 * Resolves false for a wrong password and for a malformed hash; never rejects.
 */
export async function verifyPassword(plain: string, hash: string): Promise<boolean> {
  if (typeof plain !== 'string') return false;
  const parsed = parsePasswordHash(hash);
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  try {
    const candidate = await scryptAsync(plain, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r, p) });
    return timingSafeEqual(candidate, key);
  } catch {
    return false;
  }
}
