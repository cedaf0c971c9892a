// Serving the built dashboard (SPEC §18, src/http/static.ts): hashed assets cached for a year,
// index.html revalidated, client routes answered with index.html, data paths left to the 404.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../../../src/http/context.js';
import { findWebRoot, IMMUTABLE, registerStatic } from '../../../src/http/static.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2m-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>dash</title>');
  writeFileSync(join(dir, 'assets/index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function app(root: string | null) {
  const a = Fastify();
  a.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));
  await registerStatic(a as unknown as HttpApp, root);
  return a;
}

describe('registerStatic', () => {
  it('serves index.html with no-cache at / and for every client route', async () => {
    const a = await app(dir);
    for (const url of ['/', '/charts', '/rules/', '/some/deep/link?x=1']) {
      const r = await a.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(/^text\/html/);
      expect(r.headers['cache-control'], url).toBe('no-cache');
      expect(r.body).toContain('<title>dash</title>');
    }
  });

  it('caches hashed assets for a year; a missing asset is a 404, not the page', async () => {
    const a = await app(dir);
    const js = await a.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe(IMMUTABLE);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await a.inject({ method: 'GET', url: '/assets/index-gone.js' })).statusCode).toBe(404);
    const icon = await a.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('leaves /api, /ws and /metrics to the 404 handler and refuses path traversal', async () => {
    const a = await app(dir);
    for (const url of ['/api/nope', '/api', '/ws', '/metrics', '/API/status', '/Api/auth/tokens', '/x/../api/status', '/%61pi/status', '/METRICS']) {
      const r = await a.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error, url).toMatch(/no route/);
    }
    // An encoded ../ never reaches a file outside the build: the answer is the page itself.
    for (const url of ['/assets/..%2f..%2fetc%2fpasswd', '/..%2f..%2fetc%2fpasswd', '/assets/..']) {
      const r = await a.inject({ method: 'GET', url });
      expect(r.body, url).not.toMatch(/root:/);
      expect([200, 404], url).toContain(r.statusCode);
      if (r.statusCode === 200) expect(r.body, url).toContain('<title>dash</title>');
    }
  });

  it('without a build says how to make one', async () => {
    const a = await app(null);
    const r = await a.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('npm run build');
    expect(findWebRoot([join(dir, 'nothing-here')])).toBeNull();
    expect(findWebRoot([join(dir, 'nothing-here'), dir])).toBe(dir);
  });
});
