import { performance } from 'node:perf_hooks';
import { connectAsync, type MqttClient } from 'mqtt';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import {
  dist, type CommandResultMsg, type CommandSpec, type SubscriberMessage, type SubscriberRequest, type SubscriberStart, type SubscriberWindowResult, type WindowSpec,
} from './mqtt-protocol.js';

// Child process of the MQTT benchmark: the consumers of the bridge, in a process of their own so
// that neither their work nor their event loop is the bridge's. Three mqtt.js clients, as three
// independent consumers would be:
//   status  — subscribed to `{base}/+/status`: latency = receive Date.now() − Date.parse(timestamp)
//             (the snapshot's poll-completion time; same machine, same clock);
//   all     — subscribed to `{base}/#`: messages/s and bytes/s;
//   command — publishes `off`/`on` (JSON with a transaction id, QoS 1 by default) to
//             `{base}/{id}/outlet/{n}/command`, one at a time, and times each until its
//             `…/command/response` (subscribed, QoS 1) carries the same transaction.
// Every wait is bounded; a hard lifetime bound ends the process regardless.

const clock = new RealClock();
const send = (m: SubscriberMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

const CONNECT_TIMEOUT_MS = 10_000;
const END_TIMEOUT_MS = 3_000;
/** Stop the command phase after this many timeouts in a row (the bridge is not answering). */
const MAX_CONSECUTIVE_TIMEOUTS = 5;

let clients: MqttClient[] = [];
let stopping: Promise<void> | undefined;

function noDelay(c: MqttClient): void {
  // As the bridge's own client does (src/mqtt/client.ts): without TCP_NODELAY, Nagle's algorithm
  // would add delay to the harness's small command publishes, which is not the bridge's doing.
  const stream = c.stream as unknown as { setNoDelay?: (on: boolean) => unknown } | undefined;
  if (typeof stream?.setNoDelay === 'function') stream.setNoDelay(true);
}

async function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    await Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            const t = clock.setTimeout(() => c.end(true, {}, () => resolve()), END_TIMEOUT_MS);
            c.end(false, {}, () => {
              clock.clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    await send({ type: 'stopped' });
  })();
  await stopping;
  process.disconnect?.();
  process.exit(code);
}

interface Window {
  spec: WindowSpec;
  status: number;
  retained: number;
  unparsable: number;
  latency: number[];
  all: number;
  bytes: number;
}

let win: Window | null = null;
const inWindow = (now: number): Window | null => (win && now >= win.spec.startAt && now < win.spec.endAt ? win : null);

async function start(o: SubscriberStart): Promise<{ cmd: MqttClient }> {
  clock.setTimeout(() => {
    void send({ type: 'error', message: 'subscriber exceeded its lifetime' }).then(() => stop(4));
  }, o.maxLifetimeMs);
  const t0 = clock.monotonic();
  const opts = { protocolVersion: o.protocolVersion, connectTimeout: CONNECT_TIMEOUT_MS, reconnectPeriod: 0, clean: true } as const;
  const [status, all, cmd] = await Promise.all([
    connectAsync(o.url, { ...opts, clientId: `p2m-bench-status-${process.pid}` }),
    connectAsync(o.url, { ...opts, clientId: `p2m-bench-all-${process.pid}` }),
    connectAsync(o.url, { ...opts, clientId: `p2m-bench-cmd-${process.pid}` }),
  ]);
  clients = [status, all, cmd];
  for (const c of clients) {
    noDelay(c);
    c.on('close', () => {
      if (!stopping) void send({ type: 'error', message: 'subscriber: a connection to the broker closed' });
    });
  }

  status.on('message', (_topic, payload, packet) => {
    const now = Date.now();
    const w = inWindow(now);
    if (!w) return;
    if (packet.retain) {
      w.retained++;
      return;
    }
    let ts = Number.NaN;
    try {
      const body = JSON.parse(payload.toString('utf8')) as { timestamp?: unknown };
      ts = typeof body.timestamp === 'string' ? Date.parse(body.timestamp) : Number.NaN;
    } catch {
      // counted below
    }
    if (!Number.isFinite(ts)) {
      w.unparsable++;
      return;
    }
    w.status++;
    w.latency.push(now - ts);
  });
  all.on('message', (_topic, payload) => {
    const w = inWindow(Date.now());
    if (!w) return;
    w.all++;
    w.bytes += payload.length;
  });

  await Promise.all([
    status.subscribeAsync(`${o.baseTopic}/+/status`, { qos: 0 }),
    all.subscribeAsync(`${o.baseTopic}/#`, { qos: 0 }),
    cmd.subscribeAsync(`${o.baseTopic}/+/outlet/+/command/response`, { qos: 1 }),
  ]);
  await send({ type: 'ready', connectMs: clock.monotonic() - t0 });
  return { cmd };
}

