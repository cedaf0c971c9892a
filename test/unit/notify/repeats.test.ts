import { describe, expect, it } from 'vitest';
import { RepeatTable } from '../../../src/notify/repeats.js';

// Open conditions re-sent every repeat_s until closed (SPEC §11.8).

describe('RepeatTable', () => {
  it('repeat_s = 0 never repeats', () => {
    const t = new RepeatTable(0);
    t.opened('outage:1', 'outage.opened', {}, undefined, 0, 100);
    expect(t.size).toBe(0);
    expect(t.nextAt()).toBeNull();
  });

  it('repeats on the grid of the first send, with the latest data, until closed', () => {
    const t = new RepeatTable(60);
    t.opened('outage:1', 'outage.opened', { v: 1 }, 'custom', 40, 100);
    t.opened('outage:1', 'outage.opened', { v: 9 }, undefined, 40, 130); // a second open keeps the first cycle
    expect(t.nextAt()).toBe(160);
    expect(t.takeDue(159)).toEqual([]);
    t.update('outage:1', { v: 2 });
    const [due] = t.takeDue(160);
    expect(due).toMatchObject({ key: 'outage:1', event: 'outage.opened', data: { v: 2 }, text: 'custom', since: 40, count: 1, nextAt: 220 });
    // A late wake (clock jumped) skips the missed points instead of sending a burst.
    expect(t.takeDue(400).map((c) => [c.count, c.nextAt])).toEqual([[2, 460]]);
    expect(t.closed('outage:1')).toBe(true);
    expect(t.closed('outage:1')).toBe(false);
    expect(t.nextAt()).toBeNull();
  });

  it('nextAt is the earliest of several conditions', () => {
    const t = new RepeatTable(60);
    t.opened('device:a', 'device.lost', {}, undefined, 0, 100);
    t.opened('device:b', 'device.lost', {}, undefined, 0, 70);
    expect(t.nextAt()).toBe(130);
    expect(t.takeDue(130).map((c) => c.key)).toEqual(['device:b']);
    expect(t.size).toBe(2);
  });
});
