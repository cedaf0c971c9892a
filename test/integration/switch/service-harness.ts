import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { PowerCheck, ProbeCycleEvent, SwitchInput } from '../../../src/core/power.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import { createSwitchService, type SwitchProbeSettings, type SwitchService } from '../../../src/devices/switch/service.js';
import { DbHandle } from '../../../src/history/handle.js';
import { PowerStore } from '../../../src/history/power-store.js';

// The switch probe service (src/devices/switch/service.ts) on real parts: a SQLite file in a temp
// dir behind the history PowerStore, the real Scheduler and EventBus, the RealClock, and real HTTP
// targets on 127.0.0.1 (the switch simulator or counting test servers). Nothing is mocked.

export const DEFAULT_SETTINGS: SwitchProbeSettings = { interval_s: 1, timeout_ms: 300, concurrency: 8, stale_after_h: 24, tls_errors: 'up' };

/** Generous bound for "the next cycle" on a loaded 2-core machine. */
export const CYCLE_WAIT_MS = 8_000;

export interface SwitchHarness {
  dir: string;
  path: string;
  handle: DbHandle;
  store: PowerStore;
  bus: EventBus;
  scheduler: Scheduler;
  svc: SwitchService;
  /** Every `probe` event, in order. */
  events: ProbeCycleEvent[];
  /** Scheduler errors (a failed cycle): none expected. */
  errors: unknown[];
  start(): void;
  /** The first non-manual event emitted after `events[from - 1]`. */
  nextCycle(from?: number): Promise<ProbeCycleEvent>;
  idOf(name: string): number;
  /** Every stored check (newest first). */
  rows(): PowerCheck[];
  /** Stop the service and wait until its scheduler target has settled (idempotent). */
  stop(): Promise<void>;
  /** stop(), close the database, delete the temp dir. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<SwitchProbeSettings>;
  fixedTargets?: SwitchInput[];
  /** Reuse a database directory (a second service on the same file). */
  dir?: string;
  /** Call start() now (default true). */
  start?: boolean;
}

export function switchHarness(opts: HarnessOptions = {}): SwitchHarness {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'p2m-switch-svc-'));
  const path = join(dir, 'history.db');
  const handle = new DbHandle(path, 20);
  const store = new PowerStore(handle);
  const clock = new RealClock();
  const errors: unknown[] = [];
  const scheduler = new Scheduler(clock, (_id, err) => errors.push(err));
  const bus = new EventBus((_e, err) => errors.push(err));
  const events: ProbeCycleEvent[] = [];
  bus.on('probe', (e) => events.push(e));
  const svc = createSwitchService({
    settings: { ...DEFAULT_SETTINGS, ...opts.settings }, fixedTargets: opts.fixedTargets ?? [], store, clock, scheduler, bus, logger: silentLogger(),
  });
  let stopped: Promise<void> | null = null;
  let closed = false;
  const h: SwitchHarness = {
    dir, path, handle, store, bus, scheduler, svc, events, errors,
    start: () => svc.start(),
    async nextCycle(from = events.length) {
      let found: ProbeCycleEvent | undefined;
      await vi.waitFor(
        () => {
          found = events.slice(from).find((e) => !e.manual);
          expect(found, 'a probe cycle event').toBeDefined();
        },
        { timeout: CYCLE_WAIT_MS, interval: 10 },
      );
      return found as ProbeCycleEvent;
    },
    idOf(name) {
      const t = store.listSwitches().find((x) => x.name === name);
      if (!t) throw new Error(`no stored switch ${name}`);
      return t.id;
    },
    rows: () => store.listChecks({ since: 0, limit: 100_000 }),
    stop() {
      stopped ??= (async () => {
        await svc.stop();
        // The cancelled target's last cycle still records (store + event): wait for it.
        await scheduler.stop();
      })();
      return stopped;
    },
    async close() {
      if (closed) return;
      closed = true;
      await h.stop();
      handle.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.start ?? true) h.start();
  return h;
}

/**
 * Every stored check belongs to exactly one probe event and every event's check was stored once:
 * no double store, no stored row without an event. Call after stop().
 */
export function expectRowsMatchEvents(h: SwitchHarness): void {
  const fromEvents = h.events.flatMap((e) => e.checks);
  const ids = fromEvents.map((c) => c.id);
  expect(ids.every((id) => id > 0), 'every emitted check was stored').toBe(true);
  expect(new Set(ids).size, 'no check emitted twice').toBe(ids.length);
  const rows = h.rows();
  expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
}
