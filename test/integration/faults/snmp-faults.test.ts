// Device faults on the real app (issue 10 "Faults"): five configured PDUs, all polled by the real
// net-snmp client over UDP on 127.0.0.1 from one simulated PDU44001 agent; four of them through a
// UDP fault proxy (test/support/udp-fault-proxy.ts), because "down", "slow" and "garbage" cannot be
// asked of a real agent on demand. The faults run at the same time, so one ~20 s run shows both each
// fault's handling and that the device without a fault ("steady") is never held up by them.
// Health thresholds count failed 1 Hz cycles (SPEC §7.7: degraded after 10), so "down" needs ~11 s.
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthChange } from '../../../src/core/bus.js';
import { RealClock } from '../../../src/core/clock.js';
import type { PduSnapshot } from '../../../src/core/types.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { DbHandle } from '../../../src/history/handle.js';
import { readRaw } from '../../../src/history/raw.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { capturedLogger } from '../../support/auth.js';
import { until } from '../../support/mosquitto.js';
import { startUdpFaultProxy, type GarbageFlavour, type UdpFaultProxy } from '../../support/udp-fault-proxy.js';

const FAULTY = ['down', 'slow', 'slow1hz', 'slow2s', 'garbage'] as const;
type Faulty = (typeof FAULTY)[number];

let sim: SimulatedPdu;
let t: TestApp;
const proxy = {} as Record<Faulty, UdpFaultProxy>;
const log = capturedLogger();
const samples = new Map<string, PduSnapshot[]>();
const health: HealthChange[] = [];
/** What each phase saw, filled by the one run in beforeAll and asserted by the tests below. */
const seen = {
  downFrom: 0, upFrom: 0, cyclesToResume: 0, lastBeforeDown: 0, firstAfterUp: 0,
  slow900: { samples: -1, failures: 0, overlaps: -1, maxInFlight: 0 },
  slow1100: { samples: -1, failures: 0, overlaps: 0 },
  garbage: new Map<GarbageFlavour, { samples: number; failures: number; replies: number }>(),
  httpWhileDown: null as null | { code: number; status: string; issues: string[]; pollers: Array<Record<string, unknown>> },
  steadyFrom: 0, steadyTo: 0, healthDuring: null as null | { state: string; consecutive_failures: number },
};

const n = (id: string): number => samples.get(id)?.length ?? 0;
const failures = (id: string): number => t.app.registry.pollStats().find((p) => p.device_id === id)?.failures ?? 0;
const started = (id: string): number => t.app.scheduler.stats().find((s) => s.id === `pdu:${id}`)?.started ?? 0;
/** Wait until the device has finished `k` more cycles (real time, bounded). */
async function cycles(id: string, k: number, ms = 15_000): Promise<void> {
  const s = t.app.scheduler.stats().find((x) => x.id === `pdu:${id}`)!;
  const done = s.completed + s.failed + s.deadlineExceeded;
  await until(() => {
    const x = t.app.scheduler.stats().find((y) => y.id === `pdu:${id}`)!;
    return x.completed + x.failed + x.deadlineExceeded >= done + k;
  }, ms);
}

async function slowPhases(): Promise<void> {
  const p = proxy.slow;
  // 900 ms against timeout_ms 800: every cycle times out; the reply lands before the next request.
  p.resetCounters();
  p.setMode({ kind: 'delay', ms: 900 });
  await cycles('slow', 1); // the cycle that was running when the mode changed
  const [s0, f0] = [n('slow'), failures('slow')];
  await cycles('slow', 4);
  seen.slow900 = { samples: n('slow') - s0, failures: failures('slow') - f0, overlaps: p.counters.overlaps, maxInFlight: p.counters.maxInFlight };
  // 1100 ms: the late reply arrives while the NEXT cycle's request waits; it must not answer it.
  p.setMode({ kind: 'delay', ms: 1100 });
  await cycles('slow', 1);
  p.resetCounters();
  const [s1, f1] = [n('slow'), failures('slow')];
  await cycles('slow', 3);
  seen.slow1100 = { samples: n('slow') - s1, failures: failures('slow') - f1, overlaps: p.counters.overlaps };
  p.setMode({ kind: 'pass' });
}

