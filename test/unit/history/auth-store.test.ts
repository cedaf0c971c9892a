// The AuthStore port on a real SQLite file (SPEC §13.1 users, sessions, api_tokens).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretHash } from '../../../src/core/auth.js';
import { P2mError } from '../../../src/core/errors.js';
import { tempAuthDb, type TempAuthDb } from '../../support/auth.js';

let db: TempAuthDb;
beforeEach(() => {
  db = tempAuthDb();
});
afterEach(() => db.cleanup());

const token = (name: string, n = 1) => ({ name, scope: 'read' as const, tokenHash: secretHash(`${name}-${n}`), now: 1000, expiresAt: null });

describe('users', () => {
  it('stores the first admin once, also across connections', () => {
    expect(db.store.createFirstAdmin('root', 'scrypt$x', 100)).toBe(true);
    expect(db.reopen().store.createFirstAdmin('eve', 'scrypt$y', 101)).toBe(false);
    expect(db.store.listUsers()).toEqual([{ username: 'root', password_hash: 'scrypt$x', role: 'admin', created_at: 100, updated_at: 100 }]);
    expect(db.store.setPassword('root', 'scrypt$z', 200)).toBe(true);
    expect(db.store.setPassword('nobody', 'scrypt$z', 200)).toBe(false);
    expect(db.store.listUsers()[0]).toMatchObject({ password_hash: 'scrypt$z', updated_at: 200 });
  });
});

describe('sessions', () => {
  it('finds a session until it expires, extends and deletes it', () => {
    const h = secretHash('s1');
    db.store.createSession(h, 'root', 100, 200);
    expect(db.store.session(h, 199)).toEqual({ username: 'root', created_at: 100, expires_at: 200 });
    expect(db.store.session(h, 200)).toBeNull();
    db.store.extendSession(h, 300);
    expect(db.store.session(h, 250)?.expires_at).toBe(300);
    db.store.createSession(secretHash('s2'), 'root', 100, 150);
    db.store.createSession(secretHash('s3'), 'root', 100, 400);
    expect(db.store.deleteExpiredSessions(160)).toBe(1);
    expect(db.store.deleteUserSessions('root', h)).toBe(1);
    expect(db.store.session(h, 250)).not.toBeNull();
    db.store.deleteSession(h);
    expect(db.store.session(h, 250)).toBeNull();
  });

  it('refuses a session id that is not a SHA-256 digest (the raw id must never be stored)', () => {
    expect(() => db.store.createSession('raw-session-id', 'root', 1, 2)).toThrow(P2mError);
  });
});

describe('tokens', () => {
  it('creates, finds by hash, touches and revokes; names are unique and ids never reused', () => {
    const a = db.store.createToken(token('a'));
    expect(a).toEqual({ id: 1, name: 'a', scope: 'read', created_at: 1000, last_used_at: null, expires_at: null });
    expect(() => db.store.createToken(token('a', 2))).toThrow(/a token named "a" exists/);
    const b = db.store.createToken({ ...token('b'), scope: 'admin', expiresAt: 5000 });
    expect(db.store.tokenByHash(secretHash('b-1'))).toMatchObject({ id: b.id, scope: 'admin', expires_at: 5000 });
    expect(db.store.tokenByHash(secretHash('nope'))).toBeNull();
    db.store.touchToken(a.id, 1234);
    expect(db.store.listTokens().map((t) => [t.id, t.last_used_at])).toEqual([[1, 1234], [2, null]]);
    expect(db.store.revokeToken(b.id)).toBe(true);
    expect(db.store.revokeToken(b.id)).toBe(false);
    expect(db.store.createToken(token('c')).id).toBe(3);
  });

  it('validates its input, naming the field', () => {
    expect(() => db.store.createToken({ ...token('x'), scope: 'root' as never })).toThrow(expect.objectContaining({ field: 'scope' }));
    expect(() => db.store.createToken({ ...token(''), tokenHash: secretHash('q') })).toThrow(expect.objectContaining({ field: 'name' }));
    expect(() => db.store.createToken({ ...token('y'), tokenHash: 'p2m_plain' })).toThrow(expect.objectContaining({ field: 'token' }));
  });
});
