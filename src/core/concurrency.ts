import type { Clock } from './clock.js';

// Bounded fan-out shared by the switch prober, the discovery scan and address recovery: each
// item once, at most `limit` at a time, and a deadline on the injected clock.

/**
 * Runs `fn` on every item, at most `limit` at once, starting them in order. Once `stop()` is
 * true no further item is started (running ones finish). Resolves with how many were started.
 */
export async function forEachLimited<T>(
  items: readonly T[], limit: number, fn: (item: T) => Promise<void>, stop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop()) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return next;
}

/** An AbortSignal that fires after `ms` on `clock`; `cancel()` disarms it. */
export function deadlineSignal(clock: Clock, ms: number, reason: string): { signal: AbortSignal; cancel: () => void } {
  const ac = new AbortController();
  const timer = clock.setTimeout(() => ac.abort(new Error(reason)), ms);
  return { signal: ac.signal, cancel: () => clock.clearTimeout(timer) };
}
