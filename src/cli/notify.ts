import { RealClock } from '../core/clock.js';
import { webhookBody } from '../notify/payload.js';
import { createSender, endpointLabel, type SendFn } from '../notify/sender.js';
import { formatIssues } from '../config/index.js';
import { loadFromProcess } from './config-args.js';
import { parseCommandArgs, pickSubcommand, type CliIO } from './io.js';

export const NOTIFY_USAGE = `usage: power2mqtt notify test NAME [--config FILE]

Sends an event "test" notification to webhook NAME (notify.webhooks, SPEC §11.8) right away,
not through the queue, and prints the result. Exit codes: 0 delivered, 1 not delivered,
2 unknown webhook or bad arguments.
`;

export interface NotifyCommandOptions {
  /** The POST (tests); default: node:http(s) with the notifier's 10 s deadline. */
  send?: SendFn;
}

/** `power2mqtt notify test NAME`. */
export async function notifyCommand(argv: string[], io: CliIO, opts: NotifyCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(io, NOTIFY_USAGE, {
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const picked = pickSubcommand(io, NOTIFY_USAGE, 'notify', positionals, ['test'] as const);
  if (typeof picked === 'number') return picked;
  const [name, ...extra] = picked.rest;
  if (name === undefined || extra.length > 0) {
    io.err(`notify test needs exactly one webhook NAME\n${NOTIFY_USAGE}`);
    return 2;
  }
  const loaded = loadFromProcess(values.config);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  const hooks = loaded.config.notify.webhooks;
  const hook = hooks.find((h) => h.name === name);
  if (!hook) {
    const known = hooks.length ? `configured: ${hooks.map((h) => h.name).join(', ')}` : 'notify.webhooks is empty';
    io.err(`no webhook named "${name}" (${known})\n`);
    return 2;
  }
  const clock = new RealClock();
  const send = opts.send ?? createSender({ clock });
  const body = JSON.stringify(webhookBody('test', { webhook: name }, Math.floor(clock.now() / 1000), loaded.config.timezone));
  const res = await send({ url: hook.url, body, secret: hook.secret });
  if (res.ok) {
    io.out(`delivered: HTTP ${res.status} in ${res.ms} ms\n`);
    return 0;
  }
  // Scheme and host only: the rest of a webhook URL is often its token.
  io.err(`not delivered to ${endpointLabel(hook.url)}: ${res.error ?? `HTTP ${res.status}`} (after ${res.ms} ms)\n`);
  return 1;
}
