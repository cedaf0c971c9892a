import type { FastifyReply } from 'fastify';

/** Sent with every response (SPEC §16): no sniffing, no framing, no referrer, same-origin content only. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
};

/** The headers every response carries; API answers are live state and never cached. */
export function applyResponseHeaders(reply: FastifyReply, url: string): void {
  reply.headers(SECURITY_HEADERS);
  if (url.startsWith('/api/')) reply.header('cache-control', 'no-store');
}
