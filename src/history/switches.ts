import { P2mError } from '../core/errors.js';
import type { PowerCheck, ProbeReason, SwitchCheckStats, SwitchTarget } from '../core/power.js';
import { stmt as prepared, type Db } from './db.js';
import { kvGet, kvSet } from './events.js';

const LAST_ID_KEY = 'switches.last_id';

// Switch targets and their checks (SPEC §11.1, §11.2, §13.1 `switches`, `power_checks`).
// Times are integer epoch seconds in the tables; check times keep ms in response_time only.

interface SwitchRow {
  id: number; name: string; url: string; ip: string; role: string; active: number; grp: string; source: string; created_at: number; updated_at: number;
}
const SWITCH_COLS = 'id, name, url, ip, role, active, grp, source, created_at, updated_at';

function toSwitch(r: SwitchRow): SwitchTarget {
  return {
    id: r.id, name: r.name, url: r.url, ip: r.ip, role: r.role === 'control' ? 'control' : 'sensor', active: r.active === 1, group: r.grp,
    source: r.source === 'config' ? 'config' : 'runtime', created_at: r.created_at, updated_at: r.updated_at,
  };
}

export function listSwitches(db: Db): SwitchTarget[] {
  return (prepared(db, `SELECT ${SWITCH_COLS} FROM switches ORDER BY id`).all() as SwitchRow[]).map(toSwitch);
}

function getSwitch(db: Db, id: number): SwitchTarget | null {
  const r = prepared(db, `SELECT ${SWITCH_COLS} FROM switches WHERE id = ?`).get(id) as SwitchRow | undefined;
  return r ? toSwitch(r) : null;
}

function nameTaken(db: Db, name: string, exceptId: number): boolean {
  return prepared(db, 'SELECT 1 FROM switches WHERE name = ? COLLATE NOCASE AND id != ?').get(name, exceptId) !== undefined;
}

export function insertSwitch(db: Db, t: Omit<SwitchTarget, 'id'>): SwitchTarget {
  if (nameTaken(db, t.name, -1)) throw new P2mError('P2M_ERR_CONFLICT', `name "${t.name}" is already used by another switch: pick another name`, 'name');
  const sql = 'INSERT INTO switches (id, name, url, ip, role, active, grp, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  // Ids are never reused: a removed switch's checks, outage evidence and HA entity keep pointing
  // at it, so a new switch must not inherit them. The high-water mark lives in kv; the write
  // lock (IMMEDIATE) keeps the CLI and the service from taking the same id.
  const insert = db.transaction((): number => {
    const max = (prepared(db, 'SELECT max(id) AS m FROM switches').get() as { m: number | null }).m ?? 0;
    const id = Math.max(max, Number(kvGet(db, LAST_ID_KEY) ?? 0)) + 1;
    prepared(db, sql).run(id, t.name, t.url, t.ip, t.role, t.active ? 1 : 0, t.group, t.source, Math.floor(t.created_at), Math.floor(t.updated_at));
    kvSet(db, LAST_ID_KEY, id, Math.floor(t.created_at));
    return id;
  });
  return getSwitch(db, insert.immediate()) as SwitchTarget;
}

export function updateSwitch(db: Db, id: number, patch: Partial<Omit<SwitchTarget, 'id' | 'source' | 'created_at'>>): SwitchTarget {
  const cur = getSwitch(db, id);
  if (!cur) throw new P2mError('P2M_ERR_NOT_FOUND', `switch ${id} does not exist`, 'id');
  const next = { ...cur, ...patch };
  if (next.name !== cur.name && nameTaken(db, next.name, id)) {
    throw new P2mError('P2M_ERR_CONFLICT', `name "${next.name}" is already used by another switch: pick another name`, 'name');
  }
  prepared(db, 'UPDATE switches SET name = ?, url = ?, ip = ?, role = ?, active = ?, grp = ?, updated_at = ? WHERE id = ?').run(
    next.name, next.url, next.ip, next.role, next.active ? 1 : 0, next.group, Math.floor(next.updated_at), id,
  );
  return getSwitch(db, id) as SwitchTarget;
}

export function deleteSwitch(db: Db, id: number): boolean {
  return prepared(db, 'DELETE FROM switches WHERE id = ?').run(id).changes > 0;
}

