import type { ProfileSummary } from './cpu-profile.js';
import type { PollRunResult } from './poll-bench.js';

// Markdown for the polling benchmark: the results table with the issue's targets next to the
// numbers, the details, the CPU profile summary, and the section swap in docs/PERFORMANCE.md.
// Pure: every input (results, machine facts, date) is passed in.

export const SECTION_START = '<!-- bench:poll:start -->';
export const SECTION_END = '<!-- bench:poll:end -->';

/** Targets of the polling issue. */
export const TARGETS = {
  cpuMsPerPoll: 0.25,
  p99LatenessMs: 100,
  p99AtN: 500,
  missedAtN: 500,
  rssMb: 90,
  rssAtN: 100,
} as const;

/** A run "holds" 1 Hz: every cycle polled successfully and p99 lateness below the target. */
export function holds(r: PollRunResult): boolean {
  const c = r.worker.counts;
  return c.missedCycles === 0 && c.unsettled === 0 && r.worker.silentDevices === 0 && c.latenessMs.p99 < TARGETS.p99LatenessMs;
}

export function whyNot(r: PollRunResult): string {
  const c = r.worker.counts;
  const why: string[] = [];
  if (c.missedCycles > 0) why.push(`${c.missedCycles} missed cycles`);
  if (c.unsettled > 0) why.push(`${c.unsettled} cycles still running after the window`);
  if (r.worker.silentDevices > 0) why.push(`${r.worker.silentDevices} devices never answered`);
  if (c.latenessMs.p99 >= TARGETS.p99LatenessMs) why.push(`p99 lateness ${fmt(c.latenessMs.p99, 1)} ms`);
  if (r.agentMaxProcCpuPct !== null && r.agentMaxProcCpuPct >= 90) why.push(`${r.agentProcs > 1 ? 'an agent process' : 'agent process'} at ${fmt(r.agentMaxProcCpuPct, 0)} % CPU (simulator saturated)`);
  return why.join(', ');
}

export function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

const mark = (ok: boolean): string => (ok ? 'pass' : '**FAIL**');

export interface MachineFacts {
  date: string;
  cpuModel: string;
  cpuCount: number;
  cpuMhz: number;
  totalMemGb: number;
  os: string;
  node: string;
  command: string;
  /** 1-minute load average when the benchmark started and ended (other work on the machine). */
  loadStart: number;
  loadEnd: number;
}

export interface PollReport {
  machine: MachineFacts;
  warmupS: number;
  windowS: number;
  timeoutMs: number;
  /** How the simulated PDUs were spread over agent processes, as text. */
  agents: string;
  results: PollRunResult[];
  /** Outcome of the upward search, as a sentence. */
  search: string;
  profile: { n: number; windowS: number; summary: ProfileSummary } | null;
  /** Total wall time of the benchmark, s. */
  totalS: number;
}

/** The main table: one row per N with the targets that apply marked next to the numbers. */
export function resultsTable(results: readonly PollRunResult[]): string {
  const head = [
    '| PDUs | polls ok / due | missed cycles | CPU ms per PDU-poll (target ≤ 0.25) | lateness p50 ms | lateness p99 ms | RSS MB | poller CPU % | agent CPU % | holds 1 Hz |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|',
  ];
  const rows = results.map((r) => {
    const c = r.worker.counts;
    const cpu = r.cpuMsPerPoll;
    const cpuCell = `${fmt(cpu, 3)} ${cpu === null ? '' : mark(cpu <= TARGETS.cpuMsPerPoll)}`;
    const missedCell = r.n === TARGETS.missedAtN ? `${c.missedCycles} ${mark(c.missedCycles === 0)} (target 0)` : String(c.missedCycles);
    const p99Cell = r.n === TARGETS.p99AtN ? `${fmt(c.latenessMs.p99, 1)} ${mark(c.latenessMs.p99 < TARGETS.p99LatenessMs)} (target < 100)` : fmt(c.latenessMs.p99, 1);
    const rssCell = r.n === TARGETS.rssAtN ? `${fmt(r.worker.rssMb, 1)} ${mark(r.worker.rssMb <= TARGETS.rssMb)} (target ≤ 90)` : fmt(r.worker.rssMb, 1);
    const holdCell = holds(r) ? 'yes' : `no: ${whyNot(r)}`;
    return `| ${r.n} | ${c.okPolls} / ${c.dueCycles} | ${missedCell} | ${cpuCell} | ${fmt(c.latenessMs.p50, 1)} | ${p99Cell} | ${rssCell} | ${fmt(r.pollerCpuPct, 1)} | ${fmt(r.agentCpuPct, 1)} | ${holdCell} |`;
  });
  return [...head, ...rows].join('\n');
}

export interface TargetVerdict {
  target: string;
  measured: string;
  /** null = not measured in this run. */
  pass: boolean | null;
}

