// docs/API.md is generated from the OpenAPI document; this fails when the committed file is stale
// (`npm run gen:docs` rewrites it), and checks the generator on a few hand-made operations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderApiMarkdown, typePhrase, type OpenApiDoc } from '../../../src/http/api-docs.js';
import { buildHttpServer } from '../../../src/http/server.js';
import { fakeHttpContext } from '../../support/http-ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FILE = path.join(ROOT, 'docs/API.md');

describe('docs/API.md', () => {
  it('matches the OpenAPI document of the server', async () => {
    const app = await buildHttpServer(fakeHttpContext().ctx);
    await app.ready();
    const doc = app.swagger() as unknown as OpenApiDoc;
    await app.close();
    const generated = renderApiMarkdown({ ...doc, info: { ...doc.info, version: 'current' } });
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(FILE, generated);
    const committed = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
    expect(committed, 'docs/API.md is stale: run npm run gen:docs').toBe(generated);
    const ops = Object.values(doc.paths).reduce((n, o) => n + Object.keys(o).length, 0);
    expect(ops).toBeGreaterThan(60);
    expect(generated).toContain(`${ops} operations`);
    expect(generated.match(/^### (GET|POST|PUT|PATCH|DELETE) /gm)).toHaveLength(ops);
  });

  it.each([
    [{ type: 'integer', minimum: 1, maximum: 8760 }, 'integer 1..8760'],
    [{ enum: ['on', 'off'] }, '"on" \\| "off"'],
    [{ type: 'array', items: { type: 'string' } }, 'list of string'],
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, 'string or number'],
    [{ type: ['string', 'null'] }, 'string'],
    [undefined, 'any'],
  ])('typePhrase(%j) = %s', (schema, phrase) => {
    expect(typePhrase(schema)).toBe(phrase);
  });

  it('writes parameters, body fields and access of one operation', () => {
    const md = renderApiMarkdown({
      info: { title: 't', version: '1', description: 'D' },
      paths: {
        '/api/x/{n}': {
          put: {
            summary: 'Change x', tags: ['x'], 'x-access': 'control',
            parameters: [{ name: 'n', in: 'path', required: true, schema: { type: 'integer' } }],
            requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['a'], properties: { a: { type: 'string', description: 'the a' }, b: { type: 'boolean', default: false } } } } } },
            responses: { 200: {}, 400: {} },
          },
        },
      },
    });
    expect(md).toContain('### PUT `/api/x/{n}`');
    expect(md).toContain('Access: **control**.');
    expect(md).toContain('| `n` | path | integer |  |');
    expect(md).toContain('| `a` | string | the a |');
    expect(md).toContain('| `b`? | boolean (default false) |  |');
    expect(md).toContain('Answers: 200, 400.');
  });
});
