import type { LoadFinal, LoadInterval } from './load-app.js';
import { CHUNK_S } from '../src/history/raw.js';
import { HistoryWriter } from '../src/history/writer.js';
import { fmt, replaceSection, TARGETS } from './report.js';

// Markdown of the load run (issue 10): the per-interval table, the totals, and the verdict on the
// issue's targets and on stability (least-squares slopes of RSS, heap floor and CPU over intervals
// 2..N). Pure: every input is passed in.

export const LOAD_SECTION_START = '<!-- bench:load:start -->';
export const LOAD_SECTION_END = '<!-- bench:load:end -->';
/** The same run against an external mosquitto has a section of its own. */
export const LOAD_MOSQUITTO_START = '<!-- bench:load-mosquitto:start -->';
export const LOAD_MOSQUITTO_END = '<!-- bench:load-mosquitto:end -->';

/** Stability thresholds over intervals 2..N (the first one still fills rings, caches and JIT). */
export const STABILITY = { rssMbPerMin: 1, heapMbPerMin: 0.5, cpuPctPerMin: 1 } as const;

/**
 * Steady state: the intervals after the history store's first chunk cycle (a chunk of CHUNK_S
 * seconds, compacted up to the largest close delay after its end: that cycle runs code paths and
 * fills caches once). A long run needs STEADY.minIntervals of them for a verdict; "no growth" then
 * means the upper end of the slope's 95 % interval stays below the bounds (6 MB/h of RSS or of live heap).
 */
const FIRST_CHUNK_CYCLE_S = CHUNK_S + Math.max(...Array.from({ length: CHUNK_S }, (_, d) => HistoryWriter.closeDelay(d)));
export const STEADY = { rssMbPerMin: 0.1, heapMbPerMin: 0.1, minIntervals: 20 } as const;

/** The first interval (1-based) that starts after the first chunk cycle, counting from the warm-up's start. */
export function steadyFrom(intervalMs: number, warmupMs: number): number {
  return Math.max(2, Math.ceil((FIRST_CHUNK_CYCLE_S * 1000 - warmupMs) / intervalMs) + 1);
}

export interface LoadRow extends LoadInterval {
  label: string;
  /** Messages the MQTT consumer received on `{base}/#` in the interval. */
  mqttReceived: number;
  /** 1-minute load average of the machine at the end of the interval. */
  loadAvg: number;
  /** An external broker's RSS at the end of the interval; null when the broker runs inside the app. */
  brokerRssMb: number | null;
}

export interface LoadBroker {
  kind: 'aedes' | 'mosquitto';
  /** e.g. "aedes 0.51.3 (embedded: inside the app process)", "mosquitto 2.0.11 (own process)". */
  text: string;
  /** An external broker's CPU over the measured intervals, % of one core; null when embedded. */
  cpuPct: number | null;
}

export interface LoadResult {
  pdus: number;
  intervalMs: number;
  /** Warm-up before interval 1 (from the app's readiness). */
  warmupMs: number;
  warmup: LoadRow;
  rows: LoadRow[];
  final: LoadFinal;
  /** Agents' and consumer's CPU over the measured intervals, % of one core (null when not measured). */
  agentCpuPct: number | null;
  subscriberCpuPct: number | null;
  startupMs: number;
  wallMs: number;
  broker: LoadBroker;
  /** The app process's C allocator as it reported it, e.g. "glibc malloc (default arenas)". */
  allocator: string;
}

export interface LoadVerdict {
  due: number;
  done: number;
  missed: number;
  unsettled: number;
  worstP99: { ms: number; label: string };
  cpuMeanPct: number;
  /** Slopes per minute over intervals 2..N; null with fewer than 3 such intervals. */
  rssSlope: number | null;
  heapSlope: number | null;
  cpuSlope: number | null;
  /** Last interval − second interval. */
  rssDelta: number | null;
  heapDelta: number | null;
  /** Slopes (per minute, with their 95 % half-width) over the steady-state intervals; null when too few. */
  steady: { from: number; to: number; rssFloor: SlopeFit; rss: SlopeFit; heap: SlopeFit; native: SlopeFit | null; rssMin: number; rssMax: number } | null;
  pass: { missed: boolean; p99: boolean; memory: boolean | null; cpu: boolean | null; steady: boolean | null };
}

