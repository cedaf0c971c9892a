import { z } from 'zod';
import { SUPPRESS_REASONS, WATCHDOG_STATES } from '../../core/watchdog.js';
import { errorResponse } from '../schemas.js';

// Schemas of the watchdog routes (SPEC §12.7, §14.2 `/api/watchdogs…`). Bodies are checked by the
// watchdog service like a `watchdogs[]` entry of the config file (naming the field and the fix);
// the request schema below documents the fields for /api/openapi.json. Times are epoch seconds.

const epochTime = z.number().describe('epoch seconds');
const field = (doc: string) => z.unknown().optional().describe(doc);

/** Error body of the watchdog routes: `details` lists every validation issue. */
export const watchdogErrorResponse = errorResponse.extend({
  details: z
    .array(z.object({ watchdog: z.string().nullable(), field: z.string(), message: z.string() }))
    .optional()
    .describe('every issue: {watchdog, field, message}'),
});

export const watchdogBody = z
  .looseObject({
    name: field('string, required, unique; letters, digits, "_" and "-" (SPEC §5)'),
    device: field('device id; "" = the only device, else the only cyberpower device'),
    outlet: field('int, required: the one outlet to power-cycle (not a protected one)'),
    target: field('required: http(s)://… URL (GET), host:port (TCP connect), or a switch name'),
    interval_s: field('check cadence, default 10'),
    timeout_ms: field('per-check timeout, default 5000'),
    fail_after_s: field('continuous failure before a cycle, default 180'),
    action: field('reboot (default) | off_on'),
    off_s: field('off time of off_on, default 10'),
    boot_grace_s: field('no judgement after a cycle for this long, default 300'),
    max_cycles: field('at most this many cycles within window_h (≥ 1), default 3'),
    window_h: field('hours, default 6'),
    depends_on: field('name of an upstream watchdog; "" = none'),
  })
  .describe('a watchdog object (SPEC §12.7), validated by the watchdog service');

export const watchdogNameParams = z.object({ name: z.string().min(1).max(128).describe('watchdog name') });

export const watchdogStateView = z.object({
  state: z.enum(WATCHDOG_STATES),
  reason: z.string().nullable().describe(`suppressed: one of ${SUPPRESS_REASONS.join(', ')}; otherwise an explanation or null`),
  cycles: z.number().int().describe('cycles within the current window_h'),
  last_cycle_at: epochTime.nullable(),
  last_result: z.enum(['up', 'down']).nullable(),
  last_check_at: epochTime.nullable(),
  failing_since: epochTime.nullable(),
  inactive: z.string().nullable().describe('why the watchdog does not act (unknown device, outlet out of range, …); null = active'),
});

export const watchdogView = z.object({
  name: z.string(),
  device: z.string(),
  device_id: z.string().describe('the device it acts on ("" until resolved)'),
  outlet: z.number().int(),
  target: z.string(),
  interval_s: z.number().int(),
  timeout_ms: z.number().int(),
  fail_after_s: z.number().int(),
  action: z.enum(['reboot', 'off_on']),
  off_s: z.number().int(),
  boot_grace_s: z.number().int(),
  max_cycles: z.number().int(),
  window_h: z.number().int(),
  depends_on: z.string(),
  source: z.enum(['config', 'runtime']),
  state: watchdogStateView,
});

export const watchdogDeletedView = z.object({ deleted: z.string() });
export const watchdogResetView = z.object({ name: z.string(), state: z.enum(WATCHDOG_STATES) });
export const watchdogTestView = z.object({
  name: z.string(),
  result: z.enum(['up', 'down']),
  response_time: z.number().nullable().describe('ms until the answer; null when nothing answered'),
  error: z.string().nullable(),
});
