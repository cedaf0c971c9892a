// The import rules of ARCHITECTURE.md are checked by dependency-cruiser (npm run lint:imports).
// A check that reads zero files would pass silently (SPEC §2.1: TypeScript 7 did exactly that),
// so this test proves both that the real tree is read and that a planted violation fails.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface CruiseResult {
  code: number;
  modules: number;
  rules: string[];
}

/** Runs the same command as `npm run lint:imports` and reads its text report. */
async function cruise(cwd: string): Promise<CruiseResult> {
  let code = 0;
  let out: string;
  try {
    out = (await run(process.execPath, [BIN, 'src', '--config', CONFIG], { cwd, maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const e = err as { code: number; stdout: string };
    code = e.code;
    out = e.stdout;
  }
  const modules = Number(/(\d+) modules, \d+ dependencies cruised/.exec(out)?.[1] ?? -1);
  const rules = [...out.matchAll(/^\s*error ([a-z-]+):/gm)].map((m) => m[1] as string);
  return { code, modules, rules };
}

const tmp = mkdtempSync(join(tmpdir(), 'p2m-depcruise-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'case-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('import rules (dependency-cruiser)', () => {
  it('reads the real source tree and finds no violation', async () => {
    const r = await cruise(ROOT);
    expect(r.modules).toBeGreaterThan(40);
    expect(r.rules).toEqual([]);
    expect(r.code).toBe(0);
  }, 60_000);

  it.each([
    ['core importing devices', { 'src/core/a.ts': "import { b } from '../devices/b.js';\nexport const a = b;\n", 'src/devices/b.ts': 'export const b = 1;\n' }, 'core-is-innermost'],
    ['one service importing another', { 'src/mqtt/a.ts': "import { b } from '../history/b.js';\nexport const a = b;\n", 'src/history/b.ts': 'export const b = 1;\n' }, 'services-do-not-import-each-other'],
    ['a service importing devices/', { 'src/http/a.ts': "import { b } from '../devices/b.js';\nexport const a = b;\n", 'src/devices/b.ts': 'export const b = 1;\n' }, 'services-do-not-import-each-other'],
    ['a profile importing code', { 'src/devices/pdu/profiles/a.ts': "import { b } from '../decode.js';\nexport const a = b;\n", 'src/devices/pdu/decode.ts': 'export const b = 1;\n' }, 'profiles-are-data'],
    ['a cycle', { 'src/devices/a.ts': "import { b } from './b.js';\nexport const a = 1 + b;\n", 'src/devices/b.ts': "import { a } from './a.js';\nexport const b = a;\n" }, 'no-circular'],
  ])('fails on a planted violation: %s', async (_name, files, rule) => {
    const r = await cruise(plant(files));
    expect(r.code).not.toBe(0);
    expect(r.modules).toBeGreaterThanOrEqual(2);
    expect(r.rules).toContain(rule);
  }, 60_000);
});
