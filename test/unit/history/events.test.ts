import { afterEach, describe, expect, it } from 'vitest';
import { P2mError } from '../../../src/core/errors.js';
import type { Db } from '../../../src/history/db.js';
import {
  clearOutletName, closeOutage, deleteDiscoveryTopic, getOutage, getOutletName, insertEvent, kvGet, kvSet, listDiscoveryTopics,
  listEvents, listOutages, listOutletNames, listRuntimeDevices, ongoingOutage, openOutage, recordDiscoveryTopic, removeRuntimeDevice,
  saveRuntimeDevice, setOutletName, updateOutage, type EventInput,
} from '../../../src/history/events.js';
import { tempHistory, type TempHistory } from '../../support/history.js';

// The typed table API against a real SQLite file (a fresh one per test).

let h: TempHistory | undefined;
afterEach(() => h?.cleanup());

function db(): Db {
  h = tempHistory();
  return h.handle.db;
}

/** The P2mError thrown by fn, asserting it is a validation error naming `field`. */
function validation(fn: () => unknown, field: string): P2mError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(P2mError);
    const e = err as P2mError;
    expect(e.code).toBe('P2M_ERR_VALIDATION');
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
    return e;
  }
  throw new Error(`expected a validation error on ${field}`);
}

const T = 1_790_000_000;
const ev = (over: Partial<EventInput> = {}): EventInput => ({ ts: T, device_id: 'pdu-01', kind: 'system', type: 'ats_transfer', ...over });

describe('events', () => {
  it('stores every field and returns data as JSON, newest first', () => {
    const d = db();
    const a = insertEvent(d, ev({ ts: T, source: 'snmp', details: 'A → B', data: { from: 1, to: 2 } }));
    const b = insertEvent(d, ev({ ts: T + 5, device_id: null, kind: 'automation', type: 'triggered', source: 'shed' }));
    const c = insertEvent(d, ev({ ts: T + 5.9 })); // fractions are floored: same second as b, later id
    expect(listEvents(d).map((e) => e.id)).toEqual([c, b, a]);
    expect(listEvents(d).at(-1)).toEqual({
      id: a, ts: T, device_id: 'pdu-01', kind: 'system', type: 'ats_transfer', source: 'snmp', details: 'A → B', data: { from: 1, to: 2 },
    });
    expect(listEvents(d)[1]).toMatchObject({ device_id: null, source: 'shed', details: null, data: null });
    expect(listEvents(d)[0]?.ts).toBe(T + 5);
  });

  it('filters by device (null = bridge), kind, type and [since, until)', () => {
    const d = db();
    insertEvent(d, ev({ ts: T, type: 'power_loss' }));
    insertEvent(d, ev({ ts: T + 10, device_id: 'pdu-02' }));
    insertEvent(d, ev({ ts: T + 20, device_id: null, kind: 'outage', type: 'opened' }));
    insertEvent(d, ev({ ts: T + 30, kind: 'probe', type: 'device_down' }));
    const ts = (q: Parameters<typeof listEvents>[1]): number[] => listEvents(d, q).map((e) => e.ts);
    expect(ts({ device_id: 'pdu-01' })).toEqual([T + 30, T]);
    expect(ts({ device_id: null })).toEqual([T + 20]);
    expect(ts({ kind: 'outage' })).toEqual([T + 20]);
    expect(ts({ type: 'ats_transfer' })).toEqual([T + 10]);
    expect(ts({ since: T + 10, until: T + 30 })).toEqual([T + 20, T + 10]);
    expect(ts({ device_id: 'pdu-01', kind: 'probe', since: T + 1 })).toEqual([T + 30]);
    expect(ts({ limit: 2 })).toEqual([T + 30, T + 20]);
  });

  it('pages with before_id without gaps or repeats, also for events written out of time order', () => {
    const d = db();
    const times = [5, 3, 3, 9, 1, 3, 7, 7, 2, 9, 0, 4, 6, 3, 8, 1, 5, 5, 2, 6, 9, 0, 4, 7, 3];
    times.forEach((s) => insertEvent(d, ev({ ts: T + s })));
    const all = listEvents(d, { limit: 1000 });
    expect(all.map((e) => e.ts)).toEqual([...all.map((e) => e.ts)].sort((x, y) => y - x));
    const pages: number[][] = [];
    let before: number | undefined;
    for (;;) {
      const page = listEvents(d, { limit: 4, ...(before === undefined ? {} : { before_id: before }) });
      if (page.length === 0) break;
      pages.push(page.map((e) => e.id));
      before = page.at(-1)?.id;
    }
    expect(pages.flat()).toEqual(all.map((e) => e.id));
    expect(pages.length).toBe(Math.ceil(times.length / 4));
  });

  it('validates input, naming the field', () => {
    const d = db();
    validation(() => listEvents(d, { limit: 0 }), 'limit');
    validation(() => listEvents(d, { limit: 1001 }), 'limit');
    validation(() => listEvents(d, { limit: 2.5 }), 'limit');
    expect(listEvents(d, { limit: 1000 })).toEqual([]);
    validation(() => listEvents(d, { kind: 'nope' as EventInput['kind'] }), 'kind');
    validation(() => listEvents(d, { since: -1 }), 'since');
    validation(() => listEvents(d, { before_id: 42 }), 'before_id');
    validation(() => insertEvent(d, ev({ ts: Number.NaN })), 'ts');
    validation(() => insertEvent(d, ev({ type: '' })), 'type');
    validation(() => insertEvent(d, ev({ kind: 'other' as EventInput['kind'] })), 'kind');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    validation(() => insertEvent(d, ev({ data: circular })), 'data');
    expect(listEvents(d)).toEqual([]);
  });

  it('keeps working after the handle reopens its connection (statements are per connection)', () => {
    const d = db();
    insertEvent(d, ev());
    h!.handle.reopen();
    insertEvent(h!.handle.db, ev({ ts: T + 1 }));
    expect(listEvents(h!.handle.db)).toHaveLength(2);
  });
});

