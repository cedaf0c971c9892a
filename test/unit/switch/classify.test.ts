import { describe, expect, it } from 'vitest';
import { classifyProbe, errorText, type ProbeObservation, type TlsErrorsSetting } from '../../../src/devices/switch/classify.js';
import { readStatusLine } from '../../../src/devices/switch/probe.js';

// SPEC §11.2 probe table, row by row. Error codes and messages are the ones Node 20 produces.

const err = (code: string | undefined, message: string, extra: { connected?: boolean; tls?: boolean } = {}): ProbeObservation => ({
  kind: 'error', code, message, connected: extra.connected ?? true, tls: extra.tls ?? false,
});
const SSL_WRONG_VERSION =
  'write EPROTO 806C2507DC7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';

type Row = [string, ProbeObservation, TlsErrorsSetting, 'up' | 'down', string];
const rows: Row[] = [
  // Any HTTP status is an answer: the device has power. 3xx included (redirects are not followed).
  ['100 Continue', { kind: 'status', status: 100 }, 'up', 'up', 'http'],
  ['200', { kind: 'status', status: 200 }, 'up', 'up', 'http'],
  ['301', { kind: 'status', status: 301 }, 'up', 'up', 'http'],
  ['404', { kind: 'status', status: 404 }, 'up', 'up', 'http'],
  ['599', { kind: 'status', status: 599 }, 'up', 'up', 'http'],
  ['status 999 (three digits, not HTTP)', { kind: 'status', status: 999 }, 'up', 'up', 'malformed'],
  // The host's stack answered.
  ['ECONNREFUSED', err('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.9:80', { connected: false }), 'up', 'up', 'refused'],
  ['ECONNRESET on read', err('ECONNRESET', 'read ECONNRESET'), 'up', 'up', 'reset'],
  ['ECONNRESET during connect', err('ECONNRESET', 'connect ECONNRESET 127.0.0.1:1', { connected: false }), 'up', 'up', 'reset'],
  ['socket hang up after connect', err('ECONNRESET', 'socket hang up'), 'up', 'up', 'reset'],
  ['EPIPE', err('EPIPE', 'write EPIPE'), 'up', 'up', 'reset'],
  ['HPE_INVALID_CONSTANT', err('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/, RTSP/ or ICE/'), 'up', 'up', 'malformed'],
  ['HPE_HEADER_OVERFLOW', err('HPE_HEADER_OVERFLOW', 'Parse Error: Header overflow'), 'up', 'up', 'malformed'],
  ['a first line that is not HTTP', { kind: 'not-http', firstLine: 'SSH-2.0-OpenSSH' }, 'up', 'up', 'malformed'],
  ['partial status line at the deadline', { kind: 'timeout', timeoutMs: 5000, partial: true }, 'up', 'up', 'malformed'],
  // TLS handshake errors follow switches.tls_errors.
  ['EPROTO wrong version number, tls_errors up', err('EPROTO', SSL_WRONG_VERSION, { tls: true }), 'up', 'up', 'tls'],
  ['EPROTO wrong version number, tls_errors down', err('EPROTO', SSL_WRONG_VERSION, { tls: true }), 'down', 'down', 'tls'],
  ['ERR_SSL_* code', err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure', { tls: true }), 'down', 'down', 'tls'],
  ['peer hung up in the handshake', err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established', { tls: true }), 'down', 'down', 'tls'],
  ['plain reset on an https target stays a reset', err('ECONNRESET', 'read ECONNRESET', { tls: true }), 'down', 'up', 'reset'],
  // Silence, no route, no name.
  ['timeout', { kind: 'timeout', timeoutMs: 5000, partial: false }, 'up', 'down', 'timeout'],
  ['aborted', { kind: 'aborted' }, 'up', 'down', 'timeout'],
  ['kernel ETIMEDOUT', err('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.9:80', { connected: false }), 'up', 'down', 'timeout'],
  ['EHOSTUNREACH', err('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.9:80', { connected: false }), 'up', 'down', 'unreachable'],
  ['EHOSTDOWN', err('EHOSTDOWN', 'connect EHOSTDOWN 10.0.0.9:80', { connected: false }), 'up', 'down', 'unreachable'],
  ['ENETUNREACH', err('ENETUNREACH', 'connect ENETUNREACH 10.0.0.9:80', { connected: false }), 'up', 'down', 'unreachable'],
  ['ENOTFOUND', err('ENOTFOUND', 'getaddrinfo ENOTFOUND plug.lan', { connected: false }), 'up', 'down', 'dns'],
  ['EAI_AGAIN', err('EAI_AGAIN', 'getaddrinfo EAI_AGAIN plug.lan', { connected: false }), 'up', 'down', 'dns'],
  ['socket hang up before any connection', err('ECONNRESET', 'socket hang up', { connected: false }), 'up', 'down', 'unreachable'],
  ['unknown code', err('EWHATEVER', 'something odd', { connected: false }), 'up', 'down', 'unreachable'],
  ['no code at all', err(undefined, 'something odd', { connected: false }), 'up', 'down', 'unreachable'],
];

describe('classifyProbe (SPEC §11.2)', () => {
  it.each(rows)('%s -> %s/%s', (_name, obs, tls, result, reason) => {
    const v = classifyProbe(obs, tls);
    expect(v.result).toBe(result);
    expect(v.reason).toBe(reason);
    // Only a valid status line is free of an explanation.
    if (v.reason === 'http') expect(v.error_message).toBeNull();
    else expect(v.error_message).toEqual(expect.any(String));
  });

  it('keeps an unknown code in the message', () => {
    expect(classifyProbe(err('EWHATEVER', 'something odd'), 'up').error_message).toBe('EWHATEVER: something odd');
    expect(classifyProbe(err(undefined, 'something odd'), 'up').error_message).toBe('unknown error: something odd');
  });

  it('shortens OpenSSL messages to their reason', () => {
    expect(classifyProbe(err('EPROTO', SSL_WRONG_VERSION, { tls: true }), 'up').error_message).toBe('EPROTO: TLS handshake failed: wrong version number');
  });

  it('says how long it waited', () => {
    expect(classifyProbe({ kind: 'timeout', timeoutMs: 1234, partial: false }, 'up').error_message).toBe('no response within 1234 ms');
  });
});

describe('errorText', () => {
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 1.2.3.4:80', 'connect ECONNREFUSED 1.2.3.4:80'],
    ['ECONNRESET', 'socket hang up', 'ECONNRESET: socket hang up'],
    ['', '  two\n lines ', 'two lines'],
  ])('%s %j -> %j', (code, message, expected) => {
    expect(errorText(code, message)).toBe(expected);
  });

  it('clips long messages', () => {
    expect(errorText('X', 'a'.repeat(500)).length).toBeLessThanOrEqual(203);
  });
});

