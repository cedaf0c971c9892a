import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_PER_PDU, startLoadApp, type LoadApp } from '../../bench/load-app.js';
import { startMessageCounter, type MessageCounter } from '../../bench/load-counter.js';
import {
  LOAD_MOSQUITTO_START, LOAD_SECTION_END, LOAD_SECTION_START, loadFacts, loadTable, loadVerdict, loadVerdictTable, nativeMb, renderLoadSection, replaceLoadSection, slope, type LoadResult,
} from '../../bench/load-report.js';
import { measureLoad } from '../../bench/load-suite.js';
import { allocatorInUse } from '../../bench/malloc.js';
import { RealClock } from '../../src/core/clock.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../src/devices/pdu/simulator/agent.js';

// Smoke version of the load run (`npm run bench -- --suite load`, SPEC §20: CI runs ≤ 60 s of each
// long run): the same app set-up (bench/load-app.ts: real createApp, N PDUs at 1 Hz, embedded MQTT
// with HA discovery, SQLite history, two rules per PDU) and the same measuring loop (measureLoad),
// with 20 simulated PDUs and one MQTT consumer in this process instead of child processes, a 5 s
// warm-up and three 5 s intervals instead of minutes. It proves the measurements are real; it
// asserts nothing about speed (that is the benchmark's job).

const N = 20;
const INTERVALS = 3;
const INTERVAL_MS = 5000;

const clock = new RealClock();
const dir = mkdtempSync(join(tmpdir(), 'p2m-load-smoke-'));
let agents: SimulatedPdu[] = [];
let load: LoadApp | undefined;
let counter: MessageCounter | undefined;
let result: LoadResult;

beforeAll(async () => {
  agents = await Promise.all(Array.from({ length: N }, (_, i) => createSimulatedPdu({ port: 0, bind: '127.0.0.1', clock, serial: `LOAD${String(i + 1).padStart(4, '0')}`, seed: i + 1 })));
  const t0 = clock.monotonic();
  load = await startLoadApp({ host: '127.0.0.1', ports: agents.map((a) => a.port), dataDir: dir, clock });
  const startupMs = clock.monotonic() - t0;
  const l = load;
  const c = await startMessageCounter({ url: l.mqttUrl, topic: 'pdu/#', clientId: `p2m-load-smoke-${process.pid}` });
  counter = c;
  const m = await measureLoad(
    { read: () => l.read(), messages: async () => c.counts(), finish: () => l.finish() },
    { pdus: N, intervals: INTERVALS, intervalMs: INTERVAL_MS, warmupMs: 5000, clock, log: () => undefined },
  );
  result = { ...m, broker: { kind: 'aedes', text: 'aedes (embedded)', cpuPct: null }, agentCpuPct: null, subscriberCpuPct: null, startupMs, wallMs: clock.monotonic() - t0, allocator: allocatorInUse() };
  // LOAD_SMOKE_PRINT=1 shows what was measured (for looking, not asserted).
  if (process.env.LOAD_SMOKE_PRINT) process.stderr.write(`${loadTable(result)}\n\n${loadVerdictTable(result)}\n\n${loadFacts(result)}\n`);
}, 60_000);

