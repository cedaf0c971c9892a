import { TOKEN_SCOPES, newApiToken, secretHash, type TokenScope } from '../core/auth.js';
import { RealClock } from '../core/clock.js';
import { P2mError, errorMessage } from '../core/errors.js';
import type { ApiTokenInfo } from '../core/ports.js';
import { AuthSqlStore } from '../history/auth-store.js';
import { parseCommandArgs, pickSubcommand, type CliIO } from './io.js';
import { openCliStore, table } from './store.js';

export const TOKEN_USAGE = `usage: power2mqtt token <create|list|revoke> [--config FILE] …

  token create NAME [--scope read|control|admin] [--expires-days N] [--json]
                       create an API token (also --name NAME); the default scope is read.
                       The token is printed once: store it now (only its SHA-256 is kept)
  token list [--json]  id, name, scope, created, last used, expires (never the token)
  token revoke ID      delete a token: requests with it answer 401 at once

Clients send the token as "Authorization: Bearer p2m_…" (or ?token= on /ws).
Works on the database of the running service (history.path).
Exit codes: 0 ok, 1 failure (not found, name taken, no database), 2 bad arguments.
`;

function when(ts: number | null): string {
  return ts === null ? '-' : new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}

function listText(tokens: ApiTokenInfo[]): string {
  if (tokens.length === 0) return 'no API tokens: create one with `power2mqtt token create NAME --scope read|control|admin`\n';
  return table(
    ['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED', 'EXPIRES'],
    tokens.map((t) => [String(t.id), t.name, t.scope, when(t.created_at), when(t.last_used_at), t.expires_at === null ? 'never' : when(t.expires_at)]),
  );
}

type Values = { name?: string | undefined; scope?: string | undefined; 'expires-days'?: string | undefined; json?: boolean | undefined };

function run(sub: TokenSub, positionals: string[], values: Values, store: AuthSqlStore, io: CliIO): number {
  const nowS = Math.floor(new RealClock().now() / 1000);
  switch (sub) {
    case 'create': {
      const name = values.name ?? positionals[0];
      if (name === undefined || positionals.length > (values.name === undefined ? 1 : 0)) {
        io.err(`token create needs one NAME (or --name NAME)\n${TOKEN_USAGE}`);
        return 2;
      }
      const scope = values.scope ?? 'read';
      if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
        io.err(`--scope must be read, control or admin (got "${scope}")\n`);
        return 2;
      }
      let expiresAt: number | null = null;
      if (values['expires-days'] !== undefined) {
        const days = Number(values['expires-days']);
        if (!Number.isInteger(days) || days < 1 || days > 3650) {
          io.err(`--expires-days must be a whole number of days from 1 to 3650 (got "${values['expires-days']}")\n`);
          return 2;
        }
        expiresAt = nowS + days * 86_400;
      }
      const token = newApiToken();
      let info: ApiTokenInfo;
      try {
        info = store.createToken({ name, scope: scope as TokenScope, tokenHash: secretHash(token), now: nowS, expiresAt });
      } catch (err) {
        if (err instanceof P2mError) {
          io.err(`token not created: ${err.message}\n`);
          return err.code === 'P2M_ERR_VALIDATION' ? 2 : 1;
        }
        throw err;
      }
      if (values.json) {
        io.out(`${JSON.stringify({ ...info, token }, null, 2)}\n`);
      } else {
        const expiry = info.expires_at === null ? 'never expires' : `expires ${when(info.expires_at)}`;
        io.out(`created token ${info.id} "${info.name}" (scope ${info.scope}, ${expiry}); it is shown only now:\n${token}\n`);
      }
      return 0;
    }
    case 'list': {
      const tokens = store.listTokens();
      io.out(values.json ? `${JSON.stringify(tokens, null, 2)}\n` : listText(tokens));
      return 0;
    }
    case 'revoke': {
      const [ref] = positionals;
      if (ref === undefined || positionals.length > 1 || !/^\d+$/.test(ref)) {
        io.err(`token revoke needs one numeric ID (see \`power2mqtt token list\`)\n${TOKEN_USAGE}`);
        return 2;
      }
      const t = store.listTokens().find((x) => x.id === Number(ref));
      if (!t || !store.revokeToken(t.id)) {
        io.err(`no token ${ref}\n`);
        return 1;
      }
      io.out(`revoked token ${t.id} "${t.name}" (scope ${t.scope})\n`);
      return 0;
    }
  }
}

const TOKEN_SUBCOMMANDS = ['create', 'list', 'revoke'] as const;
type TokenSub = (typeof TOKEN_SUBCOMMANDS)[number];

/** `power2mqtt token create|list|revoke` (SPEC §16.2, §17). */
export async function tokenCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, TOKEN_USAGE, {
    args: argv, allowPositionals: true,
    options: {
      config: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' }, 'expires-days': { type: 'string' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const picked = pickSubcommand(io, TOKEN_USAGE, 'token', positionals, TOKEN_SUBCOMMANDS);
  if (typeof picked === 'number') return picked;
  const { sub, rest } = picked;
  const opened = openCliStore(values.config, io, { create: sub === 'create' });
  if (!opened.ok) return opened.code;
  try {
    return run(sub, rest, values, new AuthSqlStore(opened.handle), io);
  } catch (err) {
    io.err(`token ${sub} failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    opened.handle.close();
  }
}
