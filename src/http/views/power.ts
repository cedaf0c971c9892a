import type { z } from 'zod';
import type { OutageRecord, PowerCheck, PowerStatistics, SwitchStatus } from '../../core/power.js';
import type { checkView, lastCheckView, outageView, statisticsView, switchView } from '../schemas.js';

// PowerMon-compatible JSON (SPEC §14.4) from the shared power model. Pure. Times in the model are
// epoch seconds; PowerMon clients read ISO-8601 UTC strings in every `*_at` field (§14.1).

export type SwitchJson = z.output<typeof switchView>;
export type CheckJson = z.output<typeof checkView>;
export type OutageJson = z.output<typeof outageView>;
export type StatisticsJson = z.output<typeof statisticsView>;

/** Epoch seconds → ISO-8601 UTC (a conversion, not a clock read). */
export function isoFromSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString();
}

const isoOrNull = (sec: number | null): string | null => (sec === null ? null : isoFromSeconds(sec));

export function lastCheckJson(c: PowerCheck): z.output<typeof lastCheckView> {
  return {
    result: c.result,
    is_online: c.is_online,
    http_status: c.http_status,
    response_time: c.response_time,
    error_message: c.error_message,
    checked_at: isoFromSeconds(c.checked_at),
  };
}

export function checkJson(c: PowerCheck): CheckJson {
  return { id: c.id, switch_id: c.switch_id, ...lastCheckJson(c) };
}

export function switchJson(s: SwitchStatus): SwitchJson {
  const t = s.target;
  return {
    id: t.id,
    name: t.name,
    ip_address: t.ip,
    url: t.url,
    role: t.role,
    is_active: t.active,
    group: t.group,
    stale: s.stale,
    source: t.source,
    created_at: isoFromSeconds(t.created_at),
    updated_at: isoFromSeconds(t.updated_at),
    last_check: s.last_check ? lastCheckJson(s.last_check) : null,
  };
}

export function outageJson(o: OutageRecord): OutageJson {
  return {
    id: o.id,
    kind: o.kind,
    started_at: isoFromSeconds(o.started_at),
    ended_at: isoOrNull(o.ended_at),
    duration_seconds: o.duration_seconds,
    switches_affected: [...o.switches_affected],
    outlets_shed: o.outlets_shed,
    is_ongoing: o.is_ongoing,
    cause: o.cause,
    scope: o.scope,
    confidence: o.confidence,
    evidence: o.evidence,
  };
}

export function statisticsJson(s: PowerStatistics): StatisticsJson {
  return {
    ...s,
    ongoing_outage: s.ongoing_outage ? outageJson(s.ongoing_outage) : null,
    switches: s.switches.map((w) => ({ ...w, last_check_at: isoOrNull(w.last_check_at) })),
  };
}
