// Wall-clock steps while the app runs (issue 10 "Faults": NTP stepping the clock, a Raspberry Pi
// without RTC). The app gets an injected clock whose wall time (`now()`) steps −10 s, +1 h and −1 h
// while its monotonic time and timers stay real: a clock step cannot be caused for real without
// root, so this is the one simulated part. The PDU is our simulated agent on the REAL clock (the
// device does not see the bridge's clock step), polled over UDP; history, MQTT (embedded broker,
// heartbeat 2 s) and the outage engine are the real ones.
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock, type Clock, type TimerHandle } from '../../../src/core/clock.js';
import type { DeviceEvent, PduSnapshot } from '../../../src/core/types.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { DbHandle } from '../../../src/history/handle.js';
import { readRaw } from '../../../src/history/raw.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { capturedLogger } from '../../support/auth.js';
import { until } from '../../support/mosquitto.js';
import { testPdu } from '../../support/pdu.js';

/** Real timers and monotonic time; wall time = real time + a step the test changes. */
class SteppedClock implements Clock {
  private readonly real = new RealClock();
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  monotonic(): number {
    return this.real.monotonic();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.real.setTimeout(fn, ms);
  }
  clearTimeout(h: TimerHandle | undefined): void {
    this.real.clearTimeout(h);
  }
  sleep(ms: number): Promise<void> {
    return this.real.sleep(ms);
  }
}

const HOUR = 3_600_000;
const clock = new SteppedClock();
const log = capturedLogger();
let sim: SimulatedPdu;
let t: TestApp;
let watcher: MqttClient;
const samples: PduSnapshot[] = [];
const events: DeviceEvent[] = [];
const outageEvents: string[] = [];
/** Arrival (real ms) of each message on one retained topic that never changes (outlet 1 stays on). */
const stableTopic: number[] = [];
const seen = { realStart: 0, realEnd: 0, startedAtStart: 0, lastBeforeBack: 0, phase: [0, 0, 0], backAt: 0, energyStatus: 0, energy: null as unknown, history: [] as Array<{ status: number; rows: Array<{ bucket: number; bank: number }> }> };

const target = () => t.app.scheduler.stats().find((s) => s.id === 'pdu:rack')!;
async function polls(k: number): Promise<void> {
  const n = samples.length;
  await until(() => samples.length >= n + k, 10_000);
}

beforeAll(async () => {
  sim = await createSimulatedPdu({ port: 0, clock: new RealClock(), seed: 5 });
  t = await startTestApp({
    demo: { enabled: false },
    mqtt: { heartbeat_s: 2 },
    devices: [{ id: 'rack', host: '127.0.0.1', port: sim.port, utility_source: 'A', homeassistant: false }],
  }, { clock, logger: log.logger });
  t.app.bus.on('sample', (s) => samples.push(s));
  t.app.bus.on('device.event', (e) => events.push(e));
  t.app.bus.on('outage', (o) => outageEvents.push(o.type));
  watcher = await mqtt.connectAsync(t.mqttUrl);
  watcher.on('message', (topic) => {
    if (topic === 'pdu/rack/outlet/1/state') stableTopic.push(Date.now());
  });
  await watcher.subscribeAsync('pdu/rack/#');
  await polls(3);
  seen.realStart = Date.now();
  seen.startedAtStart = target().started;

  seen.phase[0] = samples.length;
  clock.offsetMs -= 10_000; // a small step back
  await polls(3);
  seen.phase[1] = samples.length;
  clock.offsetMs += HOUR + 10_000; // NTP steps the clock an hour forward
  await polls(3);
  seen.phase[2] = samples.length;
  seen.lastBeforeBack = samples.at(-1)!.ts;
  clock.offsetMs -= HOUR; // ... and back
  seen.backAt = Date.now();
  await polls(4); // > 1 heartbeat of 2 s
  seen.realEnd = Date.now();
  const e = await fetch(`${t.webUrl}/api/energy/summary?device_id=rack`);
  seen.energyStatus = e.status;
  seen.energy = await e.json();
  // The last hour (real time now), and a window around the hour the clock was ahead.
  const ahead = Math.floor(seen.lastBeforeBack);
  for (const q of ['range=1h', `start=${ahead - 7200}&end=${ahead + 60}`]) {
    const h = await fetch(`${t.webUrl}/api/history/banks?device_id=rack&${q}`);
    seen.history.push({ status: h.status, rows: (await h.json()) as Array<{ bucket: number; bank: number }> });
  }
}, 60_000);

let stopped = false;
afterAll(async () => {
  await watcher?.endAsync();
  if (t) {
    if (!stopped) await t.app.stop();
    rmSync(t.dir, { recursive: true, force: true });
  }
  await sim?.close();
});

