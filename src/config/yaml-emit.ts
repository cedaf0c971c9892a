// A tiny block-YAML emitter with aligned trailing comments, shared by config.example.yaml and
// check-config. The yaml package cannot align comments, and readable columns are the point.
import YAML from 'yaml';
import type { Path } from './introspect.js';

export interface EmitLine {
  text: string;
  comment?: string | undefined;
}

/** Column of the `#` of trailing comments (as in SPEC §4.2). */
export const COMMENT_COLUMN = 27;

/** One-line YAML for a scalar or a small collection: `auto`, `""`, `"3"`, `[a, b]`, `{start: "22:00"}`. */
export function inlineYaml(value: unknown): string {
  if (typeof value === 'string' && /[\n\r]/.test(value)) return JSON.stringify(value);
  return YAML.stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd();
}

export function renderLines(lines: readonly EmitLine[], column = COMMENT_COLUMN): string {
  return lines
    .map(({ text, comment }) => {
      if (comment === undefined || comment === '') return text;
      const gap = Math.max(2, column - text.length);
      return `${text}${' '.repeat(text.length === 0 ? 0 : gap)}# ${comment}`;
    })
    .join('\n');
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Comment for a key: `kind` tells a section header or list header from a value line. */
export type CommentFor = (path: Path, kind: 'section' | 'list' | 'value') => string | undefined;

/**
 * Block YAML for a mapping: non-empty mappings and non-empty lists of mappings nest, everything
 * else is one inline value per line.
 */
export function emitMapping(obj: Record<string, unknown>, path: Path, indent: number, commentFor: CommentFor): EmitLine[] {
  const pad = ' '.repeat(indent);
  const out: EmitLine[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const p = [...path, key];
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      out.push({ text: `${pad}${key}:`, comment: commentFor(p, 'section') });
      out.push(...emitMapping(value, p, indent + 2, commentFor));
    } else if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
      out.push({ text: `${pad}${key}:`, comment: commentFor(p, 'list') });
      out.push(...emitList(value, p, indent + 2, commentFor));
    } else {
      out.push({ text: `${pad}${key}: ${inlineYaml(value)}`, comment: commentFor(p, 'value') });
    }
  }
  return out;
}

/** `- key: value` items; an item's first key shares the dash line. */
export function emitList(items: readonly Record<string, unknown>[], path: Path, indent: number, commentFor: CommentFor): EmitLine[] {
  const out: EmitLine[] = [];
  items.forEach((item, i) => {
    const lines = emitMapping(item, [...path, i], indent + 2, commentFor);
    const first = lines[0];
    if (first) lines[0] = { ...first, text: `${' '.repeat(indent)}- ${first.text.slice(indent + 2)}` };
    out.push(...lines);
  });
  return out;
}
