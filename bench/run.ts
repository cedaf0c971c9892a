import { MALLOC_CHOICES, type MallocChoice } from './malloc.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RealClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { runHistoryBench } from './history-bench.js';
import { kill9Summary, kill9Table, renderKill9Section, replaceKill9Section, runKill9 } from './kill9-bench.js';
import { formatLayoutTable, runHistoryLayoutBench, type LayoutResult } from './history-layouts.js';
import { historyQueryTable, historyTargetsTable, renderHistorySection, replaceHistorySection, type HistoryReport } from './history-report.js';
import { mosquittoMissing, runMqttSuite } from './mqtt-bench.js';
import type { BrokerKind } from './mqtt-protocol.js';
import { MQTT_SECTION_END, mqttResultsTable, mqttTargetsTable, renderMqttSection, replaceMqttSection, type MqttReport } from './mqtt-report.js';
import { runPollBench, type PollRunResult } from './poll-bench.js';
import { renderPowerSection, replacePowerSection, runPowerSuite } from './power-suite.js';
import { formatRulesTable, renderRulesSection, replaceRulesSection, runRulesSuite } from './rules-bench.js';
import { formatWsTable, renderWsSection, replaceWsSection, runWsSuite } from './ws-bench.js';
import { formatHttpTable, renderHttpSection, replaceHttpSection, runHttpSuite } from './http-bench.js';
import { plugResultsTable, plugTargetsTable, renderPlugSection, replacePlugSection, runPlugBench } from './plug-bench.js';
import { loadFacts, loadTable, loadVerdictTable, renderLoadSection, replaceLoadSection } from './load-report.js';
import { runLoadSuite } from './load-suite.js';
import {
  fmt, holds, renderSection, replaceSection, resultsTable, targetsTable, targetVerdicts, whyNot, type MachineFacts, type PollReport,
} from './report.js';

// `npm run bench`: the polling benchmark (N simulated PDUs polled at 1 Hz from one process) and
// the MQTT benchmark (the real bridge at N PDUs against the embedded aedes broker and mosquitto).
// Prints the tables to stdout, progress to stderr, and rewrites each suite's section of
// docs/PERFORMANCE.md. Every run and the whole benchmark are bounded in count and time.

