import { afterEach, describe, expect, it } from 'vitest';
import { Harness, rule } from './engine-harness.js';

// RulesPort.list(device) runs on every rule state change (MQTT `automation/status`). The load run
// (issue 10: 500 PDUs, two rules each) found it O(rules × devices): every rule read the registry's
// whole device list and built the states of every device. These tests pin what it returns and
// that it reads the device list at most once per call.

const DEVICES = 60;
const ids = Array.from({ length: DEVICES }, (_, i) => `pdu-${String(i + 1).padStart(2, '0')}`);

let h: Harness;
afterEach(async () => h.close());

function countingList(): { calls: () => number } {
  let calls = 0;
  const list = h.registry.list.bind(h.registry);
  h.registry.list = () => {
    calls++;
    return list();
  };
  return { calls: () => calls };
}

describe('rules list per device at scale', () => {
  it('returns the rules of that device (its own and "all" ones) with that device’s states, reading the device list at most once', () => {
    h = new Harness({ devices: ids.map((id) => ({ id })) });
    h.start([
      ...ids.flatMap((id) => [rule(`low-${id}`, { device: id }), rule(`high-${id}`, { device: id, condition: 'voltage_above', threshold: 130 })]),
      rule('fleet', { device: 'all' }),
    ]);
    for (const id of ids) h.voltage(id, 120);
    const list = countingList();
    const views = h.service.list('pdu-07');
    expect(views.map((v) => [v.name, v.state.device_id, v.state.phase, v.state.inactive])).toEqual([
      ['low-pdu-07', 'pdu-07', 'idle', null],
      ['high-pdu-07', 'pdu-07', 'idle', null],
      ['fleet', 'pdu-07', 'idle', null],
    ]);
    expect(list.calls()).toBeLessThanOrEqual(1);
    // Every device, every call: the same bound.
    for (const id of ids) expect(h.service.list(id)).toHaveLength(3);
    expect(list.calls()).toBeLessThanOrEqual(1 + DEVICES);
    // The whole list is unchanged: one view per rule and device.
    expect(h.service.list()).toHaveLength(DEVICES * 2 + DEVICES);
  });

  it('a rule not evaluated yet still shows on its device, idle with the reason, and on no other', () => {
    h = new Harness({ devices: [{ id: 'pdu-01' }, { id: 'pdu-02', withSnapshot: false }] });
    h.start([rule('a', { device: 'pdu-02' }), rule('b', { device: 'pdu-03' })]);
    const list = countingList();
    expect(h.service.list('pdu-02').map((v) => [v.name, v.state.device_id, v.state.inactive])).toEqual([['a', 'pdu-02', 'waiting for the first data of the device']]);
    expect(h.service.list('pdu-01')).toEqual([]);
    // A rule for a device that is not configured is listed (with its problem) only without a device filter.
    expect(h.service.list('pdu-03')).toEqual([]);
    expect(h.service.list().map((v) => [v.name, v.state.inactive])).toEqual([['a', 'waiting for the first data of the device'], ['b', 'device "pdu-03" is not configured']]);
    expect(list.calls()).toBeLessThanOrEqual(4);
  });
});
