import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../src/devices/pdu/simulator/physics.js';
import {
  api, ensureBuilt, inspectDb, overlappingOutages, SampleWatch, sleep, startAppChild, waitFor, writeConfig, type AppChild, type OutageRow,
} from '../test/support/kill9.js';

// kill -9 during ingest, then restart on the same data dir (issue 10 "Faults", SPEC §20): the real
// app (demo mode) as a child process, killed at a random moment while it records 1 Hz samples,
// sometimes while a power outage is open. After each kill, read-only from outside: integrity_check,
// the samples seen over /ws that are not in the file (≤ 1 s may be lost, SPEC §13.2), the outage
// records; after the restart: the open outage is continued (scenario applied again) or closed
// (power back), never recorded twice. `npm run bench -- --suite faults [--kills N]`; the
// integration smoke (test/integration/faults/kill9-smoke.test.ts) runs 3 kills.

const DEV = 'demo-pdu';

export interface Kill9Options {
  kills: number;
  /** Time from the first sample of a run to its kill, drawn uniformly in [min, max] s. */
  minUptimeS: number;
  maxUptimeS: number;
  /** Every k-th run opens a power outage (demo `fail_source` A) before its kill. */
  outageEvery: number;
  seed: number;
  log?: (line: string) => void;
}

export interface KillRow {
  n: number;
  uptimeS: number;
  /** Samples of that run seen over /ws before the kill. */
  seen: number;
  /** Of those, seconds missing from the database after the kill. */
  lostS: number;
  /** Stored seconds present more than once. */
  dupSamples: number;
  /** integrity_check of the killed file (read-only, before the restart) and while the restarted app runs. */
  integrity: string;
  integrityAfter: string;
  /** Id of the power outage open at the kill, or null. */
  outageAtKill: number | null;
  /** What the restart did with it: continued (same record, still open) or closed. */
  after: 'none' | 'continued' | 'closed';
  /** Outage records after the restart's checks, and records beyond the outages caused (duplicates). */
  outageRecords: number;
  duplicateOutages: number;
  /** Spawn to the first sample over /ws of the restarted app. */
  restartMs: number;
  problems: string[];
}

export interface Kill9Result {
  rows: KillRow[];
  seed: number;
  totalS: number;
  /** Exit code of the final clean stop and integrity_check after it. */
  finalExit: number | null;
  finalIntegrity: string;
}

const ongoing = (rows: readonly OutageRow[]): number[] => rows.filter((r) => r.is_ongoing === 1).map((r) => r.id);

