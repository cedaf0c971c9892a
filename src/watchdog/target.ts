// Judging a watchdog target's check (SPEC §12.7); parsing is in core/watchdog-target.ts.
import type { ParsedTarget } from '../core/watchdog-target.js';

/**
 * The result of a check: an http(s) target as judged in §11.2 (any status line, a refusal, a TLS
 * alert: up); a host:port target only when the connection was accepted (§12.7 "accepted =
 * answer": a refused port means the service on it is dead).
 */
export function judge(t: ParsedTarget, p: { result: 'up' | 'down'; reason: string }): 'up' | 'down' {
  if (t.kind === 'tcp') return p.result === 'up' && p.reason === 'http' ? 'up' : 'down';
  return p.result;
}

export function targetText(t: ParsedTarget): string {
  switch (t.kind) {
    case 'url':
      return t.url;
    case 'tcp':
      return `tcp://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
    case 'switch':
      return `switch ${t.name}`;
  }
}
