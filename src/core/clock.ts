// The only place in power2mqtt that reads the wall clock or arms timers.
// Everything else receives a Clock, so timing logic runs on FakeClock in tests.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds (only differences are meaningful). */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Resolves after `ms` on this clock. */
  sleep(ms: number): Promise<void>;
}

export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    this.timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
}

interface FakeTimer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * Deterministic clock for tests. Time moves only through advance(); timers fire
 * in due order, and pending promise callbacks run between timers so async code
 * driven by the clock (await sleep, await cycle) behaves as with real time.
 */
export class FakeClock implements Clock {
  private t: number;
  private readonly startMono: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;
  private seq = 0;

  constructor(startEpochMs = Date.UTC(2026, 0, 1)) {
    this.t = startEpochMs;
    this.startMono = startEpochMs;
  }

  now(): number {
    return this.t;
  }

  monotonic(): number {
    return this.t - this.startMono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { id: this.nextId++, due: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((x) => x.id !== handle.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  /** Advance time by `ms`, firing due timers in order and flushing microtasks between them. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
      await flushMicrotasks();
    }
    this.t = target;
    await flushMicrotasks();
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const x of this.timers) {
      if (!best || x.due < best.due || (x.due === best.due && x.seq < best.seq)) best = x;
    }
    return best;
  }
}

async function flushMicrotasks(): Promise<void> {
  // A few macrotask-free turns let chained awaits settle.
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
