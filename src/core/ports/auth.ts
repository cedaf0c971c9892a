import type { AuthRole, TokenScope } from '../auth.js';

// Ports: web authentication (SPEC §16, tables of §13.1).

/** A web user stored at runtime (the first admin from the setup page); config-file users are not stored. */
export interface StoredUser {
  username: string;
  password_hash: string;
  role: AuthRole;
  created_at: number;
  updated_at: number;
}

/** A live session; the role comes from its user at every request. */
export interface StoredSession {
  username: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  scope: TokenScope;
  created_at: number;
  last_used_at: number | null;
  /** null = never expires. */
  expires_at: number | null;
}

/**
 * Users, sessions and API tokens; implemented by the history store, used by the web server and
 * the CLI. Times are epoch seconds; sessions and tokens arrive hashed (core/auth.ts secretHash).
 */
export interface AuthStore {
  listUsers(): StoredUser[];
  /** Stores an admin only while none is stored (one transaction); false when one exists. */
  createFirstAdmin(username: string, passwordHash: string, now: number): boolean;
  /** false when the user is not stored. */
  setPassword(username: string, passwordHash: string, now: number): boolean;
  createSession(idHash: string, username: string, now: number, expiresAt: number): void;
  /** The session unless it expired by `now`. */
  session(idHash: string, now: number): StoredSession | null;
  extendSession(idHash: string, expiresAt: number): void;
  deleteSession(idHash: string): void;
  /** Every session of the user except `keepIdHash`; returns how many were deleted. */
  deleteUserSessions(username: string, keepIdHash?: string): number;
  deleteExpiredSessions(now: number): number;
  /** Throws P2M_ERR_CONFLICT (field name) when the name is taken. */
  createToken(t: { name: string; scope: TokenScope; tokenHash: string; now: number; expiresAt: number | null }): ApiTokenInfo;
  listTokens(): ApiTokenInfo[];
  /** Expired tokens included: the caller compares expires_at with its clock. */
  tokenByHash(tokenHash: string): ApiTokenInfo | null;
  touchToken(id: number, now: number): void;
  /** false when there is no such token. */
  revokeToken(id: number): boolean;
}
