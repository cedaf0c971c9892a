import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signBody, webhookHeaders } from '../../../src/notify/sign.js';

// X-Power2mqtt-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes> (SPEC §11.8).

async function webCryptoHmac(secret: string, body: Uint8Array): Promise<string> {
  const key = await webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Buffer.from(await webcrypto.subtle.sign('HMAC', key, body)).toString('hex');
}

describe('webhook signature', () => {
  it('matches RFC 4231 test case 2 (HMAC-SHA-256)', () => {
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it.each([
    ['ascii body', '{"event":"test","ts":1790000000,"text":"t","data":null}', 's3cret'],
    ['non-ASCII body and key', '{"text":"mains out 02:13–02:41 (28 min) — Küche"}', 'schlüssel-🔑'],
    ['empty body', '', 'k'],
  ])('equals an HMAC computed with WebCrypto over the UTF-8 bytes: %s', async (_name, body, secret) => {
    const bytes = new TextEncoder().encode(body);
    const expected = `sha256=${await webCryptoHmac(secret, bytes)}`;
    expect(signBody(body, secret)).toBe(expected);
    expect(signBody(bytes, secret)).toBe(expected);
  });

  it('changes with one byte of the body or of the secret', () => {
    const base = signBody('{"a":1}', 'k');
    expect(signBody('{"a":2}', 'k')).not.toBe(base);
    expect(signBody('{"a":1}', 'K')).not.toBe(base);
  });

  it('headers: JSON, byte length, User-Agent; the signature only with a secret', () => {
    const body = new TextEncoder().encode('{"t":"–"}');
    const signed = webhookHeaders(body, 'k');
    expect(signed).toEqual({
      'Content-Type': 'application/json', 'Content-Length': String(body.byteLength), 'User-Agent': 'power2mqtt', [SIGNATURE_HEADER]: signBody(body, 'k'),
    });
    expect(signed['Content-Length']).toBe('11'); // the en dash is 3 bytes
    expect(webhookHeaders(body, '')).not.toHaveProperty(SIGNATURE_HEADER);
  });
});
