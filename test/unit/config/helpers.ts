// Shared by the config tests: real files in a temp dir, loaded through loadConfig.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, expect } from 'vitest';
import { formatIssue } from '../../../src/config/check.js';
import { loadConfig, type ConfigIssue, type LoadResult } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'p2m-config-'));
  dirs.push(d);
  return d;
}

/** Writes `content` (YAML text, or an object serialised as YAML) to <dir>/<name>. */
export function writeFile(dir: string, name: string, content: string | object): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : YAML.stringify(content));
  return file;
}

/** Loads `content` as ./config.yaml of a fresh temp dir, with `env`. */
export function loadYaml(content: string | object | null, env: Record<string, string> = {}): LoadResult {
  const dir = tempDir();
  if (content !== null) writeFile(dir, 'config.yaml', content);
  return loadConfig({ cwd: dir, env });
}

export function expectOk(result: LoadResult): Extract<LoadResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.issues.map(formatIssue).join('\n')}`);
  return result;
}

export function expectConfig(result: LoadResult): Config {
  return expectOk(result).config;
}

export function expectIssues(result: LoadResult): ConfigIssue[] {
  expect(result.ok, 'expected the config to be rejected').toBe(false);
  return result.ok ? [] : result.issues;
}

/** The one issue at `path` (fails when there is none). */
export function issueAt(result: LoadResult, path: string): ConfigIssue {
  const issues = expectIssues(result);
  const hit = issues.find((i) => i.path === path);
  if (!hit) throw new Error(`no issue at ${path}; got:\n${issues.map(formatIssue).join('\n')}`);
  return hit;
}

/** A syntactically valid scrypt hash (§16.1) for tests; it verifies no real password. */
export const HASH = 'scrypt$16384$8$5$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==';