const USAGE = `usage: npm run bench -- [options]

  --suite S          poll | mqtt | history | power | rules | ws | http | plugs | faults | load | all (default all;
                     all does not include load: it runs 10 minutes)
  --quick            shorter: polling ~1 minute (N = 1, 100, 500, warm-up 3 s, window 10 s, no
                     upward search); MQTT window 8 s, 60 commands
  --seconds S        measurement window per N (default 30)
  --warmup S         warm-up per N, excluded (default 5)
  --n LIST           fixed Ns, comma-separated (default 1,100,500)
  --max-n N          upper bound of the upward search from 500 (default 4000)
  --no-search        skip the upward search (default in --quick)
  --search           do the upward search even with --quick
  --profile          always record a CPU profile of the poller at N = 500
  --no-profile       never (default: only when a target is missed)
  --profile-n N      N of the profile run (default 500)
  --port-base P      first UDP port of the agents (default 20000)
  --pdus-per-agent M simulated PDUs per agent process (default 750: ceil(N / M) agent processes,
                     so one single-threaded agent process is not the bottleneck)
  --agent-procs K    a fixed number of agent processes instead
  --budget S         stop the upward search when the whole run would pass S seconds (default 1200)
  --out FILE         markdown file to update (default docs/PERFORMANCE.md)
  --no-write         print only

History suite (one simulated PDU44001 at 1 Hz through the real writer, then queries and export):
  --history-days D   simulated days (default 60, --quick 2)
  --layout-hours H   hours of data for the storage-layout comparison (default 6, --quick 1)
  --no-layouts       skip the layout comparison

Power suite (switch prober + outage engine):
  --switch-targets N HTTP targets probed every 10 s (default 1000, --quick 200)

Rules suite (1,000 rules on 100 PDUs at 1 Hz through the real RulesRuntime, 120 cycles after 60 of
warm-up, --quick 60):
  --rules-note TEXT  a paragraph kept under the table (e.g. the numbers before a fix)

REST suite (the real web server, 100 live PDUs, autocannon in a child process, 15 s per row, --quick 5 s):
  --http-days D      days of one PDU in the history file for the range rows (default 60, --quick 2)
  --http-pdus N      live PDUs (default 100)

Plugs suite (200 simulated Kasa + 200 simulated Shelly plugs at 1 Hz, simulators in a child process;
window 30 s after 5 s of warm-up, --quick 10 s after 3 s; --seconds / --warmup apply):
  --plugs-kasa N     simulated Kasa plugs (default 200)
  --plugs-shelly N   simulated Shelly plugs (default 200)

Faults suite (the real app in demo mode killed with SIGKILL during ingest and restarted on the
same data dir; writes its block of docs/RELIABILITY.md when the block's markers are there):
  --kills N          kills (default 50, --quick 10)
  --kill-seed S      seed of the random kill moments (default: time-based, printed)

Load suite (issue 10: the real app with N PDUs at 1 Hz, MQTT with HA discovery, history and two
rules per PDU for M minutes; agents, app and one MQTT consumer in child processes; one row per
minute after 30 s of warm-up, --quick 15 s; writes its section of docs/RELIABILITY.md, or --out):
  --pdus N           simulated PDUs (default 500)
  --minutes M        measured minutes (default 10, --quick 3)
  --load-broker B    aedes (embedded, default) or mosquitto (Debian's, in its own process; its
                     RSS and CPU are reported apart; a section of its own in RELIABILITY.md)
  --load-malloc A    the app process's C allocator: glibc (default arenas, default), arena2
                     (glibc with MALLOC_ARENA_MAX=2) or jemalloc (Debian's libjemalloc2 preloaded)

WebSocket suite (the /ws hub: C clients in a child process, 1 and 100 PDUs at 1 Hz, window 20 s, --quick 8 s):
  --ws-clients C     clients (default 100)

MQTT suite (poll-only baseline at the same N, then the bridge per broker):
  --mqtt-n N         PDUs (default 100)
  --mqtt-seconds S   measurement window per broker (default 20, --quick 8)
  --mqtt-warmup S    warm-up per broker, excluded (default 5, at least 5: discovery happens then)
  --brokers LIST     aedes,mosquitto (default both; mosquitto is skipped, and said so, if missing)
  --commands K       command round trips per broker after the window (default 200, --quick 60)
  --profile / --no-profile apply here too: CPU profile of the bridge (--profile-seconds, default 10)
  --command-qos Q    QoS of the command publishes, 0 or 1 (default 1)
  --mosquitto-nodelay  diagnostics: start mosquitto with set_tcp_nodelay true (default: its default, false)
`;

const SEARCH_LADDER = [750, 1000, 1500, 2000, 3000, 4000, 6000, 8000];

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    n: { type: 'string' },
    'max-n': { type: 'string', default: '4000' },
    search: { type: 'boolean' },
    'no-search': { type: 'boolean', default: false },
    profile: { type: 'boolean' },
    'no-profile': { type: 'boolean', default: false },
    'profile-n': { type: 'string', default: '500' },
    'port-base': { type: 'string', default: '20000' },
    'agent-procs': { type: 'string' },
    'pdus-per-agent': { type: 'string', default: '750' },
    budget: { type: 'string', default: '1200' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    'mqtt-n': { type: 'string' },
    'mqtt-seconds': { type: 'string' },
    'mqtt-warmup': { type: 'string' },
    brokers: { type: 'string', default: 'aedes,mosquitto' },
    commands: { type: 'string' },
    'profile-seconds': { type: 'string' },
    'mosquitto-nodelay': { type: 'boolean', default: false },
    'history-days': { type: 'string' },
    'layout-hours': { type: 'string' },
    'no-layouts': { type: 'boolean', default: false },
    'command-qos': { type: 'string' },
    'switch-targets': { type: 'string' },
    'rules-note': { type: 'string' },
    'ws-clients': { type: 'string' },
    'http-days': { type: 'string' },
    'http-pdus': { type: 'string' },
    'plugs-kasa': { type: 'string' },
    'plugs-shelly': { type: 'string' },
    pdus: { type: 'string' },
    minutes: { type: 'string' },
    'load-broker': { type: 'string', default: 'aedes' },
    'load-malloc': { type: 'string', default: 'glibc' },
    kills: { type: 'string' },
    'kill-seed': { type: 'string' },
  },
});

