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

/**
 * Waits for `work` at most `ms` on `clock`: true when it settled in time, false when the time ran
 * out (the work goes on; shutdown paths use this so one hung part cannot hold up the rest).
 */
export async function settlesWithin(clock: Clock, work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const late = new Promise<false>((resolve) => (timer = clock.setTimeout(() => resolve(false), ms)));
  const settled = work.then(() => true as const, () => true as const);
  try {
    return await Promise.race([settled, late]);
  } finally {
    clock.clearTimeout(timer);
  }
}
