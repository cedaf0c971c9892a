import type {
  OutageConfidence, OutageKind, OutageRecord, OutageScope, OutageStatus, PowerCheck, PowerStatistics, SwitchCheckStats, SwitchId, SwitchInput,
  SwitchStatus, SwitchTarget,
} from './power.js';
import type { AuthRole, TokenScope } from './auth.js';
import type { AutomationEvent, DryRunResult, RuleCounters, RuleIssue, RuleView } from './rules.js';
import type { CommandResult, OutletAction, PduSnapshot, TransportState } from './types.js';
import type { Watchdog, WatchdogBusEvent, WatchdogCheck, WatchdogIssue, WatchdogMemory, WatchdogView } from './watchdog.js';

// Ports: the interfaces services use to reach each other's data without importing each other
// (ARCHITECTURE.md "Direction"). Implementations live in their own folders; app.ts wires them.

export interface CommandOptions {
  /** Needed to switch off / reboot a protected outlet (SPEC §12.2). */
  force?: boolean;
  transaction?: string;
  /** Who asked: mqtt, rest, dashboard, rule:<name>, cli. */
  origin?: string;
}

export type DeviceField = 'name' | 'location' | 'contact' | 'sys_name';

export interface FieldResult {
  success: boolean;
  field: string;
  value: string;
  error: string | null;
  code: string | null;
  ts: number;
}

export interface DeviceSummary {
  id: string;
  kind: string;
  label: string;
  host: string;
  model: string | null;
  serial: string | null;
  state: TransportState;
  availability: 'online' | 'offline';
}

/** Static facts about a device that views (MQTT, HA, REST) need beside its snapshot. */
export interface DeviceInfo extends DeviceSummary {
  /** Profile name (`cps-mib` | `original`): views look up its table in devices/pdu/profiles. */
  profile: string;
  /** A write community (or v3 user) is configured: commands are possible. */
  writable: boolean;
  /** Per-device Home Assistant discovery switch (config `devices[].homeassistant`). */
  homeassistant: boolean;
  /** Defined in the config file (cannot be removed or edited at runtime, SPEC §9.3). */
  fromConfig: boolean;
  pollIntervalS: number;
  /** Which ATS input the utility feeds (SPEC §4.2 `utility_source`); null = not set. */
  utilitySource: 'A' | 'B' | null;
  /** Outlets rules may never switch off (SPEC §12.2), ascending. */
  protectedOutlets: number[];
  /** `sensor`: the device's answers count in the outage quorum (SPEC §11.3; metered plugs); absent or "" = not a sensor. */
  role?: '' | 'sensor';
  /** How it is read: `snmp` (PDUs) or the plug's local API (`kasa`, `shelly`, `tasmota`); absent = snmp. */
  transport?: string;
}

/** What `device/add` may set at runtime (SPEC §9.3). */
export interface RuntimeDeviceSpec {
  id?: string;
  /** Absent = cyberpower (an SNMP PDU); kasa | shelly | tasmota = a metered plug. */
  kind?: 'cyberpower' | 'kasa' | 'shelly' | 'tasmota';
  host: string;
  port?: number;
  /** Plugs: Shelly digest / Tasmota web password. */
  password?: string;
  /** Plugs: `sensor` = its answers count in the outage quorum (SPEC §11.3). */
  role?: '' | 'sensor';
  community?: string;
  write_community?: string;
  snmp_version?: '1' | '2c';
  poll_interval_s?: number;
  label?: string;
  utility_source?: 'A' | 'B' | null;
}

/** The one way to read live state or command a device (ARCHITECTURE.md). */
export interface DeviceRegistryPort {
  list(): DeviceSummary[];
  info(deviceId: string): DeviceInfo | null;
  /** Local outlet name override ("" clears it, SPEC §7.4); replaces the PDU's name in every output. */
  setOutletNameOverride(deviceId: string, outlet: number, name: string): FieldResult;
  snapshot(deviceId: string): PduSnapshot | null;
  command(deviceId: string, outlet: number, action: OutletAction | string, opts?: CommandOptions): Promise<CommandResult>;
  setDeviceField(deviceId: string, field: DeviceField, value: string): Promise<FieldResult>;
  setOutletName(deviceId: string, outlet: number, name: string): Promise<FieldResult>;
  setPreferredSource(deviceId: string, source: string): Promise<FieldResult>;
  /** ATS automatic transfer on/off: only where the profile has a writable OID (`original`), else P2M_ERR_NOT_SUPPORTED. */
  setAutoTransfer(deviceId: string, enabled: boolean): Promise<FieldResult>;
  /** Add a device at runtime (not persisted until the history store exists); error text on refusal. */
  addDevice(spec: RuntimeDeviceSpec): { ok: true; info: DeviceInfo } | { ok: false; error: string; field?: string };
  removeDevice(deviceId: string): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Change a runtime device: its options merged into the spec it was added with (same id). */
  updateDevice(deviceId: string, options: Partial<RuntimeDeviceSpec>): Promise<{ ok: true; info: DeviceInfo } | { ok: false; error: string }>;
}

