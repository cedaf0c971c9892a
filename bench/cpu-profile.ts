// Summary of a V8 CPU profile (the `.cpuprofile` format of `node --cpu-prof` and of the
// inspector's Profiler.stop): self time per function and per code origin (our src/, each npm
// package, Node internals, GC). Pure: takes the parsed profile, returns numbers.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  /** `function (origin path:line)` */
  name: string;
  origin: string;
  selfMs: number;
  /** Share of the busy (non-idle) sampled time, %. */
  pct: number;
}

export interface ProfileSummary {
  /** Sampled wall time of the profile, ms. */
  totalMs: number;
  /** Sampled time not in `(idle)`, ms (≈ CPU time of the main thread). */
  busyMs: number;
  byOrigin: SelfTimeRow[];
  topFunctions: SelfTimeRow[];
  /** Where the raw profile was written (open it in Chrome DevTools / speedscope). */
  path?: string;
}

/** Where a function's code comes from, for grouping: `src/<dir>`, `npm:<pkg>`, `node`, `(gc)`. */
export function originOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native / VM)';
    return '(native)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/(src|bench)\/(.*)$/.exec(url);
  if (ours) {
    const parts = (ours[2] ?? '').split('/');
    return `${ours[1]}/${parts.length > 1 ? parts.slice(0, -1).join('/') : parts[0]}`;
  }
  return url;
}

function shortPath(url: string): string {
  const pkg = /node_modules\/(.*)$/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const ours = /\/((?:src|bench)\/.*)$/.exec(url);
  if (ours) return ours[1] ?? url;
  return url.replace(/^file:\/\//, '');
}

/** Self time per node id from samples + timeDeltas (sample i lasts until sample i+1). */
function selfTimes(p: CpuProfile): Map<number, number> {
  const out = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (samples.length === 0) {
    // Fallback: hitCount × mean interval.
    const hits = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    const per = hits > 0 ? (p.endTime - p.startTime) / hits : 0;
    for (const n of p.nodes) out.set(n.id, (n.hitCount ?? 0) * per);
    return out;
  }
  let t = p.startTime;
  const stamps = samples.map((_, i) => (t += deltas[i] ?? 0));
  for (let i = 0; i < samples.length; i++) {
    const next = i + 1 < samples.length ? (stamps[i + 1] as number) : p.endTime;
    const dur = Math.max(0, next - (stamps[i] as number));
    const id = samples[i] as number;
    out.set(id, (out.get(id) ?? 0) + dur);
  }
  return out;
}

export function summarizeProfile(p: CpuProfile, top = 15): ProfileSummary {
  const self = selfTimes(p);
  const byFn = new Map<string, { origin: string; us: number }>();
  const byOrigin = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const origin = originOf(url, functionName);
    totalUs += us;
    if (origin === '(idle)') {
      idleUs += us;
      continue;
    }
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
    const name = url ? `${functionName || '(anonymous)'} (${shortPath(url)}:${lineNumber + 1})` : functionName;
    const f = byFn.get(name) ?? { origin, us: 0 };
    f.us += us;
    byFn.set(name, f);
  }
  const busyUs = totalUs - idleUs;
  const row = (name: string, origin: string, us: number): SelfTimeRow => ({
    name, origin, selfMs: us / 1000, pct: busyUs > 0 ? (100 * us) / busyUs : 0,
  });
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    byOrigin: [...byOrigin].sort((a, b) => b[1] - a[1]).map(([o, us]) => row(o, o, us)),
    topFunctions: [...byFn].sort((a, b) => b[1].us - a[1].us).slice(0, top).map(([name, f]) => row(name, f.origin, f.us)),
  };
}
