import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SwitchTarget } from '../../../src/core/power.js';
import { startSwitchSimulator, type SwitchSimulator } from '../../../src/devices/switch/simulator.js';
import { DbHandle } from '../../../src/history/handle.js';
import { PowerStore } from '../../../src/history/power-store.js';
import { CYCLE_WAIT_MS, expectRowsMatchEvents, switchHarness, type SwitchHarness } from './service-harness.js';

// SPEC §11.1: config targets are synced into the table (source config, read-only at runtime);
// runtime targets are added, changed and removed through the SwitchesPort; counts() and the
// stale state (§11.2) as the service reports them. Real SQLite file, real targets on 127.0.0.1.

let h: SwitchHarness | undefined;
let sim: SwitchSimulator | undefined;
let tmp: string | undefined;

afterEach(async () => {
  await h?.close();
  await sim?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  h = sim = tmp = undefined;
});

const T = 1_790_000_000;
const row = (name: string, over: Partial<SwitchTarget> = {}): Omit<SwitchTarget, 'id'> => ({
  name, url: 'http://127.0.0.1:9/', ip: '127.0.0.1', role: 'sensor', active: true, group: '', source: 'runtime', created_at: T, updated_at: T, ...over,
});

describe('switch service: targets', () => {
  it('syncs the config targets into the table at start: added, changed, removed, and a runtime namesake replaced', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    tmp = mkdtempSync(join(tmpdir(), 'p2m-switch-sync-'));
    // What an earlier run left in the table.
    const before = new DbHandle(join(tmp, 'history.db'), 5000);
    const old = new PowerStore(before);
    const gateway = old.insertSwitch(row('demo-gateway', { url: sim.gateway.url, ip: '127.0.0.1', source: 'config' })); // role changes to control
    old.insertSwitch(row('gone', { source: 'config' })); // no longer in the file
    const namesake = old.insertSwitch(row('demo-switch-1')); // runtime switch with a config target's name
    const kept = old.insertSwitch(row('my-plug')); // runtime, untouched
    before.close();

    h = switchHarness({
      dir: tmp, settings: { interval_s: 3600 },
      fixedTargets: [...sim.targets(), { name: 'spare', ip: '127.0.0.1:9', active: false, group: 'cold' }, { name: 'bad', url: 'ftp://x/' }],
    });
    const all = h.store.listSwitches();
    expect(all.map((t) => [t.name, t.source])).toEqual([
      ['demo-gateway', 'config'], ['my-plug', 'runtime'], ['demo-switch-1', 'config'], ['demo-switch-2', 'config'], ['spare', 'config'],
    ]);
    const by = (name: string): SwitchTarget => all.find((t) => t.name === name) as SwitchTarget;
    expect(by('demo-gateway')).toMatchObject({ id: gateway.id, role: 'control', url: sim.gateway.url });
    expect(by('demo-switch-1').id).toBeGreaterThan(namesake.id); // a new config row, never the runtime one's id
    expect(by('demo-switch-1')).toMatchObject({ url: sim.switches[0]!.url, role: 'sensor', active: true });
    expect(by('my-plug')).toEqual(kept);
    expect(by('spare')).toMatchObject({ url: 'http://127.0.0.1:9/', ip: '127.0.0.1', active: false, group: 'cold' });
    // The port shows the same table.
    expect(h.svc.list().map((s) => s.target)).toEqual(all);
    // The first cycle probes the synced active targets, the runtime my-plug included.
    const e = await h.nextCycle(0);
    expect(e.switches.map((s) => s.target.name)).toEqual(['demo-gateway', 'my-plug', 'demo-switch-1', 'demo-switch-2']);
    await h.stop();
    expectRowsMatchEvents(h);
  });

  it('adds, updates and removes runtime targets; refuses to change or remove a config target', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    h = switchHarness({ fixedTargets: [{ name: 'cfg', url: sim.switches[0]!.url }], settings: { interval_s: 3600 } });
    await h.nextCycle(0);

    const added = h.svc.add({ name: 'kitchen', ip: `127.0.0.1:${sim.switches[1]!.port}` });
    expect(added).toMatchObject({ ok: true, target: { name: 'kitchen', url: `http://127.0.0.1:${sim.switches[1]!.port}/`, ip: '127.0.0.1', role: 'sensor', active: true, source: 'runtime' } });
    if (!added.ok) return;
    const id = added.target.id;
    expect(h.store.listSwitches().find((t) => t.id === id)).toEqual(added.target);
    expect(h.svc.add({ name: 'KITCHEN', ip: '127.0.0.2' })).toMatchObject({ ok: false, code: 'P2M_ERR_CONFLICT', field: 'name' });
    expect(h.svc.add({ name: 'ftp', url: 'ftp://127.0.0.1/' })).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION', field: 'url' });
    expect(h.svc.add({ name: 'nowhere' })).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION', field: 'url' });
    expect(h.svc.add({ name: 'r', ip: '127.0.0.3', role: 'router' as never })).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION', field: 'role' });

    // A probe gives it a state; a change of name or role keeps it, a new address starts unknown.
    expect(await h.svc.check(id)).toMatchObject({ ok: true, check: { result: 'up' } });
    const renamed = h.svc.update('kitchen', { name: 'kitchen-plug', role: 'control', group: 'ups' });
    expect(renamed).toMatchObject({ ok: true, target: { id, name: 'kitchen-plug', role: 'control', group: 'ups', url: added.target.url } });
    expect(h.svc.get('kitchen-plug')).toMatchObject({ state: 'up' });
    const moved = h.svc.update(id, { url: `${sim.switches[0]!.url}status` });
    expect(moved).toMatchObject({ ok: true, target: { url: `${sim.switches[0]!.url}status`, ip: '127.0.0.1', name: 'kitchen-plug' } });
    expect(h.svc.get(id)).toMatchObject({ state: 'unknown', last_check: null });
    expect(h.svc.update(id, { url: 'not a url' })).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION', field: 'url' });
    expect(h.svc.update(id, { name: 'cfg' })).toMatchObject({ ok: false, code: 'P2M_ERR_CONFLICT', field: 'name' });
    expect(h.svc.update('nope', { active: false })).toMatchObject({ ok: false, code: 'P2M_ERR_NOT_FOUND', field: 'id' });

    // The config target is read-only at runtime, with an error saying where to change it.
    const cfg = h.store.listSwitches().find((t) => t.name === 'cfg') as SwitchTarget;
    for (const r of [h.svc.update('cfg', { active: false }), h.svc.remove('cfg'), h.svc.remove(cfg.id)]) {
      expect(r).toMatchObject({ ok: false, code: 'P2M_ERR_READ_ONLY', field: 'id' });
      if (!r.ok) expect(r.error).toMatch(/"cfg".*config file/);
    }
    expect(h.store.listSwitches().find((t) => t.id === cfg.id)).toEqual(cfg);

    expect(h.svc.remove('KITCHEN-PLUG')).toMatchObject({ ok: true, target: { id, name: 'kitchen-plug' } });
    expect(h.store.listSwitches().map((t) => t.name)).toEqual(['cfg']);
    expect(h.svc.get(id)).toBeNull();
    expect(h.svc.remove(id)).toMatchObject({ ok: false, code: 'P2M_ERR_NOT_FOUND' });
    // The removed target's check stays until retention; a new target never takes its id.
    expect(h.rows().some((r) => r.switch_id === id)).toBe(true);
    const again = h.svc.add({ name: 'kitchen', ip: '127.0.0.1' });
    expect(again.ok && again.target.id).toBeGreaterThan(id);
    expect(h.svc.get('kitchen')).toMatchObject({ state: 'unknown', last_check: null });
  });

  it('counts() reports active targets by state; inactive ones are left out', async () => {
    sim = await startSwitchSimulator({ count: 3 });
    await sim.setMode(1, 'refuse');
    await sim.setMode(2, 'hang');
    h = switchHarness({ fixedTargets: [...sim.targets(), { name: 'spare', ip: '127.0.0.1', active: false }], settings: { interval_s: 3600 } });
    expect(h.svc.counts()).toEqual({ total: 4, up: 0, down: 0, unknown: 4, stale: 0 });
    await h.nextCycle(0);
    expect(h.svc.counts()).toEqual({ total: 4, up: 3, down: 1, unknown: 0, stale: 0 });
    // Added but not probed yet: unknown.
    expect(h.svc.add({ name: 'new', url: sim.switches[0]!.url }).ok).toBe(true);
    expect(h.svc.counts()).toEqual({ total: 5, up: 3, down: 1, unknown: 1, stale: 0 });
    expect(h.svc.update('new', { active: false }).ok).toBe(true);
    expect(h.svc.counts()).toEqual({ total: 4, up: 3, down: 1, unknown: 0, stale: 0 });
    expect(h.svc.list()).toHaveLength(6);
  });

  it('a target silent for stale_after_h turns stale and is no longer probed every cycle; the state survives a restart', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    await sim.setMode(1, 'hang');
    // stale_after_h is hours; 1 s here.
    h = switchHarness({ fixedTargets: sim.targets(), settings: { stale_after_h: 1 / 3600 } });
    const dead = h.idOf('demo-switch-2');
    let staleCycle: number | undefined;
    await vi.waitFor(() => {
      const e = h!.events.find((x) => !x.manual && x.switches.some((s) => s.target.id === dead && s.state === 'stale'));
      expect(e).toBeDefined();
      staleCycle = h!.events.indexOf(e!);
    }, { timeout: CYCLE_WAIT_MS, interval: 10 });
    // Every cycle after it leaves the stale target out (it is probed once a minute).
    const later = await h.nextCycle((staleCycle as number) + 1);
    expect(later.checks.map((c) => c.switch_id)).not.toContain(dead);
    expect(later.checks).toHaveLength(2);
    expect(later.switches.find((s) => s.target.id === dead)).toMatchObject({ state: 'stale', stale: true });
    expect(h.svc.counts()).toMatchObject({ total: 3, up: 2, down: 0, stale: 1 });
    await h.stop();
    expectRowsMatchEvents(h);

    // A second service on the same file rebuilds the silent streak from the stored checks.
    const h2 = switchHarness({ dir: h.dir, fixedTargets: sim.targets(), settings: { stale_after_h: 1 / 3600 }, start: false });
    try {
      h2.svc.load();
      expect(h2.svc.get(dead)).toMatchObject({ state: 'stale', stale: true });
      expect(h2.svc.get('demo-switch-1')).toMatchObject({ state: 'up' });
    } finally {
      await h2.close();
    }
  }, 30_000);
});
