// Parsing of inbound command and `…/set` payloads (SPEC §9.1, §9.2). Pure; bad input becomes an
// error naming what is wrong, never an exception.

export const MAX_COMMAND_BYTES = 256;
export const MAX_REQUEST_BYTES = 64 * 1024;

export type CommandPayload =
  | { ok: true; command: string; transaction?: string; force: boolean }
  | { ok: false; error: string; transaction?: string };

function text(buf: Buffer, max: number): { ok: true; text: string } | { ok: false; error: string } {
  if (buf.length > max) return { ok: false, error: `payload too large (${buf.length} bytes; at most ${max})` };
  const s = buf.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD; control characters other than whitespace mean binary garbage.
  if (s.includes('\uFFFD') || /[\u0000-\u0008\u000E-\u001F\u007F]/.test(s)) return { ok: false, error: 'payload is not text' };
  return { ok: true, text: s.trim() };
}

/** `off`, ` ON `, or `{"command":"off","transaction":"x","force":true}` (case-insensitive). */
export function parseCommandPayload(buf: Buffer): CommandPayload {
  const t = text(buf, MAX_COMMAND_BYTES);
  if (!t.ok) return t;
  if (t.text === '') return { ok: false, error: 'empty command (send e.g. "on" or {"command":"on"})' };
  if (!t.text.startsWith('{')) return { ok: true, command: t.text.toLowerCase(), force: false };
  let body: unknown;
  try {
    body = JSON.parse(t.text);
  } catch {
    return { ok: false, error: 'invalid JSON (send e.g. {"command":"off","transaction":"1"})' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'JSON command must be an object' };
  const o = body as Record<string, unknown>;
  const transaction = typeof o.transaction === 'string' || typeof o.transaction === 'number' ? String(o.transaction) : undefined;
  const tx = transaction !== undefined ? { transaction } : {};
  if (typeof o.command !== 'string') return { ok: false, error: 'field "command" is missing or not a string', ...tx };
  if (o.force !== undefined && typeof o.force !== 'boolean') return { ok: false, error: 'field "force" must be true or false', ...tx };
  return { ok: true, command: o.command.trim().toLowerCase(), force: o.force === true, ...tx };
}

/** A `…/set` value: text up to 256 bytes, surrounding whitespace ignored ("" is allowed: clears an override). */
export function parseSetPayload(buf: Buffer): { ok: true; value: string } | { ok: false; error: string } {
  const t = text(buf, MAX_COMMAND_BYTES);
  return t.ok ? { ok: true, value: t.text } : t;
}

/** A bridge request: JSON object (may be empty), at most 64 KB. */
export function parseRequestPayload(buf: Buffer): { ok: true; data: Record<string, unknown>; transaction?: string } | { ok: false; error: string } {
  const t = text(buf, MAX_REQUEST_BYTES);
  if (!t.ok) return t;
  if (t.text === '') return { ok: true, data: {} };
  let body: unknown;
  try {
    body = JSON.parse(t.text);
  } catch {
    return { ok: false, error: 'invalid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'request must be a JSON object' };
  const data = body as Record<string, unknown>;
  const transaction = typeof data.transaction === 'string' || typeof data.transaction === 'number' ? String(data.transaction) : undefined;
  return { ok: true, data, ...(transaction !== undefined ? { transaction } : {}) };
}
