import { afterEach, describe, expect, it } from 'vitest';
import { P2mError } from '../../../src/core/errors.js';
import type { NotificationInput } from '../../../src/core/notify.js';
import type { Db } from '../../../src/history/db.js';
import {
  dropNotificationsOlderThan, dueNotifications, enqueueNotification, markNotificationFailed, notifyQueueStore, pendingNotifications,
  removeNotification, removeNotificationsByKey,
} from '../../../src/history/notify-queue.js';
import { tempHistory, type TempHistory } from '../../support/history.js';

// The webhook queue (SPEC §11.8, table notify_queue of migration 3) on a real SQLite file.

let h: TempHistory | undefined;
afterEach(() => h?.cleanup());

function db(): Db {
  h = tempHistory();
  return h.handle.db;
}

const T = 1_790_000_000;
const item = (over: Partial<NotificationInput> = {}): NotificationInput => ({
  webhook: 'phone', event: 'outage.opened', dedupe_key: null, body: '{"event":"outage.opened"}', created_at: T, next_attempt_at: T, ...over,
});

function validationField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(P2mError);
    expect((err as P2mError).code).toBe('P2M_ERR_VALIDATION');
    return (err as P2mError).field;
  }
  throw new Error('expected a validation error');
}

describe('notify queue', () => {
  it('stores every field; a new row has no attempts and no error', () => {
    const d = db();
    const id = enqueueNotification(d, item({ dedupe_key: 'repeat:outage:3', created_at: T + 0.9, next_attempt_at: T + 60 }));
    expect(id).toBeGreaterThan(0);
    expect(dueNotifications(d, 'phone', T + 60, 10)).toEqual([
      { id, webhook: 'phone', event: 'outage.opened', dedupe_key: 'repeat:outage:3', body: '{"event":"outage.opened"}', created_at: T, next_attempt_at: T + 60, attempts: 0, last_error: null },
    ]);
  });

  it('due: only rows of that webhook whose time has come, oldest first, at most limit', () => {
    const d = db();
    const a = enqueueNotification(d, item({ next_attempt_at: T + 10 }));
    const b = enqueueNotification(d, item());
    const c = enqueueNotification(d, item({ next_attempt_at: T + 5 }));
    enqueueNotification(d, item({ webhook: 'other' }));
    expect(dueNotifications(d, 'phone', T, 10).map((r) => r.id)).toEqual([b]);
    expect(dueNotifications(d, 'phone', T + 5, 10).map((r) => r.id)).toEqual([b, c]);
    expect(dueNotifications(d, 'phone', T + 10, 10).map((r) => r.id)).toEqual([a, b, c]);
    expect(dueNotifications(d, 'phone', T + 10, 2).map((r) => r.id)).toEqual([a, b]);
    expect(dueNotifications(d, 'nobody', T + 10, 10)).toEqual([]);
  });

  it('pending counts per webhook and in total', () => {
    const d = db();
    expect(pendingNotifications(d)).toBe(0);
    enqueueNotification(d, item());
    enqueueNotification(d, item());
    enqueueNotification(d, item({ webhook: 'other' }));
    expect(pendingNotifications(d, 'phone')).toBe(2);
    expect(pendingNotifications(d, 'other')).toBe(1);
    expect(pendingNotifications(d)).toBe(3);
  });

  it('markFailed records the attempt, the retry time and a bounded error', () => {
    const d = db();
    const id = enqueueNotification(d, item());
    markNotificationFailed(d, id, 3, T + 40, `HTTP 500: ${'x'.repeat(2000)}`);
    expect(dueNotifications(d, 'phone', T + 39, 10)).toEqual([]);
    const [row] = dueNotifications(d, 'phone', T + 40, 10);
    expect(row).toMatchObject({ id, attempts: 3, next_attempt_at: T + 40 });
    expect(row?.last_error?.startsWith('HTTP 500: xxx')).toBe(true);
    expect(row?.last_error?.length).toBe(500);
  });

  it('remove deletes one row', () => {
    const d = db();
    const a = enqueueNotification(d, item());
    const b = enqueueNotification(d, item());
    removeNotification(d, a);
    expect(dueNotifications(d, 'phone', T, 10).map((r) => r.id)).toEqual([b]);
  });

  it('dropOlderThan deletes and returns the rows created before the given second, of every webhook', () => {
    const d = db();
    const old1 = enqueueNotification(d, item({ created_at: T - 100 }));
    const old2 = enqueueNotification(d, item({ webhook: 'other', created_at: T - 1 }));
    const fresh = enqueueNotification(d, item({ created_at: T }));
    const dropped = dropNotificationsOlderThan(d, T);
    expect(dropped.map((r) => [r.id, r.webhook])).toEqual([[old1, 'phone'], [old2, 'other']]);
    expect(dropped[0]?.body).toBe('{"event":"outage.opened"}');
    expect(pendingNotifications(d)).toBe(1);
    expect(dueNotifications(d, 'phone', T, 10).map((r) => r.id)).toEqual([fresh]);
  });

  it('removeByKey deletes that webhook\'s rows with the key only', () => {
    const d = db();
    enqueueNotification(d, item({ dedupe_key: 'repeat:outage:1' }));
    enqueueNotification(d, item({ dedupe_key: 'repeat:outage:1' }));
    const keep1 = enqueueNotification(d, item({ dedupe_key: 'repeat:outage:2' }));
    const keep2 = enqueueNotification(d, item());
    enqueueNotification(d, item({ webhook: 'other', dedupe_key: 'repeat:outage:1' }));
    expect(removeNotificationsByKey(d, 'phone', 'repeat:outage:1')).toBe(2);
    expect(dueNotifications(d, 'phone', T, 10).map((r) => r.id)).toEqual([keep1, keep2]);
    expect(pendingNotifications(d, 'other')).toBe(1);
  });

  it('rejects bad input naming the field', () => {
    const d = db();
    expect(validationField(() => enqueueNotification(d, item({ webhook: '' })))).toBe('webhook');
    expect(validationField(() => enqueueNotification(d, item({ event: '' })))).toBe('event');
    expect(validationField(() => enqueueNotification(d, item({ body: '' })))).toBe('body');
    expect(validationField(() => enqueueNotification(d, item({ created_at: -1 })))).toBe('created_at');
    expect(validationField(() => enqueueNotification(d, item({ next_attempt_at: Number.NaN })))).toBe('next_attempt_at');
    expect(validationField(() => dueNotifications(d, 'phone', T, 0))).toBe('limit');
    expect(validationField(() => markNotificationFailed(d, 0, 1, T, 'x'))).toBe('id');
    expect(validationField(() => markNotificationFailed(d, 1, -1, T, 'x'))).toBe('attempts');
    expect(pendingNotifications(d)).toBe(0);
  });

  it('the port adapter works on a connection getter (a reopened DbHandle)', () => {
    h = tempHistory();
    const handle = h.handle;
    const store = notifyQueueStore(() => handle.db);
    const id = store.enqueue(item({ dedupe_key: 'k' }));
    handle.reopen();
    expect(store.pending('phone')).toBe(1);
    store.markFailed(id, 1, T + 5, 'refused');
    expect(store.due('phone', T + 5, 5)[0]).toMatchObject({ id, attempts: 1, last_error: 'refused' });
    expect(store.removeByKey('phone', 'k')).toBe(1);
    const id2 = store.enqueue(item({ created_at: T - 10 }));
    expect(store.dropOlderThan(T).map((r) => r.id)).toEqual([id2]);
    const id3 = store.enqueue(item());
    store.remove(id3);
    expect(store.pending()).toBe(0);
  });
});
