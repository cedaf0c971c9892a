import { z } from 'zod';

// zod schemas of the auth endpoints (SPEC §14.5): request validation, response serialisation and
// their part of /api/openapi.json. Times in `*_at` fields are ISO-8601 UTC, as the other `*_at`.

/** New passwords: at least 8 characters (NIST SP 800-63B minimum); the cap keeps bodies small. */
const newPassword = z.string().min(8).max(1024).describe('at least 8 characters');
const username = z.string().min(1).max(64).describe('login name');
const role = z.enum(['admin', 'operator', 'viewer']);
const scope = z.enum(['read', 'control', 'admin']);
const isoTime = z.string().describe('ISO-8601 UTC');

export const loginBody = z.object({
  username: username.optional().describe('default: web.auth.username (the shorthand admin)'),
  password: z.string().min(1).max(1024),
});

export const loginView = z.object({ ok: z.literal(true), username: z.string(), role });

export const okView = z.object({ ok: z.literal(true) });

export const authStatusView = z.object({
  auth_enabled: z.boolean().describe('users exist (or the server is locked): credentials are needed'),
  setup_required: z.boolean().describe('locked: create the first admin with the setup code from the log'),
  authenticated: z.boolean(),
  username: z.string().optional(),
  role: role.optional(),
  scope: scope.optional().describe('the access of the session or token'),
});

export const setupBody = z.object({
  setup_code: z.string().min(1).max(64).describe('printed in the log at start-up while the server is locked'),
  username,
  password: newPassword,
});

export const setupView = z.object({ ok: z.literal(true), username: z.string(), role: z.literal('admin') });

export const tokenView = z.object({
  id: z.number().int(),
  name: z.string(),
  scope,
  created_at: isoTime,
  last_used_at: isoTime.nullable(),
  expires_at: isoTime.nullable().describe('null = never'),
});

export const tokenCreateBody = z.object({
  name: z.string().min(1).max(64).describe('unique, e.g. "home-assistant"'),
  scope: scope.describe('read | control | admin (SPEC §16.1)'),
  expires_in_days: z.number().int().min(1).max(3650).optional().describe('absent = never expires'),
});

export const tokenCreatedView = tokenView.extend({ token: z.string().describe('shown once: store it now') });

export const tokenIdParams = z.object({ id: z.coerce.number().int().min(1).describe('token id') });

export const tokenDeletedView = z.object({ id: z.number().int(), deleted: z.literal(true) });

export const passwordBody = z
  .object({
    current_password: z.string().min(1).max(1024).optional().describe('your own password: changes your password'),
    username: username.optional().describe('admins: the user whose password is set'),
    new_password: newPassword,
  })
  .describe('either {current_password, new_password} or, admins only, {username, new_password}');
