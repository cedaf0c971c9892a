// Outlet spec syntax (§12.2): comma-separated `N` or `A-B` items, whitespace ignored, `all` =
// every outlet, "" = none. Overlapping items are an error because they usually hide a typo.
// Only the syntax is checked here; outlet numbers beyond the device's count need the device.

export type OutletSpec = { all: true } | { all: false; ranges: Array<[number, number]> };

export type OutletSpecResult = { ok: true; spec: OutletSpec; normalized: string } | { ok: false; message: string; hint: string };

const HINT = 'write outlet numbers and ranges separated by commas, e.g. "1,3-5", or "all", or "" for none';

export function parseOutletSpec(input: string | number): OutletSpecResult {
  const text = String(input).replace(/\s+/g, '');
  if (text === '') return { ok: true, spec: { all: false, ranges: [] }, normalized: '' };
  if (text.toLowerCase() === 'all') return { ok: true, spec: { all: true }, normalized: 'all' };

  const ranges: Array<[number, number]> = [];
  for (const item of text.split(',')) {
    if (item === '') return { ok: false, message: `has an empty item in "${text}"`, hint: HINT };
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) return { ok: false, message: `item "${item}" is not a number or a range A-B`, hint: HINT };
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1) return { ok: false, message: `item "${item}": outlets are numbered from 1`, hint: HINT };
    if (b < a) return { ok: false, message: `range "${item}" runs backwards`, hint: `write it as ${b}-${a}` };
    const clash = ranges.find(([x, y]) => a <= y && x <= b);
    if (clash) {
      const other = clash[0] === clash[1] ? `${clash[0]}` : `${clash[0]}-${clash[1]}`;
      return { ok: false, message: `item "${item}" overlaps "${other}"`, hint: 'list each outlet only once' };
    }
    ranges.push([a, b]);
  }
  const normalized = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
  return { ok: true, spec: { all: false, ranges }, normalized };
}

/** Whether outlet `n` is in a parsed spec. */
export function outletInSpec(spec: OutletSpec, n: number): boolean {
  return spec.all || spec.ranges.some(([a, b]) => n >= a && n <= b);
}

/** The outlets of a parsed spec on a device with `outletCount` outlets. */
export function outletsOf(spec: OutletSpec, outletCount: number): number[] {
  return Array.from({ length: outletCount }, (_, i) => i + 1).filter((n) => outletInSpec(spec, n));
}
