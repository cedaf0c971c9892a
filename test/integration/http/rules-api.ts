// Helpers of the /api/rules and /api/events tests against the real app: JSON over fetch and the
// wait for the demo PDU's first samples.
import { readFileSync } from 'node:fs';
import { expect, vi } from 'vitest';
import type { TestApp } from '../../support/app.js';

export interface Reply {
  status: number;
  body: any;
}

/** One request; a body (even `{}`) is sent as JSON, none means no Content-Type either. */
export async function api(t: TestApp, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${t.webUrl!}${path}`, {
    method,
    signal: AbortSignal.timeout(10_000),
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** rules.json as the service wrote it. */
export function rulesOnDisk(t: TestApp): Array<Record<string, unknown>> {
  return JSON.parse(readFileSync(t.config.rules.path, 'utf8')) as Array<Record<string, unknown>>;
}

/** The demo PDU has reported (outlet count known): every rule in the list is active. */
export async function waitForActiveRules(t: TestApp, count: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const r = await api(t, 'GET', '/api/rules');
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(count);
      for (const rule of r.body as Array<{ state: { inactive: string | null } }>) expect(rule.state.inactive).toBeNull();
    },
    { timeout: 15_000, interval: 200 },
  );
}

