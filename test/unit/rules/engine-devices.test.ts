import { afterEach, describe, expect, it } from 'vitest';
import { Harness, rule } from './engine-harness.js';

// Rules against the devices they act on (SPEC §12.1, §12.2): a rule that would switch a protected
// outlet off is refused at load; outlets beyond the device's count make a rule inactive once the
// device's data is in; both with a reload_failed event naming rule and field;
// `device: "all"` keeps one independent state per device; the default device.

let h: Harness;
afterEach(async () => h.close());

const settle = (): Promise<void> => h.clock.advance(0);

describe('checks against the device', () => {
  it('a rule that would switch a protected outlet off is refused when the rules load, naming rule and field; the others run', async () => {
    h = new Harness({ devices: [{ id: 'pdu-01', protectedOutlets: [1] }] });
    h.start([
      rule('all-off', { delay: 0, outlet: 'all' }),
      rule('on-restores-off', { delay: 0, outlet: '1-2', action: 'on' }),
      rule('on-only', { delay: 0, outlet: 1, action: 'on', restore: false }),
      rule('elsewhere', { delay: 0, outlet: 5 }),
    ]);
    const failed = h.eventsOf('reload_failed');
    expect(failed).toHaveLength(1);
    expect((failed[0]?.data?.issues as Array<{ rule: string; field: string }>).map((i) => [i.rule, i.field])).toEqual([
      ['all-off', 'outlet'], ['on-restores-off', 'outlet'],
    ]);
    expect(failed[0]?.details).toContain('all-off.outlet: outlet 1 of pdu-01 is protected');
    expect(failed[0]?.details).toContain('on-restores-off.outlet: outlet 1 of pdu-01 is protected, and its restore');
    expect(h.service.list('pdu-01').map((r) => r.name).sort()).toEqual(['elsewhere', 'on-only']);
    expect(h.state('on-only').inactive).toBeNull();

    h.voltage('pdu-01', 105);
    await settle();
    expect(h.sent().sort()).toEqual(['pdu-01:1:on', 'pdu-01:5:off']);
    h.voltage('pdu-01', 104); // the event is not repeated on every sample
    expect(h.eventsOf('reload_failed')).toHaveLength(1);
  });

  it('the API refuses such a rule on create and update, and a reload with one keeps the previous rules', async () => {
    h = new Harness({ devices: [{ id: 'pdu-01', protectedOutlets: [3] }] });
    h.start([rule('shed', { delay: 0, outlet: 6 })]);
    const created = h.service.create(rule('bad', { delay: 0, outlet: '2-4' }));
    expect(created).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION' });
    expect(!created.ok && created.error).toMatch(/outlet 3 of pdu-01 is protected/);
    expect(h.service.create(rule('fine', { delay: 0, outlet: '2-4', action: 'on', restore: false }))).toMatchObject({ ok: true });
    const updated = h.service.update('shed', { ...rule('shed', { delay: 0, outlet: 'all' }) });
    expect(updated).toMatchObject({ ok: false, code: 'P2M_ERR_VALIDATION' });
    expect(h.readRules().map((r) => [r.name, r.outlet])).toEqual([['shed', 6], ['fine', '2-4']]);
    h.writeRules([rule('shed', { delay: 0, outlet: 3 })]);
    expect(h.service.reload()).toMatchObject({ ok: false });
    expect(h.service.list('pdu-01').map((r) => [r.name, r.outlet])).toEqual([['shed', 6], ['fine', '2-4']]);
  });

  it('a rule targeting outlet 12 is inactive on a 10-outlet device and active on a 16-outlet one', async () => {
    h = new Harness({ devices: [{ id: 'pdu-01', outlets: 10 }, { id: 'pdu-02', outlets: 16 }] });
    h.start([rule('twelve', { device: 'all', delay: 0, outlet: 12 })]);
    expect(h.eventsOf('reload_failed').map((e) => [e.rule, e.device_id, e.data?.field])).toEqual([['twelve', 'pdu-01', 'outlet']]);
    expect(h.eventsOf('reload_failed')[0]?.details).toContain('beyond the 10 outlets of pdu-01');
    expect(h.state('twelve', 'pdu-01').inactive).toContain('outlet');
    h.voltage('pdu-01', 105);
    h.voltage('pdu-02', 105);
    await settle();
    expect(h.sent()).toEqual(['pdu-02:12:off']);
  });

  it('waits for the first data of a device before checking and acting, without an error event', async () => {
    h = new Harness({ devices: [{ id: 'pdu-01', withSnapshot: false }] });
    h.start([rule('shed', { delay: 0, outlet: 6 })]);
    expect(h.state('shed').inactive).toContain('waiting for the first data');
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.state('shed')).toMatchObject({ inactive: null, phase: 'fired' });
    expect(h.sent()).toEqual(['pdu-01:6:off']);
    expect(h.eventsOf('reload_failed')).toEqual([]);
  });
});