/**
 * Where the registry keeps what users change at runtime (SPEC §13.1 `devices_runtime`,
 * `outlet_names`), so it survives a restart. Implemented by the history store.
 */
export interface DeviceStateStore {
  outletNames(deviceId: string): Array<{ outlet: number; name: string }>;
  /** null clears the override. */
  saveOutletName(deviceId: string, outlet: number, name: string | null): void;
  runtimeDevices(): Array<RuntimeDeviceSpec & { id: string }>;
  saveRuntimeDevice(spec: RuntimeDeviceSpec & { id: string }): void;
  removeRuntimeDevice(deviceId: string): void;
}

// ---- switch probes and outages (SPEC §11) ----

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

// ---- what the web server asks of the rest (SPEC §14) ----

/** Poll cycles of one device (scheduler and poller), since the device was added. */
export interface PollStats {
  device_id: string;
  /** Cycles finished, with or without a sample. */
  cycles: number;
  /** Cycles that ended without a sample. */
  failures: number;
  /** Duration of the last finished cycle. */
  last_duration_ms: number;
  /** Start lateness: p50/p99 over the recent cycles; `total` cycles and their `sum` since the device was added. */
  lateness_ms: { p50: number; p99: number; total: number; sum: number };
}

/** The counters behind the health check (SPEC §19 `/metrics`); totals since the process started. */
export interface RuntimeStats {
  /** null when the MQTT bridge does not run. */
  mqtt: { connected: boolean; publishes: number } | null;
  /** null without a history store. */
  history: { write_errors: number; dropped_batches: number } | null;
  /** Every polled device. */
  polls: PollStats[];
  /** null while the SNMP trap listener does not run (SPEC §7.10). */
  traps: TrapStats | null;
}

/** Why a received trap was not acted on (SPEC §7.10). */
export const TRAP_DROP_REASONS = ['unknown_source', 'bad_community', 'auth_failed', 'malformed'] as const;
export type TrapDropReason = (typeof TRAP_DROP_REASONS)[number];

/** Running totals of the SNMP trap listener. */
export interface TrapStats {
  /** The bound UDP port. */
  port: number;
  received: number;
  /** From a configured PDU, authenticated: each triggered a poll. */
  accepted: number;
  dropped: Record<TrapDropReason, number>;
}

/** The detail part of `GET /api/health` (SPEC §14.2), beside status and issues. */
export interface HealthDetails {
  subsystems: {
    mqtt: { connected: boolean; reconnect_count: number; broker: string; publish_errors: number; total_publishes: number } | null;
    history: { db_path: string; total_writes: number; write_errors: number; healthy: boolean } | null;
    probes: { total: number; up: number; down: number; unknown: number; stale: number } | null;
    traps: TrapStats | null;
  };
  uptime_seconds: number;
  pollers: Array<{
    device_id: string;
    state: string;
    poll_count: number;
    poll_errors: number;
    last_poll_duration_ms: number | null;
    seconds_since_last_poll: number | null;
    consecutive_failures: number;
  }>;
  /** Saved runtime settings waiting for a restart (PUT /api/config). */
  restart_required: string[];
}

/** `GET /api/health` and MQTT `health_check`: healthy only when polling and writing. */
export interface HealthPort {
  check(): { healthy: boolean; issues: string[] };
  stats(): RuntimeStats;
  /** Subsystems and pollers; absent in embeddings without them. */
  details?(): HealthDetails;
}

/** Demo scenarios (SPEC §8), only when the demo runs. */
export interface DemoPort {
  scenarios(): string[];
  /** Bad input → ok:false naming the field; never throws. */
  run(name: string, params: Record<string, unknown>): Promise<{ ok: true; detail: string } | { ok: false; error: string; field?: string }>;
}

// ---- rules (SPEC §12) ----

export type RuleChange =
  | { ok: true; rule: RuleView }
  | { ok: false; error: string; issues?: RuleIssue[]; code: 'P2M_ERR_VALIDATION' | 'P2M_ERR_CONFLICT' | 'P2M_ERR_NOT_FOUND' };

