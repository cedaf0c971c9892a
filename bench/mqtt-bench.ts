import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { agentUsage, exited, nextMessage, procStatusMb, stopChild, withTimeout } from './ipc.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os, { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { benchDeviceIds } from './mqtt-config.js';
import type {
  BridgeMessage, BridgeRequest, BridgeWindowResult, BrokerKind, CommandResultMsg, SubscriberMessage, SubscriberRequest, SubscriberWindowResult,
} from './mqtt-protocol.js';
import { mqttVerdicts, type MqttProfile } from './mqtt-report.js';
import { machineCpu, runPollBench, splitPorts, type PollRunResult } from './poll-bench.js';
import type { AgentMessage, AgentRequest, AgentUsage } from './protocol.js';

// One MQTT-benchmark run for one broker: simulated PDUs in agent process(es) (bench/agent.js, as
// in the polling benchmark), the bridge in a process of its own (bench/mqtt-worker.js: the real
// createApp, with the embedded aedes broker inside it or connected to a mosquitto this module
// starts on a free 127.0.0.1 port), and the MQTT consumers in another (bench/mqtt-subscriber.js).
// This process only coordinates. Every wait is bounded; every child is stopped (and killed by its
// own handle if it does not exit) before returning.

export interface MqttRunOptions {
  broker: BrokerKind;
  n: number;
  portBase: number;
  warmupMs: number;
  windowMs: number;
  /** Command round trips after the window (0 = none). */
  commands: number;
  commandTimeoutMs: number;
  commandBudgetMs: number;
  commandQos: 0 | 1;
  cpuProfile: boolean;
  profilePath: string;
  agentProcs: number;
  /** Diagnostics only: `set_tcp_nodelay true` in mosquitto's config (its default is false). */
  mosquittoNoDelay?: boolean;
  clock: Clock;
}

