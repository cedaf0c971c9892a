import { existsSync, readFileSync } from 'node:fs';
import { procStatusMb } from './ipc.js';

// Which C allocator the load run's app process uses (issue 10: RSS grows outside the V8 heap with
// glibc's default arenas). The choice is applied to the app's child process only, through its
// environment; the child reports what it actually got (read back from /proc/self/maps), so a
// missing library cannot pass unnoticed.

export const MALLOC_CHOICES = ['glibc', 'arena2', 'jemalloc'] as const;
export type MallocChoice = (typeof MALLOC_CHOICES)[number];

const TRIPLET: Partial<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

/** Debian's libjemalloc2 for this architecture, or null when it is not installed. */
export function jemallocPath(): string | null {
  const triplet = TRIPLET[process.arch];
  const candidates = [triplet ? `/usr/lib/${triplet}/libjemalloc.so.2` : null, '/usr/lib/libjemalloc.so.2', '/usr/local/lib/libjemalloc.so.2'];
  return candidates.find((p): p is string => p !== null && existsSync(p)) ?? null;
}

/** Environment overrides for the app process; throws with the fix when jemalloc is asked for but missing. */
export function mallocEnv(choice: MallocChoice): Record<string, string> {
  if (choice === 'arena2') return { MALLOC_ARENA_MAX: '2' };
  if (choice === 'jemalloc') {
    const lib = jemallocPath();
    if (!lib) throw new Error('--load-malloc jemalloc: libjemalloc.so.2 not found (Debian: apt-get install libjemalloc2)');
    return { LD_PRELOAD: lib };
  }
  return {};
}

/** What this process runs on, e.g. "jemalloc (LD_PRELOAD …)" or "glibc malloc (MALLOC_ARENA_MAX=2)". */
export function allocatorInUse(env: NodeJS.ProcessEnv = process.env): string {
  let maps = '';
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return 'unknown (no /proc/self/maps)';
  }
  const jemalloc = /\S*libjemalloc\S*/.exec(maps);
  if (jemalloc) return `jemalloc (${jemalloc[0]})`;
  return `glibc malloc (${env.MALLOC_ARENA_MAX ? `MALLOC_ARENA_MAX=${env.MALLOC_ARENA_MAX}` : 'default arenas'})`;
}

/** RssAnon and RssFile of this process in MB (Linux), null elsewhere. */
export function rssSplitMb(): { anon: number; file: number } | null {
  const s = procStatusMb('self', ['RssAnon', 'RssFile']);
  return s && { anon: s.RssAnon, file: s.RssFile };
}