/** The rules and their state; implemented by rules/. Changes rewrite rules.json atomically. */
export interface RulesPort {
  /** Every rule with its state (a `device: all` rule once per device); filtered by device when given. */
  list(deviceId?: string): RuleView[];
  get(name: string): RuleView | null;
  /** `input` is the JSON body: validated like a rules.json entry. */
  create(input: unknown): RuleChange;
  update(name: string, input: unknown): RuleChange;
  remove(name: string): RuleChange;
  toggle(name: string, enabled?: boolean): RuleChange;
  reload(): { ok: true; rules: number } | { ok: false; issues: RuleIssue[] };
  /** A saved rule by name, or an unsaved one (`input`), against the current state; sends nothing. */
  dryRun(nameOrInput: { name: string } | { rule: unknown }): { ok: true; result: DryRunResult } | { ok: false; error: string; issues?: RuleIssue[]; code: 'P2M_ERR_VALIDATION' | 'P2M_ERR_NOT_FOUND' };
}

/** Where counters and automation events are kept; implemented by the history store. */
export interface RuleStore {
  /** Keyed by `${rule}\u0000${device_id}`. */
  loadCounters(): Map<string, RuleCounters>;
  saveCounters(rule: string, deviceId: string, c: RuleCounters): void;
  deleteCounters(rule: string): void;
  addAutomationEvent(e: AutomationEvent): void;
}

// ---- outlet watchdogs (SPEC §12.7) ----

export type WatchdogChange =
  | { ok: true; watchdog: WatchdogView }
  | { ok: false; error: string; issues?: WatchdogIssue[]; code: 'P2M_ERR_VALIDATION' | 'P2M_ERR_CONFLICT' | 'P2M_ERR_NOT_FOUND' };

/** The watchdogs and their state; implemented by watchdog/. Config-file watchdogs are read-only. */
export interface WatchdogsPort {
  /** Config watchdogs first, then runtime ones, each with its state. */
  list(): WatchdogView[];
  get(name: string): WatchdogView | null;
  /** `input` is the JSON body: validated like a `watchdogs[]` entry of the config file. */
  create(input: unknown): WatchdogChange;
  update(name: string, input: unknown): WatchdogChange;
  remove(name: string): WatchdogChange;
  /** Clears gave_up and the cycle count (REST, MQTT, HA button). */
  reset(name: string): WatchdogChange;
  /** One check of the target now; switches nothing and changes no state. */
  test(name: string): Promise<{ ok: true; check: WatchdogCheck } | { ok: false; error: string; code: 'P2M_ERR_NOT_FOUND' }>;
}

/** A watchdog's stored memory plus the reset counter a CLI reset bumps (read at every check). */
export interface StoredWatchdogState extends WatchdogMemory {
  reset_seq: number;
}

/** Where watchdog state, runtime watchdogs and watchdog events are kept; implemented by the history store. */
export interface WatchdogStore {
  loadStates(): Map<string, StoredWatchdogState>;
  /** Writes the memory; never touches reset_seq. */
  saveState(name: string, m: WatchdogMemory, now: number): void;
  /** 0 when the watchdog has no row. */
  resetSeq(name: string): number;
  /** CLI/another process: clear gave_up and the count, bump reset_seq (the service applies it at its next check). */
  requestReset(name: string, now: number): void;
  deleteState(name: string): void;
  /** Bodies as stored (checked again when loaded). */
  runtimeWatchdogs(): unknown[];
  /** Insert or replace; P2M_ERR_CONFLICT is the caller's check. */
  saveRuntimeWatchdog(w: Watchdog, now: number): void;
  deleteRuntimeWatchdog(name: string): void;
  /** State changes and cycles, in `events` (kind automation, source `watchdog:<name>`). */
  addWatchdogEvent(e: WatchdogBusEvent): void;
}

/** What a check of an http(s) URL or host:port target saw (devices/switch probes, SPEC §11.2). */
export interface TargetProbe {
  result: 'up' | 'down';
  reason: string;
  http_status: number | null;
  /** ms until the answer; null when nothing answered. */
  response_time: number | null;
  error_message: string | null;
}

/** The probes a watchdog check uses; implemented by devices/switch/probe.ts, wired in app.ts. */
export interface TargetProber {
  http(url: string, timeoutMs: number, signal?: AbortSignal): Promise<TargetProbe>;
  tcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<TargetProbe>;
}

// ---- history and energy (SPEC §13.4–§13.6) ----

export type HistoryKind = 'banks' | 'outlets';

/** `range` (1h … 60d) or `start`+`end` (epoch seconds, taking precedence); checked by the store. */
export interface HistoryRange {
  range?: string | undefined;
  start?: string | number | undefined;
  end?: string | number | undefined;
}

/** A bank/outlet history query: the range plus one bank or outlet (`instance`) when given. */
export interface HistoryParams extends HistoryRange {
  instance?: number | undefined;
}

/** The resolved window, epoch seconds; `bucket` = the bucket size in seconds (X-Bucket-Seconds). */
export interface HistoryWindow {
  start: number;
  end: number;
  bucket: number;
}