export async function runKill9(opts: Kill9Options): Promise<Kill9Result> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'p2m-kill9-'));
  const log = opts.log ?? (() => undefined);
  const random = createRng(opts.seed); // seeded: a run can be repeated with --kill-seed
  const t0 = Date.now();
  writeConfig(dir);
  const db = join(dir, 'power2mqtt.db');
  const rows: KillRow[] = [];
  let pending: KillRow | null = null;
  let openId: number | null = null;
  let expectedRecords = 0;
  let app: AppChild | null = null;
  let watch: SampleWatch | null = null;
  try {
    for (let run = 1; run <= opts.kills + 1; run++) {
      app = await startAppChild(dir);
      watch = await SampleWatch.open(app.webUrl, DEV);
      await watch.samples(1, 0);
      const firstAt = Date.now();
      const restartMs = firstAt - app.spawnedAt;
      if (pending) {
        const row: KillRow = pending;
        row.restartMs = restartMs;
        if (openId !== null) {
          const prev = rows[rows.length - 1];
          row.after = prev?.after === 'continued' ? 'closed' : 'continued';
          if (row.after === 'continued') {
            // Power is still out: the resumed record must absorb the new evidence, not open a second one.
            await api(app.webUrl, '/api/demo/scenario', { name: 'fail_source', source: 'A' });
            await watch.samples(3);
            const open = ongoing(inspectDb(db, DEV, 0, 0).outages);
            if (open.length !== 1 || open[0] !== openId) row.problems.push(`continued: open records ${JSON.stringify(open)}, expected [${openId}]`);
          } else {
            // Power is back (the restarted simulator is normal): the resumed record closes after clear_cycles.
            const id = openId;
            try {
              await waitFor('outage closed', () => inspectDb(db, DEV, 0, 0).outages.find((o) => o.id === id && o.is_ongoing === 0), 30_000, 250);
            } catch (err) {
              row.problems.push(`closed: ${(err as Error).message}`);
            }
            openId = null;
          }
        }
        const facts = inspectDb(db, DEV, 0, 0);
        row.integrityAfter = facts.integrity;
        row.outageRecords = facts.outages.length;
        row.duplicateOutages = Math.max(overlappingOutages(facts.outages), facts.outages.length - expectedRecords);
        if (facts.outages.length !== expectedRecords) row.problems.push(`${facts.outages.length} outage records, ${expectedRecords} caused`);
        if (row.integrityAfter !== 'ok') row.problems.push(`integrity after restart: ${row.integrityAfter}`);
        rows.push(row);
        pending = null;
        log(`kill ${row.n}: up ${row.uptimeS.toFixed(1)} s, lost ${row.lostS} s, integrity ${row.integrity}, outage ${row.outageAtKill ?? '-'} → ${row.after}, records ${row.outageRecords}, restart ${row.restartMs} ms${row.problems.length ? ` — ${row.problems.join('; ')}` : ''}`);
      }
      if (run === opts.kills + 1) break;
      if (openId === null && run % opts.outageEvery === 0) {
        const before = new Set(inspectDb(db, DEV, 0, 0).outages.map((o) => o.id));
        await api(app.webUrl, '/api/demo/scenario', { name: 'fail_source', source: 'A' });
        openId = await waitFor('outage opened', () => ongoing(inspectDb(db, DEV, 0, 0).outages).find((id) => !before.has(id)), 15_000, 100);
        expectedRecords++;
      }
      const uptimeS = opts.minUptimeS + random() * (opts.maxUptimeS - opts.minUptimeS);
      await sleep(Math.max(0, firstAt + uptimeS * 1000 - Date.now()));
      // Killed while ingesting: on a busy machine the second sample can arrive after the drawn uptime.
      await watch.samples(2, 0);
      const killedAt = Date.now();
      const seen = [...watch.ts];
      await app.kill9();
      watch.close();
      const first = seen[0] as number;
      const last = seen[seen.length - 1] as number;
      const facts = inspectDb(db, DEV, first, last + 1);
      const stored = new Set(facts.ts);
      const open = ongoing(facts.outages);
      const row: KillRow = {
        n: run, uptimeS: (killedAt - firstAt) / 1000, seen: seen.length, lostS: seen.filter((t) => !stored.has(t)).length,
        dupSamples: facts.ts.length - stored.size, integrity: facts.integrity, integrityAfter: '', outageAtKill: openId, after: 'none',
        outageRecords: facts.outages.length, duplicateOutages: 0, restartMs: 0, problems: [],
      };
      if (row.integrity !== 'ok') row.problems.push(`integrity: ${row.integrity}`);
      if (row.lostS > 1) row.problems.push(`${row.lostS} s lost: ${seen.filter((t) => !stored.has(t)).join(',')} (last stored ${facts.ts[facts.ts.length - 1]})`);
      if (row.dupSamples > 0) row.problems.push(`${row.dupSamples} duplicate samples`);
      if (JSON.stringify(open) !== JSON.stringify(openId === null ? [] : [openId])) row.problems.push(`open records at kill ${JSON.stringify(open)}, expected ${openId ?? 'none'}`);
      pending = row;
    }
    const code = app ? await app.stop() : null;
    watch?.close();
    return { rows, seed: opts.seed, totalS: (Date.now() - t0) / 1000, finalExit: code, finalIntegrity: inspectDb(db, DEV, 0, 0).integrity };
  } finally {
    watch?.close();
    await app?.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

export function kill9Table(rows: readonly KillRow[]): string {
  const out = [
    '| kill # | uptime at kill (s) | samples seen | samples lost (s) | integrity (killed / restarted) | outage open at kill | after restart | outage records | restart (ms) |',
    '|---:|---:|---:|---:|---|---|---|---:|---:|',
  ];
  for (const r of rows) {
    out.push(`| ${r.n} | ${r.uptimeS.toFixed(1)} | ${r.seen} | ${r.lostS} | ${r.integrity} / ${r.integrityAfter} | ${r.outageAtKill === null ? '–' : `#${r.outageAtKill}`} | ${r.after === 'none' ? '–' : r.after} | ${r.outageRecords} | ${r.restartMs} |`);
  }
  return out.join('\n');
}

export function kill9Summary(r: Kill9Result): string {
  const rows = r.rows;
  const lost = rows.map((x) => x.lostS);
  const hist = [0, 1, 2].map((k) => `${k} s: ${lost.filter((l) => (k === 2 ? l >= 2 : l === k)).length}`).join(', ');
  const restart = rows.map((x) => x.restartMs);
  const corrupt = rows.filter((x) => x.integrity !== 'ok' || x.integrityAfter !== 'ok').length;
  const problems = rows.flatMap((x) => x.problems.map((p) => `kill ${x.n}: ${p}`));
  return [
    `- ${rows.length} kills (seed ${r.seed}), ${rows.filter((x) => x.outageAtKill !== null).length} of them with a power outage open; ${r.totalS.toFixed(0)} s in all.`,
    `- Corrupt databases: ${corrupt} (integrity_check of the killed file before each restart, and again with the restarted app running; after the final clean stop: ${r.finalIntegrity}, exit ${r.finalExit}).`,
    `- Samples lost per kill (seen over /ws, missing from the file): ${hist}; max ${Math.max(0, ...lost)} s, mean ${(lost.reduce((a, b) => a + b, 0) / Math.max(1, lost.length)).toFixed(2)} s; duplicate samples: ${rows.reduce((a, x) => a + x.dupSamples, 0)}.`,
    `- Outages open at a kill: ${rows.filter((x) => x.after === 'continued').length} continued by the same record, ${rows.filter((x) => x.after === 'closed').length} closed; duplicate outage records: ${rows.reduce((a, x) => a + x.duplicateOutages, 0)}.`,
    `- Restart to first sample: median ${pct(restart, 50)} ms, p90 ${pct(restart, 90)} ms, max ${Math.max(0, ...restart)} ms.`,
    problems.length ? `- Problems:\n${problems.map((p) => `  - ${p}`).join('\n')}` : '- Problems: none.',
  ].join('\n');
}

export const FAULTS_START = '<!-- bench:faults-kill9:start -->';
export const FAULTS_END = '<!-- bench:faults-kill9:end -->';

/** The bench's block of docs/RELIABILITY.md (between its markers). */
export function renderKill9Section(r: Kill9Result, facts: { date: string; machine: string; command: string }): string {
  return `${FAULTS_START}\n#### Run of ${facts.date} (\`${facts.command}\`, ${facts.machine})\n\n${kill9Summary(r)}\n\n${kill9Table(r.rows)}\n${FAULTS_END}`;
}

/** Replaces the block when both markers are in the document; null when they are not (nothing is appended). */
export function replaceKill9Section(doc: string, section: string): string | null {
  const s = doc.indexOf(FAULTS_START);
  const e = doc.indexOf(FAULTS_END);
  if (s === -1 || e < s) return null;
  return doc.slice(0, s) + section + doc.slice(e + FAULTS_END.length);
}
