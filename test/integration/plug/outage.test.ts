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
  it('answering plugs keep the verdict normal; silent plugs open a power outage; replugged, it closes', async () => {
    const outages = t.app.outages!;
    await until(() => t.app.registry.list().every((d) => d.availability === 'online'), 5000, 'plugs online');
    expect(t.app.registry.info('plug-1')).toMatchObject({ role: 'sensor', kind: 'kasa' });
    await clock.sleep(2500);
    expect(outages.status().state).toBe('normal');
    for (const s of sims) await s.setMode('silent');
    await until(() => outages.status().state === 'outage', 15_000, 'outage opened');
    const open = outages.status().outage!;
    expect(open).toMatchObject({ kind: 'power', is_ongoing: true });
    expect(open.switches_affected).toEqual(expect.arrayContaining(['device:plug-1', 'device:plug-2']));
    for (const s of sims) await s.setMode('normal');
    await until(() => outages.status().state === 'normal' && outages.status().outage === null, 15_000, 'outage closed');
    expect(outages.list(1, 'power')[0]).toMatchObject({ is_ongoing: false });
  });
});