/** Target-by-target verdicts. */
export function targetVerdicts(results: readonly PollRunResult[]): TargetVerdict[] {
  const at = (n: number): PollRunResult | undefined => results.find((r) => r.n === n);
  const out: TargetVerdict[] = [];
  const cpuTarget = `poll + decode + hand-off ≤ ${TARGETS.cpuMsPerPoll} ms CPU per PDU-poll (N ≥ ${TARGETS.rssAtN})`;
  const cpuRows = results.filter((r) => r.cpuMsPerPoll !== null && r.n >= TARGETS.rssAtN);
  if (cpuRows.length > 0) {
    const worst = cpuRows.reduce((a, b) => ((a.cpuMsPerPoll ?? 0) >= (b.cpuMsPerPoll ?? 0) ? a : b));
    out.push({
      target: cpuTarget,
      measured: `worst ${fmt(worst.cpuMsPerPoll, 3)} ms at N = ${worst.n} (${cpuRows.map((r) => `${r.n}: ${fmt(r.cpuMsPerPoll, 3)}`).join(', ')})`,
      pass: cpuRows.every((r) => (r.cpuMsPerPoll ?? Infinity) <= TARGETS.cpuMsPerPoll),
    });
  } else {
    out.push({ target: cpuTarget, measured: 'not measured', pass: null });
  }
  const r500 = at(TARGETS.p99AtN);
  const p99 = r500?.worker.counts.latenessMs.p99;
  out.push({
    target: `p99 lateness < ${TARGETS.p99LatenessMs} ms at ${TARGETS.p99AtN} PDUs`,
    measured: p99 === undefined ? 'not measured' : `${fmt(p99, 1)} ms`,
    pass: p99 === undefined ? null : p99 < TARGETS.p99LatenessMs,
  });
  const missed = at(TARGETS.missedAtN)?.worker.counts.missedCycles;
  out.push({
    target: `zero missed cycles at ${TARGETS.missedAtN} PDUs`,
    measured: missed === undefined ? 'not measured' : String(missed),
    pass: missed === undefined ? null : missed === 0,
  });
  const rss = at(TARGETS.rssAtN)?.worker.rssMb;
  out.push({
    target: `RSS ≤ ${TARGETS.rssMb} MB at ${TARGETS.rssAtN} PDUs`,
    measured: rss === undefined ? 'not measured' : `${fmt(rss, 1)} MB`,
    pass: rss === undefined ? null : rss <= TARGETS.rssMb,
  });
  return out;
}

export function targetsTable(results: readonly PollRunResult[]): string {
  return ['| Target (issue) | Measured | Result |', '|---|---|---|',
    ...targetVerdicts(results).map((v) => `| ${v.target} | ${v.measured} | ${v.pass === null ? '–' : mark(v.pass)} |`)].join('\n');
}

export function detailsTable(results: readonly PollRunResult[]): string {
  const lines = [
    '| PDUs | agent procs | window s | failed polls | overruns | skipped (loop blocked) | deadline exceeded | poll duration p50 / p99 ms | lateness max ms | poller user / sys CPU ms | other load % | heap MB | agent answered / dropped | agent start s | bad snapshots |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const c = r.worker.counts;
    const w = r.worker;
    lines.push(`| ${r.n} | ${r.agentProcs} | ${fmt(c.windowMs / 1000, 1)} | ${c.failedPolls} | ${c.overruns} | ${c.missed} | ${c.deadlineExceeded} | ${fmt(c.pollMs.p50, 1)} / ${fmt(c.pollMs.p99, 1)} | ${fmt(c.latenessMs.max, 1)} | ${fmt(w.cpuUserMs, 0)} / ${fmt(w.cpuSystemMs, 0)} | ${fmt(r.otherCpuPct, 0)} | ${fmt(w.heapUsedMb, 1)} | ${r.agentAnswered ?? '–'} / ${r.agentDropped ?? '–'} | ${fmt(r.agentStartupMs / 1000, 1)} | ${c.badSnapshots} |`);
  }
  return lines.join('\n');
}

export function profileMarkdown(p: { n: number; windowS: number; summary: ProfileSummary }): string {
  const s = p.summary;
  const lines = [
    `CPU profile of the poller process at N = ${p.n}, ${fmt(p.windowS, 0)} s window (V8 sampling profiler via \`node:inspector\`, 0.5 ms interval; a separate run, so the profiler's overhead is not in the table above). Busy ${fmt(s.busyMs, 0)} ms of ${fmt(s.totalMs, 0)} ms sampled (${fmt((100 * s.busyMs) / Math.max(1, s.totalMs), 1)} % of one core).${s.path ? ` Raw profile: \`${s.path}\`.` : ''}`,
    '',
    'Self time by code origin:',
    '',
    '| origin | self ms | % of busy |',
    '|---|---:|---:|',
    ...s.byOrigin.slice(0, 10).map((r) => `| ${r.origin} | ${fmt(r.selfMs, 0)} | ${fmt(r.pct, 1)} |`),
    '',
    'Top functions by self time:',
    '',
    '| function | origin | self ms | % of busy |',
    '|---|---|---:|---:|',
    ...s.topFunctions.map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.origin} | ${fmt(r.selfMs, 0)} | ${fmt(r.pct, 1)} |`),
  ];
  return lines.join('\n');
}

