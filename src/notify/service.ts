import type { Config } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { settlesWithin } from '../core/concurrency.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { NotifyQueueStore, QueuedNotification } from '../core/notify.js';
import type { OutageBusEvent } from '../core/power.js';
import { conditionSince, healthWebhookEvent, outageWebhookEvent, watchdogWebhookEvent } from './bus-events.js';
import { reminderText, summaryText, webhookBody } from './payload.js';
import { newHook, type Hook, type WebhookStats } from './hook.js';
import { backoffSeconds, conditionOf, giveUpBefore, isExpired, nextToSend, quietUntil, repeatKey } from './schedule.js';
import { createSender, type SendFn, type SendResult } from './sender.js';

// The webhook notifier (SPEC §11.8). Every notification is written to the queue first (it
// survives restarts and network faults), then delivered per webhook: one POST in flight, oldest
// first, backoff on failure, dropped with one logged error after 24 h. A probe cycle retries a
// non-empty queue at once (store-and-forward: the first success drains the rest). Timers only via
// the injected clock, at most one per webhook.

export type { WebhookStats } from './hook.js';

export interface NotifierContext {
  config: Pick<Config, 'notify' | 'timezone'>;
  logger: Logger;
  clock: Clock;
  bus: EventBus;
  store: NotifyQueueStore;
  /** The POST (tests inject faults); default: node:http(s) with a 10 s deadline. */
  send?: SendFn;
}

export interface Notifier {
  start(): void;
  stop(): Promise<void>;
  /** Queue `event` for webhook `name` (whatever its `events`), or for every webhook subscribed to it (null). Returns how many were queued. */
  notify(webhook: string | null, event: string, data: unknown, text?: string): number;
  /** Sends an `event: "test"` notification to one webhook now, bypassing the queue. */
  test(name: string): Promise<SendResult>;
  stats(): WebhookStats[];
}

const ROWS_PER_LOOK = 100;
const SENDS_PER_PUMP = 1000;
const STOP_WAIT_MS = 2000;
const STORE_RETRY_S = 60;

