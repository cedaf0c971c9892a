import { P2mError } from '../core/errors.js';
import type { OutageConfidence, OutageKind, OutageRecord, OutageScope, SwitchId } from '../core/power.js';
import type { OutageOpen, OutagePatch } from '../core/ports.js';
import { stmt as prepared, type Db } from './db.js';

// Typed access to the small tables of SPEC §13.1: events, outages (§11.5), outlet name overrides,
// runtime devices, HA discovery bookkeeping (§10.4) and kv. Callers pass the connection (a
// DbHandle may reopen it, so statements are cached per Db, never per module). Timestamps are
// integer epoch seconds; fractions are floored. Bad input throws P2M_ERR_VALIDATION naming the field.

function invalid(field: string, message: string): never {
  throw new P2mError('P2M_ERR_VALIDATION', `${field} ${message}`, field);
}
function epoch(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(field, `must be epoch seconds, a number ≥ 0 (got ${String(v)})`);
  return Math.floor(v);
}
function int(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) invalid(field, `must be an integer from ${min} to ${max} (got ${String(v)})`);
  return v;
}
function str(field: string, v: unknown, max = 255): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) invalid(field, `must be a non-empty string of at most ${max} characters`);
  return v;
}
const optStr = (field: string, v: unknown, max = 255): string | null => (v === undefined || v === null ? null : str(field, v, max));
function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) invalid(field, `must be one of ${allowed.join(', ')} (got ${String(v)})`);
  return v as T;
}
function toJson(field: string, v: unknown): string | null {
  try {
    return v === undefined || v === null ? null : (JSON.stringify(v) ?? null);
  } catch (err) {
    invalid(field, `must be JSON-serialisable (${(err as Error).message})`);
  }
}
function fromJson(text: string | null): unknown {
  try {
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return text; // not written by us (hand-edited): show it rather than lose it
  }
}

