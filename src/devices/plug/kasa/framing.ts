// TP-Link Kasa legacy local protocol framing (TCP/UDP port 9999). Pure.
// Payload: JSON, "autokey" XOR: the key starts at 171 and each ciphertext byte becomes the key
// for the next. TCP frames carry a 4-byte big-endian length before the ciphertext; UDP
// datagrams carry the ciphertext alone.

export const KASA_PORT = 9999;
export const INITIAL_KEY = 171;
/** Longest frame accepted (a real HS300 sysinfo is ~2 KB); a larger length prefix is a protocol error. */
export const MAX_FRAME_BYTES = 64 * 1024;

export function encrypt(plain: Buffer): Buffer {
  const out = Buffer.allocUnsafe(plain.length);
  let key = INITIAL_KEY;
  for (let i = 0; i < plain.length; i++) {
    key = key ^ (plain[i] as number);
    out[i] = key;
  }
  return out;
}

export function decrypt(cipher: Buffer): Buffer {
  const out = Buffer.allocUnsafe(cipher.length);
  let key = INITIAL_KEY;
  for (let i = 0; i < cipher.length; i++) {
    const c = cipher[i] as number;
    out[i] = key ^ c;
    key = c;
  }
  return out;
}

/** One TCP frame: length prefix + encrypted JSON text. */
export function encodeFrame(json: string): Buffer {
  const body = encrypt(Buffer.from(json, 'utf8'));
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

export type FrameResult =
  | { kind: 'need_more' }
  | { kind: 'frame'; json: string; rest: Buffer }
  | { kind: 'error'; error: string };

/** Take one frame off the front of `buf` (bytes received so far). */
export function takeFrame(buf: Buffer, maxBytes = MAX_FRAME_BYTES): FrameResult {
  if (buf.length < 4) return { kind: 'need_more' };
  const len = buf.readUInt32BE(0);
  if (len > maxBytes) return { kind: 'error', error: `frame length ${len} exceeds ${maxBytes} bytes (not the Kasa legacy protocol?)` };
  if (buf.length < 4 + len) return { kind: 'need_more' };
  const json = decrypt(buf.subarray(4, 4 + len)).toString('utf8');
  return { kind: 'frame', json, rest: buf.subarray(4 + len) };
}

/** Parse a decrypted payload into an object; malformed JSON is an error value, never a throw. */
export function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'response is not a JSON object' };
    return { ok: true, value: v as Record<string, unknown> };
  } catch {
    return { ok: false, error: `malformed JSON (${text.length} bytes, starts "${text.slice(0, 24).replace(/[^\x20-\x7e]/g, '?')}")` };
  }
}
