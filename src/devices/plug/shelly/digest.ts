import { createHash, randomBytes } from 'node:crypto';

// HTTP Digest access authentication, RFC 7616 (Shelly Gen2+ uses SHA-256, user "admin").
// Pure apart from the client nonce, which the caller may pass in (tests).

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop: string | null;
  algorithm: string;
  opaque: string | null;
}

/** Algorithm token (RFC 7616 §3.3) → node hash name. */
const HASHES: Readonly<Record<string, string>> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** Parse `WWW-Authenticate: Digest k="v", k=v, …`; null when it is not a Digest challenge. */
export function parseDigestChallenge(header: string): DigestChallenge | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[1] as string); p; p = re.exec(m[1] as string)) {
    params[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] as string);
  }
  if (params.realm === undefined || params.nonce === undefined) return null;
  return { realm: params.realm, nonce: params.nonce, qop: params.qop ?? null, algorithm: params.algorithm ?? 'MD5', opaque: params.opaque ?? null };
}

export type DigestResult = { ok: true; header: string } | { ok: false; error: string };

/** The Authorization header answering `ch` for one request (RFC 7616 §3.4). */
export function digestAuthorization(
  ch: DigestChallenge,
  req: { method: string; uri: string; username: string; password: string; nc: number; cnonce?: string },
): DigestResult {
  const sess = /-sess$/i.test(ch.algorithm);
  const base = ch.algorithm.replace(/-sess$/i, '').toUpperCase();
  const hashName = HASHES[base];
  if (!hashName) return { ok: false, error: `unsupported digest algorithm "${ch.algorithm}" (supported: SHA-256, SHA-512-256, MD5)` };
  const H = (s: string): string => createHash(hashName).update(s, 'utf8').digest('hex');
  const qops = ch.qop === null ? [] : ch.qop.split(',').map((q) => q.trim().toLowerCase());
  if (ch.qop !== null && !qops.includes('auth')) return { ok: false, error: `unsupported digest qop "${ch.qop}" (only "auth")` };
  const cnonce = req.cnonce ?? randomBytes(8).toString('hex');
  const nc = req.nc.toString(16).padStart(8, '0');
  let ha1 = H(`${req.username}:${ch.realm}:${req.password}`);
  if (sess) ha1 = H(`${ha1}:${ch.nonce}:${cnonce}`);
  const ha2 = H(`${req.method}:${req.uri}`);
  const response = ch.qop === null ? H(`${ha1}:${ch.nonce}:${ha2}`) : H(`${ha1}:${ch.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const parts = [
    `username="${req.username}"`, `realm="${ch.realm}"`, `nonce="${ch.nonce}"`, `uri="${req.uri}"`, `algorithm=${ch.algorithm}`,
    `response="${response}"`,
    ...(ch.qop === null ? [] : [`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`]),
    ...(ch.opaque === null ? [] : [`opaque="${ch.opaque}"`]),
  ];
  return { ok: true, header: `Digest ${parts.join(', ')}` };
}
