import { join } from 'node:path';
import type { ConfigInput } from '../src/config/index.js';

// The bridge's configuration in the MQTT benchmark, shared by the orchestrator (device ids for
// the commands) and the bridge worker (which builds the Config from it).

export function benchDeviceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${i + 1}`);
}

/**
 * What a user with N PDUs and Home Assistant would write; defaults otherwise (SNMP v2c,
 * timeout 800 ms, retries 0, 1 Hz, base topic `pdu`, MQTT 3.1.1, heartbeat 60 s).
 * mqttUrl "" = the embedded aedes broker on a free 127.0.0.1 port.
 */
export function bridgeConfigInput(o: { host: string; port: number; count: number; mqttUrl: string; dataDir: string }): ConfigInput {
  return {
    demo: { enabled: false },
    devices: benchDeviceIds(o.count).map((id, i) => ({ id, host: o.host, port: o.port + i })),
    mqtt: o.mqttUrl === '' ? { url: '', embedded: { port: 0, bind: '127.0.0.1' } } : { url: o.mqttUrl },
    homeassistant: { enabled: true },
    history: { path: join(o.dataDir, 'power2mqtt.db') },
  };
}
