import { describe, expect, it } from 'vitest';
import { ROLE_SCOPE, newApiToken, newSessionId, newSetupCode, scopeCovers, secretHash, setupCodeMatches } from '../../../src/core/auth.js';

describe('roles and scopes (SPEC §16.1)', () => {
  it('maps each role to the scope of its rank; admin ⊇ control ⊇ read', () => {
    expect(ROLE_SCOPE).toEqual({ admin: 'admin', operator: 'control', viewer: 'read' });
    const grid = (['read', 'control', 'admin'] as const).map((held) => (['read', 'control', 'admin'] as const).map((needed) => scopeCovers(held, needed)));
    expect(grid).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });
});

describe('secrets (SPEC §16.2)', () => {
  it('makes tokens p2m_ + 32 random bytes base64url and session ids of 32 bytes, never twice', () => {
    const tokens = new Set(Array.from({ length: 200 }, newApiToken));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(t).toMatch(/^p2m_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(newSessionId(), 'base64url')).toHaveLength(32);
  });

  it('stores SHA-256 hex', () => {
    expect(secretHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('makes setup codes of 12 unambiguous characters and compares them forgivingly', () => {
    const code = newSetupCode();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(setupCodeMatches(code, code)).toBe(true);
    expect(setupCodeMatches(` ${code.toLowerCase().replace(/-/g, ' ')} `, code)).toBe(true);
    expect(setupCodeMatches(code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), code)).toBe(false);
    expect(setupCodeMatches('', code)).toBe(false);
  });
});

describe('log redaction of web credentials (SPEC §16.3)', () => {
  it('masks Authorization, cookies and password fields wherever pino can address them', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../../src/core/logger.js');
    let out = '';
    const log = createLogger('info', new Writable({ write(c, _e, cb) { out += String(c); cb(); } }));
    log.info({
      req: { headers: { authorization: 'Bearer p2m_SECRET1', cookie: 'p2m_session=SECRET2' } },
      headers: { authorization: 'Bearer SECRET3', cookie: 'p2m_session=SECRET4', 'set-cookie': 'p2m_session=SECRET5' },
      body: { current_password: 'SECRET6', new_password: 'SECRET7', token: 'SECRET8' },
      authorization: 'SECRET9',
    }, 'x');
    expect(out).toContain('"***"');
    for (let i = 1; i <= 9; i++) expect(out).not.toContain(`SECRET${i}`);
  });
});
