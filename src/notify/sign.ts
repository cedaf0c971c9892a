import { createHmac } from 'node:crypto';

// Webhook signature (SPEC §11.8): the receiver recomputes the HMAC over the exact bytes it got,
// so we sign the UTF-8 body exactly as sent, never a re-serialisation of it.

export const SIGNATURE_HEADER = 'X-Power2mqtt-Signature';

/** `sha256=<hex HMAC-SHA256 of body>` keyed with `secret`. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Headers of one webhook POST: JSON, our User-Agent, and the signature when a secret is set. */
export function webhookHeaders(body: Uint8Array, secret: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(body.byteLength),
    'User-Agent': 'power2mqtt',
  };
  if (secret !== '') headers[SIGNATURE_HEADER] = signBody(body, secret);
  return headers;
}
