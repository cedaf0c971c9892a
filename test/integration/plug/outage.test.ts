// Plugs with `role: sensor` in the outage engine (SPEC §11.3), with the whole app: two Kasa
// plugs on 127.0.0.1 answer = mains present; both silent = a power outage; answering again closes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { startKasaSimulator, type KasaSimulator } from '../../../src/devices/plug/simulator/kasa.js';
import { startTestApp, type TestApp } from '../../support/app.js';

const clock = new RealClock();
let t: TestApp;
const sims: KasaSimulator[] = [];

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = clock.monotonic() + ms;
  while (!cond()) {
    if (clock.monotonic() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await clock.sleep(50);
  }
}

beforeAll(async () => {
  for (let i = 0; i < 2; i++) sims.push(await startKasaSimulator({ model: 'HS110', index: i }));
  t = await startTestApp({
    demo: { enabled: false },
    web: { enabled: false },
    switches: { interval_s: 1 },
    outage: { confirm_cycles: 2, clear_cycles: 2 },
    devices: sims.map((s, i) => ({ id: `plug-${i + 1}`, kind: 'kasa' as const, host: '127.0.0.1', port: s.port, role: 'sensor' as const, poll_interval_s: 1 })),
  });
}, 30_000);

afterAll(async () => {
  await t?.stop();
  for (const s of sims) await s.close();
});

describe('sensor plugs', () => {
  it('answering plugs keep the verdict normal; silent plugs open a power outage; replugged (counters reset), it closes with the resets as evidence', async () => {
    const outages = t.app.outages!;
    for (const s of sims) s.sim.outlets[0]!.energyWh = 5000;
    await until(() => t.app.registry.list().every((d) => d.availability === 'online'), 5000, 'plugs online');
    expect(t.app.registry.info('plug-1')).toMatchObject({ role: 'sensor', kind: 'kasa' });
    await clock.sleep(2500);
    expect(outages.status().state).toBe('normal');
    for (const s of sims) await s.setMode('silent');
    await until(() => outages.status().state === 'outage', 15_000, 'outage opened');
    const open = outages.status().outage!;
    expect(open).toMatchObject({ kind: 'power', is_ongoing: true });
    expect(open.switches_affected).toEqual(expect.arrayContaining(['device:plug-1', 'device:plug-2']));
    // They lost power: their energy totals start again from 0 (SPEC §13.5), seen on the first answer.
    for (const s of sims) {
      s.sim.resetCounters();
      await s.setMode('normal');
    }
    await until(() => outages.status().state === 'normal' && outages.status().outage === null, 15_000, 'outage closed');
    const closed = outages.list(1, 'power')[0]!;
    expect(closed).toMatchObject({ is_ongoing: false });
    const signals = (closed.evidence.signals ?? []) as Array<{ type: string; device_id: string }>;
    expect(signals.filter((x) => x.type === 'counter_reset').map((x) => x.device_id).sort()).toEqual(['plug-1', 'plug-2']);
  });
});