function num(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  const x = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(x) || x < min || x > max) {
    process.stderr.write(`--${name} must be a number in ${min}..${max} (got ${v})\n${USAGE}`);
    process.exit(2);
  }
  return x;
}

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const quick = values.quick ?? false;
const windowS = num('seconds', values.seconds, quick ? 10 : 30, 1, 3600);
const warmupS = num('warmup', values.warmup, quick ? 3 : 5, 1, 600);
const maxN = num('max-n', values['max-n'], 4000, 1, 20_000);
const portBase = num('port-base', values['port-base'], 20000, 1024, 60_000);
const fixedAgentProcs = values['agent-procs'] === undefined ? null : num('agent-procs', values['agent-procs'], 1, 1, 64);
const pdusPerAgent = num('pdus-per-agent', values['pdus-per-agent'], 750, 1, 20_000);
const agentProcsFor = (n: number): number => fixedAgentProcs ?? Math.max(1, Math.ceil(n / pdusPerAgent));
const budgetS = num('budget', values.budget, 1200, 10, 86_400);
const fixedNs = (values.n ?? '1,100,500').split(',').map((s) => num('n', s.trim(), 1, 1, 20_000));
const search = values.search ?? (!quick && !values['no-search']);
const profileMode: 'always' | 'never' | 'on-miss' = values.profile ? 'always' : values['no-profile'] ? 'never' : 'on-miss';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outPath = values.out ?? join(repoRoot, 'docs', 'PERFORMANCE.md');
const TIMEOUT_MS = 800; // config default snmp.timeout_ms
const PROFILE_N = num('profile-n', values['profile-n'], 500, 1, 20_000);
const suite = values.suite ?? 'all';
if (!['poll', 'mqtt', 'history', 'power', 'rules', 'ws', 'http', 'plugs', 'faults', 'load', 'all'].includes(suite)) {
  process.stderr.write(`--suite must be poll, mqtt, history, power, rules, ws, http, plugs, faults, load or all (got ${suite})\n${USAGE}`);
  process.exit(2);
}
const mqttN = num('mqtt-n', values['mqtt-n'], 100, 1, 2000);
const mqttWindowS = num('mqtt-seconds', values['mqtt-seconds'], quick ? 8 : 20, 1, 3600);
const mqttWarmupS = num('mqtt-warmup', values['mqtt-warmup'], 5, 5, 600);
const mqttCommands = num('commands', values.commands, quick ? 60 : 200, 0, 10_000);
const profileWindowS = num('profile-seconds', values['profile-seconds'], quick ? 5 : 10, 1, 600);
const brokers = (values.brokers ?? '').split(',').map((b) => b.trim()).filter(Boolean) as BrokerKind[];
if (brokers.length === 0 || brokers.some((b) => b !== 'aedes' && b !== 'mosquitto')) {
  process.stderr.write(`--brokers must list aedes and/or mosquitto (got ${values.brokers})\n${USAGE}`);
  process.exit(2);
}
const COMMAND_TIMEOUT_MS = 2000;
const commandQos = num('command-qos', values['command-qos'], 1, 0, 1) === 0 ? 0 : 1;

const clock = new RealClock();
const t0 = clock.monotonic();
const loadStart = os.loadavg()[0] ?? 0;
const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);

function tooLong(nextN: number): boolean {
  // Rough cost of one more run: agent start (~10 ms per PDU, generous) + warm-up + window + stop.
  const est = warmupS + windowS + 15 + nextN * 0.01;
  return (clock.monotonic() - t0) / 1000 + est > budgetS;
}

