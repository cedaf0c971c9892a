import { writeFileSync } from 'node:fs';
import { setTimeout as realSleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, rule } from './engine-harness.js';

// rules.json as the source of truth (SPEC §12.6): hand edits reloaded after the 500 ms debounce,
// invalid files keeping the previous rules, RulesPort CRUD rewriting the file atomically, and
// edits of a fired rule never sending a command (SPEC §12.4). Counters survive a restart.

let h: Harness;
afterEach(async () => h.close());

const settle = (): Promise<void> => h.clock.advance(0);

/**
 * fs.watch reports in real time; the debounce then runs on the fake clock. Waits (at most 3 s of
 * real time) until the debounce timer is armed, then a little longer for trailing events.
 */
async function waitForWatch(baseline: number): Promise<void> {
  for (let i = 0; i < 300 && h.clock.pendingTimers() <= baseline; i++) await realSleep(10);
  expect(h.clock.pendingTimers(), 'no file event from fs.watch within 3 s').toBeGreaterThan(baseline);
  await realSleep(50);
}

/** Two fired rules (outlets 6 and 7) on a low voltage, with the watcher on. */
async function twoFired(): Promise<void> {
  h = new Harness({ watch: true });
  h.start([rule('keep', { delay: 0, outlet: 6 }), rule('change', { delay: 0, outlet: 7 })]);
  h.voltage('pdu-01', 105);
  await settle();
  expect(h.sent()).toEqual(['pdu-01:6:off', 'pdu-01:7:off']);
}

