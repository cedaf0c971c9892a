// Power statistics over a window (SPEC §11.7, `/api/statistics`). Pure.
//
// Decisions: only `power` records count (a network fault is not a power cut); an ongoing outage
// counts up to `now`; each outage counts only its part inside the window (the numbers describe
// the window); uptime subtracts the union of the outages, so two overlapping records never count
// the same second twice; seconds are rounded to whole seconds, percentages to 3 decimals.
import type { OutageRecord, PowerStatistics, SwitchCheckStats, SwitchTarget } from '../core/power.js';

export interface StatisticsInput {
  /** Window length (default 720 in the API). */
  hours: number;
  /** End of the window, epoch seconds. */
  now: number;
  outages: readonly OutageRecord[];
  switches: readonly SwitchTarget[];
  checkStats: readonly SwitchCheckStats[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** [start, end] of each power outage clipped to the window; outages outside it are left out. */
function clipped(outages: readonly OutageRecord[], from: number, now: number): Array<{ o: OutageRecord; start: number; end: number }> {
  const out: Array<{ o: OutageRecord; start: number; end: number }> = [];
  for (const o of outages) {
    if (o.kind !== 'power') continue;
    const end = Math.min(o.ended_at ?? now, now);
    if (end < from || o.started_at > now) continue;
    out.push({ o, start: Math.max(o.started_at, from), end: Math.max(end, Math.max(o.started_at, from)) });
  }
  return out;
}

function unionSeconds(spans: ReadonlyArray<{ start: number; end: number }>): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const s of sorted) {
    if (s.start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s.start;
      curEnd = s.end;
    } else curEnd = Math.max(curEnd, s.end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function powerStatistics(input: StatisticsInput): PowerStatistics {
  const window = Math.max(0, input.hours * 3600);
  const from = input.now - window;
  const spans = clipped(input.outages, from, input.now);
  const down = Math.min(window, unionSeconds(spans));
  const seconds = spans.map((s) => s.end - s.start);
  const total = seconds.reduce((a, b) => a + b, 0);
  let ongoing: OutageRecord | null = null;
  for (const { o } of spans) if (o.is_ongoing && (!ongoing || o.started_at > ongoing.started_at)) ongoing = o;

  const byId = new Map(input.checkStats.map((c) => [c.switch_id, c]));
  return {
    window_hours: input.hours,
    total_switches: input.switches.length,
    active_switches: input.switches.filter((s) => s.active).length,
    uptime_percentage: window > 0 ? round3((100 * (window - down)) / window) : 100,
    total_outages: spans.length,
    total_outage_seconds: Math.round(total),
    average_outage_seconds: spans.length > 0 ? Math.round(total / spans.length) : 0,
    longest_outage_seconds: Math.round(seconds.reduce((a, b) => Math.max(a, b), 0)),
    ongoing_outage: ongoing,
    switches: input.switches.map((s) => {
      const c = byId.get(s.id);
      const checks = c ? c.up + c.down : 0;
      return {
        id: s.id,
        name: s.name,
        uptime_percentage: c && checks > 0 ? round3((100 * c.up) / checks) : null,
        checks,
        avg_response_time_ms: c?.avg_response_time_ms ?? null,
        last_check_at: c?.last_check_at ?? null,
      };
    }),
  };
}
