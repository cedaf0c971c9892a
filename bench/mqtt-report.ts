import type { ProfileSummary } from './cpu-profile.js';
import type { MqttRunResult } from './mqtt-bench.js';
import type { BrokerKind } from './mqtt-protocol.js';
import type { PollRunResult } from './poll-bench.js';
import { fmt, replaceSection, type MachineFacts } from './report.js';

// Markdown for the MQTT benchmark: one row per broker with the issue's targets next to the
// numbers, the details, the CPU profile summary, and its own section of docs/PERFORMANCE.md.
// Pure: every input (results, machine facts, date) is passed in.

export const MQTT_SECTION_START = '<!-- bench:mqtt:start -->';
export const MQTT_SECTION_END = '<!-- bench:mqtt:end -->';

/** Targets of the MQTT issue. */
export const MQTT_TARGETS = {
  latencyP99Ms: 10,
  latencyAtN: 100,
  commandP95Ms: 50,
  addedCpuMsPerPoll: 0.25,
} as const;

const mark = (ok: boolean): string => (ok ? 'pass' : '**FAIL**');

export interface MqttProfile {
  broker: BrokerKind;
  n: number;
  windowS: number;
  summary: ProfileSummary;
}

export interface MqttReport {
  machine: MachineFacts;
  n: number;
  warmupS: number;
  windowS: number;
  commands: number;
  commandTimeoutMs: number;
  commandQos: 0 | 1;
  /** The polling benchmark at the same N, warm-up and window, in the same run (null if it failed). */
  baseline: PollRunResult | null;
  runs: MqttRunResult[];
  /** Brokers that could not be measured, with the reason. */
  skipped: Array<{ broker: BrokerKind; reason: string }>;
  profile: MqttProfile | null;
  /** Diagnostics: mosquitto with set_tcp_nodelay true (the default run is the result). */
  noDelayRun: MqttRunResult | null;
  totalS: number;
}

/** MQTT's CPU per PDU-poll: bridge with MQTT − poll-only baseline (null when either is missing). */
export function addedCpu(r: MqttRunResult, baseline: PollRunResult | null): number | null {
  return r.cpuMsPerPoll !== null && baseline?.cpuMsPerPoll != null ? r.cpuMsPerPoll - baseline.cpuMsPerPoll : null;
}

/**
 * p95 of the command round trips over every command SENT, a timed-out one counting as slower
 * than any answered one, so timeouts cannot hide behind the answered ones. null: none sent.
 */
export function commandP95(r: MqttRunResult): number | null {
  const c = r.cmd;
  if (!c || c.sent === 0) return null;
  const rank = Math.ceil(0.95 * c.sent); // nearest rank among all sent
  const answered = [...c.rttAllMs].sort((a, b) => a - b);
  return rank <= answered.length ? (answered[rank - 1] as number) : Infinity;
}

const msgsPerS = (count: number, windowMs: number): number => (windowMs > 0 ? (1000 * count) / windowMs : Number.NaN);

export interface MqttVerdict {
  broker: BrokerKind;
  kind: 'latency' | 'command' | 'cpu';
  target: string;
  measured: string;
  pass: boolean | null;
}