async function garbagePhases(): Promise<void> {
  const p = proxy.garbage;
  // Three failing flavours × 2 cycles (+1 at the first switch) stay below the 10 failed cycles of
  // `degraded`. Between two failing flavours the cycle caught by the switch fails either way.
  for (const flavour of ['random', 'truncated', 'wrong-id', 'wrong-types'] as const) {
    p.setMode({ kind: 'garbage', flavour });
    p.resetCounters();
    if (flavour === 'random' || flavour === 'wrong-types') await cycles('garbage', 1);
    const [s0, f0] = [n('garbage'), failures('garbage')];
    await cycles('garbage', 2);
    seen.garbage.set(flavour, { samples: n('garbage') - s0, failures: failures('garbage') - f0, replies: p.counters.garbage });
    if (flavour === 'wrong-id') {
      const h = t.app.registry.list().find((d) => d.id === 'garbage')!;
      seen.healthDuring = { state: h.state, consecutive_failures: t.app.registry.get('garbage')!.healthState().consecutiveFailures };
    }
  }
  p.setMode({ kind: 'pass' });
  await cycles('garbage', 2);
}

async function downPhase(): Promise<void> {
  const p = proxy.down;
  seen.lastBeforeDown = samples.get('down')!.at(-1)!.ts;
  p.setMode({ kind: 'drop' });
  seen.downFrom = Date.now() / 1000;
  await until(() => health.some((h) => h.device_id === 'down' && h.to === 'degraded'), 20_000);
  const r = await fetch(`${t.webUrl}/api/health`);
  seen.httpWhileDown = { ...((await r.json()) as { status: string; issues: string[]; pollers: Array<Record<string, unknown>> }), code: r.status };
  await cycles('down', 1);
  const before = n('down');
  const startedAt = started('down');
  p.setMode({ kind: 'pass' });
  seen.upFrom = Date.now() / 1000;
  await until(() => n('down') > before, 10_000);
  seen.cyclesToResume = started('down') - startedAt;
  seen.firstAfterUp = samples.get('down')!.at(-1)!.ts;
  await until(() => health.some((h) => h.device_id === 'down' && h.to === 'healthy'), 5000);
  await cycles('down', 2);
}

beforeAll(async () => {
  sim = await createSimulatedPdu({ port: 0, clock: new RealClock(), seed: 11 });
  for (const id of FAULTY) proxy[id] = await startUdpFaultProxy(sim.port);
  const dev = (id: string, port: number, extra: Record<string, unknown> = {}) => ({ id, host: '127.0.0.1', port, homeassistant: false, ...extra });
  t = await startTestApp({
    demo: { enabled: false },
    devices: [
      dev('steady', sim.port),
      dev('down', proxy.down.port, { recovery: { subnet_scan: false } }),
      dev('slow', proxy.slow.port), // snmp.timeout_ms default 800
      dev('slow1hz', proxy.slow1hz.port, { timeout_ms: 1000 }), // deadline min(1000, 0.9 × 1000) = 900
      dev('slow2s', proxy.slow2s.port, { timeout_ms: 1000, poll_interval_s: 2 }), // deadline 1000
      dev('garbage', proxy.garbage.port),
    ],
  }, { logger: log.logger });
  t.app.bus.on('sample', (s) => samples.set(s.device_id, [...(samples.get(s.device_id) ?? []), s]));
  t.app.bus.on('health', (h) => health.push(h));
  await until(() => ['steady', ...FAULTY].every((id) => n(id) >= 2), 15_000);
  seen.steadyFrom = Date.now() / 1000;
  proxy.slow1hz.setMode({ kind: 'delay', ms: 900 });
  proxy.slow2s.setMode({ kind: 'delay', ms: 900 });
  await Promise.all([downPhase(), slowPhases(), garbagePhases()]);
  seen.steadyTo = Date.now() / 1000;
}, 60_000);