// ---- events ----
export const EVENT_KINDS = ['system', 'automation', 'outage', 'probe'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface EventInput {
  ts: number;
  /** null = the bridge itself. */
  device_id: string | null;
  kind: EventKind;
  type: string;
  source?: string | null;
  details?: string | null;
  data?: unknown;
}
export interface EventRecord extends EventInput {
  id: number;
  source: string | null;
  details: string | null;
  data: unknown;
}
/** since ≤ ts < until; limit 1..1000 (default 100). */
export interface EventQuery {
  /** undefined = every device and the bridge; null = bridge events only. */
  device_id?: string | null;
  kind?: EventKind;
  type?: string;
  since?: number;
  until?: number;
  limit?: number;
  /** Continue after this event of the previous page (keyset on (ts, id): stable while events are added). */
  before_id?: number;
}

export function insertEvent(db: Db, e: EventInput): number {
  const ts = epoch('ts', e.ts);
  const device = e.device_id === null ? null : str('device_id', e.device_id);
  const row = [ts, device, oneOf('kind', e.kind, EVENT_KINDS), str('type', e.type, 64), optStr('source', e.source), optStr('details', e.details, 4096), toJson('data', e.data)];
  return Number(prepared(db, 'INSERT INTO events (ts, device_id, kind, type, source, details, data) VALUES (?, ?, ?, ?, ?, ?, ?)').run(...row).lastInsertRowid);
}

/** Events newest first. */
export function listEvents(db: Db, q: EventQuery = {}): EventRecord[] {
  const where: string[] = [];
  const args: Array<string | number | null> = [];
  const add = (sql: string, ...v: Array<string | number | null>): void => {
    where.push(sql);
    args.push(...v);
  };
  if (q.device_id !== undefined) add('device_id IS ?', q.device_id === null ? null : str('device_id', q.device_id));
  if (q.kind !== undefined) add('kind = ?', oneOf('kind', q.kind, EVENT_KINDS));
  if (q.type !== undefined) add('type = ?', str('type', q.type, 64));
  if (q.since !== undefined) add('ts >= ?', epoch('since', q.since));
  if (q.until !== undefined) add('ts < ?', epoch('until', q.until));
  if (q.before_id !== undefined) {
    const id = int('before_id', q.before_id, 1, Number.MAX_SAFE_INTEGER);
    const ref = prepared(db, 'SELECT ts FROM events WHERE id = ?').get(id) as { ts: number } | undefined;
    if (!ref) invalid('before_id', `names no stored event (${id}: expired or never written)`);
    add('ts <= ? AND (ts < ? OR id < ?)', ref.ts, ref.ts, id);
  }
  const limit = q.limit === undefined ? 100 : int('limit', q.limit, 1, 1000);
  const sql = `SELECT id, ts, device_id, kind, type, source, details, data FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`;
  const rows = prepared(db, sql).all(...args, limit) as Array<Omit<EventRecord, 'data'> & { data: string | null }>;
  return rows.map((r) => ({ ...r, data: fromJson(r.data) }));
}

// ---- outages (§11.5) ----
const OUTAGE_KINDS = ['power', 'network'] as const;
const SCOPES = ['site', 'partial', 'source_a', 'source_b'] as const;
const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type { OutageKind, OutageScope, OutageConfidence, SwitchId, OutageRecord };

/** What an outage row is written from: the ports' shapes (an `ended_at` = learnt after the fact, stored closed). */
type OutageDetails = OutagePatch;
type OutageInput = OutageOpen;

interface OutageRow {
  id: number; kind: string; started_at: number; ended_at: number | null; is_ongoing: number; cause: string | null; scope: string | null;
  confidence: string | null; switches_affected: string; outlets_shed: string; evidence: string | null;
}
const OUTAGE_COLS = 'id, kind, started_at, ended_at, is_ongoing, cause, scope, confidence, switches_affected, outlets_shed, evidence';
const DETAIL_SET = 'cause = ?, scope = ?, confidence = ?, switches_affected = ?, outlets_shed = ?, evidence = ?';

function toOutage(r: OutageRow): OutageRecord {
  return {
    id: r.id, kind: r.kind as OutageKind, started_at: r.started_at, ended_at: r.ended_at,
    duration_seconds: r.ended_at === null ? null : r.ended_at - r.started_at, is_ongoing: r.is_ongoing === 1,
    cause: r.cause, scope: r.scope as OutageScope | null, confidence: r.confidence as OutageConfidence | null,
    switches_affected: (fromJson(r.switches_affected) ?? []) as SwitchId[],
    outlets_shed: (fromJson(r.outlets_shed) ?? {}) as Record<string, number[]>,
    evidence: (fromJson(r.evidence) ?? {}) as Record<string, unknown>,
  };
}

function detailCols(d: OutageDetails, base?: OutageRecord): [string | null, string | null, string | null, string, string, string] {
  const scope = d.scope === undefined ? base?.scope ?? null : d.scope === null ? null : oneOf('scope', d.scope, SCOPES);
  const confidence = d.confidence === undefined ? base?.confidence ?? null : d.confidence === null ? null : oneOf('confidence', d.confidence, CONFIDENCES);
  if (d.switches_affected !== undefined && !Array.isArray(d.switches_affected)) invalid('switches_affected', 'must be an array of switch ids');
  return [
    d.cause === undefined ? base?.cause ?? null : optStr('cause', d.cause), scope, confidence,
    toJson('switches_affected', [...(d.switches_affected ?? base?.switches_affected ?? [])]) as string,
    toJson('outlets_shed', { ...(d.outlets_shed ?? base?.outlets_shed ?? {}) }) as string,
    toJson('evidence', d.evidence ?? base?.evidence ?? {}) as string,
  ];
}

export function getOutage(db: Db, id: number): OutageRecord | null {
  const r = prepared(db, `SELECT ${OUTAGE_COLS} FROM outages WHERE id = ?`).get(id) as OutageRow | undefined;
  return r ? toOutage(r) : null;
}
function mustGet(db: Db, id: number): OutageRecord {
  return getOutage(db, int('id', id, 1, Number.MAX_SAFE_INTEGER)) ?? invalid('id', `names no stored outage (${id})`);
}

export function openOutage(db: Db, o: OutageInput): number {
  const kind = oneOf('kind', o.kind, OUTAGE_KINDS);
  const started = epoch('started_at', o.started_at);
  const ended = o.ended_at === undefined || o.ended_at === null ? null : epoch('ended_at', o.ended_at);
  if (ended !== null && ended < started) invalid('ended_at', `must not precede started_at (${ended} < ${started})`);
  const sql =
    'INSERT INTO outages (kind, started_at, ended_at, is_ongoing, cause, scope, confidence, switches_affected, outlets_shed, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  return Number(prepared(db, sql).run(kind, started, ended, ended === null ? 1 : 0, ...detailCols(o)).lastInsertRowid);
}

/** Change what is known about an outage (scope, confidence, evidence, affected switches, shed outlets). */
export function updateOutage(db: Db, id: number, patch: OutageDetails): OutageRecord {
  const cur = mustGet(db, id);
  prepared(db, `UPDATE outages SET ${DETAIL_SET} WHERE id = ?`).run(...detailCols(patch, cur), cur.id);
  return mustGet(db, id);
}

export function closeOutage(db: Db, id: number, endedAt: number, patch: OutageDetails = {}): OutageRecord {
  const cur = mustGet(db, id);
  if (!cur.is_ongoing) invalid('id', `outage ${id} is already closed`);
  const ended = epoch('ended_at', endedAt);
  if (ended < cur.started_at) invalid('ended_at', `must not precede started_at (${ended} < ${cur.started_at})`);
  const sql = `UPDATE outages SET ended_at = ?, is_ongoing = 0, ${DETAIL_SET} WHERE id = ?`;
  prepared(db, sql).run(ended, ...detailCols(patch, cur), cur.id);
  return mustGet(db, id);
}

/** The latest ongoing outage (of one kind when given). */
export function ongoingOutage(db: Db, kind?: OutageKind): OutageRecord | null {
  const k = kind === undefined ? null : oneOf('kind', kind, OUTAGE_KINDS);
  const sql = `SELECT ${OUTAGE_COLS} FROM outages WHERE is_ongoing = 1 AND (? IS NULL OR kind = ?) ORDER BY started_at DESC, id DESC LIMIT 1`;
  const r = prepared(db, sql).get(k, k) as OutageRow | undefined;
  return r ? toOutage(r) : null;
}

/** Outages overlapping [since, until), newest first (an ongoing one overlaps every later window). */
export function listOutages(db: Db, q: { since?: number; until?: number; kind?: OutageKind; limit?: number } = {}): OutageRecord[] {
  const since = q.since === undefined ? 0 : epoch('since', q.since);
  const until = q.until === undefined ? Number.MAX_SAFE_INTEGER : epoch('until', q.until);
  const limit = q.limit === undefined ? 100 : int('limit', q.limit, 1, 1000);
  const kind = q.kind === undefined ? null : oneOf('kind', q.kind, OUTAGE_KINDS);
  const sql = `SELECT ${OUTAGE_COLS} FROM outages WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?) AND (? IS NULL OR kind = ?) ORDER BY started_at DESC, id DESC LIMIT ?`;
  return (prepared(db, sql).all(until, since, kind, kind, limit) as OutageRow[]).map(toOutage);
}

// ---- outlet names, runtime devices, HA discovery, kv ----
export function getOutletName(db: Db, deviceId: string, outlet: number): string | null {
  const r = prepared(db, 'SELECT name FROM outlet_names WHERE device_id = ? AND outlet = ?').get(deviceId, outlet) as { name: string } | undefined;
  return r?.name ?? null;
}
export function setOutletName(db: Db, deviceId: string, outlet: number, name: string): void {
  const args = [str('device_id', deviceId), int('outlet', outlet, 1, 1024), str('name', name, 64)];
  prepared(db, 'INSERT INTO outlet_names (device_id, outlet, name) VALUES (?, ?, ?) ON CONFLICT (device_id, outlet) DO UPDATE SET name = excluded.name').run(...args);
}
/** True when an override existed. */
export function clearOutletName(db: Db, deviceId: string, outlet: number): boolean {
  return prepared(db, 'DELETE FROM outlet_names WHERE device_id = ? AND outlet = ?').run(deviceId, outlet).changes > 0;
}
export function listOutletNames(db: Db, deviceId: string): Array<{ outlet: number; name: string }> {
  return prepared(db, 'SELECT outlet, name FROM outlet_names WHERE device_id = ? ORDER BY outlet').all(deviceId) as Array<{ outlet: number; name: string }>;
}

export interface RuntimeDeviceRecord { device_id: string; spec: unknown; updated_at: number }
export function saveRuntimeDevice(db: Db, deviceId: string, spec: unknown, nowS: number): void {
  const json = toJson('spec', spec) ?? invalid('spec', 'is required');
  prepared(db, 'INSERT INTO devices_runtime (device_id, spec, updated_at) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at')
    .run(str('device_id', deviceId), json, epoch('updated_at', nowS));
}
export function removeRuntimeDevice(db: Db, deviceId: string): boolean {
  return prepared(db, 'DELETE FROM devices_runtime WHERE device_id = ?').run(deviceId).changes > 0;
}
export function listRuntimeDevices(db: Db): RuntimeDeviceRecord[] {
  const rows = prepared(db, 'SELECT device_id, spec, updated_at FROM devices_runtime ORDER BY device_id').all() as Array<{ device_id: string; spec: string; updated_at: number }>;
  return rows.map((r) => ({ ...r, spec: fromJson(r.spec) }));
}

export interface DiscoveryTopicRecord { topic: string; device_id: string | null; published_at: number }
export function recordDiscoveryTopic(db: Db, topic: string, deviceId: string | null, nowS: number): void {
  const args = [str('topic', topic, 1024), deviceId === null ? null : str('device_id', deviceId), epoch('published_at', nowS)];
  prepared(db, 'INSERT INTO ha_discovery (topic, device_id, published_at) VALUES (?, ?, ?) ON CONFLICT (topic) DO UPDATE SET device_id = excluded.device_id, published_at = excluded.published_at').run(...args);
}
export function deleteDiscoveryTopic(db: Db, topic: string): boolean {
  return prepared(db, 'DELETE FROM ha_discovery WHERE topic = ?').run(topic).changes > 0;
}
/** All recorded topics, or those of one device (null = the bridge device's). */
export function listDiscoveryTopics(db: Db, deviceId?: string | null): DiscoveryTopicRecord[] {
  const sql = `SELECT topic, device_id, published_at FROM ha_discovery${deviceId === undefined ? '' : ' WHERE device_id IS ?'} ORDER BY topic`;
  return prepared(db, sql).all(...(deviceId === undefined ? [] : [deviceId])) as DiscoveryTopicRecord[];
}

/** The JSON value stored under key, or undefined. */
export function kvGet(db: Db, key: string): unknown {
  const r = prepared(db, 'SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
  return r === undefined ? undefined : fromJson(r.value);
}
export function kvSet(db: Db, key: string, value: unknown, nowS: number): void {
  const json = toJson('value', value) ?? 'null';
  prepared(db, 'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
    .run(str('key', key), json, epoch('updated_at', nowS));
}
