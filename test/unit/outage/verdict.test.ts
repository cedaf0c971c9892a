// The verdict table of SPEC §11.3: first matching row wins.
import { describe, expect, it } from 'vitest';
import { verdict } from '../../../src/outage/verdict.js';
import type { ProbeCycleEvidence } from '../../../src/outage/evidence.js';
import type { Verdict } from '../../../src/core/power.js';

function cycle(sensors: string, controls = ''): ProbeCycleEvidence {
  return {
    ts: 1000,
    sensors: [...sensors].map((c, i) => ({ id: i + 1, result: c === 'D' ? 'down' : 'up' })),
    controls: [...controls].map((c, i) => ({ id: 101 + i, result: c === 'D' ? 'down' : 'up' })),
  };
}

// [row, sensors, controls, pdu_power_lost, PDU reboot, min_switches, threshold, verdict, quorum, control_ok]
const rows: Array<[string, string, string, boolean, boolean, number, number, Verdict, boolean, boolean]> = [
  ['all sensors up', 'UUUU', 'U', false, false, 1, 0.5, 'normal', false, true],
  ['exactly one down, others up: device_down', 'UDUU', '', false, false, 1, 0.5, 'device_down', false, true],
  ['one of two down: device_down wins over the quorum row', 'UD', '', false, false, 1, 0.5, 'device_down', true, true],
  ['one down but the PDU lost its source: outage', 'UDUU', '', true, false, 1, 0.5, 'outage', false, true],
  ['one down during a PDU reboot: not device_down', 'UDUU', '', false, true, 1, 0.5, 'normal', false, true],
  ['one of two down during a PDU reboot: quorum', 'UD', '', false, true, 1, 0.5, 'outage', true, true],
  ['half down is a quorum (>=)', 'DDUU', '', false, false, 1, 0.5, 'outage', true, true],
  ['under half down', 'DDUUU', '', false, false, 1, 0.5, 'normal', false, true],
  ['quorum with every control silent: network_fault', 'DDD', 'D', false, false, 1, 0.5, 'network_fault', true, false],
  ['one control answering is enough', 'DDD', 'DU', false, false, 1, 0.5, 'outage', true, true],
  ['pdu_power_lost beats silent controls', 'DDD', 'D', true, false, 1, 0.5, 'outage', true, false],
  ['no sensor at all: no quorum (PowerMon declared one)', '', '', false, false, 1, 0.5, 'normal', false, true],
  ['no sensor and min_switches 0: still no quorum', '', '', false, false, 0, 0.5, 'normal', false, true],
  ['no sensor, silent controls: normal', '', 'D', false, false, 1, 0.5, 'normal', false, false],
  ['no sensor but pdu_power_lost: outage', '', '', true, false, 1, 0.5, 'outage', false, true],
  ['fewer than min_switches: no switch verdict', 'DD', '', false, false, 3, 0.5, 'normal', false, true],
  ['fewer than min_switches, one down: no device_down', 'UD', '', false, false, 3, 0.5, 'normal', false, true],
  ['a single sensor, down', 'D', '', false, false, 1, 0.5, 'outage', true, true],
  ['threshold 1: three of four is not enough', 'DDDU', '', false, false, 1, 1, 'normal', false, true],
  ['threshold 1: all down', 'DDDD', '', false, false, 1, 1, 'outage', true, true],
];

describe('verdict table (SPEC §11.3)', () => {
  it.each(rows)('%s', (_row, sensors, controls, pduLost, reboot, minSwitches, threshold, v, quorum, controlOk) => {
    const r = verdict(cycle(sensors, controls), pduLost, reboot, { threshold, min_switches: minSwitches });
    expect({ verdict: r.verdict, quorum: r.quorum, control_ok: r.control_ok }).toEqual({ verdict: v, quorum, control_ok: controlOk });
    expect(r.n).toBe(sensors.length);
    expect(r.up + r.down).toBe(r.n);
  });

  it('lists the silent sensors in input order, with string ids for device sensors', () => {
    const r = verdict(
      { ts: 1, sensors: [{ id: 3, result: 'down' }, { id: 'plug-1', result: 'down' }, { id: 1, result: 'up' }], controls: [] },
      false, false, { threshold: 0.5, min_switches: 1 },
    );
    expect(r).toMatchObject({ n: 3, up: 1, down: 2, down_ids: [3, 'plug-1'], verdict: 'outage' });
  });
});