let stopped = false;
afterAll(async () => {
  if (t && !stopped) await t.app.stop();
  if (t) rmSync(t.dir, { recursive: true, force: true });
  for (const p of Object.values(proxy)) await p.close();
  await sim?.close();
});

describe('SNMP agent faults on the running app', () => {
  it('agent down: degraded after 10 failed cycles (availability offline), back on the first answered poll', () => {
    const down = health.filter((h) => h.device_id === 'down').map((h) => `${h.from}>${h.to}:${h.consecutive_failures}`);
    expect(down).toEqual(['healthy>degraded:10', 'degraded>healthy:0']);
    // "within a poll or two": the cycle already running at the switch, then the one that answers.
    expect(seen.cyclesToResume).toBeLessThanOrEqual(2);
    // /api/health (Docker HEALTHCHECK) said so while it lasted.
    expect(seen.httpWhileDown).toMatchObject({ code: 503, status: 'degraded' });
    expect(seen.httpWhileDown!.issues).toContain('device down is degraded');
    expect(seen.httpWhileDown!.pollers.find((p) => p.device_id === 'down')).toMatchObject({ state: 'degraded', consecutive_failures: 10 });
    expect(seen.httpWhileDown!.pollers.find((p) => p.device_id === 'steady')).toMatchObject({ state: 'healthy', poll_errors: 0 });
    expect(seen.firstAfterUp).toBeGreaterThan(seen.upFrom - 1);
    expect(t.app.registry.list().find((d) => d.id === 'down')).toMatchObject({ state: 'healthy', availability: 'online' });
    // One warning for the whole outage (not one per failed cycle), plus the two state changes.
    const lines = log.lines.filter((l) => l.device_id === 'down' && l.level === 40);
    expect(lines.map((l) => l.msg)).toEqual(['pdu poll failed']);
    expect(log.lines.filter((l) => l.device_id === 'down' && l.msg === 'pdu health changed')).toHaveLength(2);
  });

  it('slow agent (900 ms) vs timeout_ms 800: every cycle fails, one request at a time; a late reply never answers the next cycle', () => {
    expect(seen.slow900.samples).toBe(0);
    expect(seen.slow900.failures).toBe(4);
    expect(seen.slow900.overlaps).toBe(0);
    expect(seen.slow900.maxInFlight).toBe(1);
    // At 1100 ms each reply arrives during the next cycle (overlaps at the proxy prove it): none is taken.
    expect(seen.slow1100.overlaps).toBeGreaterThanOrEqual(2);
    expect(seen.slow1100.samples).toBe(0);
    expect(seen.slow1100.failures).toBe(3);
    const s = t.app.scheduler.stats().find((x) => x.id === 'pdu:slow')!;
    expect(s.overruns).toBe(0);
    expect(t.app.registry.list().find((d) => d.id === 'slow')!.state).toBe('healthy'); // 7 failures < 10
  });

  it('slow agent vs timeout_ms 1000: fails at 1 Hz (the cycle deadline is capped at 0.9 × period), succeeds at 0.5 Hz', () => {
    const s1 = t.app.scheduler.stats().find((x) => x.id === 'pdu:slow1hz')!;
    expect(s1.deadlineExceeded).toBeGreaterThanOrEqual(8);
    const s2 = t.app.scheduler.stats().find((x) => x.id === 'pdu:slow2s')!;
    expect(s2.completed).toBeGreaterThanOrEqual(4);
    expect(s2.failed + s2.deadlineExceeded).toBe(0);
    expect(failures('slow2s')).toBe(0);
    expect(proxy.slow2s.counters.delayed).toBeGreaterThanOrEqual(4);
  });

  it('garbage: random bytes, truncated BER and a wrong request-id fail the cycle; wrong value types leave values absent', () => {
    for (const f of ['random', 'truncated', 'wrong-id'] as const) {
      expect(seen.garbage.get(f), f).toMatchObject({ samples: 0, failures: 2 });
      expect(seen.garbage.get(f)!.replies, f).toBeGreaterThanOrEqual(2);
    }
    expect(seen.healthDuring).toMatchObject({ state: 'healthy' });
    expect(seen.healthDuring!.consecutive_failures).toBeGreaterThanOrEqual(5);
    // Well-formed BER with strings where numbers belong: the cycle succeeds, every number is absent
    // and listed as a problem (SPEC §7.3), never NaN or a string.
    expect(seen.garbage.get('wrong-types')).toMatchObject({ samples: 2, failures: 0 });
    const odd = samples.get('garbage')!.filter((s) => s.errors.some((e) => /expected a number, got OctetString/.test(e.problem)));
    expect(odd.length).toBeGreaterThanOrEqual(2);
    expect(odd.every((s) => s.input.voltage === null && Object.values(s.banks).every((b) => b.current === null))).toBe(true);
    // Recovery after pass: clean samples again.
    expect(samples.get('garbage')!.at(-1)!.errors).toEqual([]);
    expect(samples.get('garbage')!.at(-1)!.input.voltage).toBeGreaterThan(100);
  });

  it('garbage logs one line per change of state, not one per packet', () => {
    const mine = log.lines.filter((l) => l.device_id === 'garbage' && (l.level as number) >= 40);
    const failed = mine.filter((l) => l.msg === 'pdu poll failed');
    // Seven failed cycles; a line only when the error text changes: random bytes and a wrong id
    // end at the cycle deadline, a truncated reply is parsed short by net-snmp ("Requested OIDs do
    // not match response OIDs") and fails at once.
    expect(failed.length).toBeLessThanOrEqual(3);
    expect(failed.every((l, i) => i === 0 || l.error !== failed[i - 1]!.error)).toBe(true);
    expect(failed.map((l) => l.error)).toContain('cycle deadline of 800 ms exceeded');
    const decode = mine.filter((l) => /not decoded/.test(String(l.msg)));
    expect(decode.length).toBeGreaterThanOrEqual(1);
    expect(decode.length).toBeLessThanOrEqual(2); // a second only if the 60 s slow group rode along
    expect(log.lines.filter((l) => l.device_id === 'garbage' && l.msg === 'pdu values decode cleanly again')).toHaveLength(1);
  });

  it('the device without a fault kept its 1 Hz cadence throughout and never failed', () => {
    const s = t.app.scheduler.stats().find((x) => x.id === 'pdu:steady')!;
    expect(s.failed + s.deadlineExceeded + s.overruns).toBe(0);
    expect(failures('steady')).toBe(0);
    const during = samples.get('steady')!.filter((x) => x.ts >= seen.steadyFrom && x.ts <= seen.steadyTo);
    const span = seen.steadyTo - seen.steadyFrom;
    expect(during.length).toBeGreaterThanOrEqual(Math.floor(span) - 1);
    // No pause between consecutive samples longer than 2 periods.
    const gaps = during.slice(1).map((x, i) => x.ts - during[i]!.ts);
    expect(Math.max(...gaps)).toBeLessThan(2);
  });

  it('history: the outage is a gap, every polled second is stored once, nothing invented; the file is sound', async () => {
    stopped = true;
    await t.app.stop(); // flushes the writer
    const db = new Database(t.config.history.path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const h = new DbHandle(t.config.history.path, 5000);
    try {
      for (const id of ['down', 'steady', 'garbage', 'slow'] as const) {
        const dev = h.catalog.findDev(id)!;
        const from = Math.floor(samples.get(id)![0]!.ts);
        const stored = readRaw(h.db, h.catalog, dev.id, from, Math.floor(Date.now() / 1000) + 2).ts;
        const polled = [...new Set(samples.get(id)!.map((s) => Math.floor(s.ts)))];
        expect(stored, id).toEqual(polled);
      }
      const down = readRaw(h.db, h.catalog, h.catalog.findDev('down')!.id, Math.floor(seen.lastBeforeDown), Math.floor(seen.firstAfterUp) + 1).ts;
      expect(down[0]).toBe(Math.floor(seen.lastBeforeDown));
      expect(down[1]).toBe(Math.floor(seen.firstAfterUp));
      expect(down[1]! - down[0]!).toBeGreaterThanOrEqual(10);
    } finally {
      h.close();
    }
  });
});
