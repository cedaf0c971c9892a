import type { ProbeReason, ProbeResult } from '../../core/power.js';

// How a switch probe ended, mapped to up/down (SPEC §11.2). Pure: the prober (probe.ts) observes,
// this table judges. The rule behind the table: anything that proves the host's network stack is
// running (a status line, a refusal, a reset, garbage, a TLS alert) means the host has power;
// silence (timeout), no route and no name mean it may not.

export type TlsErrorsSetting = 'up' | 'down';

/** What the prober saw. */
export type ProbeObservation =
  /** A complete status line (redirects are never followed: a 3xx is an answer). */
  | { kind: 'status'; status: number }
  /** The first line that arrived is not an HTTP status line. */
  | { kind: 'not-http'; firstLine: string }
  /** The deadline passed; `partial` = some response bytes had arrived (not a whole status line). */
  | { kind: 'timeout'; timeoutMs: number; partial: boolean }
  /** The caller's signal aborted the probe (service stopping, cycle deadline). */
  | { kind: 'aborted' }
  /** A socket, DNS, TLS or HTTP-parser error. `connected` = the TCP connection was established. */
  | { kind: 'error'; code: string | undefined; message: string; connected: boolean; tls: boolean };

export interface ProbeVerdict {
  result: ProbeResult;
  reason: ProbeReason;
  error_message: string | null;
}

const REFUSED = new Set(['ECONNREFUSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Node's TLS errors that are not ERR_SSL_* / ERR_TLS_* codes. */
const TLS_CODES = new Set(['EPROTO']);
const TLS_MESSAGE = /wrong version number|SSL routines|handshake failure|alert|secure TLS connection|unsupported protocol|packet length too long/i;

/** The one mapping of SPEC §11.2. */
export function classifyProbe(obs: ProbeObservation, tlsErrors: TlsErrorsSetting): ProbeVerdict {
  switch (obs.kind) {
    case 'status':
      if (obs.status >= 100 && obs.status <= 599) return { result: 'up', reason: 'http', error_message: null };
      // Three digits outside 1xx-5xx: not valid HTTP, but the host answered.
      return { result: 'up', reason: 'malformed', error_message: `HTTP status ${obs.status} outside 100-599` };
    case 'not-http':
      return { result: 'up', reason: 'malformed', error_message: `not an HTTP status line: ${JSON.stringify(clip(obs.firstLine, 60))}` };
    case 'timeout':
      // Bytes arrived but not a whole status line in time (a slow or broken server): it has power.
      if (obs.partial) return { result: 'up', reason: 'malformed', error_message: `incomplete HTTP status line after ${obs.timeoutMs} ms` };
      return { result: 'down', reason: 'timeout', error_message: `no response within ${obs.timeoutMs} ms` };
    case 'aborted':
      return { result: 'down', reason: 'timeout', error_message: 'probe aborted' };
    case 'error':
      return classifyError(obs, tlsErrors);
  }
}

function classifyError(e: Extract<ProbeObservation, { kind: 'error' }>, tlsErrors: TlsErrorsSetting): ProbeVerdict {
  const code = e.code ?? '';
  const text = errorText(code, e.message);
  if (code.startsWith('HPE_')) return { result: 'up', reason: 'malformed', error_message: text };
  if (isTlsError(e)) return { result: tlsErrors, reason: 'tls', error_message: text };
  if (REFUSED.has(code)) return { result: 'up', reason: 'refused', error_message: text };
  if (RESET.has(code)) {
    // Node reports "socket hang up" (code ECONNRESET) also for a socket we ended before it
    // connected; only after a connection does it prove that the host answered.
    if (/socket hang up/i.test(e.message) && !e.connected) return { result: 'down', reason: 'unreachable', error_message: text };
    return { result: 'up', reason: 'reset', error_message: text };
  }
  if (TIMEOUT.has(code)) return { result: 'down', reason: 'timeout', error_message: text };
  if (UNREACHABLE.has(code)) return { result: 'down', reason: 'unreachable', error_message: text };
  if (DNS.has(code)) return { result: 'down', reason: 'dns', error_message: text };
  // Unknown: no proof the host answered. ProbeReason has no "other"; `unreachable` is the
  // nearest, and the message keeps the code.
  return { result: 'down', reason: 'unreachable', error_message: code ? text : `unknown error: ${text}` };
}

function isTlsError(e: Extract<ProbeObservation, { kind: 'error' }>): boolean {
  const code = e.code ?? '';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || TLS_CODES.has(code)) return true;
  // e.g. ECONNRESET "Client network socket disconnected before secure TLS connection was established":
  // the peer hung up during the handshake, which on an https:// target is a TLS handshake error.
  return e.tls && TLS_MESSAGE.test(e.message);
}

/** `CODE: short message`; OpenSSL's multi-line "…:SSL routines:func:reason:file:line:" becomes the reason. */
export function errorText(code: string, message: string): string {
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(message);
  const msg = ssl ? `TLS handshake failed: ${ssl[1]}` : message.trim().replace(/\s+/g, ' ');
  const short = clip(msg, 200);
  if (!code || short.includes(code)) return short;
  return `${code}: ${short}`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
