// notify (webhooks, §11.8), rules (§12.6) and outlet watchdogs (§12.7).
import { z } from 'zod';
import { outletInSpec, parseOutletSpec } from '../../core/outlet-spec.js';
import { defaultDevice } from '../../core/default-device.js';
import { parseTarget } from '../../core/watchdog-target.js';
import { assignDeviceIds, checkUnique, clockTime, doc, fail, httpUrlProblem, idProblem, int, section } from './common.js';

export const WEBHOOK_EVENTS = [
  'outage.opened',
  'outage.closed',
  'network_fault.opened',
  'network_fault.closed',
  'device.lost',
  'device.recovered',
  'rule.failed',
  'watchdog.cycling',
  'watchdog.gave_up',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const webhookEvent = z.enum(WEBHOOK_EVENTS);

const quietHours = z.strictObject({
  start: doc(clockTime(), 'start of the quiet window, HH:MM in `timezone`'),
  end: doc(clockTime(), 'end of the window (may wrap midnight)'),
  except: doc(z.array(webhookEvent).default([]), 'events delivered even during quiet hours'),
});

const webhook = z
  .strictObject({
    name: doc(z.string().min(1).max(64), 'unique name, used by rules (notify) and `power2mqtt notify test`', {
      example: 'phone',
    }),
    url: doc(z.string(), 'http(s) endpoint; receives POST {event, ts, text, data}', {
      secret: 'url',
      example: 'https://hooks.example.net/power',
    }),
    secret: doc(z.string().default(''), '"" = unsigned; else X-Power2mqtt-Signature: sha256=<HMAC>', { secret: 'value' }),
    events: doc(z.array(webhookEvent).default([...WEBHOOK_EVENTS]), 'events sent to this webhook; default: all'),
    repeat_s: doc(int().min(0).max(604800).default(0), 're-send an open condition every repeat_s; 0 = once', { unit: 'seconds' }),
    quiet_hours: doc(quietHours.nullable().default(null), 'null = none; events are held until the window ends', {
      example: { start: '22:00', end: '07:00', except: ['outage.opened'] },
    }),
  })
  .superRefine((w, ctx) => {
    if (typeof w.url === 'string') {
      const p = httpUrlProblem(w.url);
      if (p) fail(ctx, ['url'], p, 'write the full endpoint, e.g. https://hooks.example.net/power');
    }
    if (w.name === 'mqtt') {
      fail(ctx, ['name'], '"mqtt" is reserved (a rule\'s notify: "mqtt" means an MQTT-only event)', 'pick another name');
    }
  });

export const notifySchema = section(
  z.strictObject({
    webhooks: doc(
      z
        .array(webhook)
        .superRefine((hooks, ctx) => checkUnique(ctx, hooks, 'name', [], 'webhook name'))
        .default([]),
      '[{name, url, secret?, events, repeat_s, quiet_hours?}] (§11.8)',
    ),
  }),
  'notifications (§11.8)',
);

export const rulesSchema = section(
  z.strictObject({
    path: doc(z.string().min(1).default('./data/rules.json'), 'demo: rules.json.example is copied here on first start when missing'),
    watch: doc(z.boolean().default(true), 'hot reload on file change'),
    retry_s: doc(int().min(1).max(86400).default(30), 'retry interval for a rule whose outlet command failed', { unit: 'seconds' }),
  }),
  'automation rules (§12); the rules themselves live in a JSON file',
);

const watchdog = z
  .strictObject({
    name: doc(z.string(), 'unique; same characters as a device id (§5)', { example: 'modem' }),
    device: doc(z.string().default(''), '"" = the only device, else the only cyberpower device'),
    outlet: doc(int().min(1).max(1000), 'the one outlet to power-cycle', { example: 2 }),
    target: doc(z.string().min(1), 'http(s)://… URL | host:port (TCP connect) | a switch name', {
      example: 'http://192.168.100.1/',
    }),
    interval_s: doc(int().min(1).max(3600).default(10), 'check cadence', { unit: 'seconds' }),
    timeout_ms: doc(int().min(100).max(60000).default(5000), 'per-check timeout', { unit: 'ms' }),
    fail_after_s: doc(int().min(1).max(86400).default(180), 'continuous target failure before a cycle', { unit: 'seconds' }),
    action: doc(z.enum(['reboot', 'off_on']).default('reboot'), 'reboot | off_on (off, then on after off_s)'),
    off_s: doc(int().min(1).max(3600).default(10), 'off time of off_on', { unit: 'seconds' }),
    boot_grace_s: doc(int().min(0).max(86400).default(300), 'after a cycle the target is not judged for this long', {
      unit: 'seconds',
    }),
    max_cycles: doc(int().min(1).max(100).default(3), 'at most max_cycles cycles within window_h, then gave_up'),
    window_h: doc(int().min(1).max(720).default(6), 'window for max_cycles', { unit: 'hours' }),
    depends_on: doc(z.string().default(''), 'name of an upstream watchdog; "" = none'),
  })
  .superRefine((w, ctx) => {
    if (typeof w.name === 'string') {
      const p = idProblem(w.name);
      if (p) fail(ctx, ['name'], p.message, p.hint);
    }
    if (w.depends_on !== '' && w.depends_on === w.name) {
      fail(ctx, ['depends_on'], 'a watchdog cannot depend on itself', 'name the upstream watchdog, or use ""');
    }
    if (typeof w.target === 'string' && /^https?:/i.test(w.target)) {
      const p = httpUrlProblem(w.target);
      if (p) fail(ctx, ['target'], p, 'write e.g. http://192.168.100.1/, host:port, or a switch name');
    } else if (typeof w.target === 'string') {
      // host:port and switch-name syntax (whether the switch exists is checked at start, §12.7)
      const t = parseTarget(w.target);
      if (!t.ok) fail(ctx, ['target'], t.problem, t.hint);
    }
  });

/**
 * SPEC §12.7/§12.2: a config watchdog on a protected outlet is a load error (exit 2). The device is
 * found as the watchdog service will (`device`, or "" = the only device / the only cyberpower
 * one); ids left empty get their `pdu-NN` like resolveConfig gives them.
 */
export function checkWatchdogOutlets(
  devices: ReadonlyArray<{ id: string; kind: string; enabled: boolean; protected_outlets: string | number }>,
  watchdogs: ReadonlyArray<{ device: string; outlet: number }>,
  ctx: z.RefinementCtx,
): void {
  const ids = assignDeviceIds(devices.map((d) => d.id));
  const enabled = devices.map((d, i) => ({ ...d, id: ids[i] ?? d.id, index: i })).filter((d) => d.enabled);
  watchdogs.forEach((w, i) => {
    const dev = w.device !== '' ? enabled.find((d) => d.id === w.device) : defaultDevice(enabled);
    if (!dev) return; // unknown or ambiguous: reported by the service, which also knows runtime devices
    const spec = parseOutletSpec(dev.protected_outlets);
    if (spec.ok && outletInSpec(spec.spec, w.outlet)) {
      fail(
        ctx, ['watchdogs', i, 'outlet'],
        `outlet ${w.outlet} of ${dev.id} is protected (devices[${dev.index}].protected_outlets: "${spec.normalized}") and a watchdog would switch it off`,
        'pick another outlet, or drop it from protected_outlets',
      );
    }
  });
}

/** A depends_on loop among config watchdogs would hold every one of them forever. */
function checkDependencyCycles(items: unknown, ctx: z.RefinementCtx): void {
  if (!Array.isArray(items)) return;
  const deps = new Map<string, string>();
  for (const w of items as Array<{ name?: unknown; depends_on?: unknown }>) {
    if (typeof w?.name === 'string' && typeof w.depends_on === 'string' && w.depends_on !== '') deps.set(w.name, w.depends_on);
  }
  items.forEach((w: { name?: unknown; depends_on?: unknown }, i) => {
    if (typeof w?.name !== 'string') return;
    if (typeof w.depends_on === 'string' && w.depends_on !== '' && w.depends_on !== w.name && !items.some((x: { name?: unknown }) => x?.name === w.depends_on)) {
      fail(ctx, [i, 'depends_on'], `names no watchdog "${w.depends_on}"`, 'name another entry of watchdogs, or use ""');
      return;
    }
    const chain = [w.name];
    let next = deps.get(w.name);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = deps.get(next);
    }
    if (next === w.name && chain.length > 1) {
      fail(ctx, [i, 'depends_on'], `forms a cycle: ${[...chain, w.name].join(' → ')}`, 'remove one depends_on in the loop');
    }
  });
}

export const watchdogsSchema = doc(
  z
    .array(watchdog)
    .superRefine((items, ctx) => {
      checkUnique(ctx, items, 'name', [], 'watchdog name');
      checkDependencyCycles(items, ctx);
    })
    .default([]),
  '[{name, device, outlet, target: URL | host:port | switch name, ...}] (§12.7)',
);
