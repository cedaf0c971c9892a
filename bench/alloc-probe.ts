import { fork } from 'node:child_process';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { RealClock } from '../src/core/clock.js';
import type { AgentMessage } from './protocol.js';
import { startPollers } from './pollers.js';

// Where the poller's memory goes (evidence for the RSS target): N simulated PDUs in a child
// process, the pollers in this one; after a warm-up, V8's sampling heap profiler over a window
// gives bytes allocated per poll by allocation site, then heap spaces and RSS. Not part of
// `npm run bench`; run `node dist-bench/bench/alloc-probe.js --n 100` after building it.

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100' },
    'port-base': { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
  },
});
const n = Number(values.n);
const portBase = Number(values['port-base']);
const clock = new RealClock();
const mb = (b: number): string => (b / 2 ** 20).toFixed(1);

function post<T>(s: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

const agent = fork(fileURLToPath(new URL('./agent.js', import.meta.url)), ['--port', String(portBase), '--count', String(n), '--max-lifetime-s', '300'], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const kill = clock.setTimeout(() => {
  agent.kill('SIGKILL');
  process.exit(3);
}, 240_000);
try {
  await new Promise<void>((resolve, reject) => {
    agent.on('message', (m: AgentMessage) => (m.type === 'ready' ? resolve() : m.type === 'error' ? reject(new Error(m.message)) : undefined));
    agent.once('exit', () => reject(new Error('agent exited')));
  });
  const pollers = startPollers({ host: '127.0.0.1', ports: Array.from({ length: n }, (_, i) => portBase + i), clock });
  await clock.sleep(Number(values.warmup) * 1000);
  const session = new Session();
  session.connect();
  await post(session, 'HeapProfiler.enable');
  await post(session, 'HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const a = pollers.beginWindow();
  await clock.sleep(Number(values.seconds) * 1000);
  const b = pollers.endWindow();
  const { profile } = await post<{ profile: { head: SamplingNode } }>(session, 'HeapProfiler.stopSampling');
  session.disconnect();
  await pollers.settle(2000);
  const polls = Math.max(1, pollers.window(a, b).okPolls);

  const bySite = new Map<string, number>();
  let total = 0;
  const stack: SamplingNode[] = [profile.head];
  for (let guard = 0; stack.length > 0 && guard < 1_000_000; guard++) {
    const node = stack.pop() as SamplingNode;
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*dist-bench\//, '')}${url ? `:${lineNumber + 1}` : ''}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    stack.push(...node.children);
  }
  const mem = process.memoryUsage();
  process.stdout.write(`N = ${n}: ${polls} polls in ${values.seconds} s; sampled allocation ${(total / polls / 1024).toFixed(1)} KB per poll\n`);
  for (const [site, bytes] of [...bySite].sort((x, y) => y[1] - x[1]).slice(0, 15)) {
    process.stdout.write(`  ${(bytes / polls / 1024).toFixed(1).padStart(6)} KB/poll  ${site}\n`);
  }
  const spaces = v8.getHeapSpaceStatistics().filter((s) => s.space_size > 0).map((s) => `${s.space_name} ${mb(s.space_size)}`);
  process.stdout.write(`RSS ${mb(mem.rss)} MB; heap total ${mb(mem.heapTotal)} / used ${mb(mem.heapUsed)} MB; external ${mb(mem.external)} MB (array buffers ${mb(mem.arrayBuffers)}); spaces (MB): ${spaces.join(', ')}\n`);
  await pollers.stop(10_000);
} finally {
  clock.clearTimeout(kill);
  if (agent.connected) agent.send({ type: 'stop' });
}
