import { useEffect, useReducer } from 'preact/hooks';

/** A value with subscribers: the dashboard's whole state model (no framework store needed). */
export class Store<T> {
  private subs = new Set<() => void>();
  constructor(public value: T) {}
  set(value: T): void {
    this.value = value;
    for (const fn of this.subs) fn();
  }
  update(fn: (v: T) => T): void {
    this.set(fn(this.value));
  }
  subscribe(fn: () => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
}

/** Re-render the calling component whenever the store changes. */
export function useStore<T>(store: Store<T>): T {
  const [, tick] = useReducer((n: number, _a: undefined) => n + 1, 0);
  useEffect(() => store.subscribe(() => tick(undefined)), [store]);
  return store.value;
}
