import { describe, expect, it } from 'vitest';
import type { PduSnapshot } from '../../../src/core/types.js';
import { deriveEvents } from '../../../src/devices/pdu/events.js';

function snap(over: (s: PduSnapshot) => void = () => {}): PduSnapshot {
  const s: PduSnapshot = {
    device_id: 'p', ts: 1, capabilities: ['ats', 'sources'], source_voltage_scale: 1, errors: [],
    identity: {} as PduSnapshot['identity'],
    input: { voltage: 120, frequency: 60 },
    banks: { 1: { current: 5, voltage: 120, power: 600, apparent_power: 620, power_factor: 0.97, energy: 1, load_state: 'normal', energy_start: null } },
    totals: { load: 5, power: 600, energy: 1 },
    outlets: { 1: { name: 'NAS', name_override: null, state: 'on', pending: false, bank: 1, max_load: 12, current: 1, power: 100, energy: 1 } },
    ats: { current_source: 'A', preferred_source: 'A', auto_transfer: null, redundancy: 'ok' },
    sources: { a: { voltage: 120, frequency: 60, status: 'normal' }, b: { voltage: 121, frequency: 60, status: 'normal' } },
    coldstart: null, environment: null,
    transport: { state: 'healthy', consecutive_failures: 0, last_success_ts: 1, last_error: null, poll_ms: 5 },
  };
  over(s);
  return s;
}

describe('events derived from consecutive snapshots (SPEC §9.2 event)', () => {
  it.each([
    ['nothing changed', () => {}, []],
    ['ATS transfer', (s: PduSnapshot) => (s.ats!.current_source = 'B'), ['ats_transfer']],
    ['redundancy lost', (s: PduSnapshot) => (s.ats!.redundancy = 'lost'), ['redundancy_lost']],
    ['source A fails and the ATS moves', (s: PduSnapshot) => {
      s.sources!.a = { voltage: 0, frequency: 0, status: 'underVoltage' };
      s.ats = { ...s.ats!, current_source: 'B', redundancy: 'lost' };
    }, ['ats_transfer', 'redundancy_lost', 'power_loss']],
    ['outlet switched off', (s: PduSnapshot) => (s.outlets[1]!.state = 'off'), ['outlet_change']],
    ['outlet state unknown is not a change', (s: PduSnapshot) => (s.outlets[1]!.state = 'unknown'), []],
    ['bank near overload', (s: PduSnapshot) => (s.banks[1]!.load_state = 'nearOverload'), ['load_warning']],
    ['bank low (not a warning)', (s: PduSnapshot) => (s.banks[1]!.load_state = 'low'), []],
    ['a value that only moves (voltage) is not an event', (s: PduSnapshot) => (s.input.voltage = 118.2), []],
  ])('%s', (_name, change, types) => {
    expect(deriveEvents(snap(), snap(change)).map((e) => e.type)).toEqual(types);
  });

  it('recoveries: power_restore, redundancy_ok, load_normal', () => {
    const bad = snap((s) => {
      s.sources!.b = { voltage: 0, frequency: 0, status: 'underVoltage' };
      s.ats!.redundancy = 'lost';
      s.banks[1]!.load_state = 'overload';
    });
    const events = deriveEvents(bad, snap());
    expect(events.map((e) => e.type)).toEqual(['redundancy_ok', 'power_restore', 'load_normal']);
    expect(events[1]!.data).toEqual({ source: 'B', voltage: 121 });
  });

  it('the first snapshot has nothing to compare with', () => {
    expect(deriveEvents(null, snap())).toEqual([]);
  });

  it('event data names what changed', () => {
    const [e] = deriveEvents(snap(), snap((s) => (s.outlets[1]!.state = 'off')));
    expect(e).toMatchObject({ details: 'outlet 1 (NAS) on → off', data: { outlet: 1, from: 'on', to: 'off' } });
  });
});
