import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { admit } from '../../../../src/http/ws/route.js';

const req = (p2mAuth: unknown) => ({ p2mAuth }) as unknown as FastifyRequest;
const identity = { via: 'token', scope: 'read', username: null, role: null, sessionHash: null, tokenId: 1 };

describe('admit (SPEC §15: /ws authenticates like REST)', () => {
  it('admits anyone with authentication off and says so in hello', () => {
    expect(admit(req({ mode: 'open', identity: null }), null)).toEqual({ filter: null, authEnabled: false });
    // No auth layer at all (a bare hub test): open.
    expect(admit(req(undefined), null)).toEqual({ filter: null, authEnabled: false });
  });

  it('admits an identity with authentication on, keeping the filter', () => {
    const filter = new Set(['a']);
    expect(admit(req({ mode: 'auth', identity }), filter)).toEqual({ filter, authEnabled: true });
  });

  it('refuses (null → closed 1008) a socket without identity when authentication is on or the server is locked', () => {
    expect(admit(req({ mode: 'auth', identity: null }), null)).toBeNull();
    expect(admit(req({ mode: 'locked', identity: null }), null)).toBeNull();
    expect(admit(req({ mode: 'locked', identity }), null)).toBeNull();
  });
});
