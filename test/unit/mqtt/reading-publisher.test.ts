import { describe, expect, it } from 'vitest';
import type { PduSnapshot } from '../../../src/core/types.js';
import { CPS_MIB_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { hold, ReadingPublisher } from '../../../src/mqtt/reading-publisher.js';

function snap(over: (s: PduSnapshot) => void = () => {}): PduSnapshot {
  const s: PduSnapshot = {
    device_id: 'd', ts: 1, capabilities: ['outlet_metering', 'bank_energy'], source_voltage_scale: null, errors: [],
    identity: {} as PduSnapshot['identity'],
    input: { voltage: 120.1, frequency: 60 },
    banks: { 1: { current: 5, voltage: 120, power: 600, apparent_power: 620, power_factor: 0.97, energy: 10.5, load_state: 'normal', energy_start: null } },
    totals: { load: 5, power: 600, energy: 10.5 },
    outlets: {
      1: { name: 'NAS', name_override: null, state: 'on', pending: false, bank: 1, max_load: 12, current: 1, power: 100, energy: 1 },
      2: { name: 'Fan', name_override: null, state: 'off', pending: false, bank: 1, max_load: 12, current: 0, power: 0, energy: 2 },
    },
    ats: null, sources: null, coldstart: null, environment: null,
    transport: { state: 'healthy', consecutive_failures: 0, last_success_ts: 1, last_error: null, poll_ms: 5 },
  };
  over(s);
  return s;
}

function setup() {
  let now = 0;
  const sent: Array<[string, string]> = [];
  const p = new ReadingPublisher((t, payload, o) => {
    expect(o.retain).toBe(true);
    sent.push([t, payload]);
  }, 'pdu', 60_000, () => now);
  return { p, sent, tick: (ms: number) => (now += ms) };
}

describe('ReadingPublisher: compiled slots, change + heartbeat (SPEC §9.1)', () => {
  it('first poll publishes every present reading, formatted; the next only what changed', () => {
    const { p, sent, tick } = setup();
    const n = p.update(snap(), CPS_MIB_PROFILE, 'L');
    expect(n).toBe(sent.length);
    const m = new Map(sent);
    expect(m.get('pdu/d/input/voltage')).toBe('120.1');
    expect(m.get('pdu/d/bank/1/power_factor')).toBe('0.97');
    expect(m.get('pdu/d/outlet/2/state')).toBe('off');
    expect(m.get('pdu/d/total/energy')).toBe('10.500');
    sent.length = 0;
    tick(1000);
    expect(p.update(snap((s) => (s.input.voltage = 119.8)), CPS_MIB_PROFILE, 'L')).toBe(1);
    expect(sent).toEqual([['pdu/d/input/voltage', '119.8']]);
  });

  it('a raw change that formats the same is not re-sent; everything again after the heartbeat or resync', () => {
    const { p, sent, tick } = setup();
    p.update(snap(), CPS_MIB_PROFILE, 'L');
    sent.length = 0;
    expect(p.update(snap((s) => (s.input.voltage = 120.1000001)), CPS_MIB_PROFILE, 'L')).toBe(0);
    tick(60_000);
    const all = p.update(snap(), CPS_MIB_PROFILE, 'L');
    expect(all).toBeGreaterThan(20);
    p.resync();
    expect(p.update(snap(), CPS_MIB_PROFILE, 'L')).toBe(all);
  });

  it('a value missing from one poll is skipped, not cleared; a layout change clears vanished topics', () => {
    const { p, sent } = setup();
    p.update(snap(), CPS_MIB_PROFILE, 'L1');
    p.update(snap((s) => (s.outlets[2]!.power = null)), CPS_MIB_PROFILE, 'L1');
    expect(sent.filter(([, v]) => v === '')).toEqual([]);
    p.update(snap((s) => delete s.outlets[2]), CPS_MIB_PROFILE, 'L2');
    const cleared = sent.filter(([, v]) => v === '').map(([t]) => t);
    expect(cleared).toEqual(expect.arrayContaining(['pdu/d/outlet/2/state', 'pdu/d/outlet/2/power', 'pdu/d/outlet/2/name']));
    expect(cleared.every((t) => t.startsWith('pdu/d/outlet/2/'))).toBe(true);
  });

  it('set() publishes a read-back value at once and the next poll does not repeat it', () => {
    const { p, sent } = setup();
    p.update(snap(), CPS_MIB_PROFILE, 'L');
    p.set('d', 'outlet/1/state', 'off');
    sent.length = 0;
    p.update(snap((s) => (s.outlets[1]!.state = 'off')), CPS_MIB_PROFILE, 'L');
    expect(sent.filter(([t]) => t === 'pdu/d/outlet/1/state')).toEqual([]);
  });

  it('removeDevice clears every reading topic it published', () => {
    const { p, sent } = setup();
    const n = p.update(snap(), CPS_MIB_PROFILE, 'L');
    sent.length = 0;
    p.removeDevice('d');
    expect(sent.length).toBe(n);
    expect(sent.every(([, v]) => v === '')).toBe(true);
  });

  it('energy never decreases for HA total_increasing, except a real reset', () => {
    const { p, sent } = setup();
    p.update(snap(), CPS_MIB_PROFILE, 'L');
    sent.length = 0;
    p.update(snap((s) => (s.banks[1]!.energy = 10.4)), CPS_MIB_PROFILE, 'L');
    expect(sent.filter(([t]) => t === 'pdu/d/bank/1/energy')).toEqual([]);
    p.update(snap((s) => (s.banks[1]!.energy = 0)), CPS_MIB_PROFILE, 'L');
    expect(sent.filter(([t]) => t === 'pdu/d/bank/1/energy')).toEqual([['pdu/d/bank/1/energy', '0.0']]);
  });

  it.each([
    [10, 10.1, 10.1],
    [10.1, 10, 10.1],
    [10.1, 0, 0],
    [100, 40, 40],
    [null, 5, 5],
    ['x', 5, 5],
  ])('hold(%j, %j) = %j', (prev, next, expected) => {
    expect(hold(prev, next)).toBe(expected);
  });
});