export function renderSection(r: PollReport): string {
  const m = r.machine;
  const parts = [
    SECTION_START,
    '## Polling (SNMP, 1 Hz)',
    '',
    `Measured ${m.date} on ${m.cpuCount} × ${m.cpuModel}${m.cpuMhz > 0 ? ` (${m.cpuMhz} MHz)` : ''}, ${fmt(m.totalMemGb, 1)} GB RAM, ${m.os}, Node ${m.node}.`,
    `Command: \`${m.command}\` (warm-up ${r.warmupS} s, measurement window ${r.windowS} s per N, ${r.agents}; whole run ${fmt(r.totalS / 60, 1)} min). 1-minute load average ${fmt(m.loadStart, 2)} at the start, ${fmt(m.loadEnd, 2)} at the end (anything above ~0 is other work sharing the machine).`,
    '',
    '**Method.** For each N, N simulated PDU44001 agents (`runMockPdus`, the code behind `power2mqtt mock-pdu`; 10 outlets, ATS, metering) run in child processes of their own (at most 750 per process by default, since one agent process is single-threaded) on consecutive UDP ports of 127.0.0.1, and the poller runs in another child process, alone: N real `PduDevice`s (net-snmp client, profile `cps-mib`, config defaults: v2c, `timeout_ms` 800, `retries` 0, one multi-varbind GET per cycle, slow group every 60 s) on one `Scheduler`, started by `DeviceRegistry.startAll` (100 ms stagger) and decoded into snapshots handed to the `sample` bus event, with one counting `sample` subscriber and a counting wrapper around each cycle (a `Scheduler` subclass). After the warm-up (discovery, JIT; excluded) the poller measures over the window: CPU = `process.cpuUsage()` delta (user + system, all threads incl. GC) ÷ successful polls (snapshots emitted); lateness = `startedAt − dueAt` of every cycle of every target started in the window (the value the scheduler records), p50/p99 nearest-rank; a poll belongs to the window its cycle started in, and missed cycles = cycles due in the window − successful polls = overruns + cycles skipped because the loop was blocked + failed polls (deadline exceeded, SNMP error, no snapshot); RSS at the end of the window. Agent CPU % is the agent processes\' `process.cpuUsage()` delta over the same window, summed (100 % = one core), for context: poller and agents share this machine\'s cores, and an agent process near 100 % means the simulator, not the poller, limits that run. Above 500 PDUs, N is raised step by step until a run misses a cycle or its p99 lateness reaches 100 ms. Numbers are as measured; nothing is tuned for the benchmark.',
    '',
    resultsTable(r.results),
    '',
    r.search,
    '',
    '### Targets',
    '',
    targetsTable(r.results),
    '',
    '### Details',
    '',
    detailsTable(r.results),
    '',
    'Per-poll CPU at N = 1 carries the process\'s fixed per-second costs (timers, GC) on a single poll, so the target is judged from N = 100 up. *Other load* is the machine\'s busy CPU over the window (`os.cpus()` times, all cores) minus poller and agents, in % of one core: other work sharing the machine, which also makes the poller\'s own CPU per poll more expensive (shared caches and cores). Lateness can be slightly negative: Node arms timers on the event loop\'s cached millisecond clock, so a timer may fire up to ~1 ms before `performance.now()` reaches the due time; the values are reported as the scheduler records them.',
  ];
  if (r.profile) parts.push('', '### Where the CPU goes', '', profileMarkdown(r.profile));
  parts.push(SECTION_END);
  return parts.join('\n');
}

/**
 * Replace the polling section of PERFORMANCE.md (or append it; or create the file with a title).
 * Other benchmarks pass their own markers (e.g. bench/mqtt-report.ts).
 */
export function replaceSection(doc: string | null, section: string, startMarker = SECTION_START, endMarker = SECTION_END): string {
  const base = doc ?? '# power2mqtt performance\n\nMeasured by `npm run bench` (bench/). Each benchmark owns one section between its `<!-- bench:…:start -->` / `<!-- bench:…:end -->` markers and rewrites only that section.\n';
  const start = base.indexOf(startMarker);
  const end = base.indexOf(endMarker);
  if (start !== -1 && end !== -1 && end > start) {
    return base.slice(0, start) + section + base.slice(end + endMarker.length);
  }
  return `${base.replace(/\n*$/, '\n')}\n${section}\n`;
}