async function one(n: number, cpuProfile = false, windowOverrideS?: number): Promise<PollRunResult> {
  const w = windowOverrideS ?? windowS;
  log(`N = ${n}: warm-up ${warmupS} s, window ${w} s, ${agentProcsFor(n)} agent process(es)${cpuProfile ? ', CPU profile' : ''} …`);
  const r = await runPollBench({
    n, portBase, warmupMs: warmupS * 1000, windowMs: w * 1000, timeoutMs: TIMEOUT_MS, retries: 0, cpuProfile, agentProcs: agentProcsFor(n),
    profilePath: join(os.tmpdir(), `power2mqtt-bench-poll-${n}-${process.pid}.cpuprofile`), clock,
  });
  const c = r.worker.counts;
  log(`N = ${n}: ${c.okPolls}/${c.dueCycles} polls, missed ${c.missedCycles}, CPU ${fmt(r.cpuMsPerPoll, 3)} ms/poll, p50/p99 lateness ${fmt(c.latenessMs.p50, 1)}/${fmt(c.latenessMs.p99, 1)} ms, RSS ${fmt(r.worker.rssMb, 1)} MB, agent ${fmt(r.agentCpuPct, 0)} % CPU, other load ${fmt(r.otherCpuPct, 0)} %${holds(r) ? '' : ` — does not hold: ${whyNot(r)}`}`);
  return r;
}

function machineFacts(): MachineFacts {
  const argv = process.argv.slice(2);
  const cpus = os.cpus();
  return {
    date: new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cpuCount: cpus.length,
    cpuMhz: cpus[0]?.speed ?? 0,
    totalMemGb: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    loadStart,
    loadEnd: os.loadavg()[0] ?? 0,
  };
}

async function main(): Promise<number> {
  if (suite === 'all' || suite === 'poll') await pollSuite();
  if (suite === 'all' || suite === 'mqtt') await mqttSuite();
  if (suite === 'all' || suite === 'history') await historySuite();
  if (suite === 'all' || suite === 'power') await powerSuite();
  if (suite === 'all' || suite === 'rules') await rulesSuite();
  if (suite === 'all' || suite === 'ws') await wsSuite();
  if (suite === 'all' || suite === 'http') await httpSuite();
  if (suite === 'all' || suite === 'plugs') await plugsSuite();
  if (suite === 'load') await loadSuite();
  if (suite === 'all' || suite === 'faults') await faultsSuite();
  process.stdout.write(`whole run: ${fmt((clock.monotonic() - t0) / 1000, 0)} s\n`);
  return 0;
}

async function faultsSuite(): Promise<void> {
  const kills = num('kills', values.kills, quick ? 10 : 50, 1, 1000);
  const seed = num('kill-seed', values['kill-seed'], Date.now() % 1_000_000, 0, 2 ** 32 - 1);
  log(`faults: ${kills} × kill -9 during ingest (seed ${seed}) …`);
  const r = await runKill9({ kills, minUptimeS: 2, maxUptimeS: 8, outageEvery: 5, seed, log });
  const m = machineFacts();
  process.stdout.write(`\nkill -9 during ingest:\n\n${kill9Table(r.rows)}\n\n${kill9Summary(r)}\n\nfaults suite: ${fmt(r.totalS, 0)} s\n`);
  const relPath = join(repoRoot, 'docs', 'RELIABILITY.md');
  if (!values['no-write'] && existsSync(relPath)) {
    const doc = replaceKill9Section(readFileSync(relPath, 'utf8'), renderKill9Section(r, { date: m.date, machine: `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}`, command: m.command }));
    if (doc === null) log(`${relPath} has no faults-kill9 markers: not written`);
    else {
      writeFileSync(relPath, doc);
      log(`wrote the kill -9 block of ${relPath}`);
    }
  }
}

async function loadSuite(): Promise<void> {
  const load0 = os.loadavg()[0] ?? 0;
  const pdus = num('pdus', values.pdus, 500, 1, 5000);
  const minutes = num('minutes', values.minutes, quick ? 3 : 10, 1, 240);
  const broker = values['load-broker'];
  if (broker !== 'aedes' && broker !== 'mosquitto') {
    process.stderr.write(`--load-broker must be aedes or mosquitto (got ${broker})\n${USAGE}`);
    process.exit(2);
  }
  const malloc = values['load-malloc'];
  if (!MALLOC_CHOICES.includes(malloc as MallocChoice)) {
    process.stderr.write(`--load-malloc must be one of ${MALLOC_CHOICES.join(', ')} (got ${malloc})\n${USAGE}`);
    process.exit(2);
  }
  log(`load: ${pdus} PDUs at 1 Hz with MQTT (${broker}), history and rules for ${minutes} min …`);
  const r = await runLoadSuite({ pdus, minutes, warmupMs: (quick ? 15 : 30) * 1000, portBase, agentProcs: agentProcsFor(pdus), broker, malloc: malloc as MallocChoice, clock, log });
  const m = machineFacts();
  const text = `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}, 1-min load average ${fmt(load0, 2)} → ${fmt(m.loadEnd, 2)} (other work on the machine)`;
  process.stdout.write(`\nLoad, ${pdus} PDUs:\n\n${loadTable(r)}\n\n${loadVerdictTable(r)}\n\n${loadFacts(r)}\n\nload suite: ${fmt(r.wallMs / 1000, 0)} s\n`);
  if (!values['no-write']) {
    const out = values.out ?? join(repoRoot, 'docs', 'RELIABILITY.md');
    mkdirSync(dirname(out), { recursive: true });
    const doc = existsSync(out) ? readFileSync(out, 'utf8') : null;
    writeFileSync(out, replaceLoadSection(doc, renderLoadSection(r, { date: m.date, text, command: m.command }), broker));
    log(`wrote the load section of ${out}`);
  }
}

