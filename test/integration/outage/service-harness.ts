import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../../src/core/bus.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { OutageBusEvent, PowerCheck, SwitchStatus, SwitchTarget } from '../../../src/core/power.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import type { PduSnapshot } from '../../../src/core/types.js';
import { NetSnmpTransport } from '../../../src/devices/pdu/net-snmp-transport.js';
import { PduDevice } from '../../../src/devices/pdu/device.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { DeviceRegistry } from '../../../src/devices/registry.js';
import { DbHandle } from '../../../src/history/handle.js';
import { listEvents, type EventRecord } from '../../../src/history/events.js';
import { PowerStore } from '../../../src/history/power-store.js';
import type { OutageConfig } from '../../../src/config/schema.js';
import { engineConfig } from '../../../src/outage/config.js';
import { createOutageService, type OutageService } from '../../../src/outage/service.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';

// The outage service (src/outage/service.ts) on real parts: a SQLite file in a temp dir behind the
// history PowerStore, the real Scheduler and EventBus on a FakeClock, a real DeviceRegistry holding
// PduDevices that are never started (they only answer info()). Polls, PDU events and probe cycles
// are fed as the bus events the PDU poller and the switch service emit. Times are offsets from T0.

/** FakeClock's default start, epoch seconds. */
export const T0 = Date.UTC(2026, 0, 1) / 1000;

export const OUTAGE: OutageConfig = {
  enabled: true, threshold: 0.5, min_switches: 1, pdu_confirm_polls: 1, confirm_cycles: 2, clear_cycles: 2,
  source_lost_voltage: 80, use_pdu_signals: true, restart_gap_s: 300,
};

export interface PduSpec {
  id: string;
  utility?: 'A' | 'B' | null;
}

export interface OutageHarnessOptions {
  pdus?: PduSpec[];
  /** A heartbeat stored before start (offset from T0): the previous run was last seen then. */
  lastSeenAt?: number;
  /** Start offset from T0 (default 0). */
  startAt?: number;
}

export interface OutageHarness {
  dir: string;
  handle: DbHandle;
  store: PowerStore;
  clock: FakeClock;
  bus: EventBus;
  svc: OutageService;
  /** Every `outage` bus event, in order. */
  events: OutageBusEvent[];
  errors: unknown[];
  /** Sensor switches 1-3 (ids 1, 2, 3) and the control switch (id 4), as stored. */
  sensors: SwitchTarget[];
  control: SwitchTarget;
  at(offset: number): Promise<void>;
  /** A probe cycle at T0+offset: "UUD" = sensors 1, 2 up, 3 down; `control` U/D. Its checks are stored too. */
  cycle(offset: number, sensors: string, control?: 'U' | 'D'): Promise<void>;
  /** A successful poll of `deviceId` at T0+offset (`change` edits the snapshot first). */
  sample(offset: number, deviceId: string, change?: (s: PduSnapshot) => void): Promise<void>;
  /** The poller's `pdu_reboot` event (it comes before the poll's sample). */
  reboot(deviceId: string, bootOffset: number): void;
  storedEvents(type: string): EventRecord[];
  /** Stop this service and start a new one on the same file (a bridge restart), at T0+offset. */
  restart(offset: number): Promise<OutageHarness>;
  close(): Promise<void>;
}

export const cfg = engineConfig(OUTAGE, { interval_s: 10 });

function openParts(dir: string, pdus: PduSpec[], clock: FakeClock) {
  const handle = new DbHandle(join(dir, 'history.db'), 20);
  const store = new PowerStore(handle);
  const registry = new DeviceRegistry(clock);
  const bus = new EventBus();
  for (const p of pdus) {
    registry.add(new PduDevice({
      id: p.id, label: '', host: '127.0.0.1', port: 1, version: '2c', community: 'public', writeCommunity: '', profile: getProfile('cps-mib'),
      timeoutMs: 1000, retries: 0, pollIntervalMs: 1000, maxOidsPerRequest: 0, meteringFloor: true, expectedSerial: '', capabilityRecheckMs: 3_600_000,
      protectedOutlets: new Set(), utilitySource: p.utility ?? null,
    }, { clock, bus, logger: silentLogger(), transportFactory: (o) => new NetSnmpTransport(o) }));
  }
  return { handle, store, registry, bus };
}

