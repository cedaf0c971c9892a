import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeProfile, type CpuProfile } from '../../bench/cpu-profile.js';
import { splitPorts } from '../../bench/poll-bench.js';
import { EXPECTED_OUTLETS, startPollers, type Pollers, type WindowCounts } from '../../bench/pollers.js';
import { replaceSection, SECTION_END, SECTION_START } from '../../bench/report.js';
import { RealClock } from '../../src/core/clock.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../src/devices/pdu/simulator/agent.js';

// Smoke version of the polling benchmark (bench/, `npm run bench`): the same harness, 20 simulated
// PDUs in this process, ~4 s of 1 Hz polling. Correctness only — no timing asserts; performance is
// judged by the benchmark and recorded in docs/PERFORMANCE.md.

const N = 20;

describe('polling benchmark smoke: 20 simulated PDUs at 1 Hz', () => {
  const clock = new RealClock();
  let agents: SimulatedPdu[] = [];
  let pollers: Pollers | undefined;
  let counts: WindowCounts;
  let settled = false;

  beforeAll(async () => {
    agents = await Promise.all(
      Array.from({ length: N }, (_, i) => createSimulatedPdu({ port: 0, clock, serial: `SMOKE${String(i + 1).padStart(3, '0')}`, seed: i + 1 })),
    );
    pollers = startPollers({ host: '127.0.0.1', ports: agents.map((a) => a.port), clock });
    await clock.sleep(1500); // warm-up: discovery happens in each device's first cycle
    const a = pollers.beginWindow();
    await clock.sleep(2500);
    const b = pollers.endWindow();
    settled = await pollers.settle(3000);
    counts = pollers.window(a, b);
  });

  afterAll(async () => {
    const stopped = await pollers?.stop(5000);
    await Promise.all(agents.map((a) => a.close()));
    expect(stopped).toBe(true);
  });

  it('got samples from every device, in the window too', () => {
    const per = pollers?.samplesPerDevice();
    expect(per?.size).toBe(N);
    for (const d of pollers?.devices ?? []) expect(per?.get(d.id) ?? 0, d.id).toBeGreaterThanOrEqual(2);
    expect(counts.devicesWithSamples).toBe(N);
    expect(counts.okPolls).toBeGreaterThanOrEqual(N);
  });

  it('no poll failed and every window cycle ended', () => {
    expect(settled).toBe(true);
    expect(counts.unsettled).toBe(0);
    expect(counts.failedPolls).toBe(0);
    expect(counts.schedulerFailed).toBe(0);
    expect(counts.deadlineExceeded).toBe(0);
    expect(counts.badSnapshots).toBe(0);
    // Accounting: every cycle that started in the window ended as ok or failed.
    expect(counts.okPolls + counts.failedPolls + counts.overruns + counts.missed).toBe(counts.dueCycles);
    expect(counts.latenessMs.count).toBe(counts.okPolls + counts.failedPolls);
  });

  it('snapshots decode: 10 outlets with readings, the agent’s own serial, no per-OID errors', () => {
    const serials = new Set<string>();
    for (const [i, d] of (pollers?.devices ?? []).entries()) {
      const snap = d.snapshot();
      expect(snap, d.id).not.toBeNull();
      if (!snap) continue;
      expect(snap.errors).toEqual([]);
      expect(Object.keys(snap.outlets)).toHaveLength(EXPECTED_OUTLETS);
      for (const o of Object.values(snap.outlets)) {
        expect(o.state).toBe('on');
        expect(o.current).toEqual(expect.any(Number));
      }
      expect(snap.identity.serial).toBe(agents[i]?.serial);
      expect(snap.totals.power).toBeGreaterThan(0);
      expect(snap.ats?.current_source).toMatch(/^[AB]$/);
      serials.add(snap.identity.serial);
    }
    expect(serials.size).toBe(N);
  });
});

describe('polling benchmark helpers', () => {
  it('rewrites only its own section of PERFORMANCE.md', () => {
    const other = '<!-- bench:storage:start -->\nstorage numbers\n<!-- bench:storage:end -->';
    const doc = `# Perf\n\n${SECTION_START}\nold poll table\n${SECTION_END}\n\n${other}\n`;
    const out = replaceSection(doc, `${SECTION_START}\nnew poll table\n${SECTION_END}`);
    expect(out).toContain('new poll table');
    expect(out).not.toContain('old poll table');
    expect(out).toContain(other);
    expect(out.startsWith('# Perf\n\n')).toBe(true);
    // Missing file: a title, then the section; missing markers: appended.
    expect(replaceSection(null, `${SECTION_START}\nx\n${SECTION_END}`)).toMatch(/^# .*\n[\s\S]*<!-- bench:poll:start -->\nx\n<!-- bench:poll:end -->\n$/);
    expect(replaceSection('# T\n\nintro\n', 'S')).toBe('# T\n\nintro\n\nS\n');
  });

  it('spreads N agents over K processes on contiguous ports', () => {
    expect(splitPorts(20000, 10, 3)).toEqual([{ port: 20000, count: 4 }, { port: 20004, count: 3 }, { port: 20007, count: 3 }]);
    expect(splitPorts(20000, 1, 4)).toEqual([{ port: 20000, count: 1 }]);
  });

  it('summarises a CPU profile by self time, idle excluded', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9, columnNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('(idle)', '') },
        { id: 3, callFrame: frame('writeOID', 'file:///x/node_modules/asn1-ber/lib/ber/writer.js') },
        { id: 4, callFrame: frame('assembleSnapshot', 'file:///x/dist-bench/src/devices/pdu/assemble.js') },
      ],
      startTime: 0,
      endTime: 100,
      samples: [2, 3, 3, 4],
      timeDeltas: [0, 40, 20, 20],
    };
    const s = summarizeProfile(profile);
    expect(s.totalMs).toBeCloseTo(0.1); // µs → ms
    expect(s.busyMs).toBeCloseTo(0.06);
    expect(s.topFunctions[0]).toMatchObject({ origin: 'npm:asn1-ber', pct: expect.closeTo(66.7, 1) });
    expect(s.byOrigin.map((o) => o.origin)).toEqual(['npm:asn1-ber', 'src/devices/pdu']);
  });
});
