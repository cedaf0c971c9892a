// The webhook queue (SPEC §11.8) as seen by the notifier: a port implemented by history/
// (SQLite table `notify_queue`, so queued notifications survive restarts) and wired in app.ts.
// Times are integer epoch seconds.

/** What the notifier writes before it tries to deliver anything. */
export interface NotificationInput {
  /** Webhook name (config `notify.webhooks[].name`). */
  webhook: string;
  /** Event name, e.g. `outage.opened`, `test`. */
  event: string;
  /**
   * Repeat key of an open condition (e.g. `repeat:outage:12`): a close event removes the
   * not-yet-sent repeat by this key. null = a one-off notification.
   */
  dedupe_key: string | null;
  /** The exact JSON text POSTed (and signed). */
  body: string;
  created_at: number;
  /** Not before this second (quiet hours hold: the end of the window). */
  next_attempt_at: number;
}

/** One queued row. attempts = failed deliveries so far. */
export interface QueuedNotification extends NotificationInput {
  id: number;
  attempts: number;
  last_error: string | null;
}

export interface NotifyQueueStore {
  /** Adds a row; returns its id. */
  enqueue(item: NotificationInput): number;
  /** Rows of one webhook with next_attempt_at ≤ now, oldest first (by id), at most `limit`. */
  due(webhook: string, now: number, limit: number): QueuedNotification[];
  /** Number of queued rows (of one webhook, or all). */
  pending(webhook?: string): number;
  /** Records a failed attempt and when to try again. */
  markFailed(id: number, attempts: number, next_attempt_at: number, error: string): void;
  /** Delivered (or abandoned): the row goes. */
  remove(id: number): void;
  /** Deletes rows created before `created_before` and returns them (the 24 h give-up). */
  dropOlderThan(created_before: number): QueuedNotification[];
  /** Deletes a webhook's rows carrying `dedupe_key`; returns how many. */
  removeByKey(webhook: string, dedupe_key: string): number;
}
