import { ERRORS, type ErrorCode } from '../../core/errors.js';
import { OUTLET_ACTIONS, type OutletAction } from '../../core/types.js';

// Pure validation of an outlet command (SPEC §9.2 "Command handling"): the same rules
// whether the command came from MQTT, REST, the dashboard or a rule.

export const SWITCHING_OFF: ReadonlySet<OutletAction> = new Set(['off', 'delayoff', 'reboot', 'delayreboot']);

export interface CommandContext {
  available: boolean;
  outletCount: number;
  readOnly: boolean;
  protectedOutlets: ReadonlySet<number>;
}

export type CommandCheck =
  | { ok: true; action: OutletAction }
  | { ok: false; code: ErrorCode; error: string };

export function parseAction(raw: string): OutletAction | null {
  const a = raw.trim().toLowerCase();
  return (OUTLET_ACTIONS as readonly string[]).includes(a) ? (a as OutletAction) : null;
}

export function checkCommand(
  ctx: CommandContext,
  outlet: number,
  rawAction: string,
  force: boolean,
): CommandCheck {
  const action = parseAction(rawAction);
  if (!action) {
    return { ok: false, code: 'P2M_ERR_BAD_COMMAND', error: `unknown command "${rawAction}" (use one of ${OUTLET_ACTIONS.join(', ')})` };
  }
  if (!ctx.available) return { ok: false, code: 'P2M_ERR_DEVICE_UNAVAILABLE', error: ERRORS.P2M_ERR_DEVICE_UNAVAILABLE.message };
  if (!Number.isInteger(outlet) || outlet < 1 || outlet > ctx.outletCount) {
    return { ok: false, code: 'P2M_ERR_UNKNOWN_OUTLET', error: `unknown outlet ${outlet} (this PDU has outlets 1..${ctx.outletCount})` };
  }
  if (ctx.readOnly) return { ok: false, code: 'P2M_ERR_READ_ONLY', error: ERRORS.P2M_ERR_READ_ONLY.message };
  if (SWITCHING_OFF.has(action) && ctx.protectedOutlets.has(outlet) && !force) {
    return { ok: false, code: 'P2M_ERR_PROTECTED_OUTLET', error: ERRORS.P2M_ERR_PROTECTED_OUTLET.message };
  }
  return { ok: true, action };
}

/** A per-device FIFO: one SNMP SET at a time, never concurrent with another (SPEC §7.6). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    this.depth++;
    const p = this.tail.then(job, job);
    this.tail = p.then(
      () => this.depth--,
      () => this.depth--,
    );
    return p;
  }

  get pending(): number {
    return this.depth;
  }

  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