afterAll(async () => {
  await counter?.close();
  await load?.finish();
  await Promise.all(agents.map((a) => a.close()));
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('load run smoke: 20 PDUs at 1 Hz through the real app with MQTT, history and rules', () => {
  it('every due cycle was polled, in every interval, and lateness was recorded for each', () => {
    expect(result.rows).toHaveLength(INTERVALS);
    for (const r of result.rows) {
      expect(r.due, `interval ${r.label}`).toBeGreaterThan(0);
      expect({ interval: r.label, done: r.done, missed: r.missed, failed: r.failed, unsettled: r.unsettled }).toEqual({
        interval: r.label, done: r.due, missed: 0, failed: 0, unsettled: 0,
      });
      // One lateness value per cycle that started (overruns and skipped cycles never start).
      expect(r.latenessMs.count).toBe(r.due - r.overruns - r.skipped);
      expect(r.cpuPct).toBeGreaterThan(0);
      expect(r.rssMb).toBeGreaterThan(r.heapFloorMb);
      expect(r.rssFloorMb).toBeLessThanOrEqual(r.rssMb); // the floor includes the end reading
      expect(r.rssFloorMb).toBeGreaterThan(r.heapFloorMb);
      expect(r.externalMb).toBeGreaterThan(0);
      // Linux: RssAnon + RssFile make up the RSS (RssShmem aside), and the native part is what RSS has beyond the JS heaps.
      if (process.platform === 'linux') {
        expect((r.rssAnonMb ?? 0) + (r.rssFileMb ?? 0)).toBeGreaterThan(r.rssMb * 0.9);
        expect(nativeMb(r)).toBeGreaterThan(0);
      }
    }
    // 1 Hz: each PDU is due once per second of the 15 s measured (± one cycle at each end).
    const v = loadVerdict(result);
    expect(v.due).toBeGreaterThanOrEqual(N * 14);
    expect(v.due).toBeLessThanOrEqual(N * 16);
    expect(v.done).toBe(v.due);
    expect(v.pass.missed).toBe(true);
  });

  it('history: the writer wrote every interval, without errors, and the SQLite file holds what it counted', () => {
    for (const r of result.rows) {
      expect(r.samplesWritten, `interval ${r.label}`).toBeGreaterThan(0);
      expect(r.writeErrors).toBe(0);
      expect(r.droppedSamples).toBe(0);
    }
    const f = result.final;
    expect(f.stoppedCleanly).toBe(true);
    expect(f.writeErrors).toBe(0);
    expect(f.storedSamples).toBe(f.samplesWritten);
    // WAL checkpoints ran in the worker thread (every 2 s) and it never gave up.
    expect(f.checkpoints).toMatchObject({ stopped: null });
    expect(f.checkpoints!.runs).toBeGreaterThan(0);
    expect(f.checkpoints!.maxLog).toBeLessThan(10_000);
    // At most one sample per PDU and second is stored; nearly every poll is one.
    const polled = [result.warmup, ...result.rows].reduce((s, r) => s + r.ruleEvaluations / RULES_PER_PDU, 0);
    expect(f.storedSamples).toBeLessThanOrEqual(polled);
    expect(f.storedSamples).toBeGreaterThanOrEqual(polled * 0.9);
  });

  it('MQTT: the consumer received messages in every interval, no more than the bridge published', () => {
    for (const r of result.rows) {
      expect(r.mqttReceived, `interval ${r.label}`).toBeGreaterThan(0);
      expect(r.mqttPublished).toBeGreaterThan(0);
      expect(r.mqttDropped).toBe(0);
    }
    const received = result.rows.reduce((s, r) => s + r.mqttReceived, 0);
    const published = result.rows.reduce((s, r) => s + r.mqttPublished, 0);
    // Interval edges are read a moment apart in the app and the consumer: a little slack.
    expect(received).toBeLessThanOrEqual(published + N * 50);
    expect(received).toBeGreaterThan(published / 2);
  });

  it('rules: every sample was evaluated and both rules of every PDU ran on live data', () => {
    for (const r of result.rows) {
      expect(r.ruleEvaluations, `interval ${r.label}`).toBeGreaterThan(0);
      expect(r.ruleEvaluations % RULES_PER_PDU).toBe(0);
      // Evaluations follow the samples: one per poll that produced a snapshot, × rules per PDU.
      expect(r.ruleEvaluations / RULES_PER_PDU).toBeGreaterThanOrEqual(r.done - N);
      expect(r.ruleCommandFailures).toBe(0);
    }
    expect(result.final.ruleStates).toBe(N * RULES_PER_PDU);
    expect(result.final.ruleStatesActive).toBe(N * RULES_PER_PDU);
  });

  it('renders the table, the verdict and a section that replaces only its own', () => {
    const table = loadTable(result).split('\n');
    expect(table[0]).toMatch(/^\| 5 s interval \| app CPU % \| RSS MB \|/);
    expect(table).toHaveLength(2 + 1 + INTERVALS + 1);
    expect(table[2]).toMatch(/^\| \*warm-up\* \| \d+\.\d \|/);
    const v = loadVerdict(result);
    expect(table[3]).toContain(`| ${result.rows[0]?.due.toLocaleString('en-US')} / ${result.rows[0]?.done.toLocaleString('en-US')} | 0 |`);
    expect(table[table.length - 1]).toMatch(new RegExp(`^\\| \\*\\*total\\*\\* .*\\| ${v.due.toLocaleString('en-US').replace(',', '\\,')} / `));
    expect(loadVerdictTable(result)).toMatch(/\| no missed cycles \| 0 missed of [\d,]+ due \| pass \|/);
    const section = renderLoadSection(result, { date: '2026-01-01T00:00:00Z', text: 'test machine', command: 'npm run bench -- --suite load' });
    expect(section.startsWith(`${LOAD_SECTION_START}\n## Load: ${N} PDUs`)).toBe(true);
    expect(section.endsWith(LOAD_SECTION_END)).toBe(true);
    expect(section).toContain(`${N * RULES_PER_PDU} of ${N * RULES_PER_PDU} rule × PDU states evaluated on live data`);
    expect(section).toContain(`WAL checkpoints in the worker thread: ${result.final.checkpoints!.runs}, longest `);
    expect(loadFacts({ ...result, final: { ...result.final, checkpoints: { runs: 1, maxMs: 2, maxLog: 3, stopped: 'worker exited (code 1)' } } }))
      .toContain('at most 3 WAL pages, **worker stopped: worker exited (code 1)**.');
    const doc = `# Reliability\n\n## Fuzz\n\nkept\n\n${LOAD_SECTION_START}\nold\n${LOAD_SECTION_END}\n\n## After\n`;
    const out = replaceLoadSection(doc, section);
    expect(out).toContain('## Fuzz\n\nkept\n');
    expect(out).not.toContain('\nold\n');
    expect(out.endsWith('\n\n## After\n')).toBe(true);
    expect(replaceLoadSection(null, section)).toBe(`${section}\n`);
  });

  it('an external broker gets its RSS column, its CPU in the facts and a section of its own beside the embedded one', () => {
    const ext: LoadResult = {
      ...result, broker: { kind: 'mosquitto', text: 'mosquitto 2.0.11 (own process)', cpuPct: 12.5 },
      rows: result.rows.map((x, i) => ({ ...x, brokerRssMb: 7 + i })),
    };
    const table = loadTable(ext).split('\n');
    expect(table[0]).toMatch(/^\| 5 s interval \| app CPU % \| RSS MB \| RSS floor MB \| broker RSS MB \| heap MB/);
    // Every line has the same number of cells as the header.
    for (const line of table) expect(line.split('|').length, line).toBe((table[0] as string).split('|').length);
    expect(table[3]).toMatch(/^\| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 7\.0 \|/);
    expect(loadFacts(ext)).toContain('broker 12.5 % CPU');
    const section = renderLoadSection(ext, { date: '2026-01-01T00:00:00Z', text: 'test machine', command: 'npm run bench -- --suite load --load-broker mosquitto' });
    expect(section.startsWith(`${LOAD_MOSQUITTO_START}\n## Load: ${N} PDUs at 1 Hz with MQTT, history and rules, external mosquitto`)).toBe(true);
    expect(section).toContain('an external broker (mosquitto 2.0.11 (own process)');
    const embedded = renderLoadSection(result, { date: '2026-01-01T00:00:00Z', text: 'test machine', command: 'x' });
    const both = replaceLoadSection(replaceLoadSection('# Reliability\n', embedded), section, 'mosquitto');
    expect(both).toContain(embedded);
    expect(both).toContain(section);
    expect(replaceLoadSection(both, section.replace('external mosquitto', 'external mosquitto again'), 'mosquitto')).toContain(embedded);
  });

  it('computes least-squares slopes for the stability verdict', () => {
    expect(slope([1, 2, 3, 4])).toBeCloseTo(1);
    expect(slope([5, 5, 5])).toBe(0);
    expect(slope([3, 1, 2, 0])).toBeCloseTo(-0.8);
    expect(slope([1, 9])).toBeNull();
  });
});
