import type { Watchdog, WatchdogBusEvent, WatchdogCheck, WatchdogIssue, WatchdogMemory, WatchdogView } from '../watchdog.js';

// Ports: outlet watchdogs (SPEC §12.7).

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
