import { localParts } from '../core/calendar.js';

// Number, time and text formatting shared by the HTML and PDF renderers (pure, locale-free so a
// report reads the same on every host). null is shown as an em dash.

export const NONE = '—';
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** kWh with 3 decimals below 1 kWh, else 2. */
export function kwh(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return NONE;
  return `${v.toFixed(Math.abs(v) < 1 ? 3 : 2)} kWh`;
}

export function watts(v: number | null): string {
  return v === null || !Number.isFinite(v) ? NONE : `${Math.round(v)} W`;
}

/** A share of a total, e.g. "42.5 %". */
export function percent(v: number | null): string {
  return v === null || !Number.isFinite(v) ? NONE : `${v.toFixed(1)} %`;
}

/** A change with its sign, e.g. "+12.0 %" / "-3.4 %". */
export function change(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return NONE;
  return `${v > 0 ? '+' : ''}${v.toFixed(1)} %`;
}

export function money(v: number | null, currency: string): string {
  return v === null || !Number.isFinite(v) ? NONE : `${v.toFixed(2)} ${currency}`;
}

/** "45 s", "12 min", "1 h 05 min", "2 d 3 h". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return NONE;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${pad(m % 60)} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Local wall time "YYYY-MM-DD HH:MM" of an epoch second in `tz`. */
export function localTime(epochS: number, tz: string): string {
  const p = localParts(epochS, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** Text safe inside HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
