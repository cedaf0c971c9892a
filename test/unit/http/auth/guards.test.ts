import { describe, expect, it } from 'vitest';
import { defaultAccess } from '../../../../src/http/access.js';
import { allowedHostNames, csrfAllowed, hostAllowed, isStateChanging, parseHost, redactUrl } from '../../../../src/http/auth/guards.js';

describe('parseHost', () => {
  it.each([
    ['localhost', { name: 'localhost', port: null, ipLiteral: false }],
    ['LocalHost:8080', { name: 'localhost', port: 8080, ipLiteral: false }],
    ['pdu.lan.', { name: 'pdu.lan', port: null, ipLiteral: false }],
    ['127.0.0.1:80', { name: '127.0.0.1', port: 80, ipLiteral: true }],
    ['[::1]:8080', { name: '::1', port: 8080, ipLiteral: true }],
    ['[FE80::1]', { name: 'fe80::1', port: null, ipLiteral: true }],
  ])('%s', (host, parsed) => {
    expect(parseHost(host)).toEqual(parsed);
  });

  it.each([undefined, '', 'evil.example@127.0.0.1', '127.0.0.1/x', 'a b', 'host:99999', 'host:', '::1', '[::1', 'x\\y'])('refuses %j', (host) => {
    expect(parseHost(host)).toBeNull();
  });
});

describe('hostAllowed (SPEC §16.2 DNS rebinding)', () => {
  const allowed = allowedHostNames({ public_url: 'https://Power.Example.net:8443/dash', allowed_hosts: ['pdu.lan', 'Other.Lan:9000'] });

  it('knows localhost, the public_url host and allowed_hosts (case and port do not matter)', () => {
    expect([...allowed].sort()).toEqual(['localhost', 'other.lan', 'pdu.lan', 'power.example.net']);
  });

  it.each([
    ['10.1.2.3:8080', true], ['[2001:db8::1]', true], ['localhost', true], ['pdu.lan:8080', true], ['power.example.net', true], ['other.lan', true],
    ['evil.example', false], ['pdu.lan.evil.example', false], ['127.0.0.1.nip.io', false], [undefined, false], ['user@pdu.lan', false],
  ])('%s → %s', (host, ok) => {
    expect(hostAllowed(host, allowed)).toBe(ok);
  });
});

describe('csrfAllowed (SPEC §16.2)', () => {
  const base = { secFetchSite: undefined, origin: undefined, host: '127.0.0.1:8080', scheme: 'http' };
  it.each([
    ['no browser headers', {}, true],
    ['Sec-Fetch-Site same-origin', { secFetchSite: 'same-origin' }, true],
    ['Sec-Fetch-Site none', { secFetchSite: 'None' }, true],
    ['Sec-Fetch-Site same-site', { secFetchSite: 'same-site' }, false],
    ['Sec-Fetch-Site cross-site', { secFetchSite: 'cross-site' }, false],
    // Sec-Fetch-Site wins over a matching Origin.
    ['cross-site with a matching Origin', { secFetchSite: 'cross-site', origin: 'http://127.0.0.1:8080' }, false],
    ['Origin of this host', { origin: 'http://127.0.0.1:8080' }, true],
    ['Origin of another port', { origin: 'http://127.0.0.1:8081' }, false],
    ['Origin of another host', { origin: 'http://evil.example:8080' }, false],
    ['Origin null', { origin: 'null' }, false],
    ['Origin with another scheme', { origin: 'file:///x' }, false],
    ['repeated headers', { secFetchSite: ['same-origin', 'same-origin'] }, false],
    ['the public_url origin (proxy rewriting Host)', { origin: 'https://power.example.net' }, true],
  ])('%s → %s', (_what, h, ok) => {
    expect(csrfAllowed({ ...base, ...h }, ['https://power.example.net'])).toBe(ok);
  });

  it('fills in the scheme default port on both sides', () => {
    expect(csrfAllowed({ ...base, host: 'pdu.lan', origin: 'http://pdu.lan' })).toBe(true);
    expect(csrfAllowed({ ...base, host: 'pdu.lan:80', origin: 'http://pdu.lan' })).toBe(true);
    expect(csrfAllowed({ ...base, host: 'pdu.lan', scheme: 'https', origin: 'https://pdu.lan' })).toBe(true);
    expect(csrfAllowed({ ...base, host: 'pdu.lan', origin: 'https://pdu.lan' })).toBe(false);
    expect(csrfAllowed({ ...base, host: '[::1]:8080', origin: 'http://[::1]:8080' })).toBe(true);
  });

  it('applies to every method but GET, HEAD and OPTIONS', () => {
    expect(['GET', 'head', 'OPTIONS'].map(isStateChanging)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'].map(isStateChanging)).toEqual([true, true, true, true, true]);
  });
});

describe('defaultAccess (SPEC §14.1)', () => {
  it.each([
    ['GET', '/api/status', 'read'],
    ['HEAD', '/api/status', 'read'],
    ['OPTIONS', '*', 'public'],
    ['POST', '/api/rules/dry-run', 'read'],
    ['POST', '/api/rules/:name/dry-run', 'read'],
    ['POST', '/api/rules', 'admin'],
    ['PUT', '/api/rules/:name', 'admin'],
    ['DELETE', '/api/switches/:id', 'admin'],
    ['POST', '/api/switches/:id/check', 'admin'],
    ['POST', '/api/outlets/:n/command', 'admin'],
    ['GET', '/ws', 'read'],
    ['GET', '/metrics', 'read'],
    ['GET', '/api', 'read'],
    // The dashboard's static files (SPEC §14.1).
    ['GET', '/', 'public'],
    ['GET', '/*', 'public'],
    ['HEAD', '/assets/index.js', 'public'],
    ['GET', '/wsx', 'public'],
    ['POST', '/upload', 'admin'],
  ] as const)('%s %s → %s', (m, url, access) => {
    expect(defaultAccess(m, url)).toBe(access);
  });

  it('takes the strictest of several methods', () => {
    expect(defaultAccess(['GET', 'POST'], '/api/x')).toBe('admin');
    expect(defaultAccess(['GET', 'HEAD'], '/api/x')).toBe('read');
    expect(defaultAccess([], '/api/x')).toBe('admin');
  });
});

describe('redactUrl', () => {
  it('masks the token query parameter only', () => {
    expect(redactUrl('/ws?token=p2m_abc&device_id=a')).toBe('/ws?token=***&device_id=a');
    expect(redactUrl('/ws?device_id=a&TOKEN=p2m_abc')).toBe('/ws?device_id=a&TOKEN=***');
    expect(redactUrl('/api/status?device_id=token')).toBe('/api/status?device_id=token');
    expect(redactUrl('/api/status')).toBe('/api/status');
  });
});
