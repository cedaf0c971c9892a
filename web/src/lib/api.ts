import { Store } from './store';

// Same-origin fetch with JSON in and out. The browser adds `Sec-Fetch-Site: same-origin`, which the
// server's CSRF rule (SPEC §16.2) accepts; the session cookie rides along (SameSite=Strict).

export class ApiError extends Error {
  constructor(public status: number, message: string, public body: ApiErrorBody | null) {
    super(message);
  }
}

export interface ApiErrorBody {
  error?: string;
  code?: string;
  details?: Array<{ field?: string; path?: string | Array<string | number>; message?: string } | string>;
  [k: string]: unknown;
}

/** Set when any call answers 401: the shell then shows the login overlay (or first-run page). */
export const authLost = new Store(0);

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data: unknown = null;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const b = (typeof data === 'object' && data !== null ? data : null) as ApiErrorBody | null;
    if (res.status === 401 && !path.startsWith('/api/auth/')) authLost.update((n) => n + 1);
    throw new ApiError(res.status, b?.error ?? `${res.status} ${res.statusText}`, b);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

/** Every message of an error, details included, for a form's error box. */
export function errorLines(err: unknown): string[] {
  if (err instanceof ApiError) {
    const details = (err.body?.details ?? []).map((d) => {
      if (typeof d === 'string') return d;
      const field = d.field ?? (Array.isArray(d.path) ? d.path.join('.') : d.path);
      return field ? `${field}: ${d.message ?? ''}` : (d.message ?? JSON.stringify(d));
    });
    // The server's message often joins its details: then the details alone, one per line.
    const covered = details.length > 0 && details.every((d) => err.message.includes(d.replace(/^[^:]+: /, '')));
    return covered ? details : [err.message, ...details];
  }
  return [err instanceof Error ? err.message : String(err)];
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}