describe('outages', () => {
  it('opens, updates, closes; computes the duration; tracks the ongoing one', () => {
    const d = db();
    expect(ongoingOutage(d)).toBeNull();
    const id = openOutage(d, {
      kind: 'power', started_at: T, cause: 'switch_quorum', scope: 'partial', confidence: 'medium',
      evidence: { switches_total: 4, switches_down: [1, 2, 3] }, switches_affected: [1, 2, 3],
    });
    expect(ongoingOutage(d)).toEqual({
      id, kind: 'power', started_at: T, ended_at: null, duration_seconds: null, is_ongoing: true, cause: 'switch_quorum', scope: 'partial',
      confidence: 'medium', switches_affected: [1, 2, 3], outlets_shed: {}, evidence: { switches_total: 4, switches_down: [1, 2, 3] },
    });
    expect(ongoingOutage(d, 'network')).toBeNull();
    const upd = updateOutage(d, id, { cause: 'switch_quorum+utility_source_lost', confidence: 'high', switches_affected: [1, 2, 3, 4], outlets_shed: { 'pdu-01': [3, 5] } });
    expect(upd).toMatchObject({ cause: 'switch_quorum+utility_source_lost', scope: 'partial', confidence: 'high', switches_affected: [1, 2, 3, 4] });
    expect(upd.evidence).toEqual({ switches_total: 4, switches_down: [1, 2, 3] }); // untouched fields stay
    const closed = closeOutage(d, id, T + 1680, { scope: 'site' });
    expect(closed).toMatchObject({ ended_at: T + 1680, duration_seconds: 1680, is_ongoing: false, scope: 'site', outlets_shed: { 'pdu-01': [3, 5] } });
    expect(getOutage(d, id)).toEqual(closed);
    expect(ongoingOutage(d)).toBeNull();
    validation(() => closeOutage(d, id, T + 2000), 'id');
    validation(() => closeOutage(d, 999, T), 'id');
  });

  it('records an outage learnt after the fact already closed, and rejects an end before the start', () => {
    const d = db();
    const id = openOutage(d, { kind: 'power', started_at: T, ended_at: T + 90, cause: 'pdu_reboot', scope: 'site', confidence: 'low' });
    expect(getOutage(d, id)).toMatchObject({ is_ongoing: false, duration_seconds: 90 });
    expect(ongoingOutage(d)).toBeNull();
    validation(() => openOutage(d, { kind: 'power', started_at: T, ended_at: T - 1 }), 'ended_at');
    validation(() => openOutage(d, { kind: 'outage' as 'power', started_at: T }), 'kind');
    validation(() => openOutage(d, { kind: 'power', started_at: T, scope: 'half' as 'site' }), 'scope');
    validation(() => openOutage(d, { kind: 'power', started_at: T, confidence: 'sure' as 'high' }), 'confidence');
    const open = openOutage(d, { kind: 'network', started_at: T + 100 });
    validation(() => closeOutage(d, open, T + 99), 'ended_at');
    expect(ongoingOutage(d, 'network')?.id).toBe(open);
  });

  it('lists outages overlapping a window, newest first, by kind and limit', () => {
    const d = db();
    const a = openOutage(d, { kind: 'power', started_at: T, ended_at: T + 100 });
    const b = openOutage(d, { kind: 'network', started_at: T + 200, ended_at: T + 300 });
    const c = openOutage(d, { kind: 'power', started_at: T + 400 }); // ongoing
    const list = (q: Parameters<typeof listOutages>[1]): number[] => listOutages(d, q).map((o) => o.id);
    expect(list({})).toEqual([c, b, a]);
    expect(list({ since: T + 100, until: T + 201 })).toEqual([b, a]); // a ends at the window start, b starts inside
    expect(list({ since: T + 101, until: T + 200 })).toEqual([]);
    expect(list({ since: T + 10_000 })).toEqual([c]);
    expect(list({ kind: 'power' })).toEqual([c, a]);
    expect(list({ limit: 1 })).toEqual([c]);
    validation(() => listOutages(d, { limit: 0 }), 'limit');
  });
});

