import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { Harness, rule } from './engine-harness.js';

// A database that refuses writes (disk full, locked) while rules keep firing: the rules still act,
// and each kind of failed write is logged once per streak plus once when writes work again — not at
// every rule step. The refusal is real SQLite: triggers that abort the engine's writes.

let h: Harness;
afterEach(async () => h.close());

const REFUSE = ['INSERT ON rule_stats', 'UPDATE ON rule_stats', 'INSERT ON events'];

describe('rules engine with a failing store', () => {
  it('keeps switching, logs each failing write once per streak and once on recovery', async () => {
    const lines: Array<Record<string, unknown>> = [];
    h = new Harness({ logger: createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) }) });
    h.start([rule('shed', { delay: 0, restore_delay: 2 })]);
    const db = h.history.handle.db;
    REFUSE.forEach((on, i) => db.exec(`CREATE TRIGGER refuse_${i} BEFORE ${on} BEGIN SELECT RAISE(ABORT, 'disk full'); END`));

    // Three fire/restore rounds while every counter save and event insert fails.
    for (let round = 0; round < 3; round++) {
      h.voltage('pdu-01', 105);
      await h.advance(0);
      h.voltage('pdu-01', 115);
      await h.advance(2, 'pdu-01');
    }
    expect(h.eventsOf('triggered', 'shed')).toHaveLength(3);
    expect(h.eventsOf('restored', 'shed')).toHaveLength(3);
    expect(h.sent()).toHaveLength(12); // 2 outlets × (off + on) × 3: the database did not stop the rule
    const count = (msg: string): number => lines.filter((l) => l.msg === msg).length;
    expect(count('rule counters not saved')).toBe(1);
    expect(count('automation event not stored')).toBe(1);
    expect(lines.find((l) => l.msg === 'rule counters not saved')).toMatchObject({ level: 50, rule: 'shed', error: expect.stringContaining('disk full') });

    REFUSE.forEach((_, i) => db.exec(`DROP TRIGGER refuse_${i}`));
    h.voltage('pdu-01', 105);
    await h.advance(0);
    expect(lines.filter((l) => String(l.msg).endsWith('again')).map((l) => [l.level, l.msg, l.failed])).toEqual([
      // 3 × (triggered + restored) events and counter saves failed.
      [30, 'automation events stored again', 6],
      [30, 'rule counters saved again', 6],
    ]);
    // Still one error line of each kind: the recovery ended the streak without another error.
    expect(count('rule counters not saved')).toBe(1);
    expect(count('automation event not stored')).toBe(1);
  });
});
