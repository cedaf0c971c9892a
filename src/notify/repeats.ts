import { nextRepeatAt } from './schedule.js';

// Open conditions of one webhook that are re-sent every repeat_s until their close event
// (SPEC §11.8). Kept in memory: after a restart the next opened event starts the cycle again.

export interface OpenCondition {
  /** `outage:<id>` / `device:<id>` (schedule.ts conditionOf). */
  key: string;
  event: string;
  /** Latest data of the condition (an `updated` outage record replaces it). */
  data: unknown;
  /** Caller's text of the opening event, if it gave one. */
  text: string | undefined;
  /** When the condition began (outage started_at, health change ts): "still ongoing after …". */
  since: number;
  /** First send (queue time of the opening notification); repeats follow its repeat_s grid. */
  firstAt: number;
  nextAt: number;
  count: number;
}

export class RepeatTable {
  private readonly open = new Map<string, OpenCondition>();

  constructor(private readonly repeatS: number) {}

  get size(): number {
    return this.open.size;
  }

  /** Starts repeating a condition (ignored with repeat_s = 0; a second open keeps the first cycle). */
  opened(key: string, event: string, data: unknown, text: string | undefined, since: number, nowS: number): void {
    if (this.repeatS <= 0 || this.open.has(key)) return;
    this.open.set(key, { key, event, data, text, since, firstAt: nowS, nextAt: nowS + this.repeatS, count: 0 });
  }

  /** True when the key was being repeated. */
  closed(key: string): boolean {
    return this.open.delete(key);
  }

  update(key: string, data: unknown): void {
    const c = this.open.get(key);
    if (c) c.data = data;
  }

  /** Conditions whose repeat is due; each is moved to its next grid point. */
  takeDue(nowS: number): OpenCondition[] {
    const due: OpenCondition[] = [];
    for (const c of this.open.values()) {
      if (c.nextAt > nowS) continue;
      c.count++;
      c.nextAt = nextRepeatAt(c.firstAt, this.repeatS, nowS) ?? Number.MAX_SAFE_INTEGER;
      due.push(c);
    }
    return due;
  }

  nextAt(): number | null {
    let t: number | null = null;
    for (const c of this.open.values()) t = t === null ? c.nextAt : Math.min(t, c.nextAt);
    return t;
  }
}