describe('device selection', () => {
  it('`device: "all"` evaluates and acts per device, one state each', async () => {
    h = new Harness({ devices: [{ id: 'pdu-01' }, { id: 'pdu-02' }, { id: 'pdu-03' }] });
    h.start([rule('fleet', { device: 'all', delay: 5, outlet: '6-7' })]);
    expect(h.service.list().map((r) => r.state.device_id)).toEqual(['pdu-01', 'pdu-02', 'pdu-03']);
    h.voltage('pdu-02', 105);
    await h.advance(3, 'pdu-02');
    h.voltage('pdu-03', 104);
    await h.advance(2, 'pdu-03');
    expect(h.sent()).toEqual(['pdu-02:6:off', 'pdu-02:7:off']);
    await h.advance(3, 'pdu-03');
    expect(h.sent().slice(2)).toEqual(['pdu-03:6:off', 'pdu-03:7:off']);
    expect(['pdu-01', 'pdu-02', 'pdu-03'].map((d) => h.state('fleet', d).phase)).toEqual(['idle', 'fired', 'fired']);
    expect(h.eventsOf('triggered', 'fleet').map((e) => e.device_id)).toEqual(['pdu-02', 'pdu-03']);

    h.voltage('pdu-02', 118);
    await settle();
    expect(h.sent().slice(4)).toEqual(['pdu-02:6:on', 'pdu-02:7:on']);
    expect(h.state('fleet', 'pdu-03').phase).toBe('fired');
  });

  it('a device added at runtime gets its `all` rules within a second', async () => {
    h = new Harness();
    h.start([rule('fleet', { device: 'all', delay: 0, outlet: 6, restore: false })]);
    h.registry.add('pdu-02');
    await h.advance(1);
    h.voltage('pdu-02', 100);
    await settle();
    expect(h.sent()).toEqual(['pdu-02:6:off']);
    expect(h.state('fleet', 'pdu-02').phase).toBe('fired');
    expect(h.state('fleet', 'pdu-01').phase).toBe('idle');
  });

  it('a rule without `device` uses the only device; with several it names the problem', async () => {
    h = new Harness({ devices: [{ id: 'pdu-01' }] });
    const { device: _omit, ...noDevice } = rule('default', { delay: 0, outlet: 6 });
    h.start([noDevice]);
    h.voltage('pdu-01', 105);
    await settle();
    expect(h.sent()).toEqual(['pdu-01:6:off']);
    await h.stopService();

    h.registry.add('pdu-02');
    h.start();
    expect(h.service.get('default')?.state.inactive).toContain('several devices');
    h.voltage('pdu-02', 100);
    await settle();
    expect(h.registry.calls).toHaveLength(1);
  });

  it('a rule for an unknown device does nothing', async () => {
    h = new Harness();
    h.start([rule('ghost', { device: 'pdu-09', delay: 0 })]);
    expect(h.service.get('ghost')?.state.inactive).toContain('pdu-09');
    h.voltage('pdu-01', 100);
    await settle();
    expect(h.sent()).toEqual([]);
  });
});
