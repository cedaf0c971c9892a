import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProbeCycleEvent } from '../../../src/core/power.js';
import { startSwitchSimulator, type SwitchSimulator } from '../../../src/devices/switch/simulator.js';
import { DbHandle } from '../../../src/history/handle.js';
import { PowerStore } from '../../../src/history/power-store.js';
import { startRawServer, waitUntil, type TestServer } from '../../support/switch-servers.js';
import { CYCLE_WAIT_MS, expectRowsMatchEvents, switchHarness, type SwitchHarness } from './service-harness.js';

// SPEC §11.1-§11.2: probe cycles of the switch service against real HTTP targets on 127.0.0.1,
// stored in a real SQLite file. One `probe` event per cycle, one power_checks row per probe.

let h: SwitchHarness | undefined;
let sim: SwitchSimulator | undefined;
let servers: TestServer[] = [];
let cli: DbHandle | undefined;

afterEach(async () => {
  await h?.close();
  cli?.close();
  await sim?.close();
  await Promise.all(servers.map((s) => s.close()));
  h = sim = cli = undefined;
  servers = [];
});

/** A host whose stack accepts the connection and never answers (a dead device behind a live switch port looks like this). */
async function silentServer(): Promise<TestServer> {
  const s = await startRawServer(() => {});
  servers.push(s);
  return s;
}

const checkOf = (e: ProbeCycleEvent, id: number) => e.checks.find((c) => c.switch_id === id);

