import { parseArgs } from 'node:util';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { runMockPdus, type MockPdus } from '../src/devices/pdu/simulator/agent.js';
import type { AgentMessage, AgentRequest } from './protocol.js';

// Child process of the polling benchmark: N simulated PDU44001 agents (runMockPdus, the same code
// as `power2mqtt mock-pdu`) on consecutive 127.0.0.1 UDP ports. Talks to the orchestrator over IPC
// only so that it can report its own CPU use; exits when asked, when the parent goes away, or
// after --max-lifetime-s whatever happens.

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '20000' },
    count: { type: 'string', default: '1' },
    bind: { type: 'string', default: '127.0.0.1' },
    'max-lifetime-s': { type: 'string', default: '900' },
  },
});

const clock = new RealClock();
const send = (m: AgentMessage): void => {
  if (process.connected) process.send?.(m);
};

let mock: MockPdus | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await mock?.close().catch(() => {});
    send({ type: 'stopped' });
  }
  process.disconnect?.();
  process.exit(code);
}

process.on('disconnect', () => void stop(0));
clock.setTimeout(() => void stop(3), Number(values['max-lifetime-s']) * 1000);

process.on('message', (m: AgentRequest) => {
  if (m.type === 'stop') {
    void stop(0);
  } else if (m.type === 'usage') {
    const u = process.cpuUsage();
    let answered = 0;
    let dropped = 0;
    for (const p of mock?.pdus ?? []) {
      answered += p.stats.answered;
      dropped += p.stats.dropped;
    }
    send({ type: 'usage', cpuUs: u.user + u.system, atMono: clock.monotonic(), answered, dropped, rssMb: process.memoryUsage().rss / 2 ** 20 });
  }
});

const port = Number(values.port);
const count = Number(values.count);
const t0 = clock.monotonic();
try {
  mock = await runMockPdus({ port, count, bind: values.bind, clock });
  send({ type: 'ready', port, count: mock.pdus.length, startupMs: clock.monotonic() - t0 });
} catch (err) {
  send({ type: 'error', message: `cannot start ${count} simulated PDUs on ${values.bind}:${port}: ${errorMessage(err)}` });
  await stop(1);
}
