import { describe, expect, it } from 'vitest';
import { parseCommandPayload, parseRequestPayload, parseSetPayload } from '../../../src/mqtt/payloads.js';

const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));

describe('command payloads (SPEC §9.2)', () => {
  it.each([
    ['off', { ok: true, command: 'off', force: false }],
    ['  ON \n', { ok: true, command: 'on', force: false }],
    ['{"command":"Off","transaction":"t-1","force":true}', { ok: true, command: 'off', force: true, transaction: 't-1' }],
    ['{"command":"reboot","transaction":42}', { ok: true, command: 'reboot', force: false, transaction: '42' }],
  ])('%j', (input, expected) => {
    expect(parseCommandPayload(b(input))).toEqual(expected);
  });

  it.each([
    ['', /empty command/],
    ['{"command":', /invalid JSON/],
    ['{"cmd":"off","transaction":"t"}', /"command" is missing/],
    ['{"command":"off","force":"yes"}', /"force" must be true or false/],
    ['x'.repeat(257), /payload too large \(257 bytes; at most 256\)/],
  ])('%j → error', (input, error) => {
    const r = parseCommandPayload(b(input));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('non-JSON text is a command word (the registry then rejects unknown words)', () => {
    expect(parseCommandPayload(b('[1,2]'))).toEqual({ ok: true, command: '[1,2]', force: false });
  });

  it('binary garbage is rejected, and the transaction survives a bad JSON command', () => {
    expect(parseCommandPayload(b([0xff, 0xfe, 0x00, 0x01]))).toEqual({ ok: false, error: 'payload is not text' });
    expect(parseCommandPayload(b('{"transaction":"t9"}'))).toMatchObject({ ok: false, transaction: 't9' });
  });

  it('set payloads: text, trimmed, empty allowed; bridge requests: JSON objects up to 64 KB', () => {
    expect(parseSetPayload(b('  NAS  '))).toEqual({ ok: true, value: 'NAS' });
    expect(parseSetPayload(b(''))).toEqual({ ok: true, value: '' });
    expect(parseRequestPayload(b(''))).toEqual({ ok: true, data: {} });
    expect(parseRequestPayload(b('{"id":"x","transaction":"7"}'))).toEqual({ ok: true, data: { id: 'x', transaction: '7' }, transaction: '7' });
    expect(parseRequestPayload(b('"x"'))).toMatchObject({ ok: false, error: 'request must be a JSON object' });
    expect(parseRequestPayload(Buffer.alloc(64 * 1024 + 1, 32))).toMatchObject({ ok: false, error: expect.stringMatching(/too large/) });
  });
});
