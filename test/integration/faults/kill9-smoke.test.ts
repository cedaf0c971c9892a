import { describe, expect, it } from 'vitest';
import { runKill9 } from '../../../bench/kill9-bench.js';

// The CI smoke of the 50 × kill -9 bench (SPEC §20; `npm run bench -- --suite faults` runs 50):
// the real app (demo mode, child process) killed with SIGKILL three times while it records 1 Hz
// samples, restarted on the same data dir each time. Kill 1 is plain; kill 2 happens with a power
// outage open (demo fail_source A), and after that restart the power is still out (scenario applied
// again): the same record must continue; kill 3 happens with it still open, and after that restart
// the power is back: the same record must close. Nothing here is mocked.

describe('kill -9 during ingest, restart on the same data dir (smoke)', () => {
  it('no corrupt database, ≤ 1 s of samples lost per kill, an open outage is never recorded twice', async () => {
    const seed = Number(process.env.KILL9_SEED ?? Date.now() % 100_000);
    const r = await runKill9({ kills: 3, minUptimeS: 1.5, maxUptimeS: 3.5, outageEvery: 2, seed, log: (l) => console.log(`[kill9 seed ${seed}] ${l}`) });
    expect(r.rows.map((x) => x.n)).toEqual([1, 2, 3]);
    for (const row of r.rows) {
      expect(row.problems, `kill ${row.n}`).toEqual([]);
      expect(row.integrity).toBe('ok');
      expect(row.integrityAfter).toBe('ok');
      // Each run was killed while ingesting: it had taken samples, and lost at most one second of them.
      expect(row.seen).toBeGreaterThanOrEqual(2);
      expect(row.lostS).toBeLessThanOrEqual(1);
      expect(row.dupSamples).toBe(0);
      expect(row.duplicateOutages).toBe(0);
    }
    expect(r.rows.map((x) => x.outageAtKill !== null)).toEqual([false, true, true]);
    expect(r.rows[1]?.outageAtKill).toBe(r.rows[2]?.outageAtKill);
    expect(r.rows.map((x) => x.after)).toEqual(['none', 'continued', 'closed']);
    // One outage was caused, and there is one record of it.
    expect(r.rows[2]?.outageRecords).toBe(1);
    expect(r.finalExit).toBe(0);
    expect(r.finalIntegrity).toBe('ok');
  }, 60_000);
});
