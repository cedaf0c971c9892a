import type {
  OutageConfidence, OutageKind, OutageRecord, OutageScope, OutageStatus, PowerCheck, PowerStatistics, SwitchCheckStats, SwitchId, SwitchInput,
  SwitchStatus, SwitchTarget,
} from '../power.js';

// Ports: switch probes and outages (SPEC §11).

export type SwitchChange =
  | { ok: true; target: SwitchTarget }
  | { ok: false; error: string; field?: string; code: 'P2M_ERR_VALIDATION' | 'P2M_ERR_CONFLICT' | 'P2M_ERR_NOT_FOUND' | 'P2M_ERR_READ_ONLY' };

/** The probe targets and their latest results; implemented by devices/switch. */
export interface SwitchesPort {
  /** Every target (active or not) with its state, ordered by id. */
  list(): SwitchStatus[];
  /** By numeric id or by name. */
  get(idOrName: number | string): SwitchStatus | null;
  add(input: SwitchInput): SwitchChange;
  update(idOrName: number | string, patch: Partial<SwitchInput>): SwitchChange;
  remove(idOrName: number | string): SwitchChange;
  /** Probe one target now; the check is stored and published like any other (SPEC §11.2). */
  check(idOrName: number | string): Promise<{ ok: true; check: PowerCheck } | { ok: false; error: string; code: 'P2M_ERR_NOT_FOUND' }>;
  counts(): { total: number; up: number; down: number; unknown: number; stale: number };
}

/** Current power status, outage records and statistics; implemented by outage/. */
export interface OutagePort {
  status(): OutageStatus;
  /** Outages overlapping the last `hours`, newest first; kind 'all' = both kinds. */
  list(hours: number, kind: OutageKind | 'all'): OutageRecord[];
  statistics(hours: number): PowerStatistics;
}

/**
 * Where switches, checks and outages are kept (SPEC §13.1); implemented by the history store.
 * Times are epoch seconds. Methods throw P2mError (naming the field) on bad input.
 */
export interface SwitchStore {
  listSwitches(): SwitchTarget[];
  /** Insert a new target; P2M_ERR_CONFLICT on a duplicate name. */
  insertSwitch(t: Omit<SwitchTarget, 'id'>): SwitchTarget;
  updateSwitch(id: number, patch: Partial<Omit<SwitchTarget, 'id' | 'source' | 'created_at'>>): SwitchTarget;
  deleteSwitch(id: number): boolean;
  /** Stores the checks (setting their ids) in one transaction. */
  insertChecks(checks: PowerCheck[]): void;
  /** Newest first. */
  listChecks(q: { since: number; switchId?: number; limit?: number }): PowerCheck[];
  /** The newest check of every switch. */
  latestChecks(): Map<number, PowerCheck>;
  /** Epoch seconds of each switch's newest `up` check. */
  lastUpTimes(): Map<number, number>;
  checkStats(since: number, until: number): SwitchCheckStats[];
  deleteChecksBefore(ts: number): number;
}

export interface OutageStore {
  openOutage(o: OutageOpen): OutageRecord;
  updateOutage(id: number, patch: OutagePatch): OutageRecord;
  closeOutage(id: number, endedAt: number, patch?: OutagePatch): OutageRecord;
  ongoingOutages(): OutageRecord[];
  lastClosedOutage(kind: OutageKind): OutageRecord | null;
  listOutages(q: { since: number; until?: number; kind?: OutageKind; limit?: number }): OutageRecord[];
  /** Store a bridge/outage event in `events` (kind outage/probe/system). */
  addOutageEvent(e: { ts: number; kind: 'outage' | 'probe' | 'system'; type: string; details: string; data: Record<string, unknown>; device_id?: string | null }): void;
  /** max(last heartbeat, last stored sample), epoch seconds; null on a new database (SPEC §11.6). */
  lastSeen(): number | null;
  saveHeartbeat(ts: number): void;
}

export interface OutagePatch {
  cause?: string | null;
  scope?: OutageScope | null;
  confidence?: OutageConfidence | null;
  evidence?: Record<string, unknown>;
  switches_affected?: readonly SwitchId[];
  outlets_shed?: Readonly<Record<string, readonly number[]>>;
}
export interface OutageOpen extends OutagePatch {
  kind: OutageKind;
  started_at: number;
  ended_at?: number | null;
}