describe('switch service: probe cycles', () => {
  it('emits one probe event per cycle with every active target and stores one row per probe; refuse is up, hang is down', async () => {
    sim = await startSwitchSimulator({ count: 3 });
    await sim.setMode(1, 'refuse');
    await sim.setMode(2, 'hang');
    h = switchHarness({ fixedTargets: sim.targets() });
    const e = await h.nextCycle(0);
    const [s1, s2, s3, gw] = ['demo-switch-1', 'demo-switch-2', 'demo-switch-3', 'demo-gateway'].map((n) => h!.idOf(n)) as [number, number, number, number];

    expect(e.manual).toBe(false);
    expect(e.cycle).toBe(1);
    expect(e.switches.map((s) => s.target.id)).toEqual([s1, s2, s3, gw]);
    expect(e.checks.map((c) => c.switch_id)).toEqual([s1, s2, s3, gw]);
    expect(e.checks.every((c) => c.checked_at === e.ts)).toBe(true);
    expect(checkOf(e, s1)).toMatchObject({ result: 'up', reason: 'http', http_status: 200, is_online: true, error_message: null });
    // A refused TCP connection means the host's stack answered: it has power (PowerMon got this wrong).
    expect(checkOf(e, s2)).toMatchObject({ result: 'up', reason: 'refused', http_status: null, is_online: true });
    expect(checkOf(e, s3)).toMatchObject({ result: 'down', reason: 'timeout', http_status: null, response_time: null, is_online: false });
    expect(checkOf(e, s3)?.error_message).toContain('300 ms');
    expect(checkOf(e, gw)).toMatchObject({ result: 'up', reason: 'http' });
    expect(e.switches.map((s) => s.state)).toEqual(['up', 'up', 'down', 'up']);
    expect(e.switches.find((s) => s.target.id === s1)?.last_up_at).toBe(e.ts);

    // Each check of the event is a stored row with the same content (checked_at in whole seconds).
    const rows = new Map(h.rows().map((r) => [r.id, r]));
    for (const c of e.checks) {
      expect(rows.get(c.id)).toMatchObject({ switch_id: c.switch_id, result: c.result, reason: c.reason, http_status: c.http_status, checked_at: Math.floor(c.checked_at) });
    }
    // The service's view agrees with the event.
    expect(h.svc.get('demo-switch-3')).toMatchObject({ state: 'down', stale: false });
    expect(h.svc.get(s2)?.last_check?.reason).toBe('refused');

    const e2 = await h.nextCycle();
    expect(e2.cycle).toBe(2);
    expect(e2.ts).toBeGreaterThan(e.ts);
    expect(e2.checks.map((c) => c.switch_id)).toEqual([s1, s2, s3, gw]);
    await h.stop();
    expect(h.errors).toEqual([]);
    expectRowsMatchEvents(h);
  });

  it('does not probe inactive targets, list them or store checks for them', async () => {
    const dead = await silentServer();
    sim = await startSwitchSimulator({ count: 1 });
    h = switchHarness({ fixedTargets: [...sim.targets(), { name: 'spare', url: dead.url, active: false }] });
    const spare = h.idOf('spare');
    await h.nextCycle(0);
    const e = await h.nextCycle();
    for (const ev of [h.events[0] as ProbeCycleEvent, e]) {
      expect(ev.switches.map((s) => s.target.name)).toEqual(['demo-switch-1', 'demo-gateway']);
      expect(checkOf(ev, spare)).toBeUndefined();
    }
    expect(dead.accepted).toBe(0);
    expect(h.rows().filter((r) => r.switch_id === spare)).toEqual([]);
    expect(h.svc.get('spare')).toMatchObject({ state: 'unknown', last_check: null });
    await h.stop();
    expectRowsMatchEvents(h);
  });

  it('a manual check stores exactly one row and emits one probe event with manual: true', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    await sim.setMode(1, 'hang');
    // One cycle at start, then none for an hour: every later row comes from the manual checks.
    h = switchHarness({ fixedTargets: sim.targets(), settings: { interval_s: 3600 } });
    await h.nextCycle(0);
    const rowsBefore = h.rows().length;
    expect(rowsBefore).toBe(3);
    const eventsBefore = h.events.length;

    const up = await h.svc.check('DEMO-SWITCH-1'); // by name, any case
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    expect(up.check).toMatchObject({ switch_id: h.idOf('demo-switch-1'), result: 'up', reason: 'http' });
    expect(up.check.id).toBeGreaterThan(0);
    expect(h.rows()).toHaveLength(rowsBefore + 1);
    expect(h.rows()[0]).toMatchObject({ id: up.check.id, switch_id: up.check.switch_id, result: 'up' });
    const manual = h.events.slice(eventsBefore);
    expect(manual).toHaveLength(1);
    expect(manual[0]).toMatchObject({ manual: true, checks: [up.check] });
    expect(manual[0]?.switches).toHaveLength(3); // every active target, as after a cycle

    const down = await h.svc.check(String(h.idOf('demo-switch-2'))); // by id
    expect(down).toMatchObject({ ok: true, check: { result: 'down', reason: 'timeout' } });
    expect(h.rows()).toHaveLength(rowsBefore + 2);
    expect(h.events.slice(eventsBefore).map((e) => e.manual)).toEqual([true, true]);

    expect(await h.svc.check('nope')).toMatchObject({ ok: false, code: 'P2M_ERR_NOT_FOUND', error: expect.stringContaining('nope') });
    expect(h.rows()).toHaveLength(rowsBefore + 2);
    await h.stop();
    expectRowsMatchEvents(h);
  });

  it('never probes a target twice at once: a manual check joins the running probe, a cycle joins a running manual check', async () => {
    const dead = await silentServer();
    // A 1.5 s probe timeout in a 2 s cycle leaves wide windows for both races.
    h = switchHarness({ fixedTargets: [{ name: 'dead', url: dead.url }], settings: { interval_s: 2, timeout_ms: 1500 } });
    const id = h.idOf('dead');
    const acceptedAtEvent: number[] = [];
    h.bus.on('probe', () => acceptedAtEvent.push(dead.accepted));

    // 1. The first cycle's probe is in flight: two manual checks join it instead of connecting again.
    expect(await waitUntil(() => dead.accepted === 1, CYCLE_WAIT_MS)).toBe(true);
    const [a, b] = await Promise.all([h.svc.check('dead'), h.svc.check(id)]);
    expect(dead.accepted).toBe(1);
    if (!a.ok || !b.ok) throw new Error('check failed');
    expect(b.check).toBe(a.check);
    const first = await h.nextCycle(0);
    expect(first.checks).toEqual([a.check]); // stored by the cycle, not by the manual checks
    expect(h.events.filter((e) => e.manual)).toEqual([]);
    expect(a.check).toMatchObject({ result: 'down', reason: 'timeout', checked_at: first.ts });

    // 2. A manual check runs across the next cycle's start: the cycle does not open a second probe,
    //    and the one check is stored once.
    const n = h.events.length;
    const manual = h.svc.check('dead');
    const next = await h.nextCycle(n);
    expect(await manual).toMatchObject({ ok: true, check: { result: 'down' } });
    // One connection for cycle 1, one shared by the manual check and cycle 2, published once:
    // by the manual check (cycle 2 joined it) or by cycle 2 (the manual check joined it).
    expect(acceptedAtEvent[h.events.indexOf(next)]).toBe(2);
    expect(h.events.filter((e) => e.manual).length + (checkOf(next, id) ? 1 : 0)).toBe(1);
    await h.stop();
    expect(h.errors).toEqual([]);
    expectRowsMatchEvents(h);
  }, 30_000);

  it('sees a switch added, deactivated and removed directly in the table (as the CLI does) at the next cycle', async () => {
    sim = await startSwitchSimulator({ count: 2 });
    h = switchHarness({ fixedTargets: [{ name: 'first', url: sim.switches[0]!.url }] });
    await h.nextCycle(0);
    // The CLI opens its own connection to the same file.
    cli = new DbHandle(h.path, 5000);
    const cliStore = new PowerStore(cli);
    const now = Math.floor(Date.now() / 1000);
    const added = cliStore.insertSwitch({
      name: 'from-cli', url: sim.switches[1]!.url, ip: '127.0.0.1', role: 'sensor', active: true, group: '', source: 'runtime', created_at: now, updated_at: now,
    });
    let seen: ProbeCycleEvent | undefined;
    await vi.waitFor(() => {
      seen = h!.events.find((e) => !e.manual && checkOf(e, added.id));
      expect(seen).toBeDefined();
    }, { timeout: CYCLE_WAIT_MS, interval: 10 });
    expect(checkOf(seen!, added.id)).toMatchObject({ result: 'up', reason: 'http' });
    expect(seen!.switches.map((s) => s.target.name)).toEqual(['first', 'from-cli']);
    expect(h.svc.get('from-cli')).toMatchObject({ state: 'up', target: { source: 'runtime' } });

    cliStore.updateSwitch(added.id, { active: false, updated_at: now });
    // The cycle running now may have read the table before the change; the one after it has not.
    const during = await h.nextCycle();
    const after = await h.nextCycle(h.events.indexOf(during) + 1);
    expect(checkOf(after, added.id)).toBeUndefined();
    expect(after.switches.map((s) => s.target.name)).toEqual(['first']);
    expect(h.svc.get(added.id)).toMatchObject({ state: 'unknown', target: { active: false } });

    cliStore.deleteSwitch(added.id);
    expect(h.svc.get('from-cli')).toBeNull();
    expect(h.svc.list().map((s) => s.target.name)).toEqual(['first']);
    await h.stop();
    expectRowsMatchEvents(h);
  }, 30_000);
  it('a cycle aborted by shutdown stores nothing and emits no probe event (no false downs)', async () => {
    const silent = await silentServer();
    // A long probe deadline so the cycle is still in flight when the app stops.
    h = switchHarness({ settings: { timeout_ms: 5000, interval_s: 10 }, fixedTargets: [{ name: 'silent', url: `http://127.0.0.1:${silent.port}/` }] });
    expect(await waitUntil(() => silent.accepted > 0, 5000)).toBe(true);
    const before = { rows: h.rows().length, events: h.events.length };
    // The app's order: the service is marked stopping, then the scheduler aborts the probes.
    const stopped = h.svc.stop();
    await h.scheduler.stop();
    await stopped;
    expect(h.rows()).toHaveLength(before.rows);
    expect(h.events).toHaveLength(before.events);
  });
});
