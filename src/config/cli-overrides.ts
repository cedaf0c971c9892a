// CLI flags as config overrides (the top layer of §3.1's precedence), keyed by dotted path.
import type { z } from 'zod';
import { parseEnvValue, schemaPath } from './env.js';
import type { Path } from './introspect.js';
import type { ConfigIssue } from './issues.js';

export function cliOverrides(
  values: Record<string, unknown>,
  root: z.ZodType,
): { overrides: Array<{ path: Path; value: unknown; source: string }>; issues: ConfigIssue[] } {
  const overrides: Array<{ path: Path; value: unknown; source: string }> = [];
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(values)) {
    const source = `command line (${key})`;
    const target = schemaPath(root, key.split('.'));
    if ('problem' in target) {
      issues.push({ path: source, message: `unknown config key: ${target.problem}`, hint: 'use a dotted key such as web.port' });
      continue;
    }
    // Flags arrive as text; type them like env values so "--set web.port=9090" works.
    const parsed = typeof value === 'string' ? parseEnvValue(value, target.node) : { value };
    if ('error' in parsed) {
      issues.push({ path: source, message: `cannot parse the value as YAML: ${parsed.error}` });
      continue;
    }
    overrides.push({ path: target.path, value: parsed.value, source });
  }
  return { overrides, issues };
}
