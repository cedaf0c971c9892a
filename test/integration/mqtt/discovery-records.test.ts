// Home Assistant cleanup across restarts with the embedded broker (SPEC §10.4): aedes starts with
// no retained messages, so the `ha_discovery` table of the history file is the only trace of the
// entities an earlier run created. Three runs of the real app on one history file, each watched by
// an MQTT client on its own embedded broker: the demo publishes its entities; a run whose device
// is configured but does not answer keeps that device's entities and clears the demo's switches
// and watchdog; a run without the device clears its entities; discovery switched off clears the rest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';

const dir = mkdtempSync(join(tmpdir(), 'p2m-discovery-records-'));
const dbPath = join(dir, 'power2mqtt.db');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function recorded(): Map<string, string | null> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT topic, device_id FROM ha_discovery').all() as Array<{ topic: string; device_id: string | null }>;
    return new Map(rows.map((r) => [r.topic, r.device_id]));
  } finally {
    db.close();
  }
}

interface Run {
  app: TestApp;
  /** Last payload per discovery topic seen by the watcher ('' = cleared). */
  configs: Map<string, string>;
  stop(): Promise<void>;
}

/** The app on the shared history file, with a client on `homeassistant/#` of its embedded broker. */
async function run(input: ConfigInput): Promise<Run> {
  const app = await startTestApp({ ...input, history: { path: dbPath } });
  const configs = new Map<string, string>();
  const client = await mqtt.connectAsync(app.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  client.on('message', (topic, payload) => configs.set(topic, payload.toString()));
  await client.subscribeAsync('homeassistant/#');
  return {
    app, configs,
    async stop() {
      await client.endAsync();
      await app.stop();
    },
  };
}

const published = (r: Run): string[] => [...r.configs].filter(([, p]) => p !== '').map(([t]) => t);
const cleared = (r: Run): string[] => [...r.configs].filter(([, p]) => p === '').map(([t]) => t).sort();

describe('discovery records across restarts (embedded broker)', () => {
  let demoTopics: string[] = [];
  let bridgeTopics: string[] = [];

  it('run 1: the demo publishes its entities and every topic is recorded with its device', async () => {
    const r = await run({});
    try {
      await until(() => published(r).some((t) => t.includes('_outlet_10_')), 10_000, 'demo outlet entities');
      await until(() => [...recorded().keys()].length >= published(r).length, 5000, 'records written');
      const rec = recorded();
      for (const t of published(r)) expect(rec.has(t), t).toBe(true);
      demoTopics = [...rec].filter(([, dev]) => dev === 'demo-pdu').map(([t]) => t).sort();
      bridgeTopics = [...rec].filter(([, dev]) => dev === null).map(([t]) => t).sort();
      expect(demoTopics.length).toBeGreaterThan(20);
      expect(demoTopics.every((t) => /^homeassistant\/\w+\/cyberpdu_[\w-]+\/config$/.test(t))).toBe(true);
      // The demo's switches and its watchdog are entities of the bridge device.
      expect(bridgeTopics.some((t) => t.includes('_switch_'))).toBe(true);
    } finally {
      await r.stop();
    }
  }, 30_000);

  it('run 2: the device is configured but silent: its entities stay; the bridge entities of the demo switches are cleared', async () => {
    // A UDP port nothing listens on: the device never answers in this run.
    const r = await run({ demo: { enabled: false }, devices: [{ id: 'demo-pdu', host: '127.0.0.1', port: 9, timeout_ms: 200 }] });
    try {
      const gone = bridgeTopics.filter((t) => t.includes('_switch_') || t.includes('_watchdog_'));
      expect(gone.length).toBeGreaterThan(0);
      await until(() => gone.every((t) => r.configs.get(t) === ''), 8000, 'demo switch entities cleared');
      expect(cleared(r)).toEqual(gone.sort());
      const rec = recorded();
      for (const t of demoTopics) expect(rec.get(t), t).toBe('demo-pdu');
      for (const t of gone) expect(rec.has(t), t).toBe(false);
    } finally {
      await r.stop();
    }
  }, 30_000);

  it('run 3: the device is gone from the config: each of its entities gets a zero-length config', async () => {
    const r = await run({ demo: { enabled: false } });
    try {
      await until(() => demoTopics.every((t) => r.configs.get(t) === ''), 8000, 'demo-pdu entities cleared');
      expect(cleared(r)).toEqual(demoTopics);
      expect([...recorded().values()].every((dev) => dev === null)).toBe(true);
    } finally {
      await r.stop();
    }
  }, 30_000);

  it('run 4: discovery switched off: the bridge device entities go too and nothing is recorded', async () => {
    const before = [...recorded().keys()].sort();
    expect(before.length).toBeGreaterThan(0);
    const r = await run({ demo: { enabled: false }, homeassistant: { enabled: false } });
    try {
      await until(() => before.every((t) => r.configs.get(t) === ''), 8000, 'bridge entities cleared');
      expect(published(r)).toEqual([]);
      expect(recorded().size).toBe(0);
    } finally {
      await r.stop();
    }
  }, 30_000);
});
