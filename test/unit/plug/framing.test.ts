import { describe, expect, it } from 'vitest';
import { decrypt, encodeFrame, encrypt, INITIAL_KEY, MAX_FRAME_BYTES, parseJsonObject, takeFrame } from '../../../src/devices/plug/kasa/framing.js';

describe('Kasa autokey XOR framing', () => {
  it('first ciphertext byte is the plaintext byte XOR the initial key 171', () => {
    expect(encrypt(Buffer.from('{'))[0]).toBe(INITIAL_KEY ^ 0x7b);
    expect(encrypt(Buffer.from('{"'))[1]).toBe((INITIAL_KEY ^ 0x7b) ^ 0x22);
  });

  it.each([
    ['sysinfo request', '{"system":{"get_sysinfo":{}}}'],
    ['empty', ''],
    ['unicode alias', '{"alias":"Küche ☕"}'],
    ['all byte values', Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('latin1')],
  ])('round-trips %s', (_name, text) => {
    const plain = Buffer.from(text, 'latin1');
    expect(decrypt(encrypt(plain)).equals(plain)).toBe(true);
  });

  it('frames with a 4-byte big-endian length and takes the frame back', () => {
    const json = '{"system":{"get_sysinfo":{}}}';
    const frame = encodeFrame(json);
    expect(frame.readUInt32BE(0)).toBe(Buffer.byteLength(json));
    const r = takeFrame(Buffer.concat([frame, Buffer.from([1, 2])]));
    expect(r).toMatchObject({ kind: 'frame', json });
    expect(r.kind === 'frame' && r.rest.length).toBe(2);
  });

  it.each([
    ['fewer than 4 bytes', Buffer.from([0, 0]), 'need_more'],
    ['a truncated body', encodeFrame('{"a":1}').subarray(0, 8), 'need_more'],
    ['a length over 64 KB', Buffer.from([0, 1, 0, 1, 0xd0]), 'error'],
    ['a length of 4 GB', Buffer.from([0xff, 0xff, 0xff, 0xff]), 'error'],
  ])('takeFrame on %s → %s', (_name, buf, kind) => {
    expect(takeFrame(buf).kind).toBe(kind);
  });

  it('accepts a frame of exactly the limit and names the limit when refusing', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    const r = takeFrame(head);
    expect(r.kind === 'error' && r.error).toContain(String(MAX_FRAME_BYTES));
  });

  it.each([
    ['malformed JSON', '{"system":', false],
    ['wrong XOR (garbage)', decrypt(Buffer.from('{"a":1}')).toString('latin1'), false],
    ['a JSON array', '[1,2]', false],
    ['an object', '{"a":1}', true],
  ])('parseJsonObject: %s', (_name, text, ok) => {
    expect(parseJsonObject(text).ok).toBe(ok);
  });
});