async function powerSuite(): Promise<void> {
  const targets = num('switch-targets', values['switch-targets'], quick ? 200 : 1000, 1, 20_000);
  const r = await runPowerSuite({ quick, targets, log });
  const m = machineFacts();
  const section = renderPowerSection(r, { date: m.date, text: `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}`, command: m.command });
  process.stdout.write(`\n${section.split('\n').slice(1, -1).join('\n')}\n\npower suite: ${fmt(r.totalS, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replacePowerSection(doc, section));
    log(`wrote the power section of ${outPath}`);
  }
}

async function rulesSuite(): Promise<void> {
  const load0 = os.loadavg()[0] ?? 0;
  const r = await runRulesSuite({ quick, log, note: values['rules-note'] ?? null });
  const m = machineFacts();
  // The note is in the section already; the command line shows only that there was one.
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--rules-note');
  if (at >= 0) argv.splice(at + 1, 1, '…');
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const text = `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}, 1-min load average ${fmt(load0, 1)} → ${fmt(m.loadEnd, 1)} (other work on the machine)`;
  const section = renderRulesSection(r, { date: m.date, text, command });
  process.stdout.write(`\nRules engine, 1,000 rules on 100 PDUs at 1 Hz:\n\n${formatRulesTable(r.rows)}\n\nrules suite: ${fmt(r.totalS, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replaceRulesSection(doc, section));
    log(`wrote the rules section of ${outPath}`);
  }
}

async function wsSuite(): Promise<void> {
  const load0 = os.loadavg()[0] ?? 0;
  const r = await runWsSuite({ quick, clients: num('ws-clients', values['ws-clients'], 100, 1, 2000), log });
  const m = machineFacts();
  const text = `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}, 1-min load average ${fmt(load0, 1)} → ${fmt(m.loadEnd, 1)} (other work on the machine)`;
  const section = renderWsSection(r, { date: m.date, text, command: m.command });
  process.stdout.write(`\nWebSocket /ws hub:\n\n${formatWsTable(r.rows)}\n\nws suite: ${fmt(r.totalS, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replaceWsSection(doc, section));
    log(`wrote the ws section of ${outPath}`);
  }
}

async function plugsSuite(): Promise<void> {
  const load0 = os.loadavg()[0] ?? 0;
  const kasa = num('plugs-kasa', values['plugs-kasa'], 200, 0, 2000);
  const shelly = num('plugs-shelly', values['plugs-shelly'], 200, 0, 2000);
  log(`plugs: ${kasa} Kasa + ${shelly} Shelly at 1 Hz, warm-up ${warmupS} s, window ${windowS} s …`);
  const r = await runPlugBench({ kasa, shelly, warmupMs: warmupS * 1000, windowMs: windowS * 1000, clock, log });
  const m = machineFacts();
  const text = `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}, 1-min load average ${fmt(load0, 1)} → ${fmt(m.loadEnd, 1)} (other work on the machine)`;
  process.stdout.write(`\nMetered smart plugs:\n\n${plugTargetsTable(r)}\n\n${plugResultsTable(r)}\n\nplugs suite: ${fmt(r.wallMs / 1000, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replacePlugSection(doc, renderPlugSection(r, { date: m.date, text, command: m.command })));
    log(`wrote the plugs section of ${outPath}`);
  }
}

