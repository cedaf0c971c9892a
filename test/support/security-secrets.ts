// Helpers of the secrets proof (test/integration/security/secrets.test.ts): the list of secret
// keys read from the config schema's `secret` marks (so a newly marked key joins the test by
// itself), a debug-level production logger that keeps every line and feeds the ring buffer behind
// GET /api/system/logs, and a search for secret values in any text.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { z } from 'zod';
import { inspect } from '../../src/config/introspect.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger, LogRing, type Logger } from '../../src/core/logger.js';

/** Dotted paths of every key the schema marks secret; list items as `[]` (e.g. `devices[].community`). */
export function secretPaths(schema: z.ZodType = configSchema, base = ''): string[] {
  const info = inspect(schema);
  if (info.meta?.secret) return [base];
  if (info.kind === 'object') {
    return Object.entries(info.shape).flatMap(([k, child]) => secretPaths(child, base === '' ? k : `${base}.${k}`));
  }
  if (info.kind === 'array' && info.element) return secretPaths(info.element, `${base}[]`);
  return [];
}

/** A value no code path could produce by accident: `<label>-<16 hex>`. */
export function marker(label: string): string {
  return `${label}-${randomBytes(8).toString('hex')}`;
}

export interface LogCapture {
  logger: Logger;
  ring: LogRing;
  /** Every line written so far, as written. */
  text(): string;
  lines(): number;
}

/** The production logger (its redaction included) at `debug`, into memory and a 5000-line ring. */
export function captureLogs(): LogCapture {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      cb();
    },
  });
  const ring = new LogRing(5000);
  return { logger: createLogger('debug', sink, ring), ring, text: () => raw.join(''), lines: () => raw.length };
}

/**
 * The secrets found in `text`, by name. Each secret is also looked for in its JSON-escaped,
 * URL-encoded and base64 forms, so a value that was merely re-encoded still counts as a leak.
 */
export function leaks(text: string, secrets: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length < 8) throw new Error(`secret ${name} is too short to search for reliably`);
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), Buffer.from(value).toString('base64').slice(0, -2)]);
    if ([...forms].some((f) => text.includes(f))) found.push(name);
  }
  return found;
}