/**
 * Anonymous resident memory outside the V8 heap and outside Buffers: malloc arenas, thread stacks,
 * SQLite's page cache, V8's compiler zones. Null without /proc (RssAnon unknown).
 */
export function nativeMb(x: LoadInterval): number | null {
  return x.rssAnonMb === null ? null : x.rssAnonMb - x.heapTotalMb - x.externalMb;
}

export interface SlopeFit {
  slope: number;
  /** Half-width of the 95 % interval of the slope (normal approximation: 1.96 standard errors). */
  ci95: number;
}

/** Least-squares slope of ys over 0, 1, 2, … with its 95 % half-width; null for fewer than 3 points. */
export function slopeFit(ys: readonly number[]): SlopeFit | null {
  const n = ys.length;
  if (n < 3) return null;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, y) => a + y, 0) / n;
  const sxx = ys.reduce((a, _, x) => a + (x - mx) ** 2, 0);
  const b = ys.reduce((a, y, x) => a + (x - mx) * (y - my), 0) / sxx;
  const sse = ys.reduce((a, y, x) => a + (y - (my + b * (x - mx))) ** 2, 0);
  return { slope: b, ci95: 1.96 * Math.sqrt(sse / (n - 2) / sxx) };
}

/** Least-squares slope of ys over 0, 1, 2, …; null for fewer than 3 points. */
export function slope(ys: readonly number[]): number | null {
  return slopeFit(ys)?.slope ?? null;
}

function steadyState(r: LoadResult): LoadVerdict['steady'] {
  const from = steadyFrom(r.intervalMs, r.warmupMs);
  const rows = r.rows.slice(from - 1);
  if (rows.length < STEADY.minIntervals) return null;
  const perMin = 60_000 / r.intervalMs;
  const fit = (ys: number[]): SlopeFit => {
    const f = slopeFit(ys) as SlopeFit;
    return { slope: f.slope * perMin, ci95: f.ci95 * perMin };
  };
  const floor = rows.map((x) => x.rssFloorMb);
  const native = rows.map(nativeMb);
  return {
    from, to: r.rows.length, rssFloor: fit(floor), rss: fit(rows.map((x) => x.rssMb)), heap: fit(rows.map((x) => x.heapFloorMb)),
    native: native.every((v): v is number => v !== null) ? fit(native) : null, rssMin: Math.min(...floor), rssMax: Math.max(...floor),
  };
}

export function loadVerdict(r: LoadResult): LoadVerdict {
  const sum = (f: (x: LoadRow) => number): number => r.rows.reduce((s, x) => s + f(x), 0);
  const perMin = 60_000 / r.intervalMs;
  const later = r.rows.slice(1);
  const per = (v: number | null): number | null => (v === null ? null : v * perMin);
  const worst = r.rows.reduce((w, x) => (x.latenessMs.p99 > w.ms ? { ms: x.latenessMs.p99, label: x.label } : w), { ms: -Infinity, label: '–' });
  const rssSlope = per(slope(later.map((x) => x.rssMb)));
  const heapSlope = per(slope(later.map((x) => x.heapFloorMb)));
  const cpuSlope = per(slope(later.map((x) => x.cpuPct)));
  const first = later[0];
  const last = later[later.length - 1];
  const missed = sum((x) => x.missed);
  const unsettled = sum((x) => x.unsettled);
  const steady = steadyState(r);
  return {
    due: sum((x) => x.due), done: sum((x) => x.done), missed, unsettled, worstP99: worst,
    cpuMeanPct: sum((x) => x.cpuPct * x.wallMs) / Math.max(1, sum((x) => x.wallMs)),
    rssSlope, heapSlope, cpuSlope, steady,
    rssDelta: first && last && later.length > 1 ? last.rssMb - first.rssMb : null,
    heapDelta: first && last && later.length > 1 ? last.heapFloorMb - first.heapFloorMb : null,
    pass: {
      missed: missed === 0 && unsettled === 0,
      p99: r.rows.length > 0 && worst.ms < TARGETS.p99LatenessMs,
      memory: rssSlope === null || heapSlope === null ? null : rssSlope <= STABILITY.rssMbPerMin && heapSlope <= STABILITY.heapMbPerMin,
      cpu: cpuSlope === null ? null : cpuSlope <= STABILITY.cpuPctPerMin,
      steady: steady === null ? null : steady.rssFloor.slope + steady.rssFloor.ci95 <= STEADY.rssMbPerMin && steady.heap.slope + steady.heap.ci95 <= STEADY.heapMbPerMin,
    },
  };
}

