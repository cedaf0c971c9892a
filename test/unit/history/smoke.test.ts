import { afterEach, describe, expect, it } from 'vitest';
import { readRaw } from '../../../src/history/raw.js';
import { tempHistory, varyingSnapshot, type TempHistory } from '../../support/history.js';

let h: TempHistory | undefined;
afterEach(() => h?.cleanup());

describe('writer smoke', () => {
  it('writes 1 h of samples, compacts chunks and reads them back', async () => {
    h = tempHistory();
    const start = h.clock.now() / 1000;
    const t = Date.now();
    for (let i = 0; i < 3600; i++) {
      await h.feed(varyingSnapshot(i));
      h.writer.commit();
    }
    const db = h.handle.db;
    const chunks = db.prepare('SELECT count(*) c FROM raw_chunk').get() as { c: number };
    const tail = db.prepare('SELECT count(*) c FROM raw_tail').get() as { c: number };
    const rollups = db.prepare('SELECT size, count(*) c FROM rollup GROUP BY size').all();
    console.log(Date.now() - t, chunks, tail, rollups, h.writer.stats);
    const dev = h.handle.catalog.findDev('pdu-01');
    const raw = readRaw(db, h.handle.catalog, dev!.id, start, start + 3600);
    console.log(Date.now() - t);
    expect(raw.ts.length).toBe(3600);
  });
});