describe('readStatusLine (the prober reads the status line off the socket)', () => {
  it.each<[string, ProbeObservation | null]>([
    ['', null],
    ['H', null],
    ['HTTP/1.', null],
    ['HTTP/1.1 200', null],
    ['HTTP/1.1 200 OK\r\n', { kind: 'status', status: 200 }],
    ['HTTP/1.0 302 Found\r\nLocation: /\r\n', { kind: 'status', status: 302 }],
    ['HTTP/1.1 204\r\n', { kind: 'status', status: 204 }],
    ['HTTP/2 404 Not Found\n', { kind: 'status', status: 404 }],
    ['SSH-2.0-OpenSSH_9.2\r\n', { kind: 'not-http', firstLine: 'SSH-2.0-OpenSSH_9.2' }],
    ['\u0016\u0003\u0001', { kind: 'not-http', firstLine: '\u0016\u0003\u0001' }],
    ['HTTP/1.1 2000 OK\r\n', { kind: 'not-http', firstLine: 'HTTP/1.1 2000 OK' }],
    ['HTTP/1.1 OK\r\n', { kind: 'not-http', firstLine: 'HTTP/1.1 OK' }],
  ])('%j', (head, expected) => {
    expect(readStatusLine(head)).toEqual(expected);
  });

  it('a first line that never ends is not HTTP', () => {
    expect(readStatusLine(`HTTP/1.1 200 ${'x'.repeat(600)}`)?.kind).toBe('not-http');
  });
});
