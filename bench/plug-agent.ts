import { parseArgs } from 'node:util';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { startKasaSimulator, type KasaSimulator } from '../src/devices/plug/simulator/kasa.js';
import { startShellySimulator, type ShellySimulator } from '../src/devices/plug/simulator/shelly.js';
import type { PlugAgentMessage, PlugAgentRequest } from './plug-protocol.js';

// Child process of the plugs benchmark: K simulated Kasa HS110 plugs (legacy protocol over TCP)
// and S simulated Shelly Plus Plug S (HTTP), each on an ephemeral 127.0.0.1 port. Reports its
// own CPU on request; exits when asked, when the parent goes away, or after --max-lifetime-s.

const { values } = parseArgs({
  options: { kasa: { type: 'string', default: '200' }, shelly: { type: 'string', default: '200' }, 'max-lifetime-s': { type: 'string', default: '900' } },
});
const clock = new RealClock();
const send = (m: PlugAgentMessage): void => {
  if (process.connected) process.send?.(m);
};
const kasa: KasaSimulator[] = [];
const shelly: ShellySimulator[] = [];
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all([...kasa, ...shelly].map((s) => s.close().catch(() => {})));
    send({ type: 'stopped' });
  }
  process.disconnect?.();
  process.exit(code);
}

process.on('disconnect', () => void stop(0));
clock.setTimeout(() => void stop(3), Number(values['max-lifetime-s']) * 1000);
process.on('message', (m: PlugAgentRequest) => {
  if (m.type === 'stop') void stop(0);
  else if (m.type === 'usage') {
    const u = process.cpuUsage();
    send({ type: 'usage', cpuUs: u.user + u.system, atMono: clock.monotonic() });
  }
});

const t0 = clock.monotonic();
try {
  for (let i = 0; i < Number(values.kasa); i++) kasa.push(await startKasaSimulator({ model: 'HS110', index: i, loads: [20 + (i % 50)], clock }));
  for (let i = 0; i < Number(values.shelly); i++) shelly.push(await startShellySimulator({ index: i, loads: [30 + (i % 40)], clock }));
  send({ type: 'ready', kasa: kasa.map((s) => s.port), shelly: shelly.map((s) => s.port), startupMs: clock.monotonic() - t0 });
} catch (err) {
  send({ type: 'error', message: `cannot start the plug simulators: ${errorMessage(err)}` });
  await stop(1);
}
