import { P2mError } from '../core/errors.js';
import type { RuleStore } from '../core/ports.js';
import type { AutomationEvent, RuleCounters } from '../core/rules.js';
import { stmt as prepared } from './db.js';
import { insertEvent, listEvents, type EventKind, type EventRecord } from './events.js';
import type { DbHandle } from './handle.js';

// Rule counters (SPEC §12.5, table rule_stats, migration 4) and automation events (`events`,
// kind `automation`) behind the RuleStore port, plus the reader of `GET /api/events` (§14.2).
// The connection is taken from the handle at every call: the handle may reopen it.

/** Longest stored texts: the events helper refuses longer ones, and a reload_failed event listing
 *  every issue of a large file must still be stored (cut) rather than lost. */
const MAX_DETAILS = 4096;
const MAX_SOURCE = 255;
const MAX_ERROR = 1000;

export interface EventListQuery {
  /** One device's events only (bridge-wide events, device_id null, are then left out). */
  deviceId?: string;
  /** 1..1000. */
  limit: number;
  kind?: string;
  type?: string;
  /** Epoch seconds, inclusive. */
  since?: number;
}

const key = (rule: string, deviceId: string): string => `${rule}\u0000${deviceId}`;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function invalid(field: string, message: string): never {
  throw new P2mError('P2M_ERR_VALIDATION', `${field} ${message}`, field);
}

export class RuleHistoryStore implements RuleStore {
  constructor(private readonly handle: DbHandle) {}

  private get db() {
    return this.handle.db;
  }

  loadCounters(): Map<string, RuleCounters> {
    const rows = prepared(this.db, 'SELECT rule, device_id, execution_count, last_execution, last_error FROM rule_stats').all() as Array<
      RuleCounters & { rule: string; device_id: string }
    >;
    return new Map(rows.map((r) => [key(r.rule, r.device_id), { execution_count: r.execution_count, last_execution: r.last_execution, last_error: r.last_error }]));
  }

  saveCounters(rule: string, deviceId: string, c: RuleCounters): void {
    if (typeof rule !== 'string' || rule.length === 0) invalid('rule', 'must be a non-empty rule name');
    // '' is allowed: a rule whose device is not known yet still counts its (failed) attempts.
    if (typeof deviceId !== 'string') invalid('device_id', 'must be a string');
    if (!Number.isInteger(c.execution_count) || c.execution_count < 0) invalid('execution_count', `must be an integer ≥ 0 (got ${String(c.execution_count)})`);
    if (c.last_execution !== null && !Number.isFinite(c.last_execution)) invalid('last_execution', 'must be epoch seconds or null');
    const error = c.last_error === null ? null : cut(String(c.last_error), MAX_ERROR);
    prepared(
      this.db,
      `INSERT INTO rule_stats (rule, device_id, execution_count, last_execution, last_error) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (rule, device_id) DO UPDATE SET execution_count = excluded.execution_count,
         last_execution = excluded.last_execution, last_error = excluded.last_error`,
    ).run(rule, deviceId, c.execution_count, c.last_execution, error);
  }

  /** Every device's counters of the rule (exact name, as the engine keys them). */
  deleteCounters(rule: string): void {
    prepared(this.db, 'DELETE FROM rule_stats WHERE rule = ?').run(rule);
  }

  addAutomationEvent(e: AutomationEvent): void {
    insertEvent(this.db, {
      ts: e.ts,
      device_id: e.device_id === '' ? null : e.device_id,
      kind: 'automation',
      type: e.type,
      // A file-wide event (reload_failed of an unparsable file) has no rule.
      source: cut(e.rule === null ? 'rules' : `rule:${e.rule}`, MAX_SOURCE),
      details: cut(e.details, MAX_DETAILS),
      data: e.data ?? null,
    });
  }

  /** Events of every kind, newest first (`GET /api/events`). Bad filters throw P2M_ERR_VALIDATION. */
  listEvents(q: EventListQuery): EventRecord[] {
    return listEvents(this.db, {
      limit: q.limit,
      ...(q.deviceId !== undefined ? { device_id: q.deviceId } : {}),
      // events.ts checks the kind against EVENT_KINDS and names the field when it is unknown.
      ...(q.kind !== undefined ? { kind: q.kind as EventKind } : {}),
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
    });
  }
}
