import fastifyStatic from '@fastify/static';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpApp } from './context.js';

// The bundled dashboard (SPEC §18) at `/`: Vite's hashed files under /assets/ are cached for a
// year, index.html is revalidated on every load; any other GET outside the API, /ws and /metrics
// is a dashboard page and gets index.html (the app routes on the client). The static files are
// public (SPEC §14.1, access.ts): the login and first-run pages load from them. Without a build
// `/` says how to make one, and unknown /api paths keep their 404 JSON.

/** Where `npm run build` puts the dashboard: dist/web beside dist/http (built), from src/http (tests), or under the working directory (bench builds). */
export function webRootCandidates(here: string = dirname(fileURLToPath(import.meta.url))): string[] {
  return [resolve(here, '../web'), resolve(here, '../../dist/web'), resolve(process.cwd(), 'dist/web')];
}

export function findWebRoot(candidates: readonly string[] = webRootCandidates()): string | null {
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** Paths that are never dashboard pages (the data routes of access.ts). */
const DATA_PATH = /^\/(api(\/|$)|ws$|metrics$)/i;
/** Vite's content-hashed output: safe to cache forever. */
const HASHED_ASSET = /^\/assets\/[\w.-]+$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';

const MISSING_BUILD = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>power2mqtt</title></head>
<body><h1>power2mqtt</h1><p>The dashboard is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p>The REST API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>\n`;

export async function registerStatic(app: HttpApp, root: string | null = findWebRoot()): Promise<void> {
  if (root !== null) await app.register(fastifyStatic, { root, serve: false });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = safeDecode((req.url.split('?')[0] ?? '/').replace(/\/{2,}/g, '/'));
    // Any spelling of a data path (`/API/…`, `/x/../api/…`) is a 404, not the dashboard page.
    if (DATA_PATH.test(posix.normalize(path))) return reply.callNotFound();
    if (root === null) return reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(MISSING_BUILD);
    if (HASHED_ASSET.test(path)) {
      if (!isFile(join(root, path))) return reply.callNotFound();
      return reply.header('cache-control', IMMUTABLE).sendFile(path.slice(1), root, { cacheControl: false });
    }
    // Other files at the root (favicon, …): short-lived; everything else is a page of the app.
    const file = path !== '/' && !path.includes('..') && isFile(join(root, path)) ? path.slice(1) : 'index.html';
    return reply.header('cache-control', 'no-cache').sendFile(file, root, { cacheControl: false });
  };
  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