export function mqttVerdicts(runs: readonly MqttRunResult[], baseline: PollRunResult | null): MqttVerdict[] {
  const out: MqttVerdict[] = [];
  for (const r of runs) {
    const lat = r.sub.latencyMs;
    const atN = r.n === MQTT_TARGETS.latencyAtN;
    out.push({
      broker: r.broker,
      kind: 'latency',
      target: `sample → subscriber p99 ≤ ${MQTT_TARGETS.latencyP99Ms} ms at ${MQTT_TARGETS.latencyAtN} PDUs`,
      measured: lat ? `${fmt(lat.p99, 1)} ms (${lat.count} status messages${atN ? '' : `, at N = ${r.n}`})` : 'no status message received',
      pass: !atN ? null : lat ? lat.p99 <= MQTT_TARGETS.latencyP99Ms : false,
    });
    const p95 = commandP95(r);
    const c = r.cmd;
    out.push({
      broker: r.broker,
      kind: 'command',
      target: `command round trip p95 < ${MQTT_TARGETS.commandP95Ms} ms`,
      measured: !c
        ? 'not measured'
        : `${p95 === null ? '–' : Number.isFinite(p95) ? `${fmt(p95, 1)} ms` : 'timeouts above the 5 % rank'} (${c.succeeded} of ${c.sent} succeeded${c.timeouts ? `, ${c.timeouts} timed out` : ''})`,
      pass: p95 === null ? null : p95 < MQTT_TARGETS.commandP95Ms && c !== null && c.succeeded === c.sent,
    });
    const add = addedCpu(r, baseline);
    out.push({
      broker: r.broker,
      kind: 'cpu',
      target: `MQTT adds ≤ ${MQTT_TARGETS.addedCpuMsPerPoll} ms CPU per PDU-poll`,
      measured: add === null ? 'not measured' : `${fmt(add, 3)} ms (${fmt(r.cpuMsPerPoll, 3)} with MQTT − ${fmt(baseline?.cpuMsPerPoll, 3)} poll-only)`,
      pass: add === null ? null : add <= MQTT_TARGETS.addedCpuMsPerPoll,
    });
  }
  return out;
}

export function mqttResultsTable(runs: readonly MqttRunResult[], baseline: PollRunResult | null): string {
  const head = [
    '| broker | PDUs | polls in window | status msgs seen / polls | sample → subscriber p50 / p99 ms (target p99 ≤ 10) | msgs/s seen on `pdu/#` | msgs/s published by bridge | bridge CPU ms per PDU-poll | MQTT adds ms per PDU-poll (target ≤ 0.25) | command round trip p50 / p95 ms (target p95 < 50) | bridge RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const rows = runs.map((r) => {
    const lat = r.sub.latencyMs;
    const latCell = lat ? `${fmt(lat.p50, 1)} / ${fmt(lat.p99, 1)} ${r.n === MQTT_TARGETS.latencyAtN ? mark(lat.p99 <= MQTT_TARGETS.latencyP99Ms) : ''}` : '– **FAIL** (none received)';
    const add = addedCpu(r, baseline);
    const addCell = add === null ? '–' : `${fmt(add, 3)} ${mark(add <= MQTT_TARGETS.addedCpuMsPerPoll)}`;
    const p95 = commandP95(r);
    const c = r.cmd;
    const cmdCell = !c || p95 === null
      ? '–'
      : `${fmt(c.rttMs?.p50, 1)} / ${Number.isFinite(p95) ? fmt(p95, 1) : `> ${fmt(c.rttMs?.max, 0)} (${c.timeouts} timeouts)`} ${mark(p95 < MQTT_TARGETS.commandP95Ms && c.succeeded === c.sent)}${c.succeeded === c.sent ? '' : ` (${c.succeeded}/${c.sent} ok)`}`;
    const ratio = r.bridge.polls > 0 ? `${r.sub.statusMessages} / ${r.bridge.polls} (${fmt((100 * r.sub.statusMessages) / r.bridge.polls, 0)} %)` : `${r.sub.statusMessages} / 0`;
    return `| ${r.broker} | ${r.n} | ${r.bridge.polls} | ${ratio} | ${latCell} | ${fmt(msgsPerS(r.sub.allMessages, r.sub.windowMs), 0)} | ${fmt(msgsPerS(r.bridge.publishes, r.bridge.windowMs), 0)} | ${fmt(r.cpuMsPerPoll, 3)} | ${addCell} | ${cmdCell} | ${fmt(r.bridge.rssMb, 1)} |`;
  });
  return [...head, ...rows].join('\n');
}

export function mqttTargetsTable(runs: readonly MqttRunResult[], baseline: PollRunResult | null): string {
  return ['| Target (issue) | broker | Measured | Result |', '|---|---|---|---|',
    ...mqttVerdicts(runs, baseline).map((v) => `| ${v.target} | ${v.broker} | ${v.measured} | ${v.pass === null ? '–' : mark(v.pass)} |`)].join('\n');
}

