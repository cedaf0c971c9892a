import type { Clock } from '../../core/clock.js';
import type { PlugDeviceSettings } from './settings.js';
import { startKasaSimulator, type KasaSimulator } from './simulator/kasa.js';
import { startShellySimulator, type ShellySimulator } from './simulator/shelly.js';

// The demo's plugs (SPEC §8, `demo.plugs`): one simulated Kasa HS300 strip and one Shelly Plus
// Plug S on 127.0.0.1, polled like real ones through the registry.

export const DEMO_STRIP_ID = 'demo-strip';
export const DEMO_PLUG_ID = 'demo-plug';

export interface DemoPlugs {
  readonly strip: KasaSimulator;
  readonly plug: ShellySimulator;
  readonly settings: PlugDeviceSettings[];
  close(): Promise<void>;
}

export async function startDemoPlugs(opts: { clock: Clock; pollIntervalS?: number }): Promise<DemoPlugs> {
  const strip = await startKasaSimulator({ model: 'HS300', alias: 'Rack strip', loads: [45, 120, 8, 0, 65, 30], clock: opts.clock });
  let plug: ShellySimulator;
  try {
    plug = await startShellySimulator({ loads: [95], clock: opts.clock });
  } catch (err) {
    await strip.close();
    throw err;
  }
  const pollMs = (opts.pollIntervalS ?? 2) * 1000;
  const common = { password: '', pollIntervalMs: pollMs, timeoutMs: Math.floor(pollMs * 0.9), role: '' as const, protectedOutlets: new Set<number>(), homeassistant: true, fromConfig: true, utilitySource: null };
  return {
    strip,
    plug,
    settings: [
      { ...common, id: DEMO_STRIP_ID, kind: 'kasa', label: 'Demo HS300 strip', host: '127.0.0.1', port: strip.port },
      { ...common, id: DEMO_PLUG_ID, kind: 'shelly', label: 'Demo Shelly plug', host: '127.0.0.1', port: plug.port },
    ],
    async close() {
      await Promise.all([strip.close(), plug.close()]);
    },
  };
}

type Params = Record<string, unknown>;
type ScenarioResult = { ok: true; detail: string } | { ok: false; error: string; field?: string };
const bad = (field: string, error: string): ScenarioResult => ({ ok: false, field, error: `${field}: ${error}` });

/** The demo plug behind `device` ("demo-strip" default, or "demo-plug"). */
function pick(plugs: DemoPlugs, p: Params): { sim: KasaSimulator['sim']; setMode: (m: 'normal' | 'silent' | 'refuse') => Promise<void>; id: string } | null {
  const id = p.device === undefined ? DEMO_STRIP_ID : p.device;
  if (id === DEMO_STRIP_ID) return { sim: plugs.strip.sim, setMode: (m) => plugs.strip.setMode(m), id };
  if (id === DEMO_PLUG_ID) return { sim: plugs.plug.sim, setMode: (m) => plugs.plug.http.setMode(m), id };
  return null;
}

/**
 * The demo scenarios plus the demo plugs' own (`POST /api/demo/scenario`): unplug / replug a
 * plug, change an outlet's load, reset its energy counters. `device` = demo-strip | demo-plug.
 */
export function withPlugScenarios(
  base: { scenarios(): string[]; run(name: string, params: Params): Promise<ScenarioResult> },
  plugs: DemoPlugs,
): { scenarios(): string[]; run(name: string, params: Params): Promise<ScenarioResult> } {
  const devices = `"${DEMO_STRIP_ID}" or "${DEMO_PLUG_ID}"`;
  const table: Readonly<Record<string, (p: Params) => Promise<ScenarioResult>>> = {
    plug_unplug: async (p) => {
      const d = pick(plugs, p);
      if (!d) return bad('device', `must be ${devices}`);
      await d.setMode('silent');
      return { ok: true, detail: `${d.id} unplugged: it stops answering` };
    },
    plug_replug: async (p) => {
      const d = pick(plugs, p);
      if (!d) return bad('device', `must be ${devices}`);
      d.sim.resetCounters(); // a plug that lost power starts its totals again
      await d.setMode('normal');
      return { ok: true, detail: `${d.id} plugged in again (its energy counters restarted from 0)` };
    },
    plug_load: async (p) => {
      const d = pick(plugs, p);
      if (!d) return bad('device', `must be ${devices}`);
      const outlet = p.outlet === undefined ? 1 : p.outlet;
      if (typeof outlet !== 'number' || !Number.isInteger(outlet) || outlet < 1 || outlet > d.sim.outlets.length) {
        return bad('outlet', `must be 1..${d.sim.outlets.length}`);
      }
      if (typeof p.watts !== 'number' || !Number.isFinite(p.watts) || p.watts < 0 || p.watts > 3600) return bad('watts', 'must be a number from 0 to 3600');
      d.sim.setLoad(outlet, p.watts);
      return { ok: true, detail: `${d.id} outlet ${outlet} now draws ${p.watts} W when on` };
    },
    plug_counter_reset: async (p) => {
      const d = pick(plugs, p);
      if (!d) return bad('device', `must be ${devices}`);
      d.sim.resetCounters();
      return { ok: true, detail: `${d.id} energy counters reset to 0` };
    },
  };
  return {
    scenarios: () => [...base.scenarios(), ...Object.keys(table)],
    run(name, params) {
      const fn = table[name];
      return fn ? fn(params) : base.run(name, params);
    },
  };
}