export interface MqttRunResult {
  broker: BrokerKind;
  /** e.g. "aedes 1.2.0 (in the bridge process)", "mosquitto 2.0.11". */
  brokerText: string;
  n: number;
  bridge: BridgeWindowResult;
  sub: SubscriberWindowResult;
  cmd: CommandResultMsg | null;
  /** Bridge CPU ms per successful PDU poll (includes aedes when embedded). */
  cpuMsPerPoll: number | null;
  bridgeCpuPct: number;
  subscriberCpuPct: number;
  /** mosquitto process CPU over the window (% of one core); null for aedes (it is in the bridge's CPU). */
  brokerCpuPct: number | null;
  brokerCpuMsPerPoll: number | null;
  agentCpuPct: number | null;
  machineBusyPct: number | null;
  otherCpuPct: number | null;
  bridgeStartupMs: number;
  bridgeStoppedCleanly: boolean | null;
  wallMs: number;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const MOSQUITTO_PATH = '/usr/sbin/mosquitto';
const BASE_TOPIC = 'pdu';
const OUTLETS = 10;



// ---- mosquitto ---------------------------------------------------------------------------------

export function mosquittoMissing(): string | null {
  try {
    execFileSync(MOSQUITTO_PATH, ['-h'], { timeout: 3000, stdio: 'ignore' });
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${MOSQUITTO_PATH} not found (apt-get install --no-install-recommends mosquitto)` : null;
  }
}

function mosquittoVersion(): string {
  try {
    const out = execFileSync(MOSQUITTO_PATH, ['-h'], { timeout: 3000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version (\S+)/.exec(out)?.[1] ?? '?';
  } catch (err) {
    return /version (\S+)/.exec(String((err as { stdout?: unknown }).stdout ?? ''))?.[1] ?? '?';
  }
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(500);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export interface Mosquitto {
  url: string;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

let clkTck = 0;
/** CPU (user + system) of a process from /proc/<pid>/stat, ms; null when unreadable. */
export function procCpuMs(pid: number): number | null {
  try {
    clkTck ||= Number(execFileSync('getconf', ['CLK_TCK'], { timeout: 2000, encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "(comm) ": state is field 3, utime field 14, stime field 15 (man 5 proc).
    const utime = Number(fields[14 - 3]);
    const stime = Number(fields[15 - 3]);
    return Number.isFinite(utime + stime) ? ((utime + stime) * 1000) / clkTck : null;
  } catch {
    return null;
  }
}

/** Resident memory of a process from /proc/<pid>/status (VmRSS), MB; null when unreadable. */
export function procRssMb(pid: number): number | null {
  return procStatusMb(pid, ['VmRSS'])?.VmRSS ?? null;
}

/** Debian's mosquitto on a free 127.0.0.1 port: private config in a temp dir, anonymous, no persistence. */
export async function startMosquitto(clock: Clock, noDelay: boolean): Promise<Mosquitto> {
  const missing = mosquittoMissing();
  if (missing) throw new Error(`cannot start mosquitto: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'p2m-bench-mosquitto-'));
  const port = await freeTcpPort();
  // Debian's defaults otherwise (e.g. set_tcp_nodelay false, max_inflight_messages 20).
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none'];
  if (noDelay) lines.push('set_tcp_nodelay true');
  // As root, mosquitto would drop to user "mosquitto"; stay who we are.
  if (process.getuid?.() === 0) lines.push(`user ${userInfo().username}`);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let output = '';
  const child = spawn(MOSQUITTO_PATH, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    await stopChild(clock, child, null, 3000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = clock.monotonic() + 5000;
  while (clock.monotonic() < deadline && !exited(child)) {
    if (await canConnect(port)) return { url: `mqtt://127.0.0.1:${port}`, pid: child.pid ?? -1, version: mosquittoVersion(), stop };
    await clock.sleep(25);
  }
  await stop();
  throw new Error(`mosquitto did not start on 127.0.0.1:${port}: ${output.trim()}`);
}

// ---- one run -----------------------------------------------------------------------------------

export async function runMqttBench(o: MqttRunOptions): Promise<MqttRunResult> {
  const { clock } = o;
  const started = clock.monotonic();
  let mosquitto: Mosquitto | null = null;
  const agents: ChildProcess[] = [];
  let bridge: ChildProcess | undefined;
  let sub: ChildProcess | undefined;
  let bridgeStoppedCleanly: boolean | null = null;
  const windowsTotalMs = o.warmupMs + o.windowMs;
  let result: MqttRunResult;
  try {
    if (o.broker === 'mosquitto') mosquitto = await startMosquitto(clock, o.mosquittoNoDelay === true);

    for (const sl of splitPorts(o.portBase, o.n, o.agentProcs)) {
      agents.push(fork(`${HERE}agent.js`, ['--port', String(sl.port), '--count', String(sl.count), '--bind', '127.0.0.1', '--max-lifetime-s', '600'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }));
    }
    const readies = await withTimeout(
      clock,
      Promise.all(agents.map((a) => nextMessage<AgentMessage, 'ready'>(a, 'ready', 'agent'))),
      30_000 + o.n * 50,
      `agent start (${o.n} PDUs)`,
    );
    if (readies.reduce((s, r) => s + r.count, 0) !== o.n) throw new Error(`agents did not start ${o.n} PDUs`);

    // Lifetime bounds of the children: everything they should do, plus a generous margin.
    const maxLifetimeMs = windowsTotalMs + o.commandBudgetMs + o.commandTimeoutMs + 180_000;
    const b = fork(`${HERE}mqtt-worker.js`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    bridge = b;
    const bridgeReady = nextMessage<BridgeMessage, 'ready'>(b, 'ready', 'bridge');
    b.send({
      type: 'start', host: '127.0.0.1', port: o.portBase, count: o.n, mqttUrl: mosquitto?.url ?? '', cpuProfile: o.cpuProfile,
      profilePath: o.profilePath, maxLifetimeMs,
    } satisfies BridgeRequest);
    const ready = await withTimeout(clock, bridgeReady, 60_000, 'bridge start');
    if (ready.devices.length !== o.n) throw new Error(`bridge configured ${ready.devices.length} of ${o.n} devices`);

    const s = fork(`${HERE}mqtt-subscriber.js`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    sub = s;
    const subReady = nextMessage<SubscriberMessage, 'ready'>(s, 'ready', 'subscriber');
    s.send({ type: 'start', url: ready.mqttUrl, protocolVersion: 4, baseTopic: BASE_TOPIC, maxLifetimeMs } satisfies SubscriberRequest);
    await withTimeout(clock, subReady, 20_000, 'subscriber connect');

    // Warm-up (excluded): discovery, the retained flood to the fresh subscribers, JIT. Then the
    // window, the same wall-clock interval in every process.
    const startAt = clock.now() + o.warmupMs;
    const endAt = startAt + o.windowMs;
    const bridgeResult = nextMessage<BridgeMessage, 'window-result'>(b, 'window-result', 'bridge');
    const subResult = nextMessage<SubscriberMessage, 'window-result'>(s, 'window-result', 'subscriber');
    // An error or exit of either child during the window ends the run at once.
    const failFast = Promise.race([bridgeResult, subResult]).then(() => new Promise<never>(() => {}));
    failFast.catch(() => {}); // raced below; never an unhandled rejection
    b.send({ type: 'window', startAt, endAt } satisfies BridgeRequest);
    s.send({ type: 'window', startAt, endAt } satisfies SubscriberRequest);

    await Promise.race([clock.sleep(Math.max(0, startAt - clock.now())), failFast]);
    const m0 = machineCpu();
    const m0At = clock.monotonic();
    const broker0 = mosquitto ? procCpuMs(mosquitto.pid) : null;
    const u0 = await Promise.all(agents.map((a) => agentUsage(clock, a)));
    await Promise.race([clock.sleep(Math.max(0, endAt - clock.now())), failFast]);
    const m1 = machineCpu();
    const m1At = clock.monotonic();
    const broker1 = mosquitto ? procCpuMs(mosquitto.pid) : null;
    const u1 = await Promise.all(agents.map((a) => agentUsage(clock, a)));
    const [br, sr] = await withTimeout(clock, Promise.all([bridgeResult, subResult]), 60_000, 'window results');

    let cmd: CommandResultMsg | null = null;
    if (o.commands > 0) {
      const cmdResult = nextMessage<SubscriberMessage, 'commands-result'>(s, 'commands-result', 'subscriber');
      s.send({
        type: 'commands', deviceIds: benchDeviceIds(o.n), outlets: OUTLETS, count: o.commands, timeoutMs: o.commandTimeoutMs, budgetMs: o.commandBudgetMs,
        qos: o.commandQos,
      } satisfies SubscriberRequest);
      cmd = await withTimeout(clock, cmdResult, o.commandBudgetMs + o.commandTimeoutMs + 15_000, 'command round trips');
    }

    const elapsed = m1At - m0At;
    const machineBusyPct = elapsed > 0 ? (100 * (m1.busy - m0.busy)) / elapsed : null;
    const bridgeCpuPct = (100 * br.cpuMs) / br.windowMs;
    const subscriberCpuPct = (100 * sr.cpuMs) / sr.windowMs;
    const brokerCpuMs = broker0 !== null && broker1 !== null ? broker1 - broker0 : null;
    const brokerCpuPct = brokerCpuMs !== null && elapsed > 0 ? (100 * brokerCpuMs) / elapsed : null;
    let agentCpuPct: number | null = null;
    if (u0.every(Boolean) && u1.every(Boolean)) {
      agentCpuPct = 0;
      for (let i = 0; i < u0.length; i++) {
        const a = u0[i] as AgentUsage;
        const z = u1[i] as AgentUsage;
        agentCpuPct += z.atMono > a.atMono ? (100 * (z.cpuUs - a.cpuUs)) / 1000 / (z.atMono - a.atMono) : 0;
      }
    }
    const known = bridgeCpuPct + subscriberCpuPct + (brokerCpuPct ?? 0) + (agentCpuPct ?? 0);
    result = {
      broker: o.broker,
      brokerText: mosquitto ? `mosquitto ${mosquitto.version} (own process${o.mosquittoNoDelay ? '; **set_tcp_nodelay true**, not the default' : '; default settings: set_tcp_nodelay false'})` : `aedes ${aedesVersion()} (embedded: inside the bridge process)`,
      n: o.n,
      bridge: br,
      sub: sr,
      cmd,
      cpuMsPerPoll: br.polls > 0 ? br.cpuMs / br.polls : null,
      bridgeCpuPct,
      subscriberCpuPct,
      brokerCpuPct,
      brokerCpuMsPerPoll: brokerCpuMs !== null && br.polls > 0 ? brokerCpuMs / br.polls : null,
      agentCpuPct,
      machineBusyPct,
      otherCpuPct: machineBusyPct !== null && agentCpuPct !== null ? machineBusyPct - known : null,
      bridgeStartupMs: ready.startupMs,
      bridgeStoppedCleanly: null,
      wallMs: 0,
    };
  } finally {
    // Consumers first (so the bridge's shutdown messages have nobody waiting), then the bridge
    // (app.stop(), bounded inside the worker), then the PDUs and the broker.
    if (sub) await stopChild(clock, sub, { type: 'stop' } satisfies SubscriberRequest, 10_000);
    if (bridge) {
      const b = bridge;
      const stopped = exited(b) ? Promise.resolve(null) : nextMessage<BridgeMessage, 'stopped'>(b, 'stopped', 'bridge').catch(() => null);
      await stopChild(clock, b, { type: 'stop' } satisfies BridgeRequest, 25_000);
      bridgeStoppedCleanly = (await withTimeout(clock, stopped, 1000, 'bridge stopped').catch(() => null))?.clean ?? false;
    }
    await Promise.all(agents.map((a) => stopChild(clock, a, { type: 'stop' } satisfies AgentRequest, 20_000)));
    await mosquitto?.stop();
  }
  // Known only once every child is gone.
  return { ...result, bridgeStoppedCleanly, wallMs: clock.monotonic() - started };
}

let aedesVer: string | undefined;
export function aedesVersion(): string {
  try {
    aedesVer ??= (JSON.parse(readFileSync(join(HERE, '..', '..', 'node_modules', 'aedes', 'package.json'), 'utf8')) as { version: string }).version;
  } catch (err) {
    aedesVer = `? (${errorMessage(err)})`;
  }
  return aedesVer;
}

// ---- the suite: poll-only baseline, each broker, a profile when a target is missed ---------------

export interface MqttSuiteOptions {
  n: number;
  brokers: BrokerKind[];
  portBase: number;
  warmupMs: number;
  windowMs: number;
  commands: number;
  commandTimeoutMs: number;
  commandBudgetMs: number;
  commandQos: 0 | 1;
  /** snmp.timeout_ms of the baseline poller (config default 800, as the bridge). */
  snmpTimeoutMs: number;
  profileMode: 'always' | 'never' | 'on-miss';
  profileWindowMs: number;
  agentProcs: number;
  mosquittoNoDelay?: boolean;
  clock: Clock;
  log: (s: string) => void;
}

export interface MqttSuiteResult {
  baseline: PollRunResult | null;
  runs: MqttRunResult[];
  skipped: Array<{ broker: BrokerKind; reason: string }>;
  profile: MqttProfile | null;
  /** Diagnostics: the mosquitto run again with set_tcp_nodelay true (its default is false), shorter window. */
  noDelayRun: MqttRunResult | null;
}

const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

export async function runMqttSuite(o: MqttSuiteOptions): Promise<MqttSuiteResult> {
  const { clock, log } = o;
  const skipped: MqttSuiteResult['skipped'] = [];
  const runs: MqttRunResult[] = [];
  const profilePath = (broker: string): string => join(os.tmpdir(), `power2mqtt-bench-mqtt-${broker}-${o.n}-${process.pid}.cpuprofile`);

  log(`mqtt: poll-only baseline, N = ${o.n}: warm-up ${o.warmupMs / 1000} s, window ${o.windowMs / 1000} s …`);
  let baseline: PollRunResult | null = null;
  try {
    baseline = await runPollBench({
      n: o.n, portBase: o.portBase, warmupMs: o.warmupMs, windowMs: o.windowMs, timeoutMs: o.snmpTimeoutMs, retries: 0, cpuProfile: false,
      profilePath: profilePath('baseline'), agentProcs: o.agentProcs, clock,
    });
    log(`mqtt: baseline ${baseline.worker.counts.okPolls}/${baseline.worker.counts.dueCycles} polls, CPU ${f(baseline.cpuMsPerPoll, 3)} ms/poll, RSS ${f(baseline.worker.rssMb, 1)} MB, other load ${f(baseline.otherCpuPct, 0)} %`);
  } catch (err) {
    log(`mqtt: baseline failed: ${errorMessage(err)}`);
  }

  const one = async (broker: BrokerKind, cpuProfile: boolean, windowMs: number, commands: number, noDelay = o.mosquittoNoDelay === true): Promise<MqttRunResult> =>
    runMqttBench({
      broker, n: o.n, portBase: o.portBase, warmupMs: o.warmupMs, windowMs, commands, commandTimeoutMs: o.commandTimeoutMs,
      commandBudgetMs: o.commandBudgetMs, commandQos: o.commandQos, cpuProfile, profilePath: profilePath(broker), agentProcs: o.agentProcs, clock, mosquittoNoDelay: noDelay,
    });

  for (const broker of o.brokers) {
    if (broker === 'mosquitto') {
      const missing = mosquittoMissing();
      if (missing) {
        skipped.push({ broker, reason: missing });
        log(`mqtt: mosquitto skipped: ${missing}`);
        continue;
      }
    }
    log(`mqtt: ${broker}, N = ${o.n}: warm-up ${o.warmupMs / 1000} s, window ${o.windowMs / 1000} s, ${o.commands} commands …`);
    try {
      const r = await one(broker, false, o.windowMs, o.commands);
      runs.push(r);
      const lat = r.sub.latencyMs;
      log(
        `mqtt: ${broker}: ${r.bridge.polls} polls, ${r.sub.statusMessages} status msgs, latency p50/p99 ${f(lat?.p50, 1)}/${f(lat?.p99, 1)} ms, ` +
          `${f((1000 * r.sub.allMessages) / r.sub.windowMs, 0)} msgs/s seen, bridge CPU ${f(r.cpuMsPerPoll, 3)} ms/poll, ` +
          `commands p50/p95 ${f(r.cmd?.rttMs?.p50, 1)}/${f(r.cmd?.rttMs?.p95, 1)} ms (${r.cmd?.succeeded ?? 0}/${r.cmd?.sent ?? 0} ok), RSS ${f(r.bridge.rssMb, 1)} MB, ` +
          `other load ${f(r.otherCpuPct, 0)} %, ${f(r.wallMs / 1000, 0)} s`,
      );
    } catch (err) {
      skipped.push({ broker, reason: `run failed: ${errorMessage(err)}` });
      log(`mqtt: ${broker} failed: ${errorMessage(err)}`);
    }
  }

  let profile: MqttProfile | null = null;
  const verdicts = mqttVerdicts(runs, baseline);
  // A CPU profile explains CPU and latency misses; a command miss against mosquitto gets the run below.
  const missed = verdicts.filter((v) => v.pass === false && v.kind !== 'command');
  const target = o.profileMode === 'always' ? runs[0]?.broker : o.profileMode === 'on-miss' ? missed[0]?.broker : undefined;
  if (target) {
    log(`mqtt: CPU profile of the bridge (${target}), window ${o.profileWindowMs / 1000} s${missed.length ? ` — missed: ${missed.map((v) => `${v.broker}: ${v.target}`).join('; ')}` : ''} …`);
    try {
      const r = await one(target, true, o.profileWindowMs, 0);
      if (r.bridge.profile) profile = { broker: target, n: o.n, windowS: o.profileWindowMs / 1000, summary: r.bridge.profile };
    } catch (err) {
      log(`mqtt: CPU profile run failed: ${errorMessage(err)}`);
    }
  }

  let noDelayRun: MqttRunResult | null = null;
  if (runs.some((r) => r.broker === 'mosquitto') && o.mosquittoNoDelay !== true && o.profileMode !== 'never' && o.commands > 0) {
    // Diagnostics, not a result: how much of the round trip is mosquitto's Nagle (set_tcp_nodelay false)?
    log('mqtt: diagnostics: the same commands against mosquitto with set_tcp_nodelay true …');
    try {
      noDelayRun = await one('mosquitto', false, Math.min(o.windowMs, 3000), o.commands, true);
      log(`mqtt: mosquitto + set_tcp_nodelay: commands p50/p95 ${f(noDelayRun.cmd?.rttMs?.p50, 1)}/${f(noDelayRun.cmd?.rttMs?.p95, 1)} ms (${noDelayRun.cmd?.succeeded ?? 0}/${noDelayRun.cmd?.sent ?? 0} ok)`);
    } catch (err) {
      log(`mqtt: diagnostic run failed: ${errorMessage(err)}`);
    }
  }
  return { baseline, runs, skipped, profile, noDelayRun };
}
