import { describe, expect, it } from 'vitest';
import { StatePublisher } from '../../../src/mqtt/publisher.js';
import type { StateMessage } from '../../../src/mqtt/state.js';

const msg = (sub: string, payload: string, heartbeatS?: number): StateMessage => ({ sub, payload, changeKey: payload, ...(heartbeatS ? { heartbeatS } : {}) });

function setup() {
  let now = 0;
  const sent: Array<[string, string]> = [];
  const p = new StatePublisher((t, payload, o) => {
    expect(o.retain).toBe(true);
    sent.push([t, payload]);
  }, 'pdu', 60_000, () => now);
  return { p, sent, tick: (ms: number) => (now += ms) };
}

describe('retained state on change + heartbeat (SPEC §9.1)', () => {
  it('publishes only what changed, then everything after the heartbeat', () => {
    const { p, sent, tick } = setup();
    expect(p.update('d', [msg('input/voltage', '120.1'), msg('outlet/1/state', 'on')], 'L')).toBe(2);
    tick(1000);
    expect(p.update('d', [msg('input/voltage', '120.1'), msg('outlet/1/state', 'off')], 'L')).toBe(1);
    expect(sent.at(-1)).toEqual(['pdu/d/outlet/1/state', 'off']);
    tick(59_000);
    expect(p.update('d', [msg('input/voltage', '120.1'), msg('outlet/1/state', 'off')], 'L')).toBe(1); // voltage heartbeat due
    expect(sent.at(-1)).toEqual(['pdu/d/input/voltage', '120.1']);
  });

  it('per-message heartbeat (device summary every 300 s)', () => {
    const { p, tick } = setup();
    p.update('d', [msg('device', '{}', 300)], 'L');
    tick(120_000);
    expect(p.update('d', [msg('device', '{}', 300)], 'L')).toBe(0);
    tick(180_000);
    expect(p.update('d', [msg('device', '{}', 300)], 'L')).toBe(1);
  });

  it('resync republishes everything (broker reconnect)', () => {
    const { p } = setup();
    p.update('d', [msg('a', '1'), msg('b', '2')], 'L');
    p.resync();
    expect(p.update('d', [msg('a', '1'), msg('b', '2')], 'L')).toBe(2);
  });

  it('a missing value in one poll does not clear its topic; a layout change does', () => {
    const { p, sent } = setup();
    p.update('d', [msg('a', '1'), msg('outlet/9/state', 'on')], 'L1');
    p.update('d', [msg('a', '1')], 'L1');
    expect(sent.filter(([, v]) => v === '')).toEqual([]);
    p.update('d', [msg('a', '1')], 'L2');
    expect(sent.filter(([, v]) => v === '')).toEqual([['pdu/d/outlet/9/state', '']]);
  });

  it('removeDevice clears every retained topic it published', () => {
    const { p, sent } = setup();
    p.update('d', [msg('a', '1'), msg('b', '2')], 'L');
    p.removeDevice('d');
    expect(sent.filter(([, v]) => v === '').map(([t]) => t).sort()).toEqual(['pdu/d/a', 'pdu/d/b']);
  });
});