describe('wall-clock steps while running', () => {
  it('the scheduler runs on monotonic time: no burst of catch-up polls, no stall', () => {
    const s = target();
    const elapsedS = (seen.realEnd - seen.realStart) / 1000;
    const started = s.started - seen.startedAtStart;
    expect(started).toBeGreaterThanOrEqual(Math.floor(elapsedS) - 1);
    expect(started).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    expect(s.missed + s.overruns + s.failed + s.deadlineExceeded).toBe(0);
    // Every step of the run, forward and back, kept polling once a second (real time between samples).
    const gaps = samples.slice(1).map((x, i) => x.transport.last_success_ts! - samples[i]!.transport.last_success_ts!);
    expect(gaps.filter((g) => Math.abs(g) < 5).every((g) => g > 0.3 && g < 2)).toBe(true);
  });

  it('a step forward is not a polling gap: no PDU reboot, no outage', () => {
    expect(events.filter((e) => e.type === 'pdu_reboot')).toEqual([]);
    expect(outageEvents.filter((x) => x !== 'verdict')).toEqual([]);
    expect(t.app.outages!.status().state).toBe('normal');
  });

  it('MQTT heartbeat of unchanged topics continues after a step back', () => {
    const after = stableTopic.filter((ms) => ms > seen.backAt + 100);
    expect(after.length).toBeGreaterThanOrEqual(1);
  });

  it('queries still answer; energy is never negative', () => {
    for (const h of seen.history) {
      expect(h.status).toBe(200);
      expect(h.rows.length).toBeGreaterThan(0);
      // per bank: buckets strictly increasing (no duplicate or out-of-order second)
      for (const bank of [1, 2]) {
        const b = h.rows.filter((r) => r.bank === bank).map((r) => Date.parse(String(r.bucket)) || Number(r.bucket));
        expect(b.every((x, i) => i === 0 || x > b[i - 1]!)).toBe(true);
      }
    }
    expect(seen.energyStatus).toBe(200);
    const e = seen.energy as Record<string, { total_kwh: number }>;
    for (const k of ['today', 'this_week', 'this_month', 'all_time']) expect(e[k]!.total_kwh, k).toBeGreaterThanOrEqual(0);
  });

  it('history stays one row per second in order; a step back leaves its seconds unrecorded, said once', async () => {
    stopped = true;
    await t.app.stop(); // flushes the writer
    const db = new Database(t.config.history.path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((db.prepare('SELECT count(*) AS c FROM outages').get() as { c: number }).c).toBe(0);
    db.close();
    const h = new DbHandle(t.config.history.path, 5000);
    try {
      const ts = readRaw(h.db, h.catalog, h.catalog.findDev('rack')!.id, 0, Math.floor(Date.now() / 1000) + 2 * 3600).ts;
      expect(ts.every((x, i) => i === 0 || x > ts[i - 1]!)).toBe(true);
      // Recorded: the seconds before the −10 s step and those of the hour ahead (the seconds the
      // bridge believed it was in). Not recorded: what was polled while the clock was behind the
      // last recorded second (after −10 s, after −1 h): those seconds are taken.
      const secs = (a: number, b: number) => [...new Set(samples.slice(a, b).map((s) => Math.floor(s.ts)))];
      const [p0, p1, p2] = seen.phase as [number, number, number];
      const expected = [...secs(0, p0), ...secs(p1, p2)].filter((x) => x >= ts[0]!);
      expect(ts).toEqual(expected);
      expect(secs(p0, p1).every((x) => x <= Math.floor(samples[p0 - 1]!.ts))).toBe(true); // they were behind
    } finally {
      h.close();
    }
    const warned = log.lines.filter((l) => /the wall clock went back/.test(String(l.msg)));
    expect(warned.map((l) => l.device_id)).toEqual(['rack', 'rack']); // once per step, not per sample
    expect(warned[0]!.behind_s as number).toBeGreaterThanOrEqual(8);
    expect(warned[0]!.behind_s as number).toBeLessThanOrEqual(11);
    expect(warned[1]!.behind_s as number).toBeGreaterThan(3500);
    expect(log.lines.filter((l) => /recording again/.test(String(l.msg)))).toHaveLength(1);
  });
});

describe('wall-clock step while a dead PDU is in recovery (SPEC §7.7: an attempt every 60 s)', () => {
  it('a step forward does not count as 60 s passed: no extra failed recovery attempt', async () => {
    // Port 9 on 127.0.0.1: nothing answers. Cycles are driven directly (30 ms timeout), so the 30
    // failed cycles that enter `recovering` take about a second instead of 30.
    const p = testPdu(9, { id: 'dead', timeoutMs: 30, pollIntervalMs: 1000, recovery: { subnetScan: false, subnet: '' } }, clock);
    try {
      for (let i = 0; i < 40 && p.device.healthState().state !== 'recovering'; i++) await p.cycle();
      expect(p.device.healthState()).toMatchObject({ state: 'recovering', failedRecoveries: 0 });
      clock.offsetMs += 61_000;
      for (let i = 0; i < 3; i++) await p.cycle();
      // On the wall clock this was "61 s later": an attempt, counted failed (5 of them → `lost`).
      expect(p.device.healthState()).toMatchObject({ state: 'recovering', failedRecoveries: 0 });
    } finally {
      clock.offsetMs -= 61_000;
      await p.device.stop();
    }
  });
});
