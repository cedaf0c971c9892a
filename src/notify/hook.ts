import type { WebhookConfig } from '../config/schema.js';
import type { TimerHandle } from '../core/clock.js';
import { RepeatTable } from './repeats.js';
import { endpointLabel } from './sender.js';

// The notifier's runtime state of one configured webhook.

export interface WebhookStats {
  name: string;
  /** Scheme and host only: the path of a webhook URL often is its token. */
  endpoint: string;
  /** Queued rows (null when the queue cannot be read). */
  pending: number | null;
  delivered: number;
  /** Failed attempts since start. */
  failures: number;
  /** Given up after 24 h. */
  dropped: number;
  /** The last attempt failed (a failure streak is under way). */
  failing: boolean;
  last_error: string | null;
  /** Epoch seconds. */
  last_delivered_at: number | null;
  /** Open conditions being re-sent every repeat_s. */
  repeating: number;
}

export interface Hook {
  cfg: WebhookConfig;
  endpoint: string;
  repeats: RepeatTable;
  /** A delivery loop is running (one POST in flight at most). */
  busy: boolean;
  /** Something was queued (or a probe came) while busy: look again before the loop ends. */
  again: boolean;
  againForce: boolean;
  running: Promise<void>;
  timer: TimerHandle | undefined;
  timerAt: number | null;
  /** Earliest second a queued row may become sendable (null: nothing queued, as last seen). */
  wakeAt: number | null;
  failing: boolean;
  stats: Pick<WebhookStats, 'delivered' | 'failures' | 'dropped' | 'last_error' | 'last_delivered_at'>;
}

export function newHook(cfg: WebhookConfig): Hook {
  return {
    cfg, endpoint: endpointLabel(cfg.url), repeats: new RepeatTable(cfg.repeat_s), busy: false, again: false, againForce: false,
    running: Promise.resolve(), timer: undefined, timerAt: null, wakeAt: null, failing: false,
    stats: { delivered: 0, failures: 0, dropped: 0, last_error: null, last_delivered_at: null },
  };
}
