// Power statistics over a window (SPEC §11.7).
import { describe, expect, it } from 'vitest';
import { powerStatistics } from '../../../src/outage/statistics.js';
import type { OutageRecord, SwitchTarget } from '../../../src/core/power.js';

const NOW = 1_750_000_000;

function outage(kind: OutageRecord['kind'], start: number, end: number | null, id = 1): OutageRecord {
  return {
    id, kind, started_at: NOW + start, ended_at: end === null ? null : NOW + end, duration_seconds: end === null ? null : end - start,
    is_ongoing: end === null, cause: 'switch_quorum', scope: 'site', confidence: 'medium', switches_affected: [], outlets_shed: {}, evidence: {},
  };
}

function target(id: number, active: boolean): SwitchTarget {
  return { id, name: `sw${id}`, url: `http://10.0.0.${id}/`, ip: `10.0.0.${id}`, role: 'sensor', active, group: '', source: 'config', created_at: 0, updated_at: 0 };
}

describe('power statistics (SPEC §11.7)', () => {
  const outages = [
    outage('power', -3600, -1800, 1), // 1800 s
    outage('power', -600, null, 2), // ongoing: counts up to now, 600 s
    outage('network', -7200, -7000, 3), // a network fault is not a power cut
    outage('power', -90_000, -86_000, 4), // straddles the window start: 400 s inside
    outage('power', -200_000, -199_000, 5), // before the window
    outage('power', -3000, -2500, 6), // inside #1: 500 s, but no second counted in uptime
  ];
  const s = powerStatistics({
    hours: 24, now: NOW, outages, switches: [target(1, true), target(2, true), target(3, false)],
    checkStats: [
      { switch_id: 1, up: 95, down: 5, avg_response_time_ms: 12.5, last_check_at: NOW - 5 },
      { switch_id: 2, up: 1, down: 2, avg_response_time_ms: null, last_check_at: NOW - 10 },
    ],
  });

  it('uptime = window minus the union of power outages inside it, 3 decimals', () => {
    // (86400 − (1800 + 600 + 400)) / 86400
    expect(s.uptime_percentage).toBe(96.759);
    expect(s.window_hours).toBe(24);
  });

  it('counts power outages overlapping the window, each clipped to it', () => {
    expect(s.total_outages).toBe(4);
    expect(s.total_outage_seconds).toBe(3300);
    expect(s.average_outage_seconds).toBe(825);
    expect(s.longest_outage_seconds).toBe(1800);
    expect(s.ongoing_outage?.id).toBe(2);
  });

  it('per switch: uptime from its checks, null without checks', () => {
    expect(s.total_switches).toBe(3);
    expect(s.active_switches).toBe(2);
    expect(s.switches).toEqual([
      { id: 1, name: 'sw1', uptime_percentage: 95, checks: 100, avg_response_time_ms: 12.5, last_check_at: NOW - 5 },
      { id: 2, name: 'sw2', uptime_percentage: 33.333, checks: 3, avg_response_time_ms: null, last_check_at: NOW - 10 },
      { id: 3, name: 'sw3', uptime_percentage: null, checks: 0, avg_response_time_ms: null, last_check_at: null },
    ]);
  });

  it('no outage: 100 %, zeros, nothing ongoing', () => {
    const e = powerStatistics({ hours: 720, now: NOW, outages: [], switches: [], checkStats: [] });
    expect(e).toMatchObject({ uptime_percentage: 100, total_outages: 0, total_outage_seconds: 0, average_outage_seconds: 0, longest_outage_seconds: 0, ongoing_outage: null });
  });

  it('an outage covering the whole window: 0 %', () => {
    const e = powerStatistics({ hours: 1, now: NOW, outages: [outage('power', -7200, null)], switches: [], checkStats: [] });
    expect(e.uptime_percentage).toBe(0);
    expect(e.longest_outage_seconds).toBe(3600);
  });
});
