// Outlet spec strings (SPEC §12.2): "", "3", "1,3,5", "1-4,7", "all". Pure.

export type OutletSpecResult = { ok: true; outlets: number[] | 'all' } | { ok: false; error: string };

export function parseOutletSpec(spec: string | number | readonly number[]): OutletSpecResult {
  if (typeof spec === 'number') spec = String(spec);
  if (Array.isArray(spec)) spec = spec.join(',');
  const text = (spec as string).trim().toLowerCase();
  if (text === '') return { ok: true, outlets: [] };
  if (text === 'all' || text === '*') return { ok: true, outlets: 'all' };
  const out = new Set<number>();
  for (const partRaw of text.split(',')) {
    const part = partRaw.trim();
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return { ok: false, error: `"${part}" is not an outlet number or range (use e.g. "1,3-5")` };
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b < 1) return { ok: false, error: `outlet numbers start at 1 (got "${part}")` };
    if (b < a) return { ok: false, error: `range "${part}" runs backwards (write "${b}-${a}")` };
    if (b - a > 1024) return { ok: false, error: `range "${part}" is too long` };
    for (let n = a; n <= b; n++) out.add(n);
  }
  return { ok: true, outlets: [...out].sort((x, y) => x - y) };
}

/** Resolve a parsed spec against a device's outlet count. */
export function outletsOf(result: OutletSpecResult, outletCount: number): number[] {
  if (!result.ok) return [];
  if (result.outlets === 'all') return Array.from({ length: outletCount }, (_, i) => i + 1);
  return result.outlets.filter((n) => n <= outletCount);
}
