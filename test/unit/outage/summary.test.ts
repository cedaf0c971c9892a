// The one-line outage summary of webhooks (SPEC §11.8).
import { describe, expect, it } from 'vitest';
import { formatDuration, outageText } from '../../../src/outage/summary.js';
import type { OutageRecord } from '../../../src/core/power.js';

// 01:13 UTC on 15 January = 02:13 in Berlin (CET, UTC+1).
const WINTER = Date.UTC(2026, 0, 15, 1, 13) / 1000;
// 00:13 UTC on 1 July = 02:13 in Berlin (CEST, UTC+2).
const SUMMER = Date.UTC(2026, 6, 1, 0, 13) / 1000;

function rec(over: Partial<OutageRecord>): OutageRecord {
  return {
    id: 1, kind: 'power', started_at: WINTER, ended_at: WINTER + 28 * 60, duration_seconds: 28 * 60, is_ongoing: false, cause: 'utility_source_lost',
    scope: 'source_a', confidence: 'medium', switches_affected: [], outlets_shed: {}, evidence: {}, ...over,
  };
}

describe('outage text (SPEC §11.8)', () => {
  it.each([
    ['closed, with outlets shed', rec({ outlets_shed: { 'pdu-1': [5, 3] } }), 'Europe/Berlin', undefined, undefined, 'mains out 02:13–02:41 (28 min), source A, outlets shed: 3, 5'],
    ['the zone decides the clock time', rec({}), 'UTC', undefined, undefined, 'mains out 01:13–01:41 (28 min), source A'],
    ['summer time', rec({ started_at: SUMMER, ended_at: SUMMER + 125 * 60 }), 'Europe/Berlin', undefined, undefined, 'mains out 02:13–04:18 (2 h 05 min), source A'],
    ['ongoing, with now', rec({ ended_at: null, is_ongoing: true, scope: 'site' }), 'Europe/Berlin', undefined, WINTER + 12 * 60, 'mains out since 02:13 (12 min so far), whole site'],
    ['ongoing, without now', rec({ ended_at: null, is_ongoing: true, scope: 'partial' }), 'Europe/Berlin', undefined, undefined, 'mains out since 02:13, partial'],
    ['low confidence (a PDU reboot alone)', rec({ scope: 'site', confidence: 'low', ended_at: WINTER + 45 }), 'Europe/Berlin', undefined, undefined, 'mains out 02:13–02:13 (45 s), whole site, low confidence'],
    ['outlets shed given by the caller, two PDUs', rec({ scope: 'source_b' }), 'Europe/Berlin', { 'pdu-1': [5, 3], 'pdu-2': [1], 'pdu-3': [] }, undefined, 'mains out 02:13–02:41 (28 min), source B, outlets shed: pdu-1 3, 5; pdu-2 1'],
    ['network fault', rec({ kind: 'network', scope: null, confidence: null, cause: null }), 'Europe/Berlin', undefined, undefined, 'network fault 02:13–02:41 (28 min): control targets silent'],
    ['an unknown zone falls back to UTC', rec({}), 'Mars/Olympus_Mons', undefined, undefined, 'mains out 01:13–01:41 (28 min), source A'],
  ] as const)('%s', (_name, r, tz, shed, now, text) => {
    expect(outageText(r, tz, shed, now)).toBe(text);
  });

  it.each([
    [0, '0 s'], [45, '45 s'], [59.9, '59 s'], [60, '1 min'], [28 * 60 + 59, '28 min'], [3600, '1 h 00 min'], [7500, '2 h 05 min'],
    [3 * 86400 + 4 * 3600 + 59 * 60, '3 d 4 h'], [-5, '0 s'],
  ] as const)('duration %s s = %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
