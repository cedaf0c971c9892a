import type { DeviceEventType, ErrorReason, TransportState } from '../../core/types.js';

// Transport health state machine (SPEC §7.7), counted in failed poll CYCLES (the original
// counted single OID GETs, so one dead cycle of ~80 OIDs jumped straight to recovering).
// Pure: the poller feeds outcomes and a timestamp, and applies the returned cadence.

export const HEALTH_LIMITS = {
  degradedAfter: 10,
  recoveringAfter: 30,
  lostAfterFailedRecoveries: 5,
  recoveringMaxIntervalMs: 60_000,
  recoveringAttemptEveryMs: 60_000,
  lostMinIntervalMs: 60_000,
  lostMaxIntervalMs: 300_000,
  lostAttemptEveryMs: 300_000,
  errorRecheckMs: 300_000,
} as const;

export interface HealthState {
  state: TransportState;
  consecutiveFailures: number;
  /** Failed cycles since entering the current backoff state (drives the doubling). */
  failuresInState: number;
  failedRecoveries: number;
  lastRecoveryAt: number | null;
  intervalMs: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  errorReason: ErrorReason | null;
}

export interface HealthEventOut {
  type: Extract<DeviceEventType, 'conn_degraded' | 'conn_lost' | 'conn_restored' | 'serial_mismatch' | 'not_a_pdu'>;
  detail: string;
}

export interface HealthStep {
  next: HealthState;
  events: HealthEventOut[];
  /** True when the state name changed. */
  changed: boolean;
  /** True when the poller should make a recovery attempt (re-resolve, new session) before the next cycle. */
  recoveryAttempt: boolean;
}

export function initialHealth(baseIntervalMs: number): HealthState {
  return {
    state: 'healthy',
    consecutiveFailures: 0,
    failuresInState: 0,
    failedRecoveries: 0,
    lastRecoveryAt: null,
    intervalMs: baseIntervalMs,
    lastSuccessAt: null,
    lastError: null,
    errorReason: null,
  };
}

/** `online` only while healthy (SPEC §7.7: offline from degraded on). */
export function availabilityOf(state: TransportState): 'online' | 'offline' {
  return state === 'healthy' ? 'online' : 'offline';
}

export function onCycleSuccess(s: HealthState, nowMs: number, baseIntervalMs: number): HealthStep {
  const events: HealthEventOut[] = [];
  if (s.state !== 'healthy') {
    events.push({ type: 'conn_restored', detail: `after ${s.consecutiveFailures} failed cycles (${s.state})` });
  }
  const next: HealthState = { ...initialHealth(baseIntervalMs), lastSuccessAt: nowMs };
  return { next, events, changed: s.state !== 'healthy', recoveryAttempt: false };
}

/** `nowMs` spaces the recovery attempts: pass monotonic time (a wall-clock step is no time passed). */
export function onCycleFailure(s: HealthState, nowMs: number, error: string, baseIntervalMs: number): HealthStep {
  if (s.state === 'error') {
    // Identity errors are left only by a successful identity check.
    return { next: { ...s, lastError: error }, events: [], changed: false, recoveryAttempt: false };
  }
  const L = HEALTH_LIMITS;
  const failures = s.consecutiveFailures + 1;
  const events: HealthEventOut[] = [];
  let next: HealthState = { ...s, consecutiveFailures: failures, lastError: error, failuresInState: s.failuresInState + 1 };
  let recoveryAttempt = false;

  if (s.state === 'healthy' && failures >= L.degradedAfter) {
    next = { ...next, state: 'degraded', failuresInState: 0 };
    events.push({ type: 'conn_degraded', detail: `${failures} consecutive failed cycles: ${error}` });
  }
  if ((next.state === 'degraded' || next.state === 'healthy') && failures >= L.recoveringAfter) {
    next = { ...next, state: 'recovering', failuresInState: 0, failedRecoveries: 0, lastRecoveryAt: null };
    events.push({ type: 'conn_lost', detail: `recovering after ${failures} consecutive failed cycles: ${error}` });
  }

  if (next.state === 'recovering' || next.state === 'lost') {
    const every = next.state === 'recovering' ? L.recoveringAttemptEveryMs : L.lostAttemptEveryMs;
    if (next.lastRecoveryAt === null || nowMs - next.lastRecoveryAt >= every) {
      recoveryAttempt = true;
      // The first attempt is made on entering recovering; later ones count as failed when this cycle failed.
      const failedRecoveries = next.lastRecoveryAt === null ? next.failedRecoveries : next.failedRecoveries + 1;
      next = { ...next, lastRecoveryAt: nowMs, failedRecoveries };
      if (next.state === 'recovering' && failedRecoveries >= L.lostAfterFailedRecoveries) {
        next = { ...next, state: 'lost', failuresInState: 0 };
        events.push({ type: 'conn_lost', detail: `lost after ${failedRecoveries} failed recovery attempts` });
      }
    }
  }

  next.intervalMs = cadence(next, baseIntervalMs);
  return { next, events, changed: next.state !== s.state, recoveryAttempt };
}

/** Poll cadence per state: base while healthy/degraded; doubling backoff while recovering/lost. */
export function cadence(s: HealthState, baseIntervalMs: number): number {
  const L = HEALTH_LIMITS;
  const doubling = (from: number, cap: number): number => Math.min(cap, from * 2 ** Math.min(s.failuresInState, 20));
  switch (s.state) {
    case 'healthy':
    case 'degraded':
      return baseIntervalMs;
    case 'recovering':
      return doubling(baseIntervalMs, Math.max(baseIntervalMs, L.recoveringMaxIntervalMs));
    case 'lost':
      return doubling(Math.max(baseIntervalMs, L.lostMinIntervalMs), Math.max(baseIntervalMs, L.lostMaxIntervalMs));
    case 'error':
      return Math.max(baseIntervalMs, L.errorRecheckMs);
  }
}

/** Wrong device or not a PDU (SPEC §7.7 `error`): no data, identity re-check every 300 s. */
export function onIdentityError(s: HealthState, reason: ErrorReason, detail: string, baseIntervalMs: number): HealthStep {
  const events: HealthEventOut[] = [];
  const changed = s.state !== 'error' || s.errorReason !== reason;
  if (changed && (reason === 'serial_mismatch' || reason === 'not_a_pdu')) events.push({ type: reason, detail });
  const next: HealthState = { ...s, state: 'error', errorReason: reason, lastError: `${reason}: ${detail}`, failuresInState: 0 };
  next.intervalMs = cadence(next, baseIntervalMs);
  return { next, events, changed, recoveryAttempt: false };
}