// ---- checks ----
interface CheckRow {
  id: number; switch_id: number; result: string; is_online: number | null; http_status: number | null; response_time: number | null;
  error_message: string | null; reason: string | null; checked_at: number;
}
const CHECK_COLS = 'id, switch_id, result, is_online, http_status, response_time, error_message, reason, checked_at';

function toCheck(r: CheckRow): PowerCheck {
  const result = r.result === 'up' ? 'up' : 'down';
  return {
    id: r.id, switch_id: r.switch_id, result, is_online: r.is_online === 1, http_status: r.http_status, response_time: r.response_time,
    error_message: r.error_message, reason: (r.reason ?? (result === 'up' ? 'http' : 'timeout')) as ProbeReason, checked_at: r.checked_at,
  };
}

/** One transaction for a cycle's checks; sets each check's id. */
export function insertChecks(db: Db, checks: PowerCheck[]): void {
  if (checks.length === 0) return;
  const ins = prepared(
    db,
    'INSERT INTO power_checks (switch_id, result, is_online, http_status, response_time, error_message, reason, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const c of checks) {
      const rt = c.response_time === null ? null : Math.round(c.response_time * 10) / 10;
      c.id = Number(ins.run(c.switch_id, c.result, c.is_online ? 1 : 0, c.http_status, rt, c.error_message, c.reason, Math.floor(c.checked_at)).lastInsertRowid);
    }
  })();
}

export function listChecks(db: Db, q: { since: number; switchId?: number; limit?: number }): PowerCheck[] {
  const limit = Math.max(1, Math.min(q.limit ?? 10_000, 100_000));
  const rows =
    q.switchId === undefined
      ? prepared(db, `SELECT ${CHECK_COLS} FROM power_checks WHERE checked_at >= ? ORDER BY checked_at DESC, id DESC LIMIT ?`).all(Math.floor(q.since), limit)
      : prepared(db, `SELECT ${CHECK_COLS} FROM power_checks WHERE switch_id = ? AND checked_at >= ? ORDER BY checked_at DESC, id DESC LIMIT ?`).all(
          q.switchId, Math.floor(q.since), limit,
        );
  return (rows as CheckRow[]).map(toCheck);
}

export function latestChecks(db: Db): Map<number, PowerCheck> {
  const sql = `SELECT ${CHECK_COLS} FROM power_checks WHERE id IN (SELECT MAX(id) FROM power_checks GROUP BY switch_id)`;
  return new Map((prepared(db, sql).all() as CheckRow[]).map((r) => [r.switch_id, toCheck(r)]));
}

export function lastUpTimes(db: Db): Map<number, number> {
  const rows = prepared(db, "SELECT switch_id, MAX(checked_at) AS t FROM power_checks WHERE result = 'up' GROUP BY switch_id").all() as Array<{ switch_id: number; t: number }>;
  return new Map(rows.map((r) => [r.switch_id, r.t]));
}

export function checkStats(db: Db, since: number, until: number): SwitchCheckStats[] {
  const sql = `SELECT switch_id, SUM(result = 'up') AS up, SUM(result = 'down') AS down, AVG(response_time) AS avg_rt, MAX(checked_at) AS last_at
    FROM power_checks WHERE checked_at >= ? AND checked_at < ? GROUP BY switch_id ORDER BY switch_id`;
  const rows = prepared(db, sql).all(Math.floor(since), Math.ceil(until)) as Array<{
    switch_id: number; up: number; down: number; avg_rt: number | null; last_at: number | null;
  }>;
  return rows.map((r) => ({
    switch_id: r.switch_id, up: r.up, down: r.down, avg_response_time_ms: r.avg_rt === null ? null : Math.round(r.avg_rt * 10) / 10, last_check_at: r.last_at,
  }));
}

export function deleteChecksBefore(db: Db, ts: number): number {
  return prepared(db, 'DELETE FROM power_checks WHERE checked_at < ?').run(Math.floor(ts)).changes;
}

/** Time of the newest stored sample of any device (epoch seconds), null on an empty store (SPEC §11.6). */
export function lastSampleTs(db: Db): number | null {
  const tail = prepared(db, 'SELECT MAX(ts) AS t FROM raw_tail').get() as { t: number | null };
  const chunk = prepared(db, 'SELECT MAX(t1) - 1 AS t FROM raw_chunk').get() as { t: number | null };
  const ts = [tail.t, chunk.t].filter((t): t is number => t !== null);
  return ts.length ? Math.max(...ts) : null;
}