export function mqttDetailsTables(runs: readonly MqttRunResult[]): string {
  const cpu = [
    '| broker | window s | bridge CPU % (user / sys ms) | broker CPU % (ms per PDU-poll) | subscriber CPU % | agent CPU % | other load % | bridge event-loop delay p50 / p99 / max ms | bridge heap MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const mqtt = [
    '| broker | latency min / p90 / max ms | status retained / unparsable in window | KB/s on `pdu/#` | bridge publishes in warm-up | publishes dropped | bridge connects | cycles started / failed / overruns / skipped | silent devices | commands sent / answered / ok / timeouts (phase s) | bridge start s / stopped cleanly | run s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    const b = r.bridge;
    const brokerCell = r.brokerCpuPct === null ? 'in bridge' : `${fmt(r.brokerCpuPct, 1)} (${fmt(r.brokerCpuMsPerPoll, 3)})`;
    const loop = b.loopDelayMs ? `${fmt(b.loopDelayMs.p50, 1)} / ${fmt(b.loopDelayMs.p99, 1)} / ${fmt(b.loopDelayMs.max, 1)}` : '–';
    cpu.push(`| ${r.broker} | ${fmt(b.windowMs / 1000, 1)} | ${fmt(r.bridgeCpuPct, 1)} (${fmt(b.cpuUserMs, 0)} / ${fmt(b.cpuSystemMs, 0)}) | ${brokerCell} | ${fmt(r.subscriberCpuPct, 1)} | ${fmt(r.agentCpuPct, 1)} | ${fmt(r.otherCpuPct, 0)} | ${loop} | ${fmt(b.heapUsedMb, 1)} |`);
    const lat = r.sub.latencyMs;
    const c = r.cmd;
    const cmdCell = c ? `${c.sent} / ${c.answered} / ${c.succeeded} / ${c.timeouts} (${fmt(c.wallMs / 1000, 1)})${c.stoppedEarly ? ` stopped: ${c.stoppedEarly}` : ''}` : '–';
    mqtt.push(`| ${r.broker} | ${lat ? `${fmt(lat.min, 0)} / ${fmt(lat.p90, 1)} / ${fmt(lat.max, 0)}` : '–'} | ${r.sub.statusRetained} / ${r.sub.statusUnparsable} | ${fmt(msgsPerS(r.sub.allBytes, r.sub.windowMs) / 1024, 1)} | ${b.publishesBeforeWindow} | ${b.dropped} | ${b.connects} | ${b.cyclesStarted} / ${b.cyclesFailed} / ${b.overruns} / ${b.skipped} | ${b.silentDevices} | ${cmdCell} | ${fmt(r.bridgeStartupMs / 1000, 1)} / ${r.bridgeStoppedCleanly === null ? '–' : r.bridgeStoppedCleanly ? 'yes' : '**no**'} | ${fmt(r.wallMs / 1000, 0)} |`);
  }
  return [...cpu, '', ...mqtt].join('\n');
}

function warningLines(runs: readonly MqttRunResult[]): string[] {
  const lines = runs.flatMap((r) => r.bridge.warnings.map((w) => `- ${r.broker}: \`${w.replace(/`/g, "'")}\``));
  return lines.length ? ['Warnings the bridge process emitted (start-up and warm-up included):', '', ...lines, ''] : [];
}

/** Native functions with a known purpose, moved out of the catch-all bucket (they show up in the top functions). */
const NATIVE_PURPOSE: Record<string, string> = {
  writev: 'TCP socket writes (MQTT; mqtt-packet corks per tick, so packets of one tick share a write)',
  writevGeneric: 'TCP socket writes (MQTT; mqtt-packet corks per tick, so packets of one tick share a write)',
  writeGeneric: 'TCP socket writes (MQTT; mqtt-packet corks per tick, so packets of one tick share a write)',
  writeBuffer: 'TCP socket writes (MQTT; mqtt-packet corks per tick, so packets of one tick share a write)',
  send: 'UDP sends (SNMP requests)',
};

