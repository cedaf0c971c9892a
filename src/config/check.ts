// `power2mqtt check-config` output: the effective config (secrets masked) with each value's
// origin, or every issue with its fix. Pure: the CLI prints `text` and exits with `exitCode`.
import type { ConfigIssue, LoadResult } from './load.js';
import { redactConfig } from './redact.js';
import { dotted } from './tree.js';
import { emitMapping, renderLines } from './yaml-emit.js';

export function formatIssue(issue: ConfigIssue): string {
  return issue.hint ? `${issue.path}: ${issue.message}; ${issue.hint}` : `${issue.path}: ${issue.message}`;
}

/** Every problem of an invalid config, one per line, as every command prints them before exit 2. */
export function formatIssues(result: Extract<LoadResult, { ok: false }>): string {
  const n = result.issues.length;
  const head = `power2mqtt: the configuration is invalid${result.file ? ` (${result.file})` : ''}: ${n} problem${n === 1 ? '' : 's'}`;
  return `${head}\n${result.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}\n`;
}

export function formatCheckConfig(result: LoadResult): { text: string; exitCode: 0 | 2 } {
  if (!result.ok) return { text: formatIssues(result), exitCode: 2 };
  const { config, origins } = result;
  const header = [
    '# power2mqtt check-config: OK',
    `# config file: ${result.file ?? 'none (demo mode: built-in defaults)'}`,
    '# each value is followed by its origin: default | file | runtime (saved with PUT /api/config) | env | cli; secrets are shown as "***"',
    ...result.warnings.map((w) => `# warning: ${w}`),
  ];
  const lines = emitMapping(redactConfig(config) as unknown as Record<string, unknown>, [], 0, (path, kind) =>
    kind === 'value' ? (origins.get(dotted(path)) ?? 'default') : undefined,
  );
  return { text: `${header.join('\n')}\n${renderLines(lines, 40)}\n`, exitCode: 0 };
}
