import { afterEach, describe, expect, it } from 'vitest';
import { P2mError } from '../../../src/core/errors.js';
import type { PowerCheck, SwitchTarget } from '../../../src/core/power.js';
import { PowerStore } from '../../../src/history/power-store.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';
import { tempHistory, type TempHistory } from '../../support/history.js';

// Switches, checks and outages through the ports, on a real SQLite file.

let h: TempHistory | undefined;
afterEach(() => h?.cleanup());

function store(): PowerStore {
  h = tempHistory();
  return new PowerStore(h.handle);
}

const T = 1_790_000_000;
const target = (name: string, over: Partial<SwitchTarget> = {}): Omit<SwitchTarget, 'id'> => ({
  name, url: `http://${name}.lan/`, ip: `${name}.lan`, role: 'sensor', active: true, group: '', source: 'runtime', created_at: T, updated_at: T, ...over,
});
const check = (switch_id: number, result: 'up' | 'down', checked_at: number, response_time: number | null = 10): PowerCheck => ({
  id: 0, switch_id, result, is_online: result === 'up', http_status: result === 'up' ? 200 : null, response_time, error_message: result === 'up' ? null : 'timeout',
  reason: result === 'up' ? 'http' : 'timeout', checked_at,
});

describe('switches', () => {
  it('inserts, lists, updates and deletes with every field kept', () => {
    const s = store();
    const a = s.insertSwitch(target('kitchen', { group: 'feed-a', role: 'control', active: false, source: 'config' }));
    expect(a).toMatchObject({ id: 1, name: 'kitchen', role: 'control', active: false, group: 'feed-a', source: 'config', created_at: T });
    const b = s.insertSwitch(target('garage'));
    expect(s.listSwitches().map((x) => x.name)).toEqual(['kitchen', 'garage']);
    const u = s.updateSwitch(b.id, { url: 'http://10.0.0.9:8080/', ip: '10.0.0.9', active: false, updated_at: T + 5 });
    expect(u).toMatchObject({ url: 'http://10.0.0.9:8080/', ip: '10.0.0.9', active: false, created_at: T, updated_at: T + 5, source: 'runtime' });
    expect(s.deleteSwitch(b.id)).toBe(true);
    expect(s.deleteSwitch(b.id)).toBe(false);
    expect(s.listSwitches()).toHaveLength(1);
  });

  it('never reuses the id of a removed switch, even when it was the highest', () => {
    const s = store();
    s.insertSwitch(target('a'));
    const b = s.insertSwitch(target('b'));
    s.insertChecks([check(b.id, 'up', T)]);
    expect(s.deleteSwitch(b.id)).toBe(true);
    const c = s.insertSwitch(target('c'));
    expect(c.id).toBe(b.id + 1);
    // The removed switch's checks are not attributed to the new one.
    expect(s.latestChecks().has(c.id)).toBe(false);
    s.deleteSwitch(c.id);
    expect(s.insertSwitch(target('d')).id).toBe(c.id + 1);
  });

  it('refuses a duplicate name (any case) with a conflict naming the field', () => {
    const s = store();
    s.insertSwitch(target('kitchen'));
    const other = s.insertSwitch(target('garage'));
    for (const fn of [() => s.insertSwitch(target('Kitchen')), () => s.updateSwitch(other.id, { name: 'KITCHEN' })]) {
      try {
        fn();
        expect.unreachable('duplicate accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(P2mError);
        expect((err as P2mError).code).toBe('P2M_ERR_CONFLICT');
        expect((err as P2mError).field).toBe('name');
      }
    }
    expect(() => s.updateSwitch(99, { name: 'x' })).toThrow(/switch 99 does not exist/);
  });
});

describe('power checks', () => {
  it('stores a cycle in one go, sets ids, and answers latest, last-up, list and stats', () => {
    const s = store();
    const a = s.insertSwitch(target('a')).id;
    const b = s.insertSwitch(target('b')).id;
    const cycle1 = [check(a, 'up', T, 12.34), check(b, 'down', T, null)];
    s.insertChecks(cycle1);
    expect(cycle1.map((c) => c.id)).toEqual([1, 2]);
    s.insertChecks([check(a, 'down', T + 10, null), check(b, 'up', T + 10, 30)]);
    s.insertChecks([check(a, 'down', T + 20, null), check(b, 'up', T + 20, 50)]);
    const latest = s.latestChecks();
    expect(latest.get(a)).toMatchObject({ result: 'down', checked_at: T + 20, reason: 'timeout', is_online: false });
    expect(latest.get(b)).toMatchObject({ result: 'up', response_time: 50, http_status: 200 });
    expect(s.lastUpTimes()).toEqual(new Map([[a, T], [b, T + 20]]));
    expect(s.listChecks({ since: T + 10 }).map((c) => [c.switch_id, c.checked_at])).toEqual([[b, T + 20], [a, T + 20], [b, T + 10], [a, T + 10]]);
    expect(s.listChecks({ since: 0, switchId: a, limit: 2 }).map((c) => c.checked_at)).toEqual([T + 20, T + 10]);
    expect(s.listChecks({ since: 0 })[5]?.response_time).toBe(12.3);
    const stats = s.checkStats(T, T + 30);
    expect(stats).toEqual([
      { switch_id: a, up: 1, down: 2, avg_response_time_ms: 12.3, last_check_at: T + 20 },
      { switch_id: b, up: 2, down: 1, avg_response_time_ms: 40, last_check_at: T + 20 },
    ]);
    expect(s.checkStats(T + 15, T + 30).map((x) => x.up + x.down)).toEqual([1, 1]);
    expect(s.deleteChecksBefore(T + 10)).toBe(2);
    expect(s.listChecks({ since: 0 })).toHaveLength(4);
  });
});

describe('outages and liveness', () => {
  it('opens, updates, closes and finds ongoing and last closed per kind', () => {
    const s = store();
    const p = s.openOutage({ kind: 'power', started_at: T, cause: 'switch_quorum', scope: 'partial', confidence: 'medium', switches_affected: [1] });
    const n = s.openOutage({ kind: 'network', started_at: T + 5 });
    expect(s.ongoingOutages().map((o) => o.id)).toEqual([p.id, n.id]);
    expect(s.updateOutage(p.id, { switches_affected: [1, 2], confidence: 'high' })).toMatchObject({ switches_affected: [1, 2], confidence: 'high', cause: 'switch_quorum' });
    const closed = s.closeOutage(p.id, T + 120);
    expect(closed).toMatchObject({ is_ongoing: false, duration_seconds: 120 });
    expect(s.lastClosedOutage('power')?.id).toBe(p.id);
    expect(s.lastClosedOutage('network')).toBeNull();
    expect(s.ongoingOutages().map((o) => o.id)).toEqual([n.id]);
    const learnt = s.openOutage({ kind: 'power', started_at: T + 200, ended_at: T + 260, cause: 'pdu_reboot', confidence: 'low', scope: 'site' });
    expect(learnt.is_ongoing).toBe(false);
    expect(s.lastClosedOutage('power')?.id).toBe(learnt.id);
    expect(s.listOutages({ since: T + 130, kind: 'power' }).map((o) => o.id)).toEqual([learnt.id]);
  });

  it('last seen = newest of heartbeat and stored sample', async () => {
    const s = store();
    expect(s.lastSeen()).toBeNull();
    s.saveHeartbeat(T);
    expect(s.lastSeen()).toBe(T);
    const t = h as TempHistory;
    const snap = pduSnapshot();
    await t.feed(snap);
    const newest = Math.floor(t.clock.now() / 1000);
    await t.feed(snap);
    t.writer.commit();
    expect(newest).toBeGreaterThan(T);
    expect(s.lastSeen()).toBe(newest);
    t.writer.compactAll();
    expect(s.lastSeen()).toBe(newest);
    s.addOutageEvent({ ts: T, kind: 'outage', type: 'bridge_down', details: 'bridge down 10 min', data: { gap_s: 600 } });
  });
});
