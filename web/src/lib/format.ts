// Pure display helpers: fixed decimals so live values never change width (tabular figures in CSS).

export function num(v: number | null | undefined, digits = 1, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(digits)}${unit === '' ? '' : ` ${unit}`}`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'no data';
  if (seconds < 1.5) return 'just now';
  return `${duration(seconds)} ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date-time, minutes precision: 2026-11-24 15:25. */
export function dateTime(t: number | string | null | undefined): string {
  if (t === null || t === undefined || t === '') return '—';
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `<input type="datetime-local">` value ↔ epoch seconds. */
export function toLocalInput(epochS: number): string {
  const d = new Date(epochS * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(v: string): number | null {
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}

/** Load-state → CSS tone (SPEC §8: normal, low, nearOverload, overload). */
export function loadTone(state: string | null | undefined): 'ok' | 'warn' | 'bad' | 'muted' {
  if (state === 'overload') return 'bad';
  if (state === 'nearOverload') return 'warn';
  if (state === 'normal') return 'ok';
  return 'muted';
}

/** Outlet numbers of a §12.2 spec ("1,3,5-8", "all"); unknown syntax → empty. */
export function parseOutletSpec(spec: string | undefined, count: number): Set<number> {
  const out = new Set<number>();
  if (!spec) return out;
  for (const raw of spec.split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === '') continue;
    if (item === 'all') for (let i = 1; i <= count; i++) out.add(i);
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (m) for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.add(i);
  }
  return out;
}
