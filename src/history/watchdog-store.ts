import { P2mError } from '../core/errors.js';
import type { StoredWatchdogState, WatchdogStore } from '../core/ports.js';
import { WATCHDOG_STATES, watchdogEventRow, type Watchdog, type WatchdogBusEvent, type WatchdogMemory, type WatchdogState } from '../core/watchdog.js';
import { stmt as prepared } from './db.js';
import { insertEvent } from './events.js';
import type { DbHandle } from './handle.js';

// Watchdog state (SPEC §12.7, table watchdog_state, migration 6), runtime watchdogs
// (watchdogs_runtime) and watchdog events (`events`, kind automation, source `watchdog:<name>`)
// behind the WatchdogStore port. Used by the service and by the CLI (another process): a CLI
// reset bumps reset_seq, which the service reads at its next check.

const MAX_DETAILS = 4096;

interface Row {
  name: string;
  state: string;
  reason: string | null;
  failing_since: number | null;
  boot_until: number | null;
  cycle_times: string;
  last_cycle_at: number | null;
  last_result: string | null;
  last_check_at: number | null;
  reset_seq: number;
}

function invalid(field: string, message: string): never {
  throw new P2mError('P2M_ERR_VALIDATION', `${field} ${message}`, field);
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) invalid('name', 'must be a watchdog name of 1 to 64 characters');
  return name;
}

function times(text: string): number[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : [];
  } catch {
    return [];
  }
}

function toState(r: Row): StoredWatchdogState {
  const state = (WATCHDOG_STATES as readonly string[]).includes(r.state) ? (r.state as WatchdogState) : 'ok';
  return {
    state, reason: r.reason, failing_since: r.failing_since, boot_until: r.boot_until, cycle_times: times(r.cycle_times),
    last_cycle_at: r.last_cycle_at, last_result: r.last_result === 'up' || r.last_result === 'down' ? r.last_result : null,
    last_check_at: r.last_check_at, reset_seq: r.reset_seq,
  };
}

export class WatchdogSqlStore implements WatchdogStore {
  constructor(private readonly handle: DbHandle) {}

  private get db() {
    return this.handle.db;
  }

  loadStates(): Map<string, StoredWatchdogState> {
    const rows = prepared(this.db, 'SELECT * FROM watchdog_state').all() as Row[];
    return new Map(rows.map((r) => [r.name, toState(r)]));
  }

  saveState(name: string, m: WatchdogMemory, now: number): void {
    if (!(WATCHDOG_STATES as readonly string[]).includes(m.state)) invalid('state', `must be one of ${WATCHDOG_STATES.join(', ')}`);
    prepared(
      this.db,
      `INSERT INTO watchdog_state (name, state, reason, failing_since, boot_until, cycle_times, last_cycle_at, last_result, last_check_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET state = excluded.state, reason = excluded.reason, failing_since = excluded.failing_since,
         boot_until = excluded.boot_until, cycle_times = excluded.cycle_times, last_cycle_at = excluded.last_cycle_at,
         last_result = excluded.last_result, last_check_at = excluded.last_check_at, updated_at = excluded.updated_at`,
    ).run(
      checkName(name), m.state, m.reason, m.failing_since, m.boot_until, JSON.stringify(m.cycle_times), m.last_cycle_at, m.last_result,
      m.last_check_at, now,
    );
  }

  resetSeq(name: string): number {
    const r = prepared(this.db, 'SELECT reset_seq FROM watchdog_state WHERE name = ?').get(name) as { reset_seq: number } | undefined;
    return r?.reset_seq ?? 0;
  }

  requestReset(name: string, now: number): void {
    prepared(
      this.db,
      `INSERT INTO watchdog_state (name, state, cycle_times, reset_seq, updated_at) VALUES (?, 'ok', '[]', 1, ?)
       ON CONFLICT (name) DO UPDATE SET reset_seq = reset_seq + 1, updated_at = excluded.updated_at,
         state = CASE WHEN state = 'cycling' THEN state ELSE 'ok' END, reason = CASE WHEN state = 'cycling' THEN reason ELSE NULL END,
         cycle_times = '[]', failing_since = NULL, boot_until = CASE WHEN state = 'cycling' THEN boot_until ELSE NULL END`,
    ).run(checkName(name), now);
  }

  deleteState(name: string): void {
    prepared(this.db, 'DELETE FROM watchdog_state WHERE name = ?').run(name);
  }

  runtimeWatchdogs(): unknown[] {
    const rows = prepared(this.db, 'SELECT spec FROM watchdogs_runtime ORDER BY created_at, name').all() as Array<{ spec: string }>;
    return rows.map((r) => {
      try {
        return JSON.parse(r.spec) as unknown;
      } catch {
        return r.spec; // hand-edited: reported by the loader, not lost
      }
    });
  }

  saveRuntimeWatchdog(w: Watchdog, now: number): void {
    prepared(
      this.db,
      `INSERT INTO watchdogs_runtime (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`,
    ).run(checkName(w.name), JSON.stringify(w), Math.floor(now), Math.floor(now));
  }

  deleteRuntimeWatchdog(name: string): void {
    prepared(this.db, 'DELETE FROM watchdogs_runtime WHERE name = ?').run(name);
  }

  addWatchdogEvent(e: WatchdogBusEvent): void {
    const row = watchdogEventRow(e);
    insertEvent(this.db, {
      ts: e.ts, device_id: e.device_id === '' ? null : e.device_id, kind: 'automation', type: row.type, source: row.source,
      details: row.details.length > MAX_DETAILS ? `${row.details.slice(0, MAX_DETAILS - 1)}…` : row.details, data: row.data,
    });
  }
}
