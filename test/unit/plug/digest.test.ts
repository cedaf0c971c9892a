import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from '../../../src/devices/plug/shelly/digest.js';

// RFC 7616 §3.9.1 example: user Mufasa, password "Circle of Life", GET /dir/index.html.
const RFC = {
  realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};
const request = { method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle of Life', nc: 1, cnonce: RFC.cnonce };

describe('HTTP digest auth (RFC 7616)', () => {
  it.each([
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
  ])('RFC 7616 §3.9.1 %s response', (algorithm, response) => {
    const ch = parseDigestChallenge(`Digest realm="${RFC.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`);
    expect(ch).not.toBeNull();
    const r = digestAuthorization(ch!, request);
    expect(r.ok && r.header).toContain(`response="${response}"`);
    expect(r.ok && r.header).toContain('nc=00000001');
    expect(r.ok && r.header).toContain(`opaque="${RFC.opaque}"`);
  });

  it('parses a Shelly Gen2 challenge (unquoted algorithm)', () => {
    expect(parseDigestChallenge('Digest qop="auth", realm="shellyplusplugs-a8032abe54dc", nonce="60dc59c6", algorithm=SHA-256')).toEqual({
      realm: 'shellyplusplugs-a8032abe54dc', nonce: '60dc59c6', qop: 'auth', algorithm: 'SHA-256', opaque: null,
    });
  });

  it.each([
    ['Basic realm="x"'],
    ['Digest qop="auth"'], // no realm / nonce
    [''],
  ])('is not a usable digest challenge: %s', (h) => {
    expect(parseDigestChallenge(h)).toBeNull();
  });

  it.each([
    ['an unknown algorithm', 'algorithm=SHA-1024', 'unsupported digest algorithm "SHA-1024"'],
    ['qop auth-int only', 'algorithm=SHA-256, qop="auth-int"', 'unsupported digest qop'],
  ])('refuses %s with a clear error', (_n, extra, error) => {
    const r = digestAuthorization(parseDigestChallenge(`Digest realm="r", nonce="n", ${extra}`)!, request);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(error);
  });

  it('SHA-256-sess differs from SHA-256 and is accepted', () => {
    const a = digestAuthorization(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256')!, request);
    const b = digestAuthorization(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256-sess')!, request);
    expect(a.ok && b.ok && a.header !== b.header).toBe(true);
  });
});