async function httpSuite(): Promise<void> {
  const load0 = os.loadavg()[0] ?? 0;
  const days = num('http-days', values['http-days'], quick ? 2 : 60, 1, 120);
  const r = await runHttpSuite({ quick, days, pdus: num('http-pdus', values['http-pdus'], 100, 1, 2000), log });
  const m = machineFacts();
  const text = `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}, 1-min load average ${fmt(load0, 1)} → ${fmt(m.loadEnd, 1)} (other work on the machine)`;
  process.stdout.write(`\nREST API:\n\n${formatHttpTable(r.rows)}\n\nhttp suite: ${fmt(r.totalS, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replaceHttpSection(doc, renderHttpSection(r, { date: m.date, text, command: m.command })));
    log(`wrote the http section of ${outPath}`);
  }
}

async function historySuite(): Promise<void> {
  const h0 = clock.monotonic();
  const days = num('history-days', values['history-days'], quick ? 2 : 60, 1, 400);
  const layoutHours = num('layout-hours', values['layout-hours'], quick ? 1 : 6, 1, 48);
  const result = await runHistoryBench({ days, ingestPdus: 100, ingestSeconds: quick ? 60 : 300, queryRuns: quick ? 20 : 100 }, log);
  let layouts: LayoutResult[] | null = null;
  if (!values['no-layouts']) {
    const dir = mkdtempSync(join(os.tmpdir(), 'p2m-layouts-'));
    try {
      log(`history: storage layouts on ${layoutHours} h of data`);
      layouts = await runHistoryLayoutBench({ hours: layoutHours, dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const totalS = (clock.monotonic() - h0) / 1000;
  const m = machineFacts();
  const report: HistoryReport = {
    date: m.date, machine: `${m.cpuCount} × ${m.cpuModel}, Node ${m.node}`, result, layouts, layoutHours, totalS,
  };
  process.stdout.write(`\nHistory store, ${days} days of one PDU44001 at 1 Hz:\n\n${historyTargetsTable(result)}\n\n${historyQueryTable(result)}\n\n`);
  if (layouts) process.stdout.write(`${formatLayoutTable(layouts)}\n\n`);
  process.stdout.write(`history suite: ${fmt(totalS, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replaceHistorySection(doc, renderHistorySection(report)));
    log(`wrote the history section of ${outPath}`);
  }
}

async function mqttSuite(): Promise<void> {
  const m0 = clock.monotonic();
  const mqttLoadStart = os.loadavg()[0] ?? 0;
  if (brokers.includes('mosquitto') && mosquittoMissing()) log(`mosquitto not available: ${mosquittoMissing()}`);
  const r = await runMqttSuite({
    n: mqttN, brokers, portBase, warmupMs: mqttWarmupS * 1000, windowMs: mqttWindowS * 1000, commands: mqttCommands,
    commandTimeoutMs: COMMAND_TIMEOUT_MS, commandBudgetMs: Math.max(10_000, mqttCommands * 150), commandQos, snmpTimeoutMs: TIMEOUT_MS,
    profileMode, profileWindowMs: profileWindowS * 1000, agentProcs: agentProcsFor(mqttN), clock, log,
    mosquittoNoDelay: values['mosquitto-nodelay'] ?? false,
  });
  const totalS = (clock.monotonic() - m0) / 1000;
  const report: MqttReport = {
    machine: { ...machineFacts(), loadStart: mqttLoadStart }, n: mqttN, warmupS: mqttWarmupS, windowS: mqttWindowS, commands: mqttCommands,
    commandTimeoutMs: COMMAND_TIMEOUT_MS, commandQos, baseline: r.baseline, runs: r.runs, skipped: r.skipped, profile: r.profile, noDelayRun: r.noDelayRun, totalS,
  };
  process.stdout.write(`\nMQTT at N = ${mqttN}:\n\n${mqttResultsTable(r.runs, r.baseline)}\n\n`);
  process.stdout.write(`poll-only baseline: ${r.baseline ? `${fmt(r.baseline.cpuMsPerPoll, 3)} ms CPU per PDU-poll` : 'not measured'}\n`);
  for (const s of r.skipped) process.stdout.write(`not measured: ${s.broker}: ${s.reason}\n`);
  process.stdout.write(`\n${mqttTargetsTable(r.runs, r.baseline)}\n\n`);
  if (r.profile) {
    process.stdout.write(`CPU profile of the bridge (${r.profile.broker}) at N = ${r.profile.n} (top self time):\n`);
    for (const f of r.profile.summary.topFunctions.slice(0, 10)) process.stdout.write(`  ${fmt(f.pct, 1).padStart(5)} %  ${f.name}\n`);
    process.stdout.write(`  by origin: ${r.profile.summary.byOrigin.slice(0, 8).map((o) => `${o.origin} ${fmt(o.pct, 0)} %`).join(', ')}\n\n`);
  }
  process.stdout.write(`MQTT suite: ${fmt(totalS, 0)} s\n`);
  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replaceMqttSection(doc, renderMqttSection(report)));
    log(`wrote the MQTT section of ${outPath}${doc?.includes(MQTT_SECTION_END) ? '' : ' (appended: it had none)'}`);
  }
}

