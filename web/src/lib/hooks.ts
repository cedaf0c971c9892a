import { useEffect, useState } from 'preact/hooks';
import { ticks } from './live';
import { useStore } from './store';

/** Re-render every `ms` (for ages and clocks). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(performance.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

/** A number that changes whenever a /ws message of one of `types` arrives (a refetch dependency). */
export function useTicks(...types: string[]): number {
  const t = useStore(ticks);
  return types.reduce((sum, k) => sum + (t[k] ?? 0), 0);
}

/** `useTicks`, but changing at most every `ms`: for pages that refetch a list on live messages. */
export function useThrottledTicks(ms: number, ...types: string[]): number {
  const n = useTicks(...types);
  const [shown, setShown] = useState(n);
  useEffect(() => {
    if (n === shown) return;
    const t = window.setTimeout(() => setShown(n), ms);
    return () => window.clearTimeout(t);
  }, [n, shown, ms]);
  return shown;
}