export function createNotifier(ctx: NotifierContext): Notifier {
  const { clock, store, bus } = ctx;
  const tz = ctx.config.timezone;
  const log = ctx.logger.child({ module: 'notify' });
  const send = ctx.send ?? createSender({ clock });
  const nowS = (): number => Math.floor(clock.now() / 1000);
  const hooks = new Map<string, Hook>(ctx.config.notify.webhooks.map((cfg) => [cfg.name, newHook(cfg)]));
  const unsubscribe: Array<() => void> = [];
  const warned = new Set<string>();
  let stopped = true;

  const warnOnce = (key: string, fields: Record<string, unknown>, msg: string): void => {
    if (warned.has(key)) return;
    if (warned.size >= 1000) warned.clear(); // names come from rules; bounded all the same
    warned.add(key);
    log.error(fields, msg);
  };

  function dropExpired(now: number): void {
    const dropped = store.dropOlderThan(giveUpBefore(now));
    const byHook = new Map<string, QueuedNotification[]>();
    for (const r of dropped) byHook.set(r.webhook, [...(byHook.get(r.webhook) ?? []), r]);
    for (const [name, rows] of byHook) {
      const h = hooks.get(name);
      if (h) h.stats.dropped += rows.length;
      const events = [...new Set(rows.map((r) => r.event))];
      log.error({ webhook: name, endpoint: h?.endpoint, dropped: rows.length, events, last_error: rows.at(-1)?.last_error }, 'webhook notifications not delivered within 24 h: dropped');
    }
  }

  function queuedRows(h: Hook, now: number): QueuedNotification[] {
    const rows = store.due(h.cfg.name, Number.MAX_SAFE_INTEGER, ROWS_PER_LOOK);
    if (!rows.some((r) => isExpired(r.created_at, now))) return rows;
    dropExpired(now);
    return store.due(h.cfg.name, Number.MAX_SAFE_INTEGER, ROWS_PER_LOOK);
  }

  function delivered(h: Hook, row: QueuedNotification, res: SendResult): void {
    store.remove(row.id);
    h.stats.delivered++;
    h.stats.last_delivered_at = nowS();
    if (h.failing) log.info({ webhook: h.cfg.name, endpoint: h.endpoint, event: row.event, status: res.status }, 'webhook reachable again');
    else log.debug({ webhook: h.cfg.name, event: row.event, status: res.status, ms: res.ms }, 'webhook delivered');
    h.failing = false;
  }

  function failed(h: Hook, row: QueuedNotification, res: SendResult): void {
    const attempts = row.attempts + 1;
    const error = res.error ?? `HTTP ${res.status}`;
    const retryAt = nowS() + backoffSeconds(attempts);
    store.markFailed(row.id, attempts, retryAt, error);
    h.stats.failures++;
    h.stats.last_error = error;
    // One error line per failure streak; the retries of the same streak stay at debug.
    if (!h.failing) log.error({ webhook: h.cfg.name, endpoint: h.endpoint, event: row.event, status: res.status, error }, 'webhook delivery failed: retrying with backoff');
    else log.debug({ webhook: h.cfg.name, event: row.event, attempts, error, retry_at: retryAt }, 'webhook retry failed');
    h.failing = true;
  }

  async function pump(h: Hook, force: boolean): Promise<void> {
    h.busy = true;
    let wakeAt: number | null = nowS();
    try {
      for (let i = 0; i < SENDS_PER_PUMP && !stopped; i++) {
        const now = nowS();
        const pick = nextToSend(queuedRows(h, now), now, force, (r) => quietUntil(now, h.cfg.quiet_hours, r.event, tz));
        if (pick.row === null) {
          if (h.again) {
            force ||= h.againForce;
            h.again = h.againForce = false;
            continue;
          }
          wakeAt = pick.wakeAt;
          break;
        }
        const res = await send({ url: h.cfg.url, body: pick.row.body, secret: h.cfg.secret });
        if (res.ok) delivered(h, pick.row, res);
        else failed(h, pick.row, res);
        force = res.ok; // endpoint answered: drain the rest now, backoff or not
      }
      warned.delete(`store:${h.cfg.name}`); // the queue works (again): a later fault logs anew
    } catch (err) {
      warnOnce(`store:${h.cfg.name}`, { webhook: h.cfg.name, error: errorMessage(err) }, 'webhook queue unusable: retrying in 60 s');
      wakeAt = nowS() + STORE_RETRY_S;
    } finally {
      h.busy = false;
      h.wakeAt = wakeAt;
      arm(h);
    }
  }

  function kick(h: Hook, force = false): void {
    if (stopped) return;
    if (h.busy) {
      h.again = true;
      h.againForce ||= force;
      return;
    }
    h.running = pump(h, force);
  }

  function arm(h: Hook): void {
    if (stopped) return;
    const times = [h.wakeAt, h.repeats.nextAt()].filter((t): t is number => t !== null);
    const at = times.length ? Math.min(...times) : null;
    if (at === h.timerAt && (at === null || h.timer)) return;
    clock.clearTimeout(h.timer);
    h.timer = undefined;
    h.timerAt = at;
    if (at === null) return;
    h.timer = clock.setTimeout(() => {
      h.timer = undefined;
      h.timerAt = null;
      queueRepeats(h);
      kick(h);
    }, Math.max(0, at * 1000 - clock.now()));
  }

  function enqueue(h: Hook, event: string, body: string, dedupeKey: string | null): void {
    const now = nowS();
    const next = quietUntil(now, h.cfg.quiet_hours, event, tz) ?? now;
    store.enqueue({ webhook: h.cfg.name, event, dedupe_key: dedupeKey, body, created_at: now, next_attempt_at: next });
  }

  function queueRepeats(h: Hook): void {
    const now = nowS();
    try {
      for (const c of h.repeats.takeDue(now)) {
        const key = repeatKey(c.key);
        store.removeByKey(h.cfg.name, key); // at most one unsent reminder per condition
        const text = reminderText(c.text ?? summaryText(c.event, c.data, tz), c.since, now);
        enqueue(h, c.event, JSON.stringify(webhookBody(c.event, c.data, now, tz, text)), key);
      }
    } catch (err) {
      warnOnce(`store:${h.cfg.name}`, { webhook: h.cfg.name, error: errorMessage(err) }, 'webhook queue unusable: reminder not queued');
    }
  }

  function dispatch(target: string | null, event: string, data: unknown, ts: number, text?: string): number {
    const cond = conditionOf(event, data);
    const targets = target === null ? [...hooks.values()].filter((h) => (h.cfg.events as readonly string[]).includes(event)) : [hooks.get(target)].filter((h) => h !== undefined);
    let queued = 0;
    for (const h of hooks.values()) {
      try {
        if (cond?.phase === 'close') {
          // The condition ended: no more reminders, and an unsent one is dropped (any webhook).
          h.repeats.closed(cond.key);
          store.removeByKey(h.cfg.name, repeatKey(cond.key));
          arm(h);
        }
        if (!targets.includes(h)) continue;
        enqueue(h, event, JSON.stringify(webhookBody(event, data, ts, tz, text)), null);
        queued++;
        if (cond?.phase === 'open') h.repeats.opened(cond.key, event, data, text, conditionSince(data, ts), nowS());
        kick(h);
      } catch (err) {
        warnOnce(`store:${h.cfg.name}`, { webhook: h.cfg.name, event, error: errorMessage(err) }, 'webhook queue unusable: notification lost');
      }
    }
    return queued;
  }

  function onOutage(e: OutageBusEvent): void {
    if (e.type === 'updated' && e.outage) {
      for (const h of hooks.values()) h.repeats.update(`outage:${e.outage.id}`, e.outage); // reminders carry the latest record
      return;
    }
    const w = outageWebhookEvent(e);
    if (w) dispatch(null, w.event, w.data, w.ts);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe.push(bus.on('outage', onOutage));
      // A rule's `notify` names a webhook: rule.fired goes there whatever its `events`; a failed
      // rule command is `rule.failed` for every webhook that lists it (SPEC §11.8).
      unsubscribe.push(bus.on('automation', (e) => {
        const data = { rule: e.rule, details: e.details, device_id: e.device_id, ...(e.data ?? {}) };
        const target = e.data?.notify;
        if (e.type === 'triggered' && typeof target === 'string' && target !== 'mqtt') dispatch(target, 'rule.fired', data, e.ts);
        else if (e.type === 'command_failed') dispatch(null, 'rule.failed', data, e.ts);
      }));
      unsubscribe.push(bus.on('watchdog', (e) => {
        const w = watchdogWebhookEvent(e);
        if (w) dispatch(null, w.event, w.data, w.ts);
      }));
      unsubscribe.push(bus.on('health', (c) => {
        const w = healthWebhookEvent(c);
        if (w) dispatch(null, w.event, w.data, w.ts);
      }));
      // Store-and-forward: a probe cycle is the moment to retry a waiting queue (SPEC §11.8).
      unsubscribe.push(
        bus.on('probe', () => {
          for (const h of hooks.values()) if (h.wakeAt !== null) kick(h, true);
        }),
      );
      try {
        dropExpired(nowS());
        const known = [...hooks.keys()].reduce((n, name) => n + store.pending(name), 0);
        const orphans = store.pending() - known;
        if (orphans > 0) log.warn({ queued: orphans }, 'queued notifications for webhooks no longer configured: dropped after 24 h');
      } catch (err) {
        log.error({ error: errorMessage(err) }, 'webhook queue unusable');
      }
      for (const h of hooks.values()) kick(h); // rows queued before a restart go out now
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe.splice(0).forEach((off) => off());
      for (const h of hooks.values()) {
        clock.clearTimeout(h.timer);
        h.timer = undefined;
        h.timerAt = null;
      }
      await settlesWithin(clock, Promise.all([...hooks.values()].map((h) => h.running)), STOP_WAIT_MS);
    },
    notify(webhook, event, data, text) {
      if (webhook !== null && !hooks.has(webhook)) {
        warnOnce(`unknown:${webhook}`, { webhook, event }, 'notification for an unknown webhook: not sent');
        return 0;
      }
      return dispatch(webhook, event, data, nowS(), text);
    },
    async test(name) {
      const h = hooks.get(name);
      if (!h) return { ok: false, status: null, error: `no webhook named "${name}"`, ms: 0 };
      const body = JSON.stringify(webhookBody('test', { webhook: name }, nowS(), tz));
      return send({ url: h.cfg.url, body, secret: h.cfg.secret });
    },
    stats() {
      return [...hooks.values()].map((h) => {
        let pending: number | null = null;
        try {
          pending = store.pending(h.cfg.name);
        } catch {
          // reported by the pump; stats stay readable
        }
        return { name: h.cfg.name, endpoint: h.endpoint, pending, ...h.stats, failing: h.failing, repeating: h.repeats.size };
      });
    },
  };
}
