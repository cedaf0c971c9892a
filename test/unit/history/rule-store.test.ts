import { afterEach, describe, expect, it } from 'vitest';
import { P2mError } from '../../../src/core/errors.js';
import type { AutomationEvent } from '../../../src/core/rules.js';
import { DbHandle } from '../../../src/history/handle.js';
import { insertEvent } from '../../../src/history/events.js';
import { RuleHistoryStore } from '../../../src/history/rule-store.js';
import { tempHistory, type TempHistory } from '../../support/history.js';

// Rule counters and automation events through the RuleStore port, on a real SQLite file.

let h: TempHistory | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

function store(): RuleHistoryStore {
  h = tempHistory();
  return new RuleHistoryStore(h.handle);
}

const T = 1_790_000_000;
const ev = (over: Partial<AutomationEvent> = {}): AutomationEvent => ({
  rule: 'brownout-shed', type: 'triggered', details: 'off outlets 6,7', ts: T, device_id: 'pdu1', ...over,
});

describe('rule counters', () => {
  it('round-trip per rule and device, and survive reopening the database', () => {
    const s = store();
    expect(s.loadCounters().size).toBe(0);
    s.saveCounters('shed', 'pdu1', { execution_count: 3, last_execution: T + 0.25, last_error: null });
    s.saveCounters('shed', 'pdu2', { execution_count: 1, last_execution: T, last_error: 'SNMP timeout' });
    s.saveCounters('night', 'pdu1', { execution_count: 0, last_execution: null, last_error: null });
    s.saveCounters('shed', 'pdu1', { execution_count: 4, last_execution: T + 60.5, last_error: 'late' }); // update in place

    const path = (h as TempHistory).path;
    (h as TempHistory).handle.close();
    const again = new DbHandle(path, 20);
    try {
      const c = new RuleHistoryStore(again).loadCounters();
      expect(c.size).toBe(3);
      expect(c.get('shed\u0000pdu1')).toEqual({ execution_count: 4, last_execution: T + 60.5, last_error: 'late' });
      expect(c.get('shed\u0000pdu2')).toEqual({ execution_count: 1, last_execution: T, last_error: 'SNMP timeout' });
      expect(c.get('night\u0000pdu1')).toEqual({ execution_count: 0, last_execution: null, last_error: null });
    } finally {
      again.close();
    }
  });

  it('deleteCounters removes every device of that rule only', () => {
    const s = store();
    s.saveCounters('shed', 'pdu1', { execution_count: 1, last_execution: T, last_error: null });
    s.saveCounters('shed', 'pdu2', { execution_count: 2, last_execution: T, last_error: null });
    s.saveCounters('night', 'pdu1', { execution_count: 5, last_execution: T, last_error: null });
    s.deleteCounters('shed');
    s.deleteCounters('never-existed');
    expect([...s.loadCounters().keys()]).toEqual(['night\u0000pdu1']);
  });

  it('refuses invalid counters naming the field, and cuts a very long error', () => {
    const s = store();
    expect(() => s.saveCounters('', 'pdu1', { execution_count: 1, last_execution: null, last_error: null })).toThrow(P2mError);
    expect(() => s.saveCounters('r', 'pdu1', { execution_count: -1, last_execution: null, last_error: null })).toThrow(/execution_count/);
    expect(() => s.saveCounters('r', 'pdu1', { execution_count: 1.5, last_execution: null, last_error: null })).toThrow(/execution_count/);
    expect(() => s.saveCounters('r', 'pdu1', { execution_count: 1, last_execution: Number.NaN, last_error: null })).toThrow(/last_execution/);
    s.saveCounters('r', '', { execution_count: 0, last_execution: null, last_error: 'x'.repeat(5000) });
    expect(s.loadCounters().get('r\u0000')?.last_error).toHaveLength(1000);
  });
});