/**
 * One bank or outlet row (SPEC §13.4): `bucket` (epoch s), `bank` | `outlet`, then each value
 * field with `{field}_min` / `{field}_max`; null = no reading of that series in the bucket.
 */
export type HistoryRow = Record<string, number | null>;

/** What energy_daily and energy_monthly rows share (SPEC §13.1). */
export interface EnergyRowFields {
  device_id: string;
  /** null = all sources, 1 = A, 2 = B. */
  source: 1 | 2 | null;
  /** null = whole PDU. */
  outlet: number | null;
  kwh: number;
  peak_power_w: number | null;
  avg_power_w: number | null;
}
export interface EnergyDay extends EnergyRowFields {
  date: string;
  samples: number;
}
export interface EnergyMonth extends EnergyRowFields {
  month: string;
  days: number;
}

/** `start`/`end` as given (YYYY-MM-DD days, YYYY-MM months); absent = the default span. */
export interface EnergyQuery {
  device_id: string;
  start?: string | undefined;
  end?: string | undefined;
}

export interface EnergyWindowSummary {
  total_kwh: number;
  source_a_kwh: number;
  source_b_kwh: number;
  cost: number | null;
}

/** SPEC §13.5 `/api/energy/summary`. */
export interface EnergySummaryView {
  currency: string;
  today: EnergyWindowSummary;
  this_week: EnergyWindowSummary;
  this_month: EnergyWindowSummary;
  all_time: EnergyWindowSummary;
}

/** A CSV export (SPEC §13.6): its file name and its lines (header first), pulled one at a time. */
export interface CsvExport {
  filename: string;
  lines: AsyncIterable<string>;
}

/**
 * Stored history and energy, read by the web server; implemented by history/. Every method
 * checks its input before returning (a CSV export fails before its first line), throwing
 * P2mError naming the field (range, start, end, bank, outlet, raw).
 */
export interface HistoryQueries {
  /** Devices with stored history (a removed device keeps its history). */
  devices(): string[];
  history(kind: HistoryKind, deviceId: string, params: HistoryParams): { window: HistoryWindow; rows: HistoryRow[] };
  /** `raw`: 1 s rows whatever the span (at most 7 days). */
  historyCsv(kind: HistoryKind, deviceId: string, params: HistoryParams & { raw?: boolean }): CsvExport & { window: HistoryWindow };
  /** Default: the last 30 local days, today included. */
  energyDaily(q: EnergyQuery): { start: string; end: string; rows: EnergyDay[] };
  /** Default: the last 12 local months, this one included. */
  energyMonthly(q: EnergyQuery): { start: string; end: string; rows: EnergyMonth[] };
  energyCsv(kind: 'daily' | 'monthly', q: EnergyQuery): CsvExport;
  energySummary(deviceId: string): EnergySummaryView;
}

// ---- web authentication (SPEC §16, tables of §13.1) ----

/** A web user stored at runtime (the first admin from the setup page); config-file users are not stored. */
export interface StoredUser {
  username: string;
  password_hash: string;
  role: AuthRole;
  created_at: number;
  updated_at: number;
}

/** A live session; the role comes from its user at every request. */
export interface StoredSession {
  username: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  scope: TokenScope;
  created_at: number;
  last_used_at: number | null;
  /** null = never expires. */
  expires_at: number | null;
}

/**
 * Users, sessions and API tokens; implemented by the history store, used by the web server and
 * the CLI. Times are epoch seconds; sessions and tokens arrive hashed (core/auth.ts secretHash).
 */
export interface AuthStore {
  listUsers(): StoredUser[];
  /** Stores an admin only while none is stored (one transaction); false when one exists. */
  createFirstAdmin(username: string, passwordHash: string, now: number): boolean;
  /** false when the user is not stored. */
  setPassword(username: string, passwordHash: string, now: number): boolean;
  createSession(idHash: string, username: string, now: number, expiresAt: number): void;
  /** The session unless it expired by `now`. */
  session(idHash: string, now: number): StoredSession | null;
  extendSession(idHash: string, expiresAt: number): void;
  deleteSession(idHash: string): void;
  /** Every session of the user except `keepIdHash`; returns how many were deleted. */
  deleteUserSessions(username: string, keepIdHash?: string): number;
  deleteExpiredSessions(now: number): number;
  /** Throws P2M_ERR_CONFLICT (field name) when the name is taken. */
  createToken(t: { name: string; scope: TokenScope; tokenHash: string; now: number; expiresAt: number | null }): ApiTokenInfo;
  listTokens(): ApiTokenInfo[];
  /** Expired tokens included: the caller compares expires_at with its clock. */
  tokenByHash(tokenHash: string): ApiTokenInfo | null;
  touchToken(id: number, now: number): void;
  /** false when there is no such token. */
  revokeToken(id: number): boolean;
}
