import { isIP } from 'node:net';

// The request checks that apply with or without authentication (SPEC §16.2), as pure functions
// over header values: the DNS-rebinding guard on the Host header (421) and the CSRF rule for
// state-changing requests (403).

/** Host header: a name or IPv4 literal, or a bracketed IPv6 literal, with an optional port. */
const HOST_RE = /^(\[[0-9a-f:.]+\]|[^\s:[\]/\\@?#]+)(?::(\d{1,5}))?$/i;

export interface ParsedHost {
  /** Lower case, without brackets or a trailing dot. */
  name: string;
  port: number | null;
  ipLiteral: boolean;
}

/** null for anything that is not a plain host[:port] (userinfo, paths, spaces…). */
export function parseHost(host: string | undefined): ParsedHost | null {
  if (typeof host !== 'string') return null;
  const m = HOST_RE.exec(host.trim());
  if (!m) return null;
  const name = (m[1] as string).toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const port = m[2] === undefined ? null : Number(m[2]);
  if (name === '' || (port !== null && port > 65535)) return null;
  return { name, port, ipLiteral: isIP(name) !== 0 };
}

/** The names a Host header may carry besides IP literals: localhost, the public_url host, web.allowed_hosts. */
export function allowedHostNames(web: { public_url: string; allowed_hosts: readonly string[] }): Set<string> {
  const names = new Set(['localhost']);
  if (web.public_url !== '') {
    const h = parseHost(new URL(web.public_url).host);
    if (h) names.add(h.name);
  }
  for (const entry of web.allowed_hosts) {
    const h = parseHost(entry);
    if (h) names.add(h.name);
  }
  return names;
}

/**
 * §16.2 DNS rebinding: an IP literal is always accepted (rebinding needs a name); a name must be
 * one of `allowed`. A missing or malformed Host is refused.
 */
export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  const h = parseHost(host);
  return h !== null && (h.ipLiteral || allowed.has(h.name));
}

/** Methods that may change state: everything but GET, HEAD and OPTIONS. */
export function isStateChanging(method: string): boolean {
  const m = method.toUpperCase();
  return m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS';
}

export interface CsrfHeaders {
  secFetchSite: string | string[] | undefined;
  origin: string | string[] | undefined;
  host: string | undefined;
  /** `http` | `https`: the request's scheme, for the default port of a Host without one. */
  scheme: string;
}

const defaultPort = (scheme: string): number => (scheme === 'https' || scheme === 'https:' ? 443 : 80);

/**
 * §16.2 CSRF, for a state-changing request without a bearer token: accepted when
 * `Sec-Fetch-Site` is `same-origin` or `none`; without that header, when `Origin` is absent or
 * names this host (scheme's default port filled in on both sides) or one of `trustedOrigins`
 * (the public_url origin, for a proxy that rewrites Host).
 */
export function csrfAllowed(h: CsrfHeaders, trustedOrigins: readonly string[] = []): boolean {
  if (Array.isArray(h.secFetchSite) || Array.isArray(h.origin)) return false;
  if (h.secFetchSite !== undefined) {
    const site = h.secFetchSite.trim().toLowerCase();
    return site === 'same-origin' || site === 'none';
  }
  if (h.origin === undefined) return true;
  let origin: URL;
  try {
    origin = new URL(h.origin);
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') return false;
  if (trustedOrigins.includes(origin.origin)) return true;
  const host = parseHost(h.host);
  if (!host) return false;
  const originName = origin.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const originPort = origin.port === '' ? defaultPort(origin.protocol) : Number(origin.port);
  return originName === host.name && originPort === (host.port ?? defaultPort(h.scheme));
}

/** A request URL for the log: the value of a `token` query parameter (WebSocket auth, §15) masked. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  return url.slice(0, q) + url.slice(q).replace(/([?&]token=)[^&#]*/gi, '$1***');
}