const mark = (ok: boolean | null): string => (ok === null ? '– (run too short)' : ok ? 'pass' : '**FAIL**');
const signed = (v: number | null, d: number): string => (v === null ? '–' : `${v >= 0 ? '+' : ''}${fmt(v, d)}`);
const int = (v: number): string => v.toLocaleString('en-US');

/** "minute(s)" in the benchmark, "5 s interval(s)" in the smoke test. */
export function intervalName(intervalMs: number, plural = false): string {
  const s = plural ? 's' : '';
  return intervalMs === 60_000 ? `minute${s}` : `${fmt(intervalMs / 1000, 0)} s interval${s}`;
}

export function loadTable(r: LoadResult): string {
  const v = loadVerdict(r);
  // An external broker's RSS gets a column of its own; the embedded one is part of the app's RSS.
  const ext = r.broker.kind !== 'aedes';
  const brokerCell = (x: LoadRow): string => (ext ? ` ${fmt(x.brokerRssMb, 1)} |` : '');
  const row = (x: LoadRow): string =>
    `| ${x.label} | ${fmt(x.cpuPct, 1)} | ${fmt(x.rssMb, 1)} | ${fmt(x.rssFloorMb, 1)} |${brokerCell(x)} ${fmt(x.heapFloorMb, 1)} | ${fmt(x.heapTotalMb, 1)} | ${fmt(x.externalMb, 1)} | ${fmt(nativeMb(x), 1)} | ${int(x.due)} / ${int(x.done)} | ${x.missed}${x.unsettled ? ` (+${x.unsettled} unsettled)` : ''} | ` +
    `${fmt(x.latenessMs.p50, 1)} / ${fmt(x.latenessMs.p99, 1)} | ${int(x.samplesWritten)} | ${x.writeErrors} | ${int(x.mqttReceived)} | ${int(x.ruleEvaluations)} | ${x.ruleExecutions}${x.ruleCommandFailures ? ` (${x.ruleCommandFailures} failed)` : ''} | ${fmt(x.loadAvg, 2)} |`;
  const sum = (f: (x: LoadRow) => number): string => int(r.rows.reduce((s, x) => s + f(x), 0));
  return [
    `| ${intervalName(r.intervalMs)} | app CPU % | RSS MB | RSS floor MB |${ext ? ' broker RSS MB |' : ''} heap MB (floor) | V8 heap total MB | external MB | native MB | polls due / done | missed | lateness p50 / p99 ms | history samples written | write errors | MQTT msgs received | rule evaluations | rule executions | load avg |`,
    `|---|---:|---:|---:|${ext ? '---:|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
    row(r.warmup).replace(/^\| warm-up/, '| *warm-up*'),
    ...r.rows.map(row),
    `| **total** | ${fmt(v.cpuMeanPct, 1)} (mean) | ${fmt(r.rows[r.rows.length - 1]?.rssMb, 1)} (last) | |${ext ? ' |' : ''} | | | | ${int(v.due)} / ${int(v.done)} | ${v.missed} | – / ${fmt(v.worstP99.ms, 1)} (worst) | ` +
      `${sum((x) => x.samplesWritten)} | ${sum((x) => x.writeErrors)} | ${sum((x) => x.mqttReceived)} | ${sum((x) => x.ruleEvaluations)} | ${sum((x) => x.ruleExecutions)} | |`,
  ].join('\n');
}

export function loadVerdictTable(r: LoadResult): string {
  const v = loadVerdict(r);
  const name = intervalName(r.intervalMs);
  const span = `${intervalName(r.intervalMs, true)} 2..${r.rows.length}`;
  return [
    '| Target | Measured | Result |',
    '|---|---|---|',
    `| no missed cycles | ${v.missed} missed of ${int(v.due)} due${v.unsettled ? `, ${v.unsettled} unsettled` : ''} | ${mark(v.pass.missed)} |`,
    `| p99 lateness < ${TARGETS.p99LatenessMs} ms in every ${name} | worst ${fmt(v.worstP99.ms, 1)} ms (${name} ${v.worstP99.label}) | ${mark(v.pass.p99)} |`,
    `| RSS and heap stable (slope over ${span} ≤ ${STABILITY.rssMbPerMin} MB/min RSS, ≤ ${STABILITY.heapMbPerMin} MB/min heap floor) | RSS ${signed(v.rssSlope, 2)} MB/min (last − second ${name}: ${signed(v.rssDelta, 1)} MB); heap floor ${signed(v.heapSlope, 2)} MB/min (${signed(v.heapDelta, 1)} MB) | ${mark(v.pass.memory)} |`,
    `| CPU stable (slope over ${span} ≤ ${STABILITY.cpuPctPerMin} %-point/min) | mean ${fmt(v.cpuMeanPct, 1)} % of one core, slope ${signed(v.cpuSlope, 2)} %-points/min | ${mark(v.pass.cpu)} |`,
    steadyRow(r, v),
  ].join('\n');
}

function steadyRow(r: LoadResult, v: LoadVerdict): string {
  const target = `no growth in steady state (${intervalName(r.intervalMs, true)} ${steadyFrom(r.intervalMs, r.warmupMs)}.., after the history store's first chunk cycle: ` +
    `slope + 95 % ≤ ${STEADY.rssMbPerMin} MB/min RSS floor, ≤ ${STEADY.heapMbPerMin} MB/min heap floor)`;
  const s = v.steady;
  if (s === null) return `| ${target} | needs ${STEADY.minIntervals} such ${intervalName(r.intervalMs, true)} | – (run too short) |`;
  const ci = (f: SlopeFit): string => `${signed(f.slope, 3)} ± ${fmt(f.ci95, 3)} MB/min`;
  return `| ${target} | ${intervalName(r.intervalMs, true)} ${s.from}..${s.to}: RSS floor ${ci(s.rssFloor)} (${fmt(s.rssMin, 0)}–${fmt(s.rssMax, 0)} MB); heap floor ${ci(s.heap)}` +
    `${s.native ? `; native ${ci(s.native)}` : ''}; RSS at the ${intervalName(r.intervalMs)}'s end ${ci(s.rss)} | ${mark(v.pass.steady)} |`;
}

export function loadFacts(r: LoadResult): string {
  const f = r.final;
  const sumRows = (k: (x: LoadRow) => number): number => r.rows.reduce((s, x) => s + k(x), 0) + k(r.warmup);
  const seconds = r.rows.reduce((s, x) => s + x.wallMs, 0) / 1000;
  return [
    `- History: ${int(f.storedSamples)} samples in the SQLite file after the app stopped (writer: ${int(f.samplesWritten)} written, ${f.writeErrors} write errors, ${sumRows((x) => x.droppedSamples)} dropped)` +
      `${f.checkpoints ? `; WAL checkpoints in the worker thread: ${int(f.checkpoints.runs)}, longest ${fmt(f.checkpoints.maxMs, 1)} ms, at most ${int(f.checkpoints.maxLog)} WAL pages${f.checkpoints.stopped ? `, **worker stopped: ${f.checkpoints.stopped}**` : ''}` : ''}.`,
    `- MQTT: the consumer received ${int(r.rows.reduce((s, x) => s + x.mqttReceived, 0))} messages on \`pdu/#\` in the measured ${int(Math.round(seconds))} s (the bridge published ${int(r.rows.reduce((s, x) => s + x.mqttPublished, 0))}, ${sumRows((x) => x.mqttDropped)} dropped).`,
    `- Rules: ${int(f.ruleStatesActive)} of ${int(f.ruleStates)} rule × PDU states evaluated on live data; ${int(sumRows((x) => x.ruleExecutions))} executions (fired + restored, warm-up included), execution_count total ${int(f.ruleExecutionCount)}, ${sumRows((x) => x.ruleCommandFailures)} command failures.`,
    `- App start ${fmt(r.startupMs / 1000, 1)} s; stopped cleanly: ${f.stoppedCleanly ? 'yes' : '**no**'}; agents ${fmt(r.agentCpuPct, 0)} % CPU, consumer ${fmt(r.subscriberCpuPct, 0)} % CPU${r.broker.cpuPct === null ? '' : `, broker ${fmt(r.broker.cpuPct, 1)} % CPU`} over the measured ${intervalName(r.intervalMs, true)}; whole run ${fmt(r.wallMs / 60_000, 1)} min.`,
  ].join('\n');
}


export function renderLoadSection(r: LoadResult, machine: { date: string; text: string; command: string }): string {
  const [start, end] = loadMarkers(r.broker.kind);
  const embedded = r.broker.kind === 'aedes';
  return [
    start,
    `## Load: ${r.pdus} PDUs at 1 Hz with MQTT, history and rules${embedded ? '' : `, external ${r.broker.kind}`} (issue 10)`,
    '',
    `Run ${machine.date} on ${machine.text} (\`${machine.command}\`). The app process's C allocator: ${r.allocator}.`,
    '',
    `**Method.** ${r.pdus} simulated PDU44001 agents (\`bench/agent.ts\`, as in the polling benchmark) run in a child process on consecutive UDP ports of 127.0.0.1. ` +
      'The app runs alone in another child process (`bench/load-worker.ts`, `bench/load-app.ts`): the real `createApp` (no demo) with a config built as from a file — ' +
      `${r.pdus} \`cyberpower\` devices at \`poll_interval_s: 1\` (v2c, \`timeout_ms\` 800, \`retries\` 0), ` +
      `${embedded ? 'the embedded MQTT broker' : `an external broker (${r.broker.text}; its RSS from \`/proc/<pid>/status\` in the broker column)`} with Home Assistant discovery, ` +
      'history in a SQLite file in a temp dir, the outage engine, the web server on an ephemeral port, and a `rules.json` with two rules per PDU ' +
      '(high input voltage → outlet 10 off, outlet 9 power high → outlet 8 off, both restoring; a part of them fire every minute, so SNMP SETs run too). ' +
      'One MQTT consumer in a third process subscribes to `pdu/#` and counts what it receives. ' +
      `After a warm-up (discovery, the retained flood to the consumer, JIT; shown, not counted), the orchestrator closes an interval every ${fmt(r.intervalMs / 1000, 0)} s. ` +
      "Per interval, in the app process: CPU = `process.cpuUsage()` delta (user + system, all threads) ÷ wall time; RSS at the interval's end; heap floor = the lowest `heapUsed` of one-second samples " +
      "(a reading at an arbitrary point of the GC cycle is noise, the floor is not); RSS floor = the lowest RSS of the same one-second samples (RSS follows V8's heap through the GC cycle); external = `external` of `process.memoryUsage()` (Buffers: MQTT payloads, the broker's retained messages); " +
      'native = `RssAnon` of `/proc/self/status` − V8 heap total − external (malloc arenas, thread stacks, SQLite\'s page cache, V8\'s compiler zones); ' +
      'polls: every PDU cycle is attributed to the interval it started in ' +
      '(`scheduler.add` wrapped on the app\'s own Scheduler, as `bench/pollers.ts` does): due = started + overruns + cycles skipped because the loop was blocked, ' +
      'done = cycles that produced a snapshot, missed = overruns + skipped + failed polls; lateness = `startedAt − dueAt` of each cycle (the value the scheduler records), ' +
      'p50/p99 nearest-rank; history = the writer\'s `samples_written` and `write_errors` deltas; rule evaluations = samples × 2 (every sample evaluates its PDU\'s rules), ' +
      'executions = `triggered` + `restored` automation events. Stability: least-squares slopes over intervals 2..N (the first still fills the scheduler\'s 512-cycle rings, caches and JIT) ' +
      'and the last minus the second interval. No growth in steady state: over the intervals after the history store\'s first 15-minute chunk cycle (its first compaction runs once-only code and fills caches), ' +
      'the least-squares slope of the RSS floor and of the heap floor plus its 95 % half-width (1.96 standard errors) must stay below the bound: a run of 43+ minutes is needed for that verdict. The machine is shared (other work ran at the same time: see the load average column); nothing is tuned for the run.',
    '',
    loadTable(r),
    '',
    loadVerdictTable(r),
    '',
    loadFacts(r),
    end,
  ].join('\n');
}

function loadMarkers(kind: LoadBroker['kind']): [string, string] {
  return kind === 'aedes' ? [LOAD_SECTION_START, LOAD_SECTION_END] : [LOAD_MOSQUITTO_START, LOAD_MOSQUITTO_END];
}

export function replaceLoadSection(doc: string | null, section: string, kind: LoadBroker['kind'] = 'aedes'): string {
  if (doc === null) return `${section}\n`;
  return replaceSection(doc, section, ...loadMarkers(kind));
}
