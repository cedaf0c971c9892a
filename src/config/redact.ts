// Secret masking for check-config, the API and logs, driven by the schema's `secret` metadata so a
// new secret key is masked everywhere by marking it once.
import type { z } from 'zod';
import { inspect } from './introspect.js';
import { configSchema, type Config } from './schema.js';
import type { FieldMeta } from './schema/common.js';

export const MASK = '***';

function maskUrl(value: string, kind: 'url' | 'url-password'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return MASK; // cannot tell which part is secret
  }
  const host = url.host;
  if (kind === 'url-password') {
    if (!url.password) return value;
    const user = url.username ? `${url.username}:` : '';
    return `${url.protocol}//${user}${MASK}@${host}${url.pathname}${url.search}`;
  }
  // Webhook URLs (Slack, Discord, ntfy …) carry their token in the path or query.
  const hasSecretPart = url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '';
  return hasSecretPart ? `${url.protocol}//${host}/${MASK}` : value;
}

function maskValue(value: unknown, secret: NonNullable<FieldMeta['secret']>): unknown {
  if (typeof value !== 'string') return value === null || value === undefined ? value : MASK;
  if (value === '') return value; // "not set" is useful to see and reveals nothing
  return secret === 'value' ? MASK : maskUrl(value, secret);
}

/** A deep copy of `value` with every key the schema marks secret masked. */
export function redactWith(value: unknown, schema: z.ZodType): unknown {
  const info = inspect(schema);
  if (info.meta?.secret) return maskValue(value, info.meta.secret);
  if (info.kind === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const child = info.shape[k];
      out[k] = child ? redactWith(v, child) : structuredClone(v);
    }
    return out;
  }
  if (info.kind === 'array' && info.element && Array.isArray(value)) {
    const element = info.element;
    return value.map((v: unknown) => redactWith(v, element));
  }
  return structuredClone(value);
}

/**
 * The config with every secret replaced by "***" (passwords, password hashes, communities,
 * SNMPv3 keys, webhook secrets, the token part of webhook URLs, a password inside mqtt.url).
 * Empty strings stay empty: "not set" is not a secret. File paths (mqtt.key) are not secrets.
 */
export function redactConfig(config: Config): Config {
  return redactWith(config, configSchema) as Config;
}
