import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { configSchema, resolveConfig, type Config, type ConfigInput } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';

export interface TestApp {
  app: App;
  config: Config;
  dir: string;
  /** mqtt://127.0.0.1:PORT of the embedded broker (or the external one configured). */
  mqttUrl: string;
  /** http://127.0.0.1:PORT of the web server, null when web.enabled is false. */
  webUrl: string | null;
  stop(): Promise<void>;
}

/** The real app with a config built like a config file would be (demo on, random ports, temp data dir). */
export async function startTestApp(input: ConfigInput = {}, extra: Partial<Omit<AppOptions, 'config'>> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'p2m-app-'));
  const parsed = configSchema.parse({
    ...input,
    // Demo plugs (an HS300 strip and a Shelly plug) only when a test asks: most tests count the demo's devices.
    demo: { snmp_port: 0, plugs: false, ...(input.demo ?? {}) },
    mqtt: { ...(input.mqtt ?? {}), embedded: { port: 0, ...(input.mqtt?.embedded ?? {}) } },
    history: { path: join(dir, 'power2mqtt.db'), ...(input.history ?? {}) },
    // An ephemeral web port: test files run in parallel and a developer's demo may hold :8080.
    web: { port: 0, ...(input.web ?? {}) },
    rules: { path: join(dir, 'rules.json'), ...(input.rules ?? {}) },
    // Reports are written under the temp dir, never into the working tree's ./data/reports.
    reports: { path: join(dir, 'reports'), ...(input.reports ?? {}) },
  });
  const config = resolveConfig(parsed, { fileLoaded: false });
  const app = createApp({ logger: silentLogger(), configFile: null, ...extra, config });
  await app.start();
  const mqttUrl = app.broker ? app.broker.url : config.mqtt.url;
  const web = app.http?.address() ?? null;
  return {
    app, config, dir, mqttUrl, webUrl: web ? `http://${web.host}:${web.port}` : null,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
