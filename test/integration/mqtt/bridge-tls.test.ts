// mqtts:// to an external broker with a CA file (SPEC §4.2 mqtt.ca, mqtt.reject_unauthorized).
import { readFileSync, rmSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../support/app.js';
import { mosquittoAvailable, startMosquitto, type MosquittoHandle } from '../../support/mosquitto.js';
import { requires } from '../../support/requires.js';
import { makeTestPki, opensslAvailable, type TestPki } from '../../support/tls.js';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ready = requires('Debian mosquitto', mosquittoAvailable()) && requires('openssl', opensslAvailable());

describe.runIf(ready)('bridge over mqtts:// (Debian mosquitto with a TLS listener)', () => {
  let pki: TestPki;
  let broker: MosquittoHandle;
  beforeAll(async () => {
    pki = await makeTestPki();
    broker = await startMosquitto({ tls: { cafile: pki.ca, certfile: pki.cert, keyfile: pki.key } });
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('connects with mqtt.ca, verifies the certificate, and publishes the demo PDU', async () => {
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const t = await startTestApp({ mqtt: { url: broker.url, ca: pki.ca } });
    const watcher = await mqtt.connectAsync(broker.url, { ca: readFileSync(pki.ca) });
    try {
      const last = new Map<string, string>();
      watcher.on('message', (topic, payload) => last.set(topic, payload.toString()));
      await watcher.subscribeAsync('pdu/#');
      await until(() => last.get('pdu/demo-pdu/outlet/1/state') === 'on' && last.get('pdu/bridge/state') === 'online', 8000, 'states over TLS');
      expect(t.app.mqtt!.client.connected).toBe(true);
    } finally {
      await watcher.endAsync();
      await t.stop();
    }
  }, 20_000);

  it('a certificate from another CA is refused (reject_unauthorized: true); polling goes on', async () => {
    const t = await startTestApp({ mqtt: { url: broker.url, ca: pki.otherCa, reconnect_min_s: 1 } });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(t.app.mqtt!.client.connected).toBe(false);
      expect(t.app.registry.list()[0]!.state).toBe('healthy');
    } finally {
      await t.stop();
    }
  }, 20_000);

  it('reject_unauthorized: false accepts it (explicit opt-out)', async () => {
    const t = await startTestApp({ mqtt: { url: broker.url, ca: pki.otherCa, reject_unauthorized: false } });
    try {
      await until(() => t.app.mqtt!.client.connected, 5000, 'connected without verification');
    } finally {
      await t.stop();
    }
  }, 20_000);
});
