import { afterEach, describe, expect, it } from 'vitest';
import { RuleHistoryStore } from '../../../src/history/rule-store.js';
import { Harness, rule, setSourceA } from './engine-harness.js';

// The rules engine (SPEC §12.4) driven through createRulesService on a FakeClock: delays,
// restores, oneshot, cooldown, hysteresis, stagger and failed commands. Samples arrive as `sample`
// bus events, like after every poll; commands go to an in-test registry that records them.

let h: Harness;
afterEach(async () => h.close());

/** Let a command sequence that needs no clock time finish. */
const settle = (): Promise<void> => h.clock.advance(0);

describe('delay', () => {
  it('fires `delay` seconds after the condition started holding, not before, evaluating on sample events', async () => {
    h = new Harness();
    h.start([rule('shed')]);
    h.voltage('pdu-01', 120);
    expect(h.state('shed').phase).toBe('idle');
    // The snapshot changes but no sample is published: nothing is evaluated.
    setSourceA(h.registry.snapshot('pdu-01'), 105);
    await h.advance(3);
    expect(h.state('shed').phase).toBe('idle');

    h.voltage('pdu-01', 105);
    const t0 = h.now;
    expect(h.state('shed')).toMatchObject({ phase: 'pending', condition_since: t0, triggered: false });
    await h.advance(9, 'pdu-01');
    expect(h.sent()).toEqual([]);
    await h.advance(1, 'pdu-01');
    expect(h.sent()).toEqual(['pdu-01:6:off', 'pdu-01:7:off']);
    expect(h.registry.calls.map((c) => [c.at, c.origin])).toEqual([[t0 + 10, 'rule:shed'], [t0 + 10, 'rule:shed']]);
    expect(h.state('shed')).toMatchObject({ phase: 'fired', triggered: true, fired_at: t0 + 10, execution_count: 1, last_execution: t0 + 10 });
    expect(h.eventsOf('triggered', 'shed')).toHaveLength(1);
    await h.advance(30, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
  });

  it('a condition that clears before the delay sends nothing', async () => {
    h = new Harness();
    h.start([rule('shed')]);
    h.voltage('pdu-01', 105);
    await h.advance(5, 'pdu-01');
    h.voltage('pdu-01', 118);
    expect(h.state('shed').phase).toBe('idle');
    await h.advance(30, 'pdu-01');
    expect(h.sent()).toEqual([]);
  });
});

describe('restore', () => {
  it('sends the opposite action once the condition stayed clear for restore_delay', async () => {
    h = new Harness();
    h.start([rule('shed', { delay: 0, restore_delay: 20 })]);
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.state('shed').phase).toBe('fired');
    h.voltage('pdu-01', 115);
    expect(h.state('shed').phase).toBe('restoring');
    await h.advance(19, 'pdu-01');
    expect(h.sent()).toEqual(['pdu-01:6:off', 'pdu-01:7:off']);
    await h.advance(1, 'pdu-01');
    expect(h.sent().slice(2)).toEqual(['pdu-01:6:on', 'pdu-01:7:on']);
    expect(h.state('shed').phase).toBe('idle');
    expect(h.eventsOf('restored', 'shed')).toHaveLength(1);
    expect(h.state('shed').execution_count).toBe(1); // a restore is not a firing
  });

  it('a relapse while restoring goes back to fired without a command, and the clear time starts again', async () => {
    h = new Harness();
    h.start([rule('shed', { delay: 0, restore_delay: 20 })]);
    h.voltage('pdu-01', 105);
    await settle();
    h.voltage('pdu-01', 115);
    await h.advance(10, 'pdu-01');
    h.voltage('pdu-01', 105);
    expect(h.state('shed').phase).toBe('fired');
    await h.advance(5, 'pdu-01');
    h.voltage('pdu-01', 115);
    await h.advance(19, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
    await h.advance(1, 'pdu-01');
    expect(h.sent().slice(2)).toEqual(['pdu-01:6:on', 'pdu-01:7:on']);
  });

  it('restore: false goes back to idle without a command; reboot never restores', async () => {
    h = new Harness();
    h.start([rule('keep', { delay: 0, restore: false }), rule('boot', { delay: 0, action: 'reboot', outlet: 2 })]);
    h.voltage('pdu-01', 105);
    await settle();
    h.voltage('pdu-01', 115);
    await h.advance(30, 'pdu-01');
    expect(h.sent().sort()).toEqual(['pdu-01:2:reboot', 'pdu-01:6:off', 'pdu-01:7:off']);
    expect(h.state('keep').phase).toBe('idle');
    expect(h.state('boot').phase).toBe('idle');
  });
});

describe('oneshot', () => {
  it('fires once, disables itself in the file (event `disabled`) and does not restore', async () => {
    h = new Harness();
    h.start([rule('once', { delay: 0, schedule_type: 'oneshot' })]);
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.sent()).toEqual(['pdu-01:6:off', 'pdu-01:7:off']);
    expect(h.readRules()[0]).toMatchObject({ name: 'once', enabled: false, schedule_type: 'oneshot' });
    expect(h.eventsOf('disabled', 'once')).toHaveLength(1);
    expect(h.service.get('once')).toMatchObject({ enabled: false, state: { phase: 'idle', execution_count: 1 } });

    h.voltage('pdu-01', 118);
    await h.advance(30, 'pdu-01');
    h.voltage('pdu-01', 105);
    await h.advance(30, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
  });
});

describe('cooldown', () => {
  it('a second firing waits until cooldown_s after the first', async () => {
    h = new Harness();
    h.start([rule('cool', { delay: 0, cooldown_s: 60, outlet: 3 })]);
    h.voltage('pdu-01', 105);
    await settle();
    const t0 = h.now;
    await h.advance(5, 'pdu-01');
    h.voltage('pdu-01', 115);
    await settle();
    await h.advance(5, 'pdu-01');
    h.voltage('pdu-01', 105);
    expect(h.state('cool').phase).toBe('pending');
    expect(h.sent()).toEqual(['pdu-01:3:off', 'pdu-01:3:on']);
    await h.advance(49, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
    await h.advance(1, 'pdu-01');
    expect(h.sent()[2]).toBe('pdu-01:3:off');
    expect(h.registry.calls[2]?.at).toBe(t0 + 60);
    expect(h.state('cool').execution_count).toBe(2);
  });
});

describe('hysteresis', () => {
  it('a voltage hovering around the threshold fires once and restores only at threshold + 2 V', async () => {
    h = new Harness();
    h.start([rule('hover', { delay: 0, outlet: 9 })]);
    h.voltage('pdu-01', 107.9);
    await settle();
    for (let i = 0; i < 10; i++) {
      h.voltage('pdu-01', i % 2 === 0 ? 108.1 : 107.9);
      await h.advance(1);
    }
    h.voltage('pdu-01', 109.9);
    await h.advance(1);
    expect(h.sent()).toEqual(['pdu-01:9:off']);
    expect(h.state('hover').phase).toBe('fired');
    h.voltage('pdu-01', 110);
    await settle();
    expect(h.sent()).toEqual(['pdu-01:9:off', 'pdu-01:9:on']);
    expect(h.state('hover').phase).toBe('idle');
  });

  it('an explicit hysteresis replaces the default', async () => {
    h = new Harness();
    h.start([rule('narrow', { delay: 0, outlet: 9, hysteresis: 0.5 })]);
    h.voltage('pdu-01', 107);
    await settle();
    h.voltage('pdu-01', 108.4);
    await settle();
    expect(h.registry.calls).toHaveLength(1);
    h.voltage('pdu-01', 108.5);
    await settle();
    expect(h.sent()).toEqual(['pdu-01:9:off', 'pdu-01:9:on']);
  });
});

describe('stagger_s', () => {
  it('switches the outlets in order, stagger_s apart on the clock, and counts the firing when the last one is done', async () => {
    h = new Harness();
    h.start([rule('stagger', { delay: 0, outlet: '1-3', stagger_s: 2.5 })]);
    h.voltage('pdu-01', 105);
    const t0 = h.now;
    await h.clock.advance(2000);
    expect(h.sent()).toEqual(['pdu-01:1:off']);
    expect(h.state('stagger').phase).toBe('pending');
    await h.clock.advance(3000);
    expect(h.sent()).toEqual(['pdu-01:1:off', 'pdu-01:2:off', 'pdu-01:3:off']);
    expect(h.registry.calls.map((c) => c.at - t0)).toEqual([0, 2.5, 5]);
    expect(h.state('stagger')).toMatchObject({ phase: 'fired', fired_at: t0 + 5 });
  });
});

describe('failed commands', () => {
  it('a failed SET: command_failed, last_error, still pending; retried after retry_s; then success', async () => {
    h = new Harness({ retryS: 30 });
    h.start([rule('shed', { delay: 0 })]);
    h.registry.fail = (c) => (c.outlet === 7 ? 'SNMP timeout' : null);
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.sent()).toEqual(['pdu-01:6:off', 'pdu-01:7:off']);
    const failed = h.eventsOf('command_failed', 'shed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.details).toContain('outlet 7: SNMP timeout');
    expect(h.state('shed')).toMatchObject({ phase: 'pending', triggered: false, execution_count: 0 });
    expect(h.state('shed').last_error).toContain('SNMP timeout');
    const store = new RuleHistoryStore(h.history.handle);
    expect(store.loadCounters().get('shed\u0000pdu-01')?.last_error).toContain('SNMP timeout');
    expect(store.listEvents({ limit: 10, kind: 'automation', type: 'command_failed' })).toHaveLength(1);

    await h.advance(29, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
    h.registry.fail = () => null;
    await h.advance(1, 'pdu-01');
    expect(h.sent().slice(2)).toEqual(['pdu-01:6:off', 'pdu-01:7:off']);
    expect(h.state('shed')).toMatchObject({ phase: 'fired', execution_count: 1, last_error: null });
    expect(h.eventsOf('triggered', 'shed')).toHaveLength(1);
    expect(store.loadCounters().get('shed\u0000pdu-01')).toMatchObject({ execution_count: 1, last_error: null });
  });

  it('no retry once the condition has cleared', async () => {
    h = new Harness({ retryS: 30 });
    h.start([rule('shed', { delay: 0 })]);
    h.registry.fail = () => 'SNMP timeout';
    h.voltage('pdu-01', 105);
    await settle();
    h.voltage('pdu-01', 118);
    expect(h.state('shed').phase).toBe('idle');
    await h.advance(60, 'pdu-01');
    expect(h.registry.calls).toHaveLength(2);
  });

  it('a command that throws counts as failed too', async () => {
    h = new Harness({ retryS: 30 });
    h.start([rule('shed', { delay: 0, outlet: 6 })]);
    h.registry.fail = () => {
      throw new Error('queue closed');
    };
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.eventsOf('command_failed', 'shed')[0]?.details).toContain('queue closed');
    expect(h.state('shed').phase).toBe('pending');
  });
});
