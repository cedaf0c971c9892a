// prestart / prebench: compile (and build the dashboard) when dist/ is missing or older than any source file, so a fresh
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

const tsc = (project) => ({ what: `tsc -p ${project}`, args: ['node_modules/typescript/bin/tsc', '-p', project] });
const builds = [
  { ...tsc('tsconfig.build.json'), out: 'dist/main.js', sources: ['src'] },
  ...(process.argv.includes('--bench') ? [{ ...tsc('tsconfig.bench.json'), out: 'dist-bench/bench/run.js', sources: ['src', 'bench', 'test/support'] }] : []),
  // The dashboard (SPEC §18): Vite is a devDependency; an install without it keeps the API running.
  ...(process.argv.includes('--no-web') ? [] : [{ what: 'vite build', args: ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts'], out: 'dist/web/index.html', sources: ['web'], needs: 'node_modules/vite/bin/vite.js' }]),
];
for (const b of builds) {
  const stale = !existsSync(b.out) || Math.max(...b.sources.map(newest)) > statSync(b.out).mtimeMs;
  if (!stale) continue;
  if (b.needs && !existsSync(b.needs)) {
    process.stderr.write(`cannot build ${b.out}: ${b.needs} is missing (npm install with dev dependencies)\n`);
    continue;
  }
  process.stderr.write(`building ${b.out} (${b.what})\n`);
  execFileSync(process.execPath, b.args, { stdio: 'inherit' });
}
