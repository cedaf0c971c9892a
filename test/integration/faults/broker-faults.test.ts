// External broker down for a while (issue 10 "Faults"). Kill -9 with an immediate restart, the LWT
// and the reconnect/republish are covered by test/integration/mqtt/bridge-mosquitto.test.ts and
// transport-mosquitto.test.ts; what is added here is a broker that STAYS down for several polls:
// polling and history must not notice (every polled second is in SQLite), /api/health says why,
// and publishing resumes when a broker is back on the same port. All parts real (Debian mosquitto,
// our simulated PDU over UDP, SQLite file, HTTP).
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import type { PduSnapshot } from '../../../src/core/types.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { DbHandle } from '../../../src/history/handle.js';
import { readRaw } from '../../../src/history/raw.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { mosquittoAvailable, startMosquitto, until, type MosquittoHandle } from '../../support/mosquitto.js';
import { requires } from '../../support/requires.js';

describe.runIf(requires('Debian mosquitto', mosquittoAvailable()))('external broker down for several polls', () => {
  let broker: MosquittoHandle | undefined;
  let sim: SimulatedPdu | undefined;
  let t: TestApp | undefined;
  afterAll(async () => {
    if (t) {
      await t.app.stop().catch(() => undefined);
      rmSync(t.dir, { recursive: true, force: true });
    }
    await sim?.close();
    await broker?.stop();
  });

  it('polling and history carry on, /api/health says mqtt disconnected, publishing resumes', async () => {
    broker = await startMosquitto();
    const port = broker.port;
    sim = await createSimulatedPdu({ port: 0, clock: new RealClock(), seed: 9 });
    t = await startTestApp({
      demo: { enabled: false },
      mqtt: { url: broker.url, reconnect_min_s: 1, reconnect_max_s: 1 },
      devices: [{ id: 'rack', host: '127.0.0.1', port: sim.port, homeassistant: false }],
    });
    const app = t.app;
    const samples: PduSnapshot[] = [];
    app.bus.on('sample', (s) => samples.push(s));
    await until(() => samples.length >= 2 && app.mqtt!.client.connected, 10_000);
    const publishedBefore = app.mqtt!.client.stats().publishes;

    await broker.stop(); // SIGTERM: the broker is gone, connects are refused
    broker = undefined;
    await until(() => !app.mqtt!.client.connected, 5000);
    const downFrom = samples.length;
    await until(() => samples.length >= downFrom + 5, 10_000);
    const health = await fetch(`${t.webUrl}/api/health`);
    const body = (await health.json()) as { issues: string[]; subsystems: { mqtt: { connected: boolean } } };
    const downTo = samples.length;

    broker = await startMosquitto({ port });
    const watcher = await mqtt.connectAsync(broker.url);
    const got = new Map<string, string>();
    watcher.on('message', (topic, payload) => got.set(topic, payload.toString()));
    await watcher.subscribeAsync('pdu/#');
    await until(() => got.get('pdu/bridge/state') === 'online' && got.has('pdu/rack/input/voltage'), 15_000);
    await watcher.endAsync();

    expect(health.status).toBe(503);
    expect(body.issues).toContain('mqtt disconnected');
    expect(body.subsystems.mqtt.connected).toBe(false);
    // Polling did not notice: no failed or overrun cycle, a sample every second.
    const s = app.scheduler.stats().find((x) => x.id === 'pdu:rack')!;
    expect(s.failed + s.deadlineExceeded + s.overruns + s.missed).toBe(0);
    const during = samples.slice(downFrom, downTo);
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(app.mqtt!.client.stats().publishes).toBeGreaterThan(publishedBefore);

    await app.stop(); // flushes the writer
    const db = new Database(t.config.history.path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const h = new DbHandle(t.config.history.path, 5000);
    try {
      const first = Math.floor(samples[0]!.ts);
      const stored = readRaw(h.db, h.catalog, h.catalog.findDev('rack')!.id, first, Math.floor(Date.now() / 1000) + 2).ts;
      // Every second polled, before, during and after the broker outage, is stored once.
      expect(stored).toEqual([...new Set(samples.map((x) => Math.floor(x.ts)))]);
      for (const x of during) expect(stored).toContain(Math.floor(x.ts));
    } finally {
      h.close();
    }
  }, 30_000);
});