describe('hot reload', () => {
  it('reloads a hand edit after the 500 ms debounce: unchanged rules keep their state, changed ones start over', async () => {
    await twoFired();
    const firedAt = h.state('keep').fired_at;
    await h.advance(5);
    const baseline = h.clock.pendingTimers();
    h.writeRules([rule('keep', { delay: 0, outlet: 6 }), rule('change', { delay: 30, outlet: 7 }), rule('added', { delay: 30, outlet: 9 })]);
    await waitForWatch(baseline);
    await h.clock.advance(499);
    expect(h.service.get('added')).toBeNull();
    expect(h.state('change').phase).toBe('fired');
    await h.clock.advance(1);
    expect(h.service.list().map((r) => r.name)).toEqual(['keep', 'change', 'added']);
    expect(h.state('keep')).toMatchObject({ phase: 'fired', fired_at: firedAt });
    // Reset, then evaluated afresh: the low voltage holds, so the new 30 s delay starts now.
    expect(h.state('change')).toMatchObject({ phase: 'pending', fired_at: null, condition_since: h.now });
    expect(h.service.get('change')?.delay).toBe(30);
    expect(h.state('added').phase).toBe('pending');
    expect(h.registry.calls).toHaveLength(2); // no restore of the changed rule, nothing new yet
    expect(h.eventsOf('reload_failed')).toEqual([]);
  });

  it('an invalid file keeps the previous rules and emits reload_failed with the error', async () => {
    await twoFired();
    let baseline = h.clock.pendingTimers();
    writeFileSync(h.rulesPath, '[{"name": "keep",');
    await waitForWatch(baseline);
    await h.clock.advance(500);
    const failed = h.eventsOf('reload_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.details).toContain('not valid JSON');
    expect(h.service.list().map((r) => [r.name, r.state.phase])).toEqual([['keep', 'fired'], ['change', 'fired']]);

    baseline = h.clock.pendingTimers();
    h.writeRules([rule('keep', { delay: 0, outlet: 6 }), rule('change', { delay: 0, outlet: 7, action: 'of' })]);
    await waitForWatch(baseline);
    await h.clock.advance(500);
    const second = h.eventsOf('reload_failed')[1];
    expect(second).toMatchObject({ rule: 'change' });
    expect(second?.details).toContain('action');
    expect(h.service.get('change')?.action).toBe('off');

    // The previous rules still act.
    h.voltage('pdu-01', 118);
    await settle();
    expect(h.sent().slice(2).sort()).toEqual(['pdu-01:6:on', 'pdu-01:7:on']);
  });
});

describe('RulesPort CRUD', () => {
  it('create, update, toggle and delete rewrite the file atomically and emit their events', async () => {
    h = new Harness();
    h.start([rule('first')]);
    const created = h.service.create(rule('second', { outlet: '8-9', delay: 20 }));
    expect(created).toMatchObject({ ok: true, rule: { name: 'second', delay: 20, state: { phase: 'idle' } } });
    expect(h.readRules().map((r) => r.name)).toEqual(['first', 'second']);
    expect(h.readRules()[1]).toMatchObject({ outlet: '8-9', delay: 20, enabled: true, restore: true });

    expect(h.service.update('second', rule('ignored-name', { outlet: 9, delay: 40 }))).toMatchObject({ ok: true, rule: { name: 'second', delay: 40 } });
    expect(h.readRules()[1]).toMatchObject({ name: 'second', outlet: 9, delay: 40 });
    expect(h.service.toggle('second')).toMatchObject({ ok: true, rule: { enabled: false } });
    expect(h.readRules()[1]?.enabled).toBe(false);
    expect(h.service.toggle('SECOND', true)).toMatchObject({ ok: true, rule: { enabled: true } });
    expect(h.service.remove('second')).toMatchObject({ ok: true, rule: { name: 'second' } });
    expect(h.readRules().map((r) => r.name)).toEqual(['first']);

    expect(h.events.map((e) => [e.type, e.rule])).toEqual([
      ['created', 'second'], ['updated', 'second'], ['toggled', 'second'], ['toggled', 'second'], ['deleted', 'second'],
    ]);
    expect(h.strayFiles()).toEqual([]); // no temp file left behind
  });

  it('refuses a duplicate name and an invalid rule without touching the file', async () => {
    h = new Harness();
    h.start([rule('first')]);
    const before = h.readRules();
    expect(h.service.create(rule('FIRST'))).toMatchObject({ ok: false, code: 'P2M_ERR_CONFLICT' });
    const bad = h.service.create(rule('bad', { threshold: 'low' }));
    expect(bad).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION' });
    expect(!bad.ok && bad.issues?.map((i) => i.field)).toEqual(['threshold']);
    expect(h.service.update('nope', rule('nope'))).toMatchObject({ ok: false, code: 'P2M_ERR_NOT_FOUND' });
    expect(h.readRules()).toEqual(before);
    expect(h.events).toEqual([]);
  });

  it('editing, disabling or deleting a fired rule sends no command and resets it', async () => {
    h = new Harness();
    h.start([rule('a', { delay: 0, outlet: 1 }), rule('b', { delay: 0, outlet: 2 }), rule('c', { delay: 0, outlet: 3 })]);
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.registry.calls).toHaveLength(3);

    expect(h.service.update('a', rule('a', { delay: 60, outlet: 1 })).ok).toBe(true);
    expect(h.state('a')).toMatchObject({ phase: 'pending', fired_at: null });
    expect(h.service.toggle('b', false).ok).toBe(true);
    expect(h.service.get('b')?.state).toMatchObject({ phase: 'idle', inactive: 'disabled', execution_count: 1 });
    expect(h.service.remove('c').ok).toBe(true);
    await settle();
    h.voltage('pdu-01', 118); // clears: no restore for any of them
    await h.advance(120, 'pdu-01');
    expect(h.registry.calls).toHaveLength(3);
  });

  it('a deleted rule takes its counters along: a new rule of that name starts at 0', async () => {
    h = new Harness();
    h.start([rule('a', { delay: 0, outlet: 1, restore: false })]);
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.state('a').execution_count).toBe(1);
    h.service.remove('a');
    h.voltage('pdu-01', 118);
    h.service.create(rule('a', { delay: 60, outlet: 1 }));
    expect(h.state('a')).toMatchObject({ execution_count: 0, last_execution: null });
  });
});

describe('persistence', () => {
  it('counters survive a new service instance on the same database; runtime state does not', async () => {
    h = new Harness({ retryS: 30 });
    h.start([rule('shed', { delay: 0, outlet: 6 }), rule('flaky', { delay: 0, outlet: 7 })]);
    h.registry.fail = (c) => (c.outlet === 7 ? 'SNMP timeout' : null);
    h.voltage('pdu-01', 105);
    await settle();
    const firedAt = h.now;
    await h.stopService();
    await h.advance(60);

    h.start();
    expect(h.state('shed')).toMatchObject({ execution_count: 1, last_execution: firedAt, last_error: null, fired_at: null });
    expect(h.state('flaky')).toMatchObject({ execution_count: 0 });
    expect(h.state('flaky').last_error).toContain('SNMP timeout');
    // A level condition already true at startup fires again after its delay.
    expect(h.state('shed').phase).not.toBe('fired');
    await settle();
    expect(h.state('shed').execution_count).toBe(2);
  });
});