async function measure(spec: WindowSpec): Promise<void> {
  win = { spec, status: 0, retained: 0, unparsable: 0, latency: [], all: 0, bytes: 0 };
  await clock.sleep(Math.max(0, spec.startAt - clock.now()));
  const at0 = clock.monotonic();
  const cpu0 = process.cpuUsage();
  await clock.sleep(Math.max(0, spec.endAt - clock.now()));
  const cpu = process.cpuUsage(cpu0);
  const w = win;
  win = null;
  const result: SubscriberWindowResult = {
    type: 'window-result',
    windowMs: clock.monotonic() - at0,
    statusMessages: w.status,
    statusRetained: w.retained,
    statusUnparsable: w.unparsable,
    latencyMs: dist(w.latency),
    allMessages: w.all,
    allBytes: w.bytes,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  await send(result);
}

async function commands(cmd: MqttClient, base: string, spec: CommandSpec): Promise<void> {
  const pending = new Map<string, (r: { at: number; success: boolean; error: unknown }) => void>();
  cmd.on('message', (_topic, payload) => {
    const at = performance.now();
    let body: { transaction?: unknown; success?: unknown; error?: unknown };
    try {
      body = JSON.parse(payload.toString('utf8')) as typeof body;
    } catch {
      return;
    }
    const tx = typeof body.transaction === 'string' ? body.transaction : '';
    pending.get(tx)?.({ at, success: body.success === true, error: body.error });
  });
  const rtt: number[] = [];
  const errors: string[] = [];
  let sent = 0;
  let answered = 0;
  let succeeded = 0;
  let timeouts = 0;
  let consecutive = 0;
  let stoppedEarly: string | null = null;
  const t0 = performance.now();
  const ids = spec.deviceIds;
  for (let i = 0; i < spec.count; i++) {
    if (performance.now() - t0 > spec.budgetMs) {
      stoppedEarly = `command phase budget of ${Math.round(spec.budgetMs / 1000)} s reached after ${sent} commands`;
      break;
    }
    if (consecutive >= MAX_CONSECUTIVE_TIMEOUTS) {
      stoppedEarly = `${consecutive} timeouts in a row after ${sent} commands`;
      break;
    }
    // Pairs off → on on the same outlet (so outlets end as they began), spread over devices, then outlets.
    const k = Math.floor(i / 2);
    const id = ids[k % ids.length] as string;
    const outlet = 1 + (Math.floor(k / ids.length) % spec.outlets);
    const command = i % 2 === 0 ? 'off' : 'on';
    const tx = `bench-${process.pid}-${i}`;
    let timer: ReturnType<RealClock['setTimeout']> | undefined;
    const reply = new Promise<{ at: number; success: boolean; error: unknown } | null>((resolve) => {
      pending.set(tx, resolve);
      timer = clock.setTimeout(() => resolve(null), spec.timeoutMs);
    });
    const at = performance.now();
    cmd.publish(`${base}/${id}/outlet/${outlet}/command`, JSON.stringify({ command, transaction: tx }), { qos: spec.qos });
    sent++;
    const r = await reply;
    clock.clearTimeout(timer);
    pending.delete(tx);
    if (!r) {
      timeouts++;
      consecutive++;
      if (errors.length < 5) errors.push(`${id} outlet ${outlet} ${command}: no response within ${spec.timeoutMs} ms`);
      continue;
    }
    consecutive = 0;
    answered++;
    rtt.push(r.at - at);
    if (r.success) succeeded++;
    else if (errors.length < 5) errors.push(`${id} outlet ${outlet} ${command}: ${String(r.error)}`);
  }
  const result: CommandResultMsg = {
    type: 'commands-result', sent, answered, succeeded, timeouts, stoppedEarly, rttMs: dist(rtt), rttAllMs: rtt, firstErrors: errors, wallMs: performance.now() - t0,
  };
  await send(result);
}

let ready: Promise<{ cmd: MqttClient }> | undefined;
let base = 'pdu';
process.on('disconnect', () => void stop(0));
process.on('message', (m: SubscriberRequest) => {
  const fail = (what: string) => (err: unknown) => void send({ type: 'error', message: `subscriber ${what}: ${errorMessage(err)}` });
  if (m.type === 'start' && !ready) {
    base = m.baseTopic;
    ready = start(m);
    ready.catch((err: unknown) => void send({ type: 'error', message: `subscriber cannot connect to ${m.url}: ${errorMessage(err)}` }).then(() => stop(1)));
  } else if (m.type === 'window') {
    measure(m).catch(fail('window'));
  } else if (m.type === 'commands') {
    if (!ready) return void send({ type: 'error', message: 'commands before start' });
    ready.then(({ cmd }) => commands(cmd, base, m)).catch(fail('commands'));
  } else if (m.type === 'stop') {
    void stop(0);
  }
});
