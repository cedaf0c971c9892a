// prestart / prebench: compile when dist/ is missing or older than any source file, so a fresh
// clone runs with `npm install && npm start`, and an edited tree never runs stale code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const builds = [
  { project: 'tsconfig.build.json', out: 'dist/main.js', sources: ['src'] },
  ...(process.argv.includes('--bench') ? [{ project: 'tsconfig.bench.json', out: 'dist-bench/bench/run.js', sources: ['src', 'bench'] }] : []),
];
for (const b of builds) {
  const stale = !existsSync(b.out) || Math.max(...b.sources.map(newest)) > statSync(b.out).mtimeMs;
  if (stale) {
    process.stderr.write(`building ${b.out} (tsc -p ${b.project})\n`);
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', b.project], { stdio: 'inherit' });
  }
}
