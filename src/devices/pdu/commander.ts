import type { EventBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import { settlesWithin } from '../../core/concurrency.js';
import { errorMessage, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CommandOptions, DeviceField, FieldResult } from '../../core/ports.js';
import type { CommandResult, OutletAction, OutletState, PduSnapshot } from '../../core/types.js';
import { checkCommand, parseAction, SerialQueue } from './commands.js';
import { decodeValue } from './decode-value.js';
import type { PduDeviceSettings } from './types.js';
import { rowFor } from './discover.js';
import type { PduLayout } from './layout.js';
import { instanceOid } from './plan.js';
import { SnmpError, SnmpType, type SnmpTransport } from './transport.js';

/** SPEC §3.3: at shutdown, SETs already asked for get this long to finish; the rest are not sent. */
export const SHUTDOWN_SET_GRACE_MS = 5000;
const STOPPING = 'the bridge is shutting down: command not sent';

export interface CommanderDeps {
  settings: PduDeviceSettings;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  readTransport: () => SnmpTransport;
  writeTransport: () => SnmpTransport;
  /** The live snapshot, or null when the device is unavailable. */
  live: () => PduSnapshot | null;
  layout: () => PduLayout | null;
}

/**
 * Outlet commands and device writes of one PDU: validated, serialised (one SET at a time),
 * executed with the write community, and confirmed by reading the outlet back at once (SPEC §7.6).
 */
export class PduCommander {
  private readonly queue = new SerialQueue();
  private writer: SnmpTransport | undefined;
  /** draining: no new commands, queued ones still run; closed: queued ones are answered unsent. */
  private phase: 'open' | 'draining' | 'closed' = 'open';

  constructor(private readonly d: CommanderDeps) {}

  private get readOnly(): boolean {
    return this.d.settings.version !== '3' && this.d.settings.writeCommunity === '';
  }

  private write(): SnmpTransport {
    this.writer ??= this.d.writeTransport();
    return this.writer;
  }

  async outletCommand(outlet: number, rawAction: string, opts: CommandOptions): Promise<CommandResult> {
    const started = this.d.clock.monotonic();
    const live = this.d.live();
    const check = checkCommand(
      {
        available: live !== null,
        outletCount: live?.identity.outlet_count ?? this.d.layout()?.outletCount ?? 0,
        readOnly: this.readOnly,
        protectedOutlets: this.d.settings.protectedOutlets,
      },
      outlet,
      rawAction,
      opts.force === true,
    );
    const command = (parseAction(rawAction) ?? rawAction) as OutletAction;
    if (!check.ok) return this.finish(this.result(outlet, command, started, opts, { error: check.error, code: check.code }));
    const refused = () => this.finish(this.result(outlet, command, started, opts, { error: STOPPING, code: 'P2M_ERR_DEVICE_UNAVAILABLE' }));
    if (this.phase !== 'open') return refused();
    return this.queue.run(async () => {
      if (this.phase === 'closed') return refused();
      const profile = this.d.settings.profile;
      const value = profile.writes.outletCommandValues[check.action];
      try {
        await this.write().set([{ oid: `${profile.writes.outletCommand}.${outlet}`, type: SnmpType.Integer, value }]);
      } catch (err) {
        return this.finish(this.result(outlet, command, started, opts, { error: this.snmpError(err), code: 'P2M_ERR_SNMP' }));
      }
      const readBack = await this.readOutlet(outlet);
      return this.finish(this.result(outlet, command, started, opts, { state: readBack.state, pending: readBack.pending }));
    });
  }

  /** Re-read one outlet's state and pending flag (best effort: null when the read fails). */
  private async readOutlet(outlet: number): Promise<{ state: OutletState | null; pending: boolean | null }> {
    const profile = this.d.settings.profile;
    const stateRow = rowFor(profile, 'outlet.state');
    const pendingRow = rowFor(profile, 'outlet.pending');
    const rows = [stateRow, pendingRow].filter((r) => r !== undefined);
    try {
      const vbs = await this.d.readTransport().get(rows.map((r) => instanceOid(r, outlet)));
      const opts = { meteringFloor: false, sourceVoltageScale: null };
      const state = stateRow ? (decodeValue(stateRow, vbs[0], opts).value as OutletState | null) : null;
      const pendingRaw = pendingRow ? decodeValue(pendingRow, vbs[1], opts).value : null;
      const pending = pendingRaw === null ? null : pendingRaw === 'pending';
      // Snapshots are immutable values once emitted; the read-back travels in the command result.
      return { state, pending };
    } catch (err) {
      this.d.logger.warn({ outlet, error: errorMessage(err) }, 'outlet read-back after command failed');
      return { state: null, pending: null };
    }
  }

  setDeviceField(field: DeviceField, value: string): Promise<FieldResult> {
    const w = this.d.settings.profile.writes;
    const oid = { name: w.deviceName, location: w.sysLocation, contact: w.sysContact, sys_name: w.sysName }[field];
    return this.setString(field, oid, value);
  }

  setOutletName(outlet: number, name: string): Promise<FieldResult> {
    const count = this.d.layout()?.outletCount ?? 0;
    if (!Number.isInteger(outlet) || outlet < 1 || outlet > count) {
      return Promise.resolve(this.field(`outlet_${outlet}_name`, name, `unknown outlet ${outlet} (1..${count})`, 'P2M_ERR_UNKNOWN_OUTLET'));
    }
    return this.setString(`outlet_${outlet}_name`, `${this.d.settings.profile.writes.outletName}.${outlet}`, name);
  }

  setPreferredSource(source: string): Promise<FieldResult> {
    const s = source.trim().toUpperCase();
    const oid = this.d.settings.profile.writes.atsPreferredSource;
    if (s !== 'A' && s !== 'B') return Promise.resolve(this.field('preferred_source', source, 'source must be A or B', 'P2M_ERR_VALIDATION'));
    if (!oid || !this.d.layout()?.capabilities.includes('ats')) {
      return Promise.resolve(this.field('preferred_source', s, 'this PDU has no ATS', 'P2M_ERR_NOT_SUPPORTED'));
    }
    return this.setValue('preferred_source', s, oid, SnmpType.Integer, s === 'A' ? 1 : 2);
  }

  /** SPEC §14.2: the `original` profile's OID only (1 on, 2 off); the published MIB has no such setting. */
  setAutoTransfer(enabled: boolean): Promise<FieldResult> {
    const shown = enabled ? 'on' : 'off';
    const oid = this.d.settings.profile.writes.atsAutoTransfer;
    if (!oid) {
      return Promise.resolve(this.field('auto_transfer', shown, `profile ${this.d.settings.profile.name} has no ATS auto-transfer setting (only profile original)`, 'P2M_ERR_NOT_SUPPORTED'));
    }
    if (!this.d.layout()?.capabilities.includes('ats')) return Promise.resolve(this.field('auto_transfer', shown, 'this PDU has no ATS', 'P2M_ERR_NOT_SUPPORTED'));
    return this.setValue('auto_transfer', shown, oid, SnmpType.Integer, enabled ? 1 : 2);
  }

  private setString(field: string, oid: string, value: string): Promise<FieldResult> {
    if (Buffer.byteLength(value) > 63) return Promise.resolve(this.field(field, value, 'at most 63 bytes', 'P2M_ERR_VALIDATION'));
    return this.setValue(field, value, oid, SnmpType.OctetString, value);
  }

  private setValue(field: string, shown: string, oid: string, type: number, value: unknown): Promise<FieldResult> {
    if (this.readOnly) return Promise.resolve(this.field(field, shown, 'read-only device', 'P2M_ERR_READ_ONLY'));
    if (!this.d.live()) return Promise.resolve(this.field(field, shown, 'device unavailable', 'P2M_ERR_DEVICE_UNAVAILABLE'));
    if (this.phase !== 'open') return Promise.resolve(this.field(field, shown, STOPPING, 'P2M_ERR_DEVICE_UNAVAILABLE'));
    return this.queue.run(async () => {
      if (this.phase === 'closed') return this.field(field, shown, STOPPING, 'P2M_ERR_DEVICE_UNAVAILABLE');
      try {
        await this.write().set([{ oid, type, value }]);
        return this.field(field, shown, null, null);
      } catch (err) {
        return this.field(field, shown, this.snmpError(err), 'P2M_ERR_SNMP');
      }
    });
  }

  private snmpError(err: unknown): string {
    if (err instanceof SnmpError && err.kind === 'timeout') return 'no answer to the SET (wrong write community, or device unreachable)';
    return errorMessage(err);
  }

  private field(field: string, value: string, error: string | null, code: ErrorCode | null): FieldResult {
    return { success: error === null, field, value, error, code, ts: this.d.clock.now() / 1000 };
  }

  private result(
    outlet: number,
    command: OutletAction,
    startedMono: number,
    opts: CommandOptions,
    r: { error?: string; code?: ErrorCode; state?: OutletState | null; pending?: boolean | null },
  ): CommandResult {
    return {
      device_id: this.d.settings.id,
      outlet,
      command,
      success: r.error === undefined,
      error: r.error ?? null,
      code: r.code ?? null,
      ts: this.d.clock.now() / 1000,
      duration_ms: Math.round((this.d.clock.monotonic() - startedMono) * 10) / 10,
      state: r.state ?? null,
      pending: r.pending ?? null,
      ...(opts.transaction !== undefined ? { transaction: opts.transaction } : {}),
    };
  }

  private finish(result: CommandResult): CommandResult {
    this.d.logger.info({ outlet: result.outlet, command: result.command, success: result.success, error: result.error, duration_ms: result.duration_ms }, 'outlet command');
    this.d.bus.emit('command.result', result);
    return result;
  }

  /** The device moved (ip_changed): the next SET opens a session to the new address. */
  resetWriter(): void {
    this.writer?.close();
    this.writer = undefined;
  }

  /** Let the SETs already asked for finish, for at most `graceMs` (SPEC §3.3); refuse new ones. */
  async stop(graceMs = SHUTDOWN_SET_GRACE_MS): Promise<void> {
    this.phase = 'draining';
    const waiting = this.queue.pending;
    const drained = await settlesWithin(this.d.clock, this.queue.idle(), graceMs);
    this.phase = 'closed';
    if (!drained) {
      this.d.logger.warn({ queued: waiting, still_pending: this.queue.pending, waited_ms: graceMs }, 'outlet commands not finished at shutdown: the rest are not sent');
    }
    this.writer?.close();
  }
}