export async function outageHarness(opts: OutageHarnessOptions = {}, shared?: { dir: string; clock: FakeClock }): Promise<OutageHarness> {
  const dir = shared?.dir ?? mkdtempSync(join(tmpdir(), 'p2m-outage-svc-'));
  const clock = shared?.clock ?? new FakeClock();
  const pdus = opts.pdus ?? [];
  const { handle, store, registry, bus } = openParts(dir, pdus, clock);
  const errors: unknown[] = [];
  const scheduler = new Scheduler(clock, (_id, err) => errors.push(err));
  const events: OutageBusEvent[] = [];
  bus.on('outage', (e) => events.push(e));
  if (!shared) {
    const ts = T0 - 86_400;
    for (const n of [1, 2, 3]) store.insertSwitch({ name: `s${n}`, url: `http://127.0.0.1:${n}/`, ip: '127.0.0.1', role: 'sensor', active: true, group: '', source: 'runtime', created_at: ts, updated_at: ts });
    store.insertSwitch({ name: 'router', url: 'http://127.0.0.1:4/', ip: '127.0.0.1', role: 'control', active: true, group: '', source: 'runtime', created_at: ts, updated_at: ts });
  }
  const targets = store.listSwitches();
  const sensors = targets.filter((t) => t.role === 'sensor');
  const control = targets.find((t) => t.role === 'control') as SwitchTarget;
  if (opts.lastSeenAt !== undefined) store.saveHeartbeat(T0 + opts.lastSeenAt);
  const lastUp = new Map<number, number>();
  const svc = createOutageService({ config: cfg, store, registry, clock, scheduler, bus, logger: silentLogger() });

  const at = async (offset: number): Promise<void> => {
    const ms = (T0 + offset) * 1000 - clock.now();
    if (ms < 0) throw new Error(`time runs forward only: T0+${offset} is in the past`);
    await clock.advance(ms);
  };
  await at(opts.startAt ?? 0);
  svc.start();

  let closed = false;
  const h: OutageHarness = {
    dir, handle, store, clock, bus, svc, events, errors, sensors, control, at,
    async cycle(offset, states, ctl = 'U') {
      await at(offset);
      const ts = T0 + offset;
      const switches: SwitchStatus[] = [];
      const checks: PowerCheck[] = [];
      [...sensors, control].forEach((t, i) => {
        const up = (t.role === 'control' ? ctl : states[i]) !== 'D';
        const check: PowerCheck = {
          id: 0, switch_id: t.id, result: up ? 'up' : 'down', is_online: up, http_status: up ? 200 : null, response_time: up ? 12 : null,
          error_message: up ? null : 'no response within 300 ms', reason: up ? 'http' : 'timeout', checked_at: ts,
        };
        if (up) lastUp.set(t.id, ts);
        checks.push(check);
        switches.push({ target: t, state: check.result, last_check: check, last_up_at: lastUp.get(t.id) ?? null, stale: false });
      });
      store.insertChecks(checks);
      bus.emit('probe', { ts, cycle: offset, switches, checks, manual: false });
    },
    async sample(offset, deviceId, change) {
      await at(offset);
      const s = pduSnapshot({ deviceId });
      s.ts = T0 + offset;
      s.identity.sys_uptime_cs = 30 * 86_400 * 100; // booted a month ago
      change?.(s);
      bus.emit('sample', s);
    },
    reboot(deviceId, bootOffset) {
      bus.emit('device.event', {
        type: 'pdu_reboot', device_id: deviceId, source: 'snmp', details: 'PDU rebooted (uptime went back)', ts: clock.now() / 1000,
        data: { previous_uptime_cs: 1e9, uptime_cs: 100, boot_at: new Date((T0 + bootOffset) * 1000).toISOString() },
      });
    },
    storedEvents: (type) => listEvents(handle.db, { type }),
    async restart(offset) {
      await svc.stop();
      await scheduler.stop();
      await registry.stopAll();
      handle.close();
      closed = true;
      await at(offset);
      return outageHarness({ pdus, startAt: offset }, { dir, clock });
    },
    async close() {
      if (closed) return;
      closed = true;
      await svc.stop();
      await scheduler.stop();
      await registry.stopAll();
      handle.close();
      if (!shared) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Close every harness of a test; the temp dir goes with the first one's. */
export async function closeAll(hs: OutageHarness[]): Promise<void> {
  for (const h of [...hs].reverse()) await h.close();
  for (const h of hs) rmSync(h.dir, { recursive: true, force: true });
}
