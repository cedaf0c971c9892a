import type { Clock, TimerHandle } from './clock.js';
import { RecentSamples } from './stats.js';

/** What a cycle gets: when it was due, and a signal that aborts at its deadline. */
export interface CycleContext {
  readonly cycle: number;
  /** Monotonic ms at which this cycle was due. */
  readonly dueAt: number;
  /** Monotonic ms at which it actually started. */
  readonly startedAt: number;
  readonly deadlineMs: number;
  readonly signal: AbortSignal;
}

export interface TargetSpec {
  id: string;
  periodMs: number;
  /** Upper bound of one cycle; clamped below the period so cycles cannot pile up. */
  deadlineMs: number;
  /** Delay of the first cycle (staggering many targets). Default 0. */
  offsetMs?: number;
  run(ctx: CycleContext): Promise<void>;
}

export interface TargetStats {
  id: string;
  periodMs: number;
  started: number;
  completed: number;
  failed: number;
  deadlineExceeded: number;
  /** Due cycles that did not start because the previous one was still running. */
  overruns: number;
  /** Due cycles skipped because the event loop was blocked past them. */
  missed: number;
  lastDurationMs: number;
  /** Percentiles over the recent cycles (`count` of them); `total` and `sum` over every cycle since the target was added. */
  latenessMs: { p50: number; p99: number; max: number; count: number; total: number; sum: number };
  durationMs: { p50: number; p99: number; max: number };
}

export interface ScheduledTarget {
  readonly id: string;
  stats(): TargetStats;
  /** Change the period (e.g. backoff); the next cycle becomes due one new period after the last due time. */
  setPeriod(periodMs: number, deadlineMs?: number): void;
  /** Start a cycle now unless one is running (e.g. after a trap). Does not shift the fixed-rate grid. */
  triggerNow(): void;
  cancel(): void;
}

/** Deadline of a cycle: never more than 90 % of the period (SPEC §7.6). */
export function clampDeadline(deadlineMs: number, periodMs: number): number {
  return Math.max(1, Math.min(deadlineMs, Math.floor(periodMs * 0.9)));
}

class Target implements ScheduledTarget {
  readonly id: string;
  private period: number;
  private deadline: number;
  private nextDue: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private cancelled = false;
  private cycle = 0;
  private inflight: Promise<void> | undefined;
  private controller: AbortController | undefined;
  // The last 512 cycles (8.5 min at 1 Hz) are enough for percentiles; 100s of targets share memory.
  private readonly lateness = new RecentSamples(512);
  private readonly durations = new RecentSamples(512);
  private readonly counts = { started: 0, completed: 0, failed: 0, deadlineExceeded: 0, overruns: 0, missed: 0 };
  private lastDurationMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly spec: TargetSpec,
    private readonly onError: (id: string, err: unknown) => void,
  ) {
    this.id = spec.id;
    this.period = spec.periodMs;
    this.deadline = clampDeadline(spec.deadlineMs, spec.periodMs);
    this.nextDue = clock.monotonic() + (spec.offsetMs ?? 0);
    this.arm();
  }

  private arm(): void {
    if (this.cancelled) return;
    const delay = this.nextDue - this.clock.monotonic();
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    if (this.cancelled) return;
    const now = this.clock.monotonic();
    const due = this.nextDue;
    if (this.running) {
      this.counts.overruns++;
    } else {
      this.lateness.record(now - due);
      this.start(due, now);
    }
    // Fixed-rate grid: the next due time derives from the last due time, not from now.
    let next = due + this.period;
    if (now >= next) {
      // The loop was blocked past one or more due times: run once (above), skip the rest.
      const skipped = Math.floor((now - next) / this.period) + 1;
      this.counts.missed += skipped;
      next += skipped * this.period;
    }
    this.nextDue = next;
    this.arm();
  }

  private start(dueAt: number, startedAt: number): void {
    this.running = true;
    this.counts.started++;
    const ac = new AbortController();
    this.controller = ac;
    const deadlineMs = this.deadline;
    let timedOut = false;
    const deadlineTimer = this.clock.setTimeout(() => {
      timedOut = true;
      ac.abort(new Error(`cycle deadline of ${deadlineMs} ms exceeded`));
    }, deadlineMs);
    const ctx: CycleContext = { cycle: ++this.cycle, dueAt, startedAt, deadlineMs, signal: ac.signal };
    let p: Promise<void>;
    try {
      p = Promise.resolve(this.spec.run(ctx));
    } catch (err) {
      p = Promise.reject(err);
    }
    this.inflight = p.then(
      () => {
        if (timedOut) this.counts.deadlineExceeded++;
        else this.counts.completed++;
      },
      (err: unknown) => {
        if (timedOut) this.counts.deadlineExceeded++;
        else this.counts.failed++;
        this.onError(this.id, err);
      },
    ).finally(() => {
      this.clock.clearTimeout(deadlineTimer);
      this.lastDurationMs = this.clock.monotonic() - startedAt;
      this.durations.record(this.lastDurationMs);
      this.running = false;
      this.inflight = undefined;
      this.controller = undefined;
    });
  }

  stats(): TargetStats {
    return {
      id: this.id,
      periodMs: this.period,
      ...this.counts,
      lastDurationMs: this.lastDurationMs,
      latenessMs: {
        p50: this.lateness.percentile(50),
        p99: this.lateness.percentile(99),
        max: this.lateness.max,
        count: this.lateness.count,
        total: this.lateness.total,
        sum: this.lateness.sum,
      },
      durationMs: { p50: this.durations.percentile(50), p99: this.durations.percentile(99), max: this.durations.max },
    };
  }

  setPeriod(periodMs: number, deadlineMs?: number): void {
    if (periodMs === this.period && deadlineMs === undefined) return;
    const lastDue = this.nextDue - this.period;
    this.period = periodMs;
    this.deadline = clampDeadline(deadlineMs ?? this.spec.deadlineMs, periodMs);
    this.nextDue = Math.max(lastDue + periodMs, this.clock.monotonic());
    this.clock.clearTimeout(this.timer);
    this.arm();
  }

  triggerNow(): void {
    if (this.cancelled || this.running) return;
    const now = this.clock.monotonic();
    this.start(now, now);
  }

  cancel(): void {
    this.cancelled = true;
    this.clock.clearTimeout(this.timer);
    this.controller?.abort(new Error('scheduler stopped'));
  }

  settled(): Promise<void> {
    return this.inflight ?? Promise.resolve();
  }
}

/** One scheduler for the process: fixed-rate, non-overlapping, deadline-bounded cycles per target. */
export class Scheduler {
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly clock: Clock,
    private readonly onError: (id: string, err: unknown) => void = () => {},
  ) {}

  add(spec: TargetSpec): ScheduledTarget {
    if (this.targets.has(spec.id)) throw new Error(`scheduler target "${spec.id}" already exists`);
    const t = new Target(this.clock, spec, this.onError);
    this.targets.set(spec.id, t);
    return t;
  }

  remove(id: string): void {
    this.targets.get(id)?.cancel();
    this.targets.delete(id);
  }

  stats(): TargetStats[] {
    return [...this.targets.values()].map((t) => t.stats());
  }

  /** Cancel every target, abort running cycles, and wait until they have settled. */
  async stop(): Promise<void> {
    const all = [...this.targets.values()];
    for (const t of all) t.cancel();
    await Promise.all(all.map((t) => t.settled()));
    this.targets.clear();
  }
}
