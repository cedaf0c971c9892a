// docs/API.md from the OpenAPI document (issue 10): every route with its access, parameters, body
// fields and answers, generated from the same zod schemas that validate the requests, so the
// reference cannot drift from the code (a test compares the committed file). Pure.

interface SchemaNode {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

interface Operation {
  summary?: string;
  tags?: string[];
  'x-access'?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: SchemaNode }>;
  requestBody?: { content?: Record<string, { schema?: SchemaNode }> };
  responses?: Record<string, { description?: string }>;
}

export interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** A short type phrase: `string`, `integer 1..8760`, `"on" | "off"`, `list of …`. */
export function typePhrase(s: SchemaNode | undefined): string {
  if (!s) return 'any';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typePhrase))].join(' or ');
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null').join(' or ') : (s.type ?? 'any');
  if (t === 'array') return `list of ${typePhrase(s.items)}`;
  if ((t === 'integer' || t === 'number') && (s.minimum !== undefined || s.maximum !== undefined)) return `${t} ${s.minimum ?? ''}..${s.maximum ?? ''}`;
  return t;
}

function fieldRows(schema: SchemaNode | undefined): string[] {
  const props = schema?.properties ?? schema?.anyOf?.find((a) => a.properties)?.properties;
  if (!props) return [];
  const required = new Set(schema?.required ?? []);
  return Object.entries(props).map(([name, s]) => {
    const dflt = s.default !== undefined ? ` (default ${JSON.stringify(s.default)})` : '';
    return `| \`${name}\`${required.has(name) ? '' : '?'} | ${cell(typePhrase(s))}${dflt} | ${cell(s.description ?? '')} |`;
  });
}

function operationSection(method: string, path: string, op: Operation): string {
  const lines = [`### ${method.toUpperCase()} \`${path}\``, ''];
  if (op.summary) lines.push(op.summary, '');
  lines.push(`Access: **${op['x-access'] ?? 'admin'}**.`, '');
  const params = op.parameters ?? [];
  if (params.length > 0) {
    lines.push('| parameter | in | type | meaning |', '|---|---|---|---|');
    for (const p of params) {
      const dflt = p.schema?.default !== undefined ? ` (default ${JSON.stringify(p.schema.default)})` : '';
      lines.push(`| \`${p.name}\`${p.required ? '' : '?'} | ${p.in} | ${cell(typePhrase(p.schema))}${dflt} | ${cell(p.description ?? p.schema?.description ?? '')} |`);
    }
    lines.push('');
  }
  const body = op.requestBody?.content?.['application/json']?.schema;
  const rows = fieldRows(body);
  if (rows.length > 0) lines.push('| body field | type | meaning |', '|---|---|---|', ...rows, '');
  else if (body) lines.push(`Body: ${cell(typePhrase(body))}${body.description ? ` — ${cell(body.description)}` : ''}.`, '');
  const codes = Object.keys(op.responses ?? {});
  if (codes.length > 0) lines.push(`Answers: ${codes.join(', ')}.`, '');
  return lines.join('\n');
}

/** The Markdown reference of every route, grouped by tag in the order tags first appear. */
export function renderApiMarkdown(doc: OpenApiDoc): string {
  const groups = new Map<string, string[]>();
  let count = 0;
  for (const path of Object.keys(doc.paths).sort()) {
    const ops = doc.paths[path] ?? {};
    for (const method of METHOD_ORDER) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      groups.set(tag, [...(groups.get(tag) ?? []), operationSection(method, path, op)]);
      count++;
    }
  }
  const head = [
    '# REST API reference',
    '',
    '<!-- Generated from the OpenAPI document (src/http/api-docs.ts): run `npm run gen:docs` after changing a route. -->',
    '',
    `${doc.info.description ?? ''}`,
    '',
    `${count} operations. The same document, machine-readable, is served at \`/api/openapi.json\`. Access levels: ` +
      '**public** (always open), **read** (viewer role or a read token), **control** (operator role or a control token), ' +
      '**admin** (admin role or an admin token); with authentication off (the loopback default) nothing is checked. ' +
      'Errors are `{"error", "code", "field"?, "details"?}`; a parameter marked `?` is optional.',
    '',
  ];
  const body = [...groups.entries()].map(([tag, sections]) => [`## ${tag}`, '', ...sections].join('\n'));
  return `${[...head, ...body].join('\n').trimEnd()}\n`;
}
