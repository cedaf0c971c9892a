import { formatOutageTable, runOutageBench, type OutageBenchRow } from './outage-bench.js';
import { replaceSection } from './report.js';
import { formatSwitchProbeTable, runSwitchProbeBench, type SwitchProbeBenchResult } from './switch-probe-bench.js';

// `npm run bench -- --suite power`: the switch prober (many HTTP targets every 10 s, one process)
// and the outage engine (detection latency, false outages on a lossy day, time per step). Both
// tables go to stdout and into one marked section of docs/PERFORMANCE.md.

export const POWER_SECTION_START = '<!-- bench:power:start -->';
export const POWER_SECTION_END = '<!-- bench:power:end -->';

export interface PowerSuiteOptions {
  quick: boolean;
  /** Targets of the probe run (default 1000, --quick 200). */
  targets: number;
  log: (s: string) => void;
}

export interface PowerSuiteResult {
  probe: SwitchProbeBenchResult;
  outage: OutageBenchRow[];
  totalS: number;
}

export async function runPowerSuite(o: PowerSuiteOptions): Promise<PowerSuiteResult> {
  const t0 = performance.now();
  const seconds = o.quick ? 20 : 60;
  o.log(`power: ${o.targets} switch targets every 10 s for ${seconds} s`);
  const probe = await runSwitchProbeBench({ targets: o.targets, seconds, intervalS: 10 });
  o.log(`power: outage engine (${o.quick ? 'quick' : 'full'} run)`);
  const outage = runOutageBench(o.quick ? { latencyTrials: 200, days: 0.25 } : {});
  return { probe, outage, totalS: (performance.now() - t0) / 1000 };
}

export function renderPowerSection(r: PowerSuiteResult, machine: { date: string; text: string; command: string }): string {
  return [
    POWER_SECTION_START,
    '## Switch probes and outage detection (issue 6)',
    '',
    `Run ${machine.date} on ${machine.text} (\`${machine.command}\`); ${r.totalS.toFixed(0)} s.`,
    '',
    '### Switch prober',
    '',
    'The real prober (`probeUrl`, 5 s deadline capped at 80 % of the interval) in this process against HTTP servers in a child ' +
      'process on 127.0.0.1; 5 % of the targets accept and never answer, so each costs a full timeout every cycle. CPU is ' +
      "`process.cpuUsage()` of the prober's process over the window.",
    '',
    formatSwitchProbeTable(r.probe),
    '',
    '### Outage engine',
    '',
    'The pure engine on a simulated clock (seeded): time from the event to the verdict, false outages over a lossy day, and the ' +
      'cost of one step.',
    '',
    formatOutageTable(r.outage),
    POWER_SECTION_END,
  ].join('\n');
}

export function replacePowerSection(doc: string | null, section: string): string {
  return replaceSection(doc, section, POWER_SECTION_START, POWER_SECTION_END);
}
