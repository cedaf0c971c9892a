import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { sendToParent } from './ipc.js';
import { startMessageCounter, type MessageCounter } from './load-counter.js';
import type { LoadSubscriberMessage, LoadSubscriberRequest } from './load-protocol.js';

// Child process of the load run: the MQTT consumer (bench/load-counter.ts), in a process of its
// own so that neither its work nor its event loop is the app's. A hard lifetime bound ends it.

const clock = new RealClock();
const send = (m: LoadSubscriberMessage): Promise<void> => sendToParent(m);

let counter: MessageCounter | undefined;
let stopping: Promise<void> | undefined;

async function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    let timer: ReturnType<RealClock['setTimeout']> | undefined;
    await Promise.race([counter?.close().catch(() => undefined), new Promise<void>((r) => (timer = clock.setTimeout(r, 3000)))]);
    clock.clearTimeout(timer);
    await send({ type: 'stopped' });
  })();
  await stopping;
  process.disconnect?.();
  process.exit(code);
}

process.on('disconnect', () => void stop(0));
process.on('message', (m: LoadSubscriberRequest) => {
  if (m.type === 'start' && !counter) {
    clock.setTimeout(() => void send({ type: 'error', message: 'load subscriber exceeded its lifetime' }).then(() => stop(4)), m.maxLifetimeMs);
    startMessageCounter({
      url: m.url, topic: m.topic, clientId: `p2m-bench-load-${process.pid}`,
      onClose: () => void send({ type: 'error', message: 'load subscriber: the connection to the broker closed' }),
    }).then(
      (c) => {
        counter = c;
        return send({ type: 'ready' });
      },
      (err: unknown) => void send({ type: 'error', message: `load subscriber cannot connect to ${m.url}: ${errorMessage(err)}` }).then(() => stop(1)),
    );
  } else if (m.type === 'counts') {
    const u = process.cpuUsage();
    const c = counter?.counts() ?? { messages: 0, bytes: 0, retained: 0 };
    void send({ type: 'counts', ...c, cpuMs: (u.user + u.system) / 1000 });
  } else if (m.type === 'stop') {
    void stop(0);
  }
});