async function pollSuite(): Promise<void> {
  const results: PollRunResult[] = [];
  for (const n of fixedNs) results.push(await one(n));

  let searchText: string;
  if (!search) {
    searchText = `Largest N that holds: not searched (${quick ? '--quick' : '--no-search'}).`;
  } else {
    let base = results.find((r) => r.n === 500);
    if (!base) {
      base = await one(500);
      results.push(base);
    }
    if (!holds(base)) {
      searchText = `Largest N that holds: below 500 (N = 500 does not hold: ${whyNot(base)}); no upward search.`;
    } else {
      let best = 500;
      searchText = '';
      for (const n of SEARCH_LADDER.filter((x) => x > 500 && x <= maxN)) {
        if (tooLong(n)) {
          searchText = `Largest N that holds: ≥ ${best} (search stopped before N = ${n}: time budget of ${budgetS} s).`;
          break;
        }
        let r: PollRunResult;
        try {
          r = await one(n);
        } catch (err) {
          searchText = `Largest N that holds: ${best} (N = ${n} could not run: ${errorMessage(err)}).`;
          break;
        }
        results.push(r);
        if (!holds(r)) {
          searchText = `Largest N that holds: **${best}** (N = ${n} does not: ${whyNot(r)}).`;
          break;
        }
        best = n;
      }
      searchText ||= `Largest N that holds: ≥ ${best} (search bound --max-n ${maxN} reached).`;
    }
  }

  const anyMiss = targetVerdicts(results).some((v) => v.pass === false);
  let profile: PollReport['profile'] = null;
  if (profileMode === 'always' || (profileMode === 'on-miss' && anyMiss)) {
    const pw = Math.min(windowS, quick ? 5 : 10);
    try {
      const r = await one(PROFILE_N, true, pw);
      if (r.worker.profile) profile = { n: PROFILE_N, windowS: pw, summary: r.worker.profile };
    } catch (err) {
      log(`CPU profile run failed: ${errorMessage(err)}`);
    }
  }

  const totalS = (clock.monotonic() - t0) / 1000;
  const machine = machineFacts();
  const agentText = fixedAgentProcs === null ? `⌈N / ${pdusPerAgent}⌉ agent processes` : `${fixedAgentProcs} agent process${fixedAgentProcs === 1 ? '' : 'es'}`;
  const report: PollReport = { machine, warmupS, windowS, timeoutMs: TIMEOUT_MS, agents: agentText, results, search: searchText, profile, totalS };

  process.stdout.write(`\n${resultsTable(results)}\n\n${searchText}\n\n${targetsTable(results)}\n\n`);
  if (profile) {
    process.stdout.write(`CPU profile at N = ${profile.n} (top self time):\n`);
    for (const f of profile.summary.topFunctions.slice(0, 10)) process.stdout.write(`  ${fmt(f.pct, 1).padStart(5)} %  ${f.name}\n`);
    process.stdout.write(`  by origin: ${profile.summary.byOrigin.slice(0, 6).map((o) => `${o.origin} ${fmt(o.pct, 0)} %`).join(', ')}\n\n`);
  }
  process.stdout.write(`polling suite: ${fmt(totalS, 0)} s\n`);

  if (!values['no-write']) {
    mkdirSync(dirname(outPath), { recursive: true });
    const doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
    writeFileSync(outPath, replaceSection(doc, renderSection(report)));
    log(`wrote the polling section of ${outPath}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
