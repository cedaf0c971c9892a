/** Fixed-size ring of recent samples with percentile read-out; O(1) record, no allocation in the hot path. */
export class RecentSamples {
  private readonly buf: Float64Array;
  private n = 0;
  private i = 0;
  private maxSeen = 0;
  private totalSeen = 0;
  private sumSeen = 0;

  constructor(capacity = 1024) {
    this.buf = new Float64Array(capacity);
  }

  record(v: number): void {
    this.buf[this.i] = v;
    this.i = (this.i + 1) % this.buf.length;
    if (this.n < this.buf.length) this.n++;
    if (v > this.maxSeen) this.maxSeen = v;
    this.totalSeen++;
    this.sumSeen += v;
  }

  get count(): number {
    return this.n;
  }

  /** Values ever recorded (not only the ones still in the ring). */
  get total(): number {
    return this.totalSeen;
  }

  /** Sum of every value ever recorded (a Prometheus summary's `_sum`). */
  get sum(): number {
    return this.sumSeen;
  }

  /** Largest value ever recorded (not only the ones still in the ring). */
  get max(): number {
    return this.maxSeen;
  }

  percentile(p: number): number {
    if (this.n === 0) return 0;
    const sorted = Array.from(this.buf.subarray(0, this.n)).sort((a, b) => a - b);
    return percentileOfSorted(sorted, p);
  }

  values(): number[] {
    return Array.from(this.buf.subarray(0, this.n));
  }
}

/** Nearest-rank percentile of an ascending array; p in [0, 100]. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  const idx = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[idx] as number;
}
