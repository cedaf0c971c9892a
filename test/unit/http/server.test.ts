import { describe, expect, it } from 'vitest';
import { configSchema, resolveConfig, type ConfigInput } from '../../../src/config/index.js';
import { exposureDecision, isLoopback } from '../../../src/http/server.js';

const HASH = 'scrypt$16384$8$5$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==';
const web = (input: ConfigInput['web']) => resolveConfig(configSchema.parse({ web: input }), { fileLoaded: true }).web;

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['0:0:0:0:0:0:0:1', true], ['::ffff:127.0.0.1', true],
    ['localhost', true], ['LOCALHOST', true],
    ['0.0.0.0', false], ['::', false], ['192.168.1.5', false], ['10.0.0.1', false], ['::ffff:10.0.0.1', false], ['fe80::1', false],
    // A name other than localhost may resolve to anything.
    ['pdu-bridge.lan', false], ['127.example.net', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('exposureDecision (SPEC §16.3)', () => {
  it('serves loopback without users silently', () => {
    expect(exposureDecision(web({}))).toEqual({ action: 'ok' });
  });

  it('refuses a non-loopback bind without users, naming web.bind and both fixes', () => {
    const d = exposureDecision(web({ bind: '192.168.1.5' }));
    expect(d.action).toBe('refuse');
    expect(d.action === 'refuse' && d.message).toMatch(/web\.bind "192\.168\.1\.5".*web\.bind: 127\.0\.0\.1.*web\.allow_unauthenticated_remote: true/);
  });

  it('warns on a non-loopback bind with the explicit opt-out', () => {
    expect(exposureDecision(web({ bind: '0.0.0.0', allow_unauthenticated_remote: true }))).toMatchObject({ action: 'warn' });
  });

  it('refuses users beyond loopback even with the opt-out: auth is not implemented yet', () => {
    for (const auth of [{ password_hash: HASH }, { users: [{ username: 'v', password_hash: HASH }] }]) {
      const d = exposureDecision(web({ bind: '0.0.0.0', allow_unauthenticated_remote: true, auth }));
      expect(d).toMatchObject({ action: 'refuse', message: expect.stringContaining('web authentication is not implemented yet') });
    }
  });

  it('warns about users on loopback: they protect nothing yet', () => {
    expect(exposureDecision(web({ auth: { password_hash: HASH } }))).toMatchObject({ action: 'warn', message: expect.stringContaining('not implemented yet') });
  });
});
