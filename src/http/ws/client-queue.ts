import type { OutMessage } from './messages.js';

// What one WebSocket client has not been handed yet (SPEC §15 "slow clients"). Pure, no I/O.
// - `status` messages (keyed by device) have latest-value semantics: a newer status of a device
//   drops the queued older one and joins the end of the queue, so the order of what is sent
//   stays causal (a status never overtakes a command_result it reflects).
// - every other message is kept, up to `maxFifoBytes` (1 MB) of them; one more → `overflow`, and
//   the caller closes the client with 1013. Queued statuses are bounded by the number of devices.
// One insertion-ordered Map holds both kinds: delete + set moves a status to the end in O(1).

export const MAX_QUEUE_BYTES = 1024 * 1024;

export type PushResult = 'queued' | 'replaced' | 'overflow';

export class ClientQueue {
  private readonly items = new Map<string | number, OutMessage>();
  private seq = 0;
  private fifo = 0;
  private status = 0;
  private peak = 0;
  private replacedCount = 0;

  constructor(readonly maxFifoBytes: number = MAX_QUEUE_BYTES) {}

  push(m: OutMessage): PushResult {
    const size = m.data.length;
    if (m.key !== null) {
      const k = `s:${m.key}`;
      const old = this.items.get(k);
      if (old) {
        this.items.delete(k);
        this.status -= old.data.length;
        this.replacedCount++;
      }
      this.items.set(k, m);
      this.status += size;
      this.notePeak();
      return old ? 'replaced' : 'queued';
    }
    if (this.fifo + size > this.maxFifoBytes) return 'overflow';
    this.items.set(this.seq++, m);
    this.fifo += size;
    this.notePeak();
    return 'queued';
  }

  /** The oldest message, removed; undefined when empty. */
  shift(): OutMessage | undefined {
    const first = this.items.entries().next();
    if (first.done) return undefined;
    const [k, m] = first.value;
    this.items.delete(k);
    if (m.key !== null) this.status -= m.data.length;
    else this.fifo -= m.data.length;
    return m;
  }

  clear(): void {
    this.items.clear();
    this.fifo = 0;
    this.status = 0;
  }

  get length(): number {
    return this.items.size;
  }

  /** Bytes of queued non-status messages (bounded by maxFifoBytes). */
  get fifoBytes(): number {
    return this.fifo;
  }

  /** Bytes of everything queued. */
  get bytes(): number {
    return this.fifo + this.status;
  }

  /** The most bytes ever queued at once. */
  get peakBytes(): number {
    return this.peak;
  }

  /** Statuses dropped because a newer one of the same device came first. */
  get replaced(): number {
    return this.replacedCount;
  }

  private notePeak(): void {
    const b = this.fifo + this.status;
    if (b > this.peak) this.peak = b;
  }
}
