import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { P2mError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { TargetProbe } from '../../../src/core/ports.js';
import type { SwitchStatus } from '../../../src/core/power.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import type { Watchdog, WatchdogBusEvent } from '../../../src/core/watchdog.js';
import { WatchdogSqlStore } from '../../../src/history/watchdog-store.js';
import { createWatchdogService, type WatchdogService } from '../../../src/watchdog/service.js';
import { tempHistory, type TempHistory } from '../../support/history.js';
import { TestRegistry } from '../rules/engine-harness.js';

// The watchdog service on a FakeClock with the real Scheduler, EventBus and SQLite store; the
// registry records commands, the prober answers what the test says (SPEC §12.7).

const W = (over: Partial<Watchdog> = {}): Watchdog => ({
  name: 'modem', device: '', outlet: 2, target: '192.168.100.1:80', interval_s: 10, timeout_ms: 1000, fail_after_s: 60, action: 'off_on',
  off_s: 10, boot_grace_s: 120, max_cycles: 2, window_h: 6, depends_on: '', ...over,
});

let h: TempHistory;
let store: WatchdogSqlStore;
let registry: TestRegistry;
let answer: 'up' | 'down';
let controls: SwitchStatus[];
let events: WatchdogBusEvent[];
let svc: WatchdogService | null;
let bus: EventBus;

function start(fixed: Watchdog[]): WatchdogService {
  const probe = async (): Promise<TargetProbe> => ({ result: answer, reason: answer === 'up' ? 'http' : 'timeout', http_status: null, response_time: answer === 'up' ? 3 : null, error_message: answer === 'up' ? null : 'no response' });
  svc = createWatchdogService({
    fixed, registry, switches: { list: () => controls, get: () => null }, outages: { status: () => ({ state: 'normal', outage: null, last: null, ts: 0 }) },
    prober: { http: probe, tcp: probe }, store, clock: h.clock, scheduler: new Scheduler(h.clock), bus, logger: silentLogger(),
  });
  svc.start();
  return svc;
}

const advance = (s: number): Promise<void> => h.clock.advance(s * 1000);
const stateOf = (name = 'modem') => svc?.get(name)?.state;

beforeEach(() => {
  h = tempHistory({ startMs: Date.UTC(2026, 10, 24, 12, 0, 0) });
  store = new WatchdogSqlStore(h.handle);
  registry = new TestRegistry(() => h.clock.now());
  registry.add('pdu-01', { outlets: 8, protectedOutlets: [1] });
  answer = 'up';
  controls = [];
  events = [];
  bus = new EventBus();
  bus.on('watchdog', (e) => events.push(e));
  svc = null;
});

afterEach(async () => {
  await svc?.stop();
  h.cleanup();
});

describe('watchdog service (SPEC §12.7)', () => {
  it('off_on: off, on after off_s, through the registry with origin watchdog:<name>; booting, then recovered', async () => {
    start([W()]);
    await advance(11);
    expect(stateOf()).toMatchObject({ state: 'ok', last_result: 'up' });
    answer = 'down';
    await advance(60);
    expect(stateOf()?.state).toBe('waiting');
    await advance(10);
    expect(registry.calls.map((c) => `${c.device}/${c.outlet}/${c.action}/${c.origin}`)).toEqual(['pdu-01/2/off/watchdog:modem']);
    expect(stateOf()?.state).toBe('cycling');
    await advance(10);
    expect(registry.calls.map((c) => c.action)).toEqual(['off', 'on']);
    expect(registry.calls[1]!.at - registry.calls[0]!.at).toBe(10);
    expect(stateOf()).toMatchObject({ state: 'booting', cycles: 1 });
    answer = 'up';
    await advance(10);
    expect(stateOf()?.state).toBe('recovered');
    // Every state change was stored (events table) and put on the bus.
    expect(events.filter((e) => e.kind === 'state').map((e) => e.status?.state)).toEqual(['waiting', 'cycling', 'booting', 'recovered']);
    const rows = h.handle.db.prepare("SELECT type, source FROM events WHERE source = 'watchdog:modem' ORDER BY id").all() as Array<{ type: string }>;
    expect(rows.map((r) => r.type)).toEqual(['watchdog_waiting', 'watchdog_cycling', 'watchdog_cycle', 'watchdog_booting', 'watchdog_recovered']);
  });

  it('never switches an outlet held off by someone else (suppressed outlet_off)', async () => {
    registry.device('pdu-01').snap!.outlets[2]!.state = 'off';
    answer = 'down';
    start([W()]);
    await advance(600);
    expect(stateOf()).toMatchObject({ state: 'suppressed', reason: 'outlet_off' });
    expect(registry.calls).toEqual([]);
  });

  it('holds a due cycle while a control target is down, and cycles when it answers again', async () => {
    const gateway = { target: { id: 9, name: 'gw', active: true, role: 'control' }, state: 'down' } as unknown as SwitchStatus;
    controls = [gateway];
    answer = 'down';
    start([W({ action: 'reboot' })]);
    await advance(300);
    expect(stateOf()).toMatchObject({ state: 'suppressed', reason: 'network' });
    expect(registry.calls).toEqual([]);
    controls = [{ ...gateway, state: 'up' }];
    await advance(10);
    expect(registry.calls.map((c) => c.action)).toEqual(['reboot']);
  });

  it('finishes an off_on interrupted by a restart: switches the outlet it switched off back on', async () => {
    start([W()]);
    answer = 'down';
    await advance(65);
    expect(registry.calls.map((c) => c.action)).toEqual(['off']);
    registry.device('pdu-01').snap!.outlets[2]!.state = 'off';
    await svc?.stop();
    // A new process (same database): the stored state says cycling.
    start([W()]);
    await advance(1);
    expect(registry.calls.map((c) => c.action)).toEqual(['off', 'on']);
    expect(stateOf()?.state).toBe('booting');
    // The stopped service's own off_s timer sends nothing.
    await advance(30);
    expect(registry.calls.map((c) => c.action)).toEqual(['off', 'on']);
  });

  it('gives up after max_cycles; a reset from another process (CLI) clears it at the next check', async () => {
    start([W({ action: 'reboot', boot_grace_s: 20, fail_after_s: 30 })]);
    answer = 'down';
    await advance(400);
    expect(registry.calls.map((c) => c.action)).toEqual(['reboot', 'reboot']);
    expect(stateOf()).toMatchObject({ state: 'gave_up', cycles: 2, reason: '2 cycles within 6 h' });
    await advance(3600);
    expect(registry.calls).toHaveLength(2);
    store.requestReset('modem', h.clock.now() / 1000);
    await advance(10);
    expect(stateOf()).toMatchObject({ state: 'waiting', cycles: 0 });
    await advance(40);
    expect(registry.calls).toHaveLength(3);
  });

  it('a watchdog on a protected outlet or beyond the outlet count does not act; the others keep running', async () => {
    answer = 'down';
    start([W({ name: 'guarded', outlet: 1 }), W({ name: 'far', outlet: 9 }), W({ name: 'fine', action: 'reboot' })]);
    await advance(200);
    expect(stateOf('guarded')?.inactive).toMatch(/^outlet: outlet 1 of pdu-01 is protected/);
    expect(stateOf('far')?.inactive).toMatch(/^outlet: outlet 9 is beyond the 8 outlets of pdu-01/);
    expect(registry.calls.map((c) => `${c.outlet}:${c.action}`)).toEqual(['2:reboot']);
  });

  it('a config-file watchdog naming no switch stops start-up as a config error naming watchdogs[i].target (SPEC §12.7: exit 2)', () => {
    controls = [{ target: { id: 9, name: 'gw', active: true, role: 'control' }, state: 'up' } as unknown as SwitchStatus];
    let thrown: unknown = null;
    try {
      start([W(), W({ name: 'router', outlet: 3, target: 'no-such-switch' })]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(P2mError);
    expect(thrown).toMatchObject({ code: 'P2M_ERR_CONFIG', message: 'watchdogs[1].target (router): "no-such-switch" names no switch (known: gw): write a URL, host:port, or an existing switch name' });
    svc = null;
  });

  it('REST/MQTT changes: create (stored, survives a restart), conflicts, validation naming the field, dependents', async () => {
    const s = start([W()]);
    expect(s.create({ name: 'router', outlet: 3, target: 'http://192.168.1.1/', depends_on: 'modem' })).toMatchObject({ ok: true, watchdog: { source: 'runtime', depends_on: 'modem' } });
    expect(s.create({ name: 'router', outlet: 4, target: 'x:1' })).toMatchObject({ ok: false, code: 'P2M_ERR_CONFLICT' });
    expect(s.create({ name: 'nas', outlet: 4, target: 'x:1', depends_on: 'ghost' })).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION', issues: [{ watchdog: 'nas', field: 'depends_on' }] });
    expect(s.create({ name: 'nas', outlet: 1, target: 'x:1' })).toMatchObject({ ok: false, issues: [{ field: 'outlet', message: expect.stringContaining('protected') }] });
    expect(s.create({ name: 'nas', outlet: 12, target: 'x:1' })).toMatchObject({ ok: false, issues: [{ field: 'outlet', message: expect.stringContaining('beyond the 8 outlets') }] });
    expect(s.create({ name: 'nas', outlet: 4, target: 'ftp://x/', max_cycles: 0 })).toMatchObject({ ok: false, issues: expect.arrayContaining([expect.objectContaining({ field: 'max_cycles' })]) });
    expect(s.update('modem', { outlet: 5, target: 'x:1' })).toMatchObject({ ok: false, code: 'P2M_ERR_CONFLICT', error: expect.stringContaining('config file') });
    expect(s.update('router', { outlet: 4, target: 'x:1', depends_on: 'router' })).toMatchObject({ ok: false, issues: [{ field: 'depends_on' }] });
    expect(s.update('router', { outlet: 4, target: 'x:2' })).toMatchObject({ ok: true, watchdog: { outlet: 4, target: 'x:2', depends_on: '' } });
    expect(s.remove('modem')).toMatchObject({ ok: false, code: 'P2M_ERR_CONFLICT' });
    expect(events.filter((e) => e.kind === 'changed').map((e) => e.name)).toContain('router');
    await s.stop();
    const again = start([W()]);
    expect(again.list().map((w) => `${w.name}:${w.source}:${w.outlet}`)).toEqual(['modem:config:2', 'router:runtime:4']);
    expect(again.remove('router')).toMatchObject({ ok: true });
    expect(again.get('router')).toBeNull();
    expect(store.runtimeWatchdogs()).toEqual([]);
  });

  it('a downstream watchdog waits while its depends_on is failing', async () => {
    const s = start([W({ name: 'modem', action: 'reboot' }), W({ name: 'router', outlet: 3, action: 'reboot', depends_on: 'modem' })]);
    answer = 'down';
    await advance(65);
    expect(stateOf('router')).toMatchObject({ state: 'suppressed', reason: 'depends_on' });
    expect(registry.calls.map((c) => `${c.outlet}:${c.action}`)).toEqual(['2:reboot']);
    expect(s.reset('router')).toMatchObject({ ok: true });
    expect((await s.test('modem'))).toEqual({ ok: true, check: { result: 'down', response_time: null, error: 'no response' } });
  });
});
