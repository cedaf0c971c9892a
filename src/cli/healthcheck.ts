import { errorMessage } from '../core/errors.js';
import type { CliIO } from './io.js';
import { formatIssues } from '../config/index.js';
import { loadFromProcess, takeConfigFlag } from './config-args.js';

// `power2mqtt healthcheck` (the Dockerfile's HEALTHCHECK, SPEC §20): asks the running service's
// GET /api/health on this host — web.port from the same config, env and saved settings — and exits
// 0 when it answers 200, 1 otherwise (503 degraded, no answer). The slim image has no curl; this
// needs only node. /api/health is always open, so it works with authentication on or locked.

const TIMEOUT_MS = 4000;

/** Where to ask: the bound address, or loopback when the server listens on every address. */
export function healthUrl(bind: string, port: number): string {
  const host = bind === '0.0.0.0' || bind === '' ? '127.0.0.1' : bind === '::' ? '[::1]' : bind.includes(':') ? `[${bind}]` : bind;
  return `http://${host}:${port}/api/health`;
}

export async function healthcheckCommand(argv: string[], io: CliIO): Promise<number> {
  const args = takeConfigFlag(argv);
  if (args.error || args.rest.length > 0) {
    io.err(`${args.error ?? `unexpected argument "${args.rest[0]}"`}\nusage: power2mqtt healthcheck [--config FILE]\n`);
    return 2;
  }
  const loaded = loadFromProcess(args.configPath);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  const web = loaded.config.web;
  if (!web.enabled) {
    io.err('healthcheck: the web server is off (web.enabled: false), so there is no /api/health to ask\n');
    return 1;
  }
  const url = healthUrl(web.bind, web.port);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await res.json().catch(() => null)) as { status?: string; issues?: string[] } | null;
    const line = `${res.status} ${body?.status ?? ''}${body?.issues?.length ? `: ${body.issues.join('; ')}` : ''}`.trim();
    (res.status === 200 ? io.out : io.err)(`${line}\n`);
    return res.status === 200 ? 0 : 1;
  } catch (err) {
    io.err(`healthcheck: no answer from ${url}: ${errorMessage(err)}\n`);
    return 1;
  }
}
