import { afterEach, describe, expect, it } from 'vitest';
import type { OutageRecord, SwitchStatus, SwitchTarget } from '../../../src/core/power.js';
import { T0, closeAll, outageHarness, type OutageHarness } from './service-harness.js';

// SPEC §11.3-§11.5 through the outage service, driven by probe-cycle events: switch quorum opens
// and closes a power outage, silent controls make it a network fault, a lone silent switch is a
// device_down event; records in a real SQLite file, events on the bus, status/list/statistics
// read back, and an ongoing outage resumed by a new service on the same file.

let hs: OutageHarness[] = [];
afterEach(async () => {
  await closeAll(hs);
  hs = [];
});
async function harness(...args: Parameters<typeof outageHarness>): Promise<OutageHarness> {
  const h = await outageHarness(...args);
  hs.push(h);
  return h;
}

const stored = (h: OutageHarness): OutageRecord[] => h.store.listOutages({ since: 0, limit: 1000 });
const types = (h: OutageHarness, from = 0): string[] => h.events.slice(from).map((e) => `${e.type}:${e.state}`);

describe('outage service: switch evidence', () => {
  it('opens a power outage after confirm_cycles quorum cycles, back-dated, and closes it after clear_cycles good ones', async () => {
    const h = await harness();
    await h.cycle(0, 'UUU');
    await h.cycle(10, 'DDD');
    expect(stored(h)).toEqual([]);
    expect(h.events).toEqual([]);
    await h.cycle(20, 'DDD');

    const [open] = stored(h);
    expect(stored(h)).toHaveLength(1);
    expect(open).toMatchObject({
      kind: 'power', started_at: T0 + 10, ended_at: null, duration_seconds: null, is_ongoing: true, cause: 'switch_quorum', scope: 'site',
      confidence: 'medium', switches_affected: [1, 2, 3],
    });
    expect(open?.evidence).toMatchObject({ first_cycle_at: T0 + 10, confirm_cycles: 2, switches_total: 3, switches_down: [1, 2, 3], fraction: 1, controls: { 4: 'up' } });
    expect(types(h)).toEqual(['opened:outage', 'verdict:outage']);
    expect(h.events[0]?.outage).toEqual(open);
    expect(h.events[1]?.outage?.id).toBe(open?.id);
    // What the views ask while it is going on.
    expect(h.svc.status()).toMatchObject({ state: 'outage', outage: open, last: null, ts: T0 + 20 });
    expect(h.svc.list(1, 'all')).toEqual([open]);
    const during = h.svc.statistics(1);
    expect(during).toMatchObject({ total_outages: 1, total_outage_seconds: 10, ongoing_outage: open, uptime_percentage: 99.722 });

    await h.cycle(30, 'UUU');
    expect(stored(h)[0]?.is_ongoing).toBe(true);
    await h.cycle(40, 'UUU');
    const [rec] = stored(h);
    expect(rec).toMatchObject({ id: open?.id, is_ongoing: false, started_at: T0 + 10, ended_at: T0 + 30, duration_seconds: 20, cause: 'switch_quorum' });
    expect(types(h)).toEqual(['opened:outage', 'verdict:outage', 'closed:normal', 'verdict:normal']);
    expect(h.events[2]?.outage).toEqual(rec);
    expect(h.svc.status()).toMatchObject({ state: 'normal', outage: null, last: rec });
    expect(h.svc.list(1, 'power')).toEqual([rec]);
    expect(h.svc.list(1, 'network')).toEqual([]);
    const stats = h.svc.statistics(1);
    expect(stats).toMatchObject({
      window_hours: 1, total_switches: 4, active_switches: 4, total_outages: 1, total_outage_seconds: 20, average_outage_seconds: 20,
      longest_outage_seconds: 20, ongoing_outage: null, uptime_percentage: 99.444,
    });
    // Per switch from the stored checks: sensors answered 3 of 5 cycles, the router all 5.
    expect(stats.switches.map((s) => [s.id, s.checks, s.uptime_percentage, s.last_check_at])).toEqual([
      [1, 5, 60, T0 + 40], [2, 5, 60, T0 + 40], [3, 5, 60, T0 + 40], [4, 5, 100, T0 + 40],
    ]);
    expect(h.errors).toEqual([]);
  });

  it('sensors and control targets silent together is a network fault record, not a power outage', async () => {
    const h = await harness();
    await h.cycle(0, 'UUU', 'U');
    await h.cycle(10, 'DDD', 'D');
    await h.cycle(20, 'DDD', 'D');
    const [fault] = stored(h);
    expect(stored(h)).toHaveLength(1);
    expect(fault).toMatchObject({ kind: 'network', started_at: T0 + 10, is_ongoing: true, cause: null, scope: null, confidence: null, switches_affected: [1, 2, 3] });
    expect(fault?.evidence).toMatchObject({ controls: { 4: 'down' }, first_cycle_at: T0 + 10 });
    expect(types(h)).toEqual(['network_fault_opened:network_fault', 'verdict:network_fault']);
    expect(h.svc.status()).toMatchObject({ state: 'network_fault', outage: fault, last: null });
    expect(h.svc.statistics(1)).toMatchObject({ total_outages: 0, uptime_percentage: 100, ongoing_outage: null });

    await h.cycle(30, 'UUU', 'U');
    await h.cycle(40, 'UUU', 'U');
    const [rec] = stored(h);
    expect(rec).toMatchObject({ id: fault?.id, kind: 'network', is_ongoing: false, ended_at: T0 + 30, duration_seconds: 20 });
    expect(types(h, 2)).toEqual(['network_fault_closed:normal', 'verdict:normal']);
    expect(h.svc.list(1, 'network')).toEqual([rec]);
    expect(h.svc.list(1, 'power')).toEqual([]);
    // `last` is the last power outage: a network fault is not one.
    expect(h.svc.status()).toMatchObject({ state: 'normal', outage: null, last: null });
  });

  it('one switch silent while the others answer is a device_down event naming it, not an outage', async () => {
    const h = await harness();
    await h.cycle(0, 'UUU');
    await h.cycle(10, 'UUD');
    expect(h.events).toEqual([]);
    await h.cycle(20, 'UUD');
    expect(types(h)).toEqual(['device_down:device_down', 'verdict:device_down']);
    expect(h.events[0]).toMatchObject({ type: 'device_down', switch_id: 3, outage: null, ts: T0 + 20 });
    const rows = h.storedEvents('device_down');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ts: T0 + 20, kind: 'outage', device_id: null, data: { switch_id: 3, role: 'sensor', since: T0 + 10 } });
    expect(h.svc.status()).toMatchObject({ state: 'device_down', outage: null });
    // Reported once, not every cycle.
    await h.cycle(30, 'UUD');
    expect(h.storedEvents('device_down')).toHaveLength(1);
    await h.cycle(40, 'UUU');
    expect(types(h, 2)).toEqual(['verdict:normal']);
    expect(stored(h)).toEqual([]);
    expect(h.svc.statistics(1)).toMatchObject({ total_outages: 0, uptime_percentage: 100 });
  });

  it('ignores manual checks: they are not cycles of the detector', async () => {
    const h = await harness();
    const [s1, s2, s3] = h.sensors as [SwitchTarget, SwitchTarget, SwitchTarget];
    const down = (t: SwitchTarget): SwitchStatus => ({ target: t, state: 'down', last_check: null, last_up_at: null, stale: false });
    for (const at of [0, 1, 2, 3]) {
      await h.at(at);
      h.bus.emit('probe', { ts: T0 + at, cycle: 0, switches: [down(s1), down(s2), down(s3)], checks: [], manual: true });
    }
    expect(h.events).toEqual([]);
    expect(stored(h)).toEqual([]);
    expect(h.svc.status().state).toBe('normal');
  });

  it('resumes an ongoing outage after a restart (new service, same file) and closes that same record', async () => {
    const h = await harness();
    await h.cycle(0, 'UUU');
    await h.cycle(10, 'DDD');
    await h.cycle(20, 'DDD');
    const [open] = stored(h);
    expect(open?.is_ongoing).toBe(true);

    // Down for 80 s: less than restart_gap_s, so no gap record either.
    const h2 = await h.restart(100);
    hs.push(h2);
    expect(h2.svc.status()).toMatchObject({ state: 'outage', outage: open });
    expect(h2.svc.list(1, 'power')).toEqual([open]);
    expect(h2.svc.statistics(1).ongoing_outage).toEqual(open);

    // Re-evaluated on the first cycles: still down, then back.
    await h2.cycle(110, 'DDD');
    expect(stored(h2)).toHaveLength(1);
    await h2.cycle(120, 'UUU');
    await h2.cycle(130, 'UUU');
    const all = stored(h2);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: open?.id, is_ongoing: false, started_at: T0 + 10, ended_at: T0 + 120, duration_seconds: 110 });
    expect(types(h2)).toEqual(['closed:normal', 'verdict:normal']);
    expect(h2.svc.status()).toMatchObject({ state: 'normal', outage: null, last: all[0] });
    expect(h2.storedEvents('bridge_down')).toEqual([]);
  });
});
