// Helpers of the security proofs (test/integration/security): a raw HTTP client that sends the
// request line exactly as written (fetch and URL normalise `..`, `//` and percent-escapes away,
// which would hide the very tricks under test), the web server's route table, and the access
// level each route declares in the live OpenAPI document.
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or null when the body is not JSON. */
  json: any;
}

export interface RawRequest {
  method: string;
  /** Sent verbatim as the request target. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One request on its own connection; the path is not normalised. Bounded by a 10 s timeout. */
export function rawRequest(base: string, r: RawRequest): Promise<RawReply> {
  const url = new URL(base);
  const body = r.body === undefined ? undefined : JSON.stringify(r.body);
  const headers: Record<string, string> = { connection: 'close', ...(r.headers ?? {}) };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: r.method, path: r.path, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = text === '' ? null : JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${r.method} ${r.path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface RouteEntry {
  method: string;
  /** Fastify's form: `/api/rules/:name`. */
  url: string;
}

/**
 * Every method/URL pair of a built server, read from fastify's own route tree
 * (`printRoutes`: one node per line, 4 characters of tree drawing per level, methods in brackets).
 */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m || line.trim() === '') continue;
    const depth = (m[1] as string).length / 4;
    // A node's label continues its parent's path: `api/auth/tokens` then `/:id`, `api/demo/scenario` then `s`.
    const full = (depth > 1 ? (stack[depth - 1] ?? '') : '') + (m[2] as string);
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, url: full });
  }
  return out;
}

export type Access = 'public' | 'read' | 'control' | 'admin';

/** `get /api/rules/{name}` → access, from the `x-access` extension of the live OpenAPI document. */
export function openApiAccess(doc: { paths: Record<string, Record<string, { 'x-access'?: Access }>> }): Map<string, Access> {
  const out = new Map<string, Access>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op['x-access']) out.set(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, op['x-access']);
    }
  }
  return out;
}

/** Opens /ws; resolves with the refused handshake's status, or 101 once the server said hello. */
export function wsStatus(base: string, query = '', headers: Record<string, string> = {}, path = '/ws'): Promise<number> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${path}${query}`, { headers, handshakeTimeout: 5000 });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('message', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', reject);
  });
}
