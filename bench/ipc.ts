import type { Clock } from '../src/core/clock.js';

// Small helpers shared by the benchmark's processes.

/** Rejects with `what` when `p` does not settle within `ms` on the clock (every wait is bounded). */
export function withTimeout<T>(clock: Clock, p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
    p.then(
      (v) => {
        clock.clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Send one message to the parent process; resolves when it is handed over (or there is no parent). */
export function sendToParent<M>(m: M): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

export const mb = (bytes: number): number => bytes / 2 ** 20;
