// Turns zod issues into ConfigIssues that name the key, what is wrong, and how to fix it.
// The wording lives here (not in each field) so that every field gets the same quality of message.
import type { z } from 'zod';
import { alternatives, inspect, numberBounds, rangePhrase, schemaAt, type Path } from './introspect.js';
import { closest, joinOr, showValue } from './text.js';

export interface ConfigIssue {
  /** Where: a key path like `devices[0].poll_interval_s`, an env variable or the config file. */
  path: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

/** `devices[0].poll_interval_s` (human form; origins use the dotted form `devices.0.poll_interval_s`). */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    // An empty key, or one with spaces, dots or brackets, is quoted so it cannot be misread
    // (a key "" at the top is not "(top level)", "a.b" is not a.b).
    const key = typeof seg === 'string' && !/^[\w-]+$/.test(seg) ? JSON.stringify(seg) : seg;
    out += typeof seg === 'number' ? `[${seg}]` : out === '' ? key : `.${key}`;
  }
  return out || '(top level)';
}

type RawIssue = z.core.$ZodIssue & { input?: unknown; params?: { hint?: string } };

/** Returns the env variable that set `path` (or an ancestor), to name it in the message. */
export type SourceOf = (path: Path) => string | undefined;

export function issuesFromZod(issues: readonly z.core.$ZodIssue[], root: z.ZodType, sourceOf: SourceOf = () => undefined): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const raw of issues as readonly RawIssue[]) {
    const path = raw.path.filter((p): p is string | number => typeof p !== 'symbol');
    for (const issue of convert(raw, path, root)) {
      const src = sourceOf(issue.at);
      const message = src ? `${issue.message} (set by ${src})` : issue.message;
      const item: ConfigIssue = { path: formatPath(issue.at), message };
      if (issue.hint) item.hint = issue.hint;
      if (!out.some((o) => o.path === item.path && o.message === item.message)) out.push(item);
    }
  }
  return out;
}

interface Converted {
  at: Path;
  message: string;
  hint?: string | undefined;
}

function convert(iss: RawIssue, path: Path, root: z.ZodType): Converted[] {
  const node = schemaAt(root, path);
  const info = node ? inspect(node) : undefined;
  const secret = info?.meta?.secret !== undefined;
  const got = `(got ${showValue(iss.input, secret)})`;
  const metaHint = info?.meta?.hint;

  switch (iss.code) {
    case 'unrecognized_keys':
      return iss.keys.map((key) => ({ at: [...path, key], ...unknownKey(key, node ? Object.keys(inspect(node).shape) : [], path) }));
    case 'too_small':
    case 'too_big': {
      if (iss.origin === 'number' || iss.origin === 'int') {
        const b = node ? numberBounds(node) : undefined;
        const range = b ? rangePhrase(b, info?.meta?.unit) : iss.message;
        const bound = iss.code === 'too_small' ? b?.min : b?.max;
        const inclusive = iss.code === 'too_small' ? b?.minInclusive : b?.maxInclusive;
        const side = iss.code === 'too_small' ? 'above' : 'below';
        const fallback = bound === undefined ? undefined : inclusive ? `use ${bound}` : `use a value ${side} ${bound}`;
        return [{ at: path, message: `must be ${range} ${got}`, hint: metaHint ?? fallback }];
      }
      if (iss.origin === 'string') {
        if (iss.code === 'too_small' && Number(iss.minimum) === 1) {
          const example = info?.meta?.example;
          const hint = metaHint ?? (example === undefined ? 'set a value' : `set a value, e.g. ${String(example)}`);
          return [{ at: path, message: 'must not be empty', hint }];
        }
        const n = iss.code === 'too_small' ? `at least ${iss.minimum}` : `at most ${iss.maximum}`;
        return [{ at: path, message: `must be ${n} characters long`, hint: metaHint }];
      }
      const n = iss.code === 'too_small' ? `at least ${iss.minimum}` : `at most ${iss.maximum}`;
      return [{ at: path, message: `must have ${n} item(s)`, hint: metaHint }];
    }
    case 'invalid_type': {
      if (iss.input === undefined) {
        const key = path[path.length - 1];
        const example = info?.meta?.example;
        const hint = example === undefined ? `add ${String(key)}` : `add ${String(key)}: ${JSON.stringify(example)}`;
        return [{ at: path, message: 'is required', hint }];
      }
      if (iss.expected === 'int') {
        return [{ at: path, message: `must be a whole number ${got}`, hint: `use ${Math.round(Number(iss.input))}` }];
      }
      const accepts = node ? joinOr(alternatives(node)) : String(iss.expected);
      return [{ at: path, message: `must be ${accepts} ${got}`, hint: metaHint ?? typeHint(iss.expected, iss.input, secret) }];
    }
    case 'invalid_value':
    case 'invalid_union': {
      const options = node ? alternatives(node) : [];
      const near = typeof iss.input === 'string' ? closest(iss.input, options) : undefined;
      const yesNo = typeof iss.input === 'string' && /^(yes|no|on|off|y|n)$/i.test(iss.input) && options.includes('true');
      const hint = near ? `did you mean ${near}?` : yesNo ? 'use true or false (YAML 1.2 reads yes/no/on/off as text)' : metaHint;
      return [{ at: path, message: `must be ${joinOr(options.length ? options : ['a valid value'])} ${got}`, hint }];
    }
    case 'invalid_format': {
      const withGot = iss.message.includes('(got') ? iss.message : `${iss.message} ${got}`;
      return [{ at: path, message: withGot, hint: metaHint }];
    }
    default:
      return [{ at: path, message: iss.message, hint: iss.params?.hint ?? metaHint }];
  }
}

function typeHint(expected: string, input: unknown, secret: boolean): string | undefined {
  if (expected === 'boolean') return 'use true or false, without quotes';
  if (expected === 'number' && typeof input === 'string' && input.trim() !== '' && !Number.isNaN(Number(input))) {
    return 'write the number without quotes';
  }
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    return secret ? 'put the value in quotes' : `put the value in quotes: "${String(input)}"`;
  }
  if (expected === 'array') return 'use a list: [a, b] or one "- item" per line';
  if (expected === 'object') return 'indent the keys of this section under it';
  return undefined;
}

function unknownKey(key: string, known: string[], parent: Path): { message: string; hint: string } {
  if (key === 'password' && known.includes('password_hash')) {
    return {
      message: 'plain-text passwords are not accepted here',
      hint: 'put a scrypt hash in password_hash instead (create it with `power2mqtt hash-password`)',
    };
  }
  const near = closest(key, known);
  const where = parent.length === 0 ? 'top-level sections' : `keys under ${formatPath(parent)}`;
  return {
    message: 'is not a known key',
    hint: near ? `did you mean ${near}?` : `valid ${where}: ${known.join(', ')}`,
  };
}