/**
 * Self time grouped into what it is for, from the code origins of the profile (and, for the big
 * native functions, their names). In the bridge, src/devices/pdu/profiles runs mostly readings.ts,
 * which turns each snapshot into the state topics for src/mqtt/state.ts, so it counts as MQTT.
 */
export function profileBuckets(s: ProfileSummary): Array<{ bucket: string; selfMs: number; pct: number }> {
  const bucketOf = (origin: string): string => {
    if (origin === 'npm:aedes' || origin.startsWith('npm:aedes-') || origin === 'npm:mqemitter' || origin === 'npm:qlobber' || origin === 'npm:hyperid' || origin === 'npm:fastparallel' || origin === 'npm:fastfall' || origin === 'npm:fastseries' || origin === 'npm:reusify') return 'embedded broker (aedes & its deps)';
    if (origin === 'npm:mqtt' || origin === 'npm:mqtt-packet' || origin === 'npm:bl' || origin === 'npm:readable-stream' || origin === 'npm:number-allocator' || origin === 'npm:duplexify' || origin === 'npm:debug') return 'MQTT protocol JS (mqtt.js, mqtt-packet, streams, debug)';
    if (origin === 'src/mqtt' || origin.startsWith('src/mqtt/') || origin === 'src/devices/pdu/profiles') return 'bridge MQTT code (src/mqtt + snapshot → topic readings)';
    if (origin === 'npm:net-snmp' || origin === 'npm:asn1-ber' || origin.startsWith('src/devices')) return 'SNMP polling and decoding (JS)';
    if (origin === '(gc)') return 'garbage collection';
    if (origin === 'node internals' || origin === '(native)' || origin === '(program: native / VM)') return 'other Node internals, native, VM (timers, streams, JSON, Buffer)';
    return `other (${origin})`;
  };
  const m = new Map<string, number>();
  const add = (b: string, ms: number): void => void m.set(b, (m.get(b) ?? 0) + ms);
  for (const o of s.byOrigin) add(bucketOf(o.origin), o.selfMs);
  for (const f of s.topFunctions) {
    const fn = f.name.split(' ')[0] ?? '';
    const purpose = NATIVE_PURPOSE[fn];
    if (purpose && (f.origin === '(native)' || f.origin === 'node internals')) {
      add(bucketOf(f.origin), -f.selfMs);
      add(purpose, f.selfMs);
    }
  }
  return [...m].filter(([, ms]) => ms > 0.05).sort((a, b) => b[1] - a[1]).map(([bucket, selfMs]) => ({ bucket, selfMs, pct: s.busyMs > 0 ? (100 * selfMs) / s.busyMs : 0 }));
}

export function mqttProfileMarkdown(p: MqttProfile): string {
  const s = p.summary;
  return [
    `CPU profile of the bridge process (${p.broker}) at N = ${p.n}, ${fmt(p.windowS, 0)} s window (V8 sampling profiler via \`node:inspector\`, 0.5 ms interval; a separate run, so the profiler's overhead is not in the tables above). Busy ${fmt(s.busyMs, 0)} ms of ${fmt(s.totalMs, 0)} ms sampled (${fmt((100 * s.busyMs) / Math.max(1, s.totalMs), 1)} % of one core; main thread only, so below the \`process.cpuUsage()\` figure, which also counts GC and libuv threads).${s.path ? ` Raw profile: \`${s.path}\`.` : ''}`,
    '',
    'Self time by purpose (code origins grouped; the large native functions by name):',
    '',
    '| what | self ms | % of busy |',
    '|---|---:|---:|',
    ...profileBuckets(s).map((b) => `| ${b.bucket} | ${fmt(b.selfMs, 0)} | ${fmt(b.pct, 1)} |`),
    '',
    'Self time by code origin:',
    '',
    '| origin | self ms | % of busy |',
    '|---|---:|---:|',
    ...s.byOrigin.slice(0, 12).map((r) => `| ${r.origin} | ${fmt(r.selfMs, 0)} | ${fmt(r.pct, 1)} |`),
    '',
    'Top functions by self time:',
    '',
    '| function | origin | self ms | % of busy |',
    '|---|---|---:|---:|',
    ...s.topFunctions.map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.origin} | ${fmt(r.selfMs, 0)} | ${fmt(r.pct, 1)} |`),
  ].join('\n');
}

