// A burst of QoS 0 publishes from the bridge client to the embedded broker in the same process (as
// the app does: 500 PDUs' discovery and readings at once). mqtt.js added one `once('drain')`
// listener per packet written while the socket was backed up when a callback was given, and
// emitting 'drain' to N listeners is O(N²): the load run (issue 10) stalled for minutes. Real
// broker and clients on 127.0.0.1; no timing asserts beyond a generous bound on delivery.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startEmbeddedBroker } from '../../../src/mqtt/broker.js';
import { createBridgeClient } from '../../../src/mqtt/client.js';
import { until } from '../../support/mosquitto.js';

const dataDir = mkdtempSync(join(tmpdir(), 'p2m-burst-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const BURST = 20_000;

it('a burst of 20,000 QoS 0 publishes adds no drain listeners and every message arrives', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const broker = await startEmbeddedBroker({ bind: '127.0.0.1', port: 0, users: [], allowAnonymous: false, dataDir, logger: silentLogger() });
  const sub = await connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 3000 });
  const client = createBridgeClient({
    url: broker.url, clientId: 'burst-bridge', protocolVersion: 4, keepaliveS: 30, reconnectMinS: 0.05, reconnectMaxS: 0.2, rejectUnauthorized: true,
    will: { topic: 'pdu/bridge/state', payload: 'offline', retain: true, qos: 1 }, clock: new RealClock(), logger: silentLogger(),
    username: broker.bridgeCredentials.username, password: broker.bridgeCredentials.password,
  });
  try {
    let received = 0;
    sub.on('message', () => received++);
    await sub.subscribeAsync('burst/#', { qos: 0 });
    await until(() => client.connected, 5000);
    // One synchronous run, like one tick of the publishers: the socket backs up at once.
    for (let i = 0; i < BURST; i++) client.publish(`burst/pdu-${i % 500}/outlet/${i % 10}/power`, String(i), { retain: false, qos: 0 });
    await until(() => received === BURST, 25_000);
    expect(client.stats()).toMatchObject({ publishes: BURST, dropped: 0 });
    expect(warnings.filter((w) => /drain listeners/.test(w))).toEqual([]);
  } finally {
    process.off('warning', onWarning);
    await client.end();
    await sub.endAsync(true);
    await broker.close();
  }
}, 40_000);
