import { P2mError } from '../core/errors.js';
import type { NotificationInput, NotifyQueueStore, QueuedNotification } from '../core/notify.js';
import { stmt, type Db } from './db.js';

// The webhook queue `notify_queue` (SPEC §11.8, migration 3): notifications are written here
// before any delivery attempt, so a restart or a long network fault loses none. Times are integer
// epoch seconds (fractions floored). Bad input throws P2M_ERR_VALIDATION naming the field.

/** Largest body accepted (an outage record with its evidence is a few KB). */
const MAX_BODY_CHARS = 1_000_000;
const COLS = 'id, webhook, event, dedupe_key, body, created_at, next_attempt_at, attempts, last_error';

function invalid(field: string, message: string): never {
  throw new P2mError('P2M_ERR_VALIDATION', `${field} ${message}`, field);
}
function epoch(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(field, `must be epoch seconds, a number ≥ 0 (got ${String(v)})`);
  return Math.floor(v);
}
function text(field: string, v: unknown, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) invalid(field, `must be a non-empty string of at most ${max} characters`);
  return v;
}
function rowId(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) invalid(field, `must be a row id, an integer ≥ 1 (got ${String(v)})`);
  return v;
}

export function enqueueNotification(db: Db, item: NotificationInput): number {
  const args = [
    text('webhook', item.webhook, 64), text('event', item.event, 64),
    item.dedupe_key === null ? null : text('dedupe_key', item.dedupe_key, 255),
    text('body', item.body, MAX_BODY_CHARS), epoch('created_at', item.created_at), epoch('next_attempt_at', item.next_attempt_at),
  ];
  const sql = 'INSERT INTO notify_queue (webhook, event, dedupe_key, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)';
  return Number(stmt(db, sql).run(...args).lastInsertRowid);
}

/** Rows of one webhook with next_attempt_at ≤ now, oldest (lowest id) first. */
export function dueNotifications(db: Db, webhook: string, now: number, limit: number): QueuedNotification[] {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) invalid('limit', `must be an integer from 1 to 10000 (got ${String(limit)})`);
  const sql = `SELECT ${COLS} FROM notify_queue WHERE webhook = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?`;
  return stmt(db, sql).all(text('webhook', webhook, 64), epoch('now', now), limit) as QueuedNotification[];
}

export function pendingNotifications(db: Db, webhook?: string): number {
  const r = (
    webhook === undefined
      ? stmt(db, 'SELECT count(*) AS n FROM notify_queue').get()
      : stmt(db, 'SELECT count(*) AS n FROM notify_queue WHERE webhook = ?').get(text('webhook', webhook, 64))
  ) as { n: number };
  return r.n;
}

export function markNotificationFailed(db: Db, id: number, attempts: number, nextAttemptAt: number, error: string): void {
  if (!Number.isInteger(attempts) || attempts < 0) invalid('attempts', `must be an integer ≥ 0 (got ${String(attempts)})`);
  const sql = 'UPDATE notify_queue SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?';
  // An error text is for people; keep the row small whatever the far end answered.
  stmt(db, sql).run(attempts, epoch('next_attempt_at', nextAttemptAt), String(error).slice(0, 500), rowId('id', id));
}

export function removeNotification(db: Db, id: number): void {
  stmt(db, 'DELETE FROM notify_queue WHERE id = ?').run(rowId('id', id));
}

/** Deletes every row created before `createdBefore`; returns them, oldest first. */
export function dropNotificationsOlderThan(db: Db, createdBefore: number): QueuedNotification[] {
  const rows = stmt(db, `DELETE FROM notify_queue WHERE created_at < ? RETURNING ${COLS}`).all(epoch('created_before', createdBefore)) as QueuedNotification[];
  return rows.sort((a, b) => a.id - b.id);
}

export function removeNotificationsByKey(db: Db, webhook: string, dedupeKey: string): number {
  return stmt(db, 'DELETE FROM notify_queue WHERE webhook = ? AND dedupe_key = ?').run(text('webhook', webhook, 64), text('dedupe_key', dedupeKey, 255)).changes;
}

/**
 * The NotifyQueueStore port over a connection. Pass a getter (`() => handle.db`) when the
 * connection may be reopened (DbHandle), so every call uses the current one.
 */
export function notifyQueueStore(db: Db | (() => Db)): NotifyQueueStore {
  const conn = typeof db === 'function' ? db : (): Db => db;
  return {
    enqueue: (item) => enqueueNotification(conn(), item),
    due: (webhook, now, limit) => dueNotifications(conn(), webhook, now, limit),
    pending: (webhook) => pendingNotifications(conn(), webhook),
    markFailed: (id, attempts, next, error) => markNotificationFailed(conn(), id, attempts, next, error),
    remove: (id) => removeNotification(conn(), id),
    dropOlderThan: (before) => dropNotificationsOlderThan(conn(), before),
    removeByKey: (webhook, key) => removeNotificationsByKey(conn(), webhook, key),
  };
}