export function renderMqttSection(r: MqttReport): string {
  const m = r.machine;
  const b = r.baseline;
  const baselineText = b
    ? `Poll-only baseline in the same run (the polling benchmark above, \`bench/poll-bench.ts\`, at N = ${b.n}, same warm-up and window): **${fmt(b.cpuMsPerPoll, 3)} ms CPU per PDU-poll**, ${b.worker.counts.okPolls} / ${b.worker.counts.dueCycles} polls, RSS ${fmt(b.worker.rssMb, 1)} MB, poller ${fmt(b.pollerCpuPct, 1)} % CPU, other load ${fmt(b.otherCpuPct, 0)} %.`
    : 'Poll-only baseline: could not be measured in this run, so "MQTT adds" is not known.';
  const parts = [
    MQTT_SECTION_START,
    '## MQTT (bridge, 1 Hz, both brokers)',
    '',
    `Measured ${m.date} on ${m.cpuCount} × ${m.cpuModel}${m.cpuMhz > 0 ? ` (${m.cpuMhz} MHz)` : ''}, ${fmt(m.totalMemGb, 1)} GB RAM, ${m.os}, Node ${m.node}.`,
    `Command: \`${m.command}\` (N = ${r.n} PDUs, warm-up ${r.warmupS} s, measurement window ${r.windowS} s per broker, then ${r.commands} commands; MQTT suite ${fmt(r.totalS / 60, 1)} min). 1-minute load average ${fmt(m.loadStart, 2)} at the start, ${fmt(m.loadEnd, 2)} at the end (anything above ~0 is other work sharing the machine).`,
    '',
    `**Method.** Per broker: N simulated PDU44001 agents in their own process (\`bench/agent.ts\`, as in the polling benchmark) on consecutive UDP ports of 127.0.0.1; the bridge in another process, alone (\`bench/mqtt-worker.ts\`): the real \`createApp\` with a config built as from a file (\`configSchema.parse\` + \`resolveConfig\`: demo off, N \`devices\` on the agents' ports, HA discovery on, everything else default: v2c, \`timeout_ms\` 800, \`retries\` 0, 1 Hz, \`heartbeat_s\` 60, MQTT 3.1.1, silent logger; \`DeviceRegistry.startAll\` staggers the devices by 100 ms modulo the 1 s interval, so 100 PDUs poll in 10 groups of 10), connected either to the embedded aedes broker (\`mqtt.url: ""\`, embedded port 0 — the broker runs **inside the bridge process**, so its work is in the bridge's CPU) or to Debian \`mosquitto\` started by the benchmark on a free 127.0.0.1 port (own process; its CPU is shown separately). The consumers run in a process of their own (\`bench/mqtt-subscriber.ts\`), as three mqtt.js clients (TCP_NODELAY, like the bridge's): one subscribed to \`pdu/+/status\`, one to \`pdu/#\`, one for commands. After the warm-up (first polls, HA discovery of every device, the retained flood to the fresh subscribers, JIT; excluded), all processes measure the same wall-clock window. **sample → subscriber latency** = receive \`Date.now()\` − \`Date.parse(timestamp)\` of every live \`pdu/{id}/status\` message received in the window; \`timestamp\` is the snapshot's poll-completion time (ms resolution, truncated, so values carry up to ~1 ms of rounding), taken before decoding, so the latency covers decode, bus, state diffing, JSON, mqtt.js, the broker and the subscriber's parser. \`status\` is published on change + heartbeat (SPEC §9.1); the simulated input voltage varies, so most polls change it (the seen / polls column). **msgs/s** = messages received on \`pdu/#\` ÷ window, and the bridge's \`client.stats().publishes\` delta ÷ window. **Bridge CPU per PDU-poll** = the bridge process's \`process.cpuUsage()\` delta (user + system, all threads) ÷ \`sample\` bus events in the window; **MQTT adds** = that − the poll-only baseline's CPU per PDU-poll (same N, warm-up and window, measured in the same run; the baseline has no MQTT service, no app wiring and no broker). **Command round trip**: after the window, with polling going on, the command client publishes \`{"command":"off"|"on","transaction":…}\` (QoS ${r.commandQos}; responses subscribed with QoS 1, as the bridge publishes them) to \`pdu/{id}/outlet/{n}/command\`, one at a time, off then on for the same outlet, spread over devices, then outlets; time from publish to the matching \`…/command/response\` (the bridge's SNMP SET + read-back against the simulator included); each bounded by ${fmt(r.commandTimeoutMs / 1000, 0)} s, and the p95 counts a timed-out command as slower than every answered one. RSS at the end of the window. Numbers are as measured; nothing is tuned for the benchmark.`,
    '',
    mqttResultsTable(r.runs, b),
    '',
    baselineText,
    ...(r.skipped.length ? ['', ...r.skipped.map((s) => `Not measured: **${s.broker}** — ${s.reason}.`)] : []),
    '',
    '### Targets',
    '',
    mqttTargetsTable(r.runs, b),
    '',
    '### Details',
    '',
    `Brokers: ${r.runs.map((x) => `${x.broker} = ${x.brokerText}`).join('; ') || '–'}.`,
    '',
    mqttDetailsTables(r.runs),
    '',
    ...warningLines(r.runs),
    '*Broker CPU* is mosquitto\'s own process (`/proc/<pid>/stat`); aedes runs in the bridge process and is part of the bridge\'s CPU. *Other load* is the machine\'s busy CPU over the window (`os.cpus()`, all cores) minus bridge, broker, subscriber and agents, in % of one core: other work sharing the machine. *Bridge publishes in warm-up* = everything the bridge published before the window (retained state of every device, HA discovery configs, bridge info). *Cycles* are the scheduler\'s counters over the window (failed = no snapshot; overruns = previous poll still running; skipped = loop blocked past the due time).',
  ];
  const mosq = r.runs.find((x) => x.broker === 'mosquitto');
  if (r.noDelayRun && mosq) {
    const d = r.noDelayRun;
    const p95 = commandP95(d);
    const p95Default = commandP95(mosq);
    const step = (mosq.cmd?.rttMs?.p50 ?? 0) - (d.cmd?.rttMs?.p50 ?? Infinity);
    const cell = (x: number | null): string => (x === null ? '–' : Number.isFinite(x) ? `${fmt(x, 1)} ms` : 'timeouts');
    parts.push(
      '',
      '### Command round trip against mosquitto',
      '',
      `Diagnostics (not a result): the same ${d.cmd?.sent ?? 0} commands against a mosquitto started with \`set_tcp_nodelay true\` (everything else equal; window ${fmt(d.bridge.windowMs / 1000, 0)} s): round trip p50 / p95 **${fmt(d.cmd?.rttMs?.p50, 1)} / ${cell(p95)}** (${d.cmd?.succeeded ?? 0} of ${d.cmd?.sent ?? 0} succeeded), against ${fmt(mosq.cmd?.rttMs?.p50, 1)} / ${cell(p95Default)} with mosquitto's default \`set_tcp_nodelay false\` (the result above)${step >= 30 ? '. Only the broker\'s socket option differs, so the difference is the broker\'s: a ~40 ms step is the signature of Nagle\'s algorithm (a small packet held until the previous one is acknowledged) meeting a delayed ACK (40 ms minimum on Linux). The bridge\'s and the clients\' own sockets have TCP_NODELAY, and the embedded aedes broker sets it on its sockets too' : ''}.`,
    );
  }
  if (r.profile) parts.push('', '### Where the bridge\'s CPU goes', '', mqttProfileMarkdown(r.profile));
  parts.push(MQTT_SECTION_END);
  return parts.join('\n');
}

/** Replace the MQTT section of PERFORMANCE.md (or append it after the others). */
export function replaceMqttSection(doc: string | null, section: string): string {
  return replaceSection(doc, section, MQTT_SECTION_START, MQTT_SECTION_END);
}
