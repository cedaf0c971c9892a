import { describe, expect, it } from 'vitest';
import { configSchema, resolveConfig, type ConfigInput } from '../../../src/config/index.js';
import { exposureDecision, isLoopback } from '../../../src/http/server.js';
import { configUsers } from '../../../src/http/auth/exposure.js';

const HASH = 'scrypt$16384$8$5$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==';
const web = (input: ConfigInput['web']) => resolveConfig(configSchema.parse({ web: input }), { fileLoaded: true }).web;

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['127.0.0.2', true], ['::1', true], ['[::1]', true], ['0:0:0:0:0:0:0:1', true], ['::ffff:127.0.0.1', true],
    ['localhost', true], ['LOCALHOST', true],
    ['0.0.0.0', false], ['::', false], ['192.168.1.5', false], ['10.0.0.1', false], ['::ffff:10.0.0.1', false], ['fe80::1', false],
    // A name other than localhost may resolve to anything.
    ['pdu-bridge.lan', false], ['127.example.net', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('exposureDecision (SPEC §16.3)', () => {
  it('serves loopback without users openly and silently (the demo)', () => {
    expect(exposureDecision(web({}))).toEqual({ mode: 'open', warning: null });
    expect(exposureDecision(web({ bind: '127.0.0.2' }))).toEqual({ mode: 'open', warning: null });
  });

  it.each(['0.0.0.0', '192.168.1.5', '::', 'pdu.lan'])('locks a non-loopback bind (%s) without users, naming web.bind and the setup code', (bind) => {
    const d = exposureDecision(web({ bind }));
    expect(d.mode).toBe('locked');
    expect(d.mode === 'locked' && d.message).toMatch(new RegExp(`web\\.bind "${bind.replace(/\./g, '\\.')}" is not a loopback address.*setup code`));
  });

  it('is open with a warning naming the opt-out on a non-loopback bind with allow_unauthenticated_remote', () => {
    const d = exposureDecision(web({ bind: '0.0.0.0', allow_unauthenticated_remote: true }));
    expect(d.mode).toBe('open');
    expect(d.mode === 'open' && d.warning).toMatch(/allow_unauthenticated_remote is true.*0\.0\.0\.0:8080/);
  });

  it('needs authentication whenever a user exists: config users, the shorthand, or stored ones', () => {
    for (const bind of ['127.0.0.1', '0.0.0.0']) {
      expect(exposureDecision(web({ bind, auth: { password_hash: HASH } }))).toEqual({ mode: 'auth' });
      expect(exposureDecision(web({ bind, auth: { users: [{ username: 'v', password_hash: HASH }] } }))).toEqual({ mode: 'auth' });
      expect(exposureDecision(web({ bind, allow_unauthenticated_remote: true }), 1)).toEqual({ mode: 'auth' });
    }
    expect(exposureDecision(web({ bind: '0.0.0.0' }), 1)).toEqual({ mode: 'auth' });
  });

  it('reads the shorthand as one admin beside the listed users; an omitted role is viewer', () => {
    expect(configUsers(web({ auth: { username: 'root', password_hash: HASH, users: [{ username: 'v', password_hash: HASH }] } }))).toEqual([
      { username: 'v', password_hash: HASH, role: 'viewer' },
      { username: 'root', password_hash: HASH, role: 'admin' },
    ]);
    expect(configUsers(web({}))).toEqual([]);
  });
});
