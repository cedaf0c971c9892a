import type { OutageKind, OutageRecord, PowerCheck, SwitchCheckStats, SwitchTarget } from '../core/power.js';
import type { OutageOpen, OutagePatch, OutageStore, SwitchStore } from '../core/ports.js';
import { closeOutage, getOutage, insertEvent, kvGet, kvSet, listOutages, openOutage, updateOutage } from './events.js';
import type { DbHandle } from './handle.js';
import { stmt as prepared } from './db.js';
import {
  checkStats, deleteChecksBefore, deleteSwitch, insertChecks, insertSwitch, lastSampleTs, lastUpTimes, latestChecks, listChecks, listSwitches,
  updateSwitch,
} from './switches.js';

// Switches, power checks and outage records behind the SwitchStore and OutageStore ports
// (core/ports.ts): the prober, the outage engine and the CLI use these, never SQL.

const HEARTBEAT_KEY = 'bridge.heartbeat';

export class PowerStore implements SwitchStore, OutageStore {
  constructor(private readonly handle: DbHandle) {}

  private get db() {
    return this.handle.db;
  }

  listSwitches(): SwitchTarget[] {
    return listSwitches(this.db);
  }
  insertSwitch(t: Omit<SwitchTarget, 'id'>): SwitchTarget {
    return insertSwitch(this.db, t);
  }
  updateSwitch(id: number, patch: Partial<Omit<SwitchTarget, 'id' | 'source' | 'created_at'>>): SwitchTarget {
    return updateSwitch(this.db, id, patch);
  }
  deleteSwitch(id: number): boolean {
    return deleteSwitch(this.db, id);
  }
  insertChecks(checks: PowerCheck[]): void {
    insertChecks(this.db, checks);
  }
  listChecks(q: { since: number; switchId?: number; limit?: number }): PowerCheck[] {
    return listChecks(this.db, q);
  }
  latestChecks(): Map<number, PowerCheck> {
    return latestChecks(this.db);
  }
  lastUpTimes(): Map<number, number> {
    return lastUpTimes(this.db);
  }
  checkStats(since: number, until: number): SwitchCheckStats[] {
    return checkStats(this.db, since, until);
  }
  deleteChecksBefore(ts: number): number {
    return deleteChecksBefore(this.db, ts);
  }

  openOutage(o: OutageOpen): OutageRecord {
    return getOutage(this.db, openOutage(this.db, o)) as OutageRecord;
  }
  updateOutage(id: number, patch: OutagePatch): OutageRecord {
    return updateOutage(this.db, id, patch);
  }
  closeOutage(id: number, endedAt: number, patch: OutagePatch = {}): OutageRecord {
    return closeOutage(this.db, id, endedAt, patch);
  }
  ongoingOutages(): OutageRecord[] {
    const rows = prepared(this.db, 'SELECT id FROM outages WHERE is_ongoing = 1 ORDER BY started_at, id').all() as Array<{ id: number }>;
    return rows.map((r) => getOutage(this.db, r.id) as OutageRecord);
  }
  lastClosedOutage(kind: OutageKind): OutageRecord | null {
    const r = prepared(this.db, 'SELECT id FROM outages WHERE is_ongoing = 0 AND kind = ? ORDER BY ended_at DESC, id DESC LIMIT 1').get(kind) as
      | { id: number }
      | undefined;
    return r ? getOutage(this.db, r.id) : null;
  }
  listOutages(q: { since: number; until?: number; kind?: OutageKind; limit?: number }): OutageRecord[] {
    return listOutages(this.db, q);
  }
  addOutageEvent(e: { ts: number; kind: 'outage' | 'probe' | 'system'; type: string; details: string; data: Record<string, unknown>; device_id?: string | null }): void {
    insertEvent(this.db, { ts: e.ts, device_id: e.device_id ?? null, kind: e.kind, type: e.type, source: 'outage', details: e.details, data: e.data });
  }
  lastSeen(): number | null {
    const hb = kvGet(this.db, HEARTBEAT_KEY);
    const sample = lastSampleTs(this.db);
    const seen = [typeof hb === 'number' ? hb : null, sample].filter((t): t is number => t !== null);
    return seen.length ? Math.max(...seen) : null;
  }
  saveHeartbeat(ts: number): void {
    kvSet(this.db, HEARTBEAT_KEY, Math.floor(ts), Math.floor(ts));
  }
}
