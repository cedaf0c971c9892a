import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { PduSnapshot } from '../../src/core/types.js';
import { CPS_MIB_PROFILE } from '../../src/devices/pdu/profiles/index.js';
import { DbHandle } from '../../src/history/handle.js';
import { HistoryWriter, type WriterOptions } from '../../src/history/writer.js';
import { pduSnapshot, type FixtureOptions } from './pdu-snapshot.js';

// A real SQLite file in a temp dir with the real writer on a fake clock.

export interface TempHistory {
  dir: string;
  path: string;
  clock: FakeClock;
  handle: DbHandle;
  writer: HistoryWriter;
  /** Ingest one snapshot at the clock's current second and advance the clock by `stepS`. */
  feed(snap: PduSnapshot, stepS?: number): Promise<void>;
  cleanup(): void;
}

export function tempHistory(opts: Partial<WriterOptions> & { startMs?: number; pollIntervalS?: number } = {}): TempHistory {
  const dir = mkdtempSync(join(tmpdir(), 'p2m-history-'));
  const path = join(dir, 'history.db');
  const clock = new FakeClock(opts.startMs ?? Date.UTC(2026, 10, 24, 0, 0, 0));
  const handle = new DbHandle(path, 20);
  const writer = new HistoryWriter(handle, {
    clock, logger: silentLogger(), commitIntervalMs: 1000,
    profileOf: () => CPS_MIB_PROFILE, pollIntervalOf: () => opts.pollIntervalS ?? 1, ...opts,
  });
  return {
    dir, path, clock, handle, writer,
    async feed(snap, stepS = 1) {
      writer.ingest({ ...snap, ts: clock.now() / 1000 });
      await clock.advance(stepS * 1000);
    },
    cleanup() {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PDU44001 snapshot whose numbers are a deterministic function of `i`. */
export function varyingSnapshot(i: number, opts: FixtureOptions = {}): PduSnapshot {
  const s = pduSnapshot(opts);
  s.input.voltage = Math.round((120 + 2 * Math.sin(i / 10)) * 10) / 10;
  for (const [n, b] of Object.entries(s.banks)) {
    b.power = 100 + Number(n) * 10 + (i % 7);
    b.current = Math.round((1 + (i % 5) / 10) * 10) / 10;
  }
  for (const [n, o] of Object.entries(s.outlets)) {
    if (o.power !== null) o.power = 10 * Number(n) + (i % 3);
    if (o.energy !== null) o.energy = Math.round((1 + Number(n) + Math.floor(i / 600) / 10) * 10) / 10;
  }
  s.totals.power = Object.values(s.banks).reduce((a, b) => a + (b.power ?? 0), 0);
  return s;
}