describe('outlet names, runtime devices, HA discovery, kv', () => {
  it('sets, lists and clears outlet name overrides', () => {
    const d = db();
    setOutletName(d, 'pdu-01', 3, 'NAS');
    setOutletName(d, 'pdu-01', 1, 'Router');
    setOutletName(d, 'pdu-01', 3, 'NAS 2');
    setOutletName(d, 'pdu-02', 1, 'Other');
    expect(getOutletName(d, 'pdu-01', 3)).toBe('NAS 2');
    expect(listOutletNames(d, 'pdu-01')).toEqual([{ outlet: 1, name: 'Router' }, { outlet: 3, name: 'NAS 2' }]);
    expect(clearOutletName(d, 'pdu-01', 3)).toBe(true);
    expect(clearOutletName(d, 'pdu-01', 3)).toBe(false);
    expect(getOutletName(d, 'pdu-01', 3)).toBeNull();
    validation(() => setOutletName(d, 'pdu-01', 0, 'x'), 'outlet');
    validation(() => setOutletName(d, 'pdu-01', 2, ''), 'name');
  });

  it('saves, lists and removes runtime device specs', () => {
    const d = db();
    saveRuntimeDevice(d, 'pdu-b', { host: '10.0.0.2', port: 161 }, T);
    saveRuntimeDevice(d, 'pdu-a', { host: '10.0.0.1' }, T);
    saveRuntimeDevice(d, 'pdu-b', { host: '10.0.0.3' }, T + 1);
    expect(listRuntimeDevices(d)).toEqual([
      { device_id: 'pdu-a', spec: { host: '10.0.0.1' }, updated_at: T },
      { device_id: 'pdu-b', spec: { host: '10.0.0.3' }, updated_at: T + 1 },
    ]);
    expect(removeRuntimeDevice(d, 'pdu-a')).toBe(true);
    expect(removeRuntimeDevice(d, 'pdu-a')).toBe(false);
    expect(listRuntimeDevices(d).map((r) => r.device_id)).toEqual(['pdu-b']);
    validation(() => saveRuntimeDevice(d, 'pdu-c', undefined, T), 'spec');
  });

  it('records discovery topics per device and deletes them', () => {
    const d = db();
    recordDiscoveryTopic(d, 'homeassistant/sensor/x/config', 'pdu-01', T);
    recordDiscoveryTopic(d, 'homeassistant/switch/y/config', 'pdu-01', T);
    recordDiscoveryTopic(d, 'homeassistant/binary_sensor/bridge/config', null, T);
    recordDiscoveryTopic(d, 'homeassistant/sensor/x/config', 'pdu-01', T + 9); // re-publish updates the time
    expect(listDiscoveryTopics(d, 'pdu-01')).toEqual([
      { topic: 'homeassistant/sensor/x/config', device_id: 'pdu-01', published_at: T + 9 },
      { topic: 'homeassistant/switch/y/config', device_id: 'pdu-01', published_at: T },
    ]);
    expect(listDiscoveryTopics(d, null).map((r) => r.topic)).toEqual(['homeassistant/binary_sensor/bridge/config']);
    expect(listDiscoveryTopics(d)).toHaveLength(3);
    expect(deleteDiscoveryTopic(d, 'homeassistant/switch/y/config')).toBe(true);
    expect(deleteDiscoveryTopic(d, 'homeassistant/switch/y/config')).toBe(false);
    expect(listDiscoveryTopics(d, 'pdu-01')).toHaveLength(1);
  });

  it('stores JSON values in kv', () => {
    const d = db();
    expect(kvGet(d, 'heartbeat')).toBeUndefined();
    kvSet(d, 'heartbeat', T, T);
    kvSet(d, 'state', { a: [1, 2], b: null }, T);
    kvSet(d, 'heartbeat', T + 1, T + 1);
    expect(kvGet(d, 'heartbeat')).toBe(T + 1);
    expect(kvGet(d, 'state')).toEqual({ a: [1, 2], b: null });
    validation(() => kvSet(d, '', 1, T), 'key');
  });
});