describe('automation events', () => {
  it('are stored with kind automation and source rule:<name>, data kept', () => {
    const s = store();
    s.addAutomationEvent(ev({ data: { outlets: [6, 7] } }));
    s.addAutomationEvent(ev({ rule: null, type: 'reload_failed', details: 'x'.repeat(10_000), device_id: null, ts: T + 1 }));
    s.addAutomationEvent(ev({ rule: 'r', type: 'created', device_id: '', ts: T + 2.9 }));
    const all = s.listEvents({ limit: 10 });
    expect(all.map((e) => [e.kind, e.type, e.source, e.device_id, e.ts])).toEqual([
      ['automation', 'created', 'rule:r', null, T + 2],
      ['automation', 'reload_failed', 'rules', null, T + 1],
      ['automation', 'triggered', 'rule:brownout-shed', 'pdu1', T],
    ]);
    expect(all[1]?.details).toHaveLength(4096);
    expect(all[2]).toMatchObject({ details: 'off outlets 6,7', data: { outlets: [6, 7] } });
    expect(all[0]?.data).toBeNull();
  });

  it('are listed newest first (ties by id) with every filter, merged with system events', () => {
    const s = store();
    const db = (h as TempHistory).handle.db;
    s.addAutomationEvent(ev({ ts: T, device_id: 'pdu1', type: 'triggered' }));
    s.addAutomationEvent(ev({ ts: T + 10, device_id: 'pdu2', type: 'restored' }));
    s.addAutomationEvent(ev({ ts: T + 10, device_id: 'pdu1', type: 'restored' }));
    insertEvent(db, { ts: T + 5, device_id: null, kind: 'system', type: 'started', source: 'bridge', details: 'up' });
    insertEvent(db, { ts: T + 20, device_id: 'pdu1', kind: 'system', type: 'device_lost', source: 'poller' });

    const ids = (q: Parameters<RuleHistoryStore['listEvents']>[0]): Array<[number, string, string | null]> =>
      s.listEvents(q).map((e) => [e.ts - T, e.type, e.device_id]);
    expect(ids({ limit: 100 })).toEqual([
      [20, 'device_lost', 'pdu1'], [10, 'restored', 'pdu1'], [10, 'restored', 'pdu2'], [5, 'started', null], [0, 'triggered', 'pdu1'],
    ]);
    expect(ids({ limit: 2 })).toEqual([[20, 'device_lost', 'pdu1'], [10, 'restored', 'pdu1']]);
    expect(ids({ limit: 100, deviceId: 'pdu1' })).toEqual([[20, 'device_lost', 'pdu1'], [10, 'restored', 'pdu1'], [0, 'triggered', 'pdu1']]);
    expect(ids({ limit: 100, kind: 'automation' })).toEqual([[10, 'restored', 'pdu1'], [10, 'restored', 'pdu2'], [0, 'triggered', 'pdu1']]);
    expect(ids({ limit: 100, kind: 'system' })).toEqual([[20, 'device_lost', 'pdu1'], [5, 'started', null]]);
    expect(ids({ limit: 100, type: 'restored' })).toEqual([[10, 'restored', 'pdu1'], [10, 'restored', 'pdu2']]);
    expect(ids({ limit: 100, since: T + 10 })).toEqual([[20, 'device_lost', 'pdu1'], [10, 'restored', 'pdu1'], [10, 'restored', 'pdu2']]);
    expect(ids({ limit: 100, deviceId: 'pdu1', kind: 'automation', type: 'restored', since: T + 1 })).toEqual([[10, 'restored', 'pdu1']]);
    expect(ids({ limit: 100, deviceId: 'nope' })).toEqual([]);
  });

  it('bad filters are validation errors naming the field', () => {
    const s = store();
    expect(() => s.listEvents({ limit: 0 })).toThrow(/limit/);
    expect(() => s.listEvents({ limit: 1001 })).toThrow(/limit/);
    expect(() => s.listEvents({ limit: 10, kind: 'bogus' })).toThrow(/kind must be one of/);
    expect(() => s.listEvents({ limit: 10, since: -1 })).toThrow(/since/);
    expect(() => s.listEvents({ limit: 10, kind: 'bogus' })).toThrow(expect.objectContaining({ code: 'P2M_ERR_VALIDATION', field: 'kind' }));
  });

  it('follows a reopened connection (the handle may reopen after write failures)', () => {
    const s = store();
    s.addAutomationEvent(ev());
    (h as TempHistory).handle.reopen();
    s.addAutomationEvent(ev({ ts: T + 1 }));
    expect(s.listEvents({ limit: 10 })).toHaveLength(2);
  });
});
