// `pdu_power_lost` of one PDU poll (SPEC §11.3) and "lost both sources" (scope site, §11.4).
import { describe, expect, it } from 'vitest';
import { pduBothSourcesLost, pduSourceLost, type PduPollEvidence, type SourceEvidence } from '../../../src/outage/evidence.js';

const ok: SourceEvidence = { voltage: 230, status: 'normal' };
const cfg = { source_lost_voltage: 80 };

function poll(over: Partial<PduPollEvidence>): PduPollEvidence {
  return {
    device_id: 'pdu-1', ts: 1, ok: true, utility_source: 'A', source_a: ok, source_b: ok, current_source: 'A', redundancy: 'ok', input_voltage: 230,
    reboot: null, ...over,
  };
}

const rows: Array<[string, Partial<PduPollEvidence>, boolean, boolean]> = [
  ['all normal', {}, false, false],
  ['utility source under-voltage status', { source_a: { voltage: 200, status: 'underVoltage' } }, true, false],
  ['utility source over-voltage status', { source_a: { voltage: 260, status: 'overVoltage' } }, true, false],
  ['utility voltage under source_lost_voltage, no status', { source_a: { voltage: 50, status: null } }, true, false],
  ['utility voltage exactly source_lost_voltage', { source_a: { voltage: 80, status: null } }, false, false],
  ['utility source unknown (null readings)', { source_a: { voltage: null, status: null } }, false, false],
  ['the other source lost (B) while on A', { source_b: { voltage: 0, status: 'underVoltage' }, redundancy: 'lost' }, false, false],
  ['transferred away from the utility while redundancy is lost', { current_source: 'B', redundancy: 'lost' }, true, false],
  ['transferred away with redundancy ok (a manual transfer)', { current_source: 'B', redundancy: 'ok' }, false, false],
  ['utility B, source B lost', { utility_source: 'B', source_b: { voltage: 0, status: 'underVoltage' } }, true, false],
  ['both sources lost', { source_a: { voltage: 0, status: 'underVoltage' }, source_b: { voltage: 0, status: 'underVoltage' } }, true, true],
  ['no utility source declared, source A lost: not a signal', { utility_source: null, source_a: { voltage: 0, status: 'underVoltage' } }, false, false],
  ['no utility source declared, input 0 V', { utility_source: null, source_a: null, source_b: null, input_voltage: 0 }, true, true],
  ['no utility source declared, input 0.4 V (noise over a dead input)', { utility_source: null, input_voltage: 0.4 }, true, true],
  ['no utility source declared, input unknown', { utility_source: null, input_voltage: null }, false, false],
  ['a failed poll proves nothing', { ok: false, source_a: { voltage: 0, status: 'underVoltage' }, input_voltage: 0 }, false, false],
];

describe('PDU evidence', () => {
  it.each(rows)('%s', (_name, over, lost, both) => {
    expect(pduSourceLost(poll(over), cfg)).toBe(lost);
    expect(pduBothSourcesLost(poll(over), cfg)).toBe(both);
  });
});
