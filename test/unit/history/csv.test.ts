// Streaming CSV (SPEC §13.6), including energy_daily rows read back from a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvFilename, csvLines, isoSecond } from '../../../src/history/csv.js';
import { computeDay, dailyRows, upsertDays } from '../../../src/history/energy-store.js';
import { tempHistory, varyingSnapshot, type TempHistory } from '../../support/history.js';

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const l of lines) out += l;
  return out;
}

/** A minimal RFC 4180 parser (quoted fields, doubled quotes, embedded newlines) to read output back. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  return rows;
}

let h: TempHistory | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

describe('isoSecond', () => {
  it.each([
    [Date.UTC(2026, 10, 24, 10) / 1000, '2026-11-24T10:00:00Z'],
    [0, '1970-01-01T00:00:00Z'],
    [1_795_521_599.9, '2026-11-24T11:59:59Z'],
  ])('%s → %s', (s, iso) => expect(isoSecond(s)).toBe(iso));

  it('rejects non-finite input', () => expect(() => isoSecond(Number.NaN)).toThrow(RangeError));
});

describe('csvCell', () => {
  it.each<[unknown, string]>([
    [null, ''],
    [undefined, ''],
    [Number.NaN, ''],
    [Infinity, ''],
    [0, '0'],
    [-1.5, '-1.5'],
    [1234.5678, '1234.5678'],
    [1e-7, '0.0000001'],
    [-2.5e-8, '-0.000000025'],
    [1.5e21, '1500000000000000000000'],
    [true, 'true'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    [new Date(Date.UTC(2026, 10, 24, 10)), '2026-11-24T10:00:00Z'],
    [{ a: 1, b: 'x' }, '"{""a"":1,""b"":""x""}"'],
  ])('%j → %j', (v, text) => expect(csvCell(v)).toBe(text));
});

describe('csvLines', () => {
  it('writes the header, then one \\n-terminated line per row, empty cells for null and missing keys', async () => {
    const rows = [
      { bucket: isoSecond(1_795_514_400), epoch: 1_795_514_400, outlet: 1, current: 0.4, power: 45.5, energy: null },
      { bucket: isoSecond(1_795_514_460), epoch: 1_795_514_460, outlet: 2, current: null, extra: 'ignored' },
    ];
    const text = await collect(csvLines(CSV_COLUMNS.outlet_history, rows));
    expect(text).toBe(
      'bucket,epoch,outlet,current,power,energy\n' +
        '2026-11-24T10:00:00Z,1795514400,1,0.4,45.5,\n' +
        '2026-11-24T10:01:00Z,1795514460,2,,,\n',
    );
  });

  it('quotes what needs quoting and round-trips through a CSV parser', async () => {
    const names = ['Rack, left', 'He said "off"', 'multi\nline', 'plain'];
    const text = await collect(csvLines(['n', 'name'], names.map((name, n) => ({ n, name }))));
    expect(parse(text)).toEqual([['n', 'name'], ...names.map((name, n) => [String(n), name])]);
  });

  it('is lazy: pulls one row per line, and nothing before the first line is asked for', async () => {
    let pulls = 0;
    function* rows(): Generator<Record<string, unknown>> {
      for (let i = 0; i < 1_000_000; i++) {
        pulls++;
        yield { a: i, b: i / 2 };
      }
    }
    const it = csvLines(['a', 'b'], rows());
    expect(pulls).toBe(0);
    expect((await it.next()).value).toBe('a,b\n');
    expect(pulls).toBe(0);
    expect((await it.next()).value).toBe('0,0\n');
    expect(pulls).toBe(1);
    expect((await it.next()).value).toBe('1,0.5\n');
    expect(pulls).toBe(2);
    await it.return(undefined);
    expect(pulls).toBe(2);
  });

  it('streams an async source and yields just the header for no rows', async () => {
    async function* rows(): AsyncGenerator<Record<string, unknown>> {
      yield { month: '2026-11', kwh: 1.25 };
      await Promise.resolve();
      yield { month: '2026-12', kwh: 2 };
    }
    expect(await collect(csvLines(['month', 'kwh'], rows()))).toBe('month,kwh\n2026-11,1.25\n2026-12,2\n');
    expect(await collect(csvLines(['month', 'kwh'], []))).toBe('month,kwh\n');
  });

  it('exports energy_daily rows stored in a real database', async () => {
    h = tempHistory({ startMs: Date.UTC(2026, 10, 23, 23, 0, 0), pollIntervalS: 60 });
    for (let i = 0; i < 26 * 60; i++) {
      await h.feed(varyingSnapshot(i, { outlets: 2 }), 60);
      if (i % 30 === 0) h.writer.commit();
    }
    h.writer.commit();
    h.writer.compactAll();
    const { db, catalog } = h.handle;
    upsertDays(db, computeDay(db, catalog, 'pdu-01', '2026-11-24', 'UTC'));
    const rows = dailyRows(db, { device_id: 'pdu-01', start: '2026-11-24', end: '2026-11-24' });
    const table = parse(await collect(csvLines(CSV_COLUMNS.energy_daily, rows)));
    expect(table[0]).toEqual(['date', 'device_id', 'source', 'outlet', 'kwh', 'peak_power_w', 'avg_power_w', 'samples']);
    expect(table.slice(1).map((r) => r.slice(0, 4))).toEqual([
      ['2026-11-24', 'pdu-01', '', ''], ['2026-11-24', 'pdu-01', '', '1'], ['2026-11-24', 'pdu-01', '', '2'],
      ['2026-11-24', 'pdu-01', '1', ''], ['2026-11-24', 'pdu-01', '1', '1'], ['2026-11-24', 'pdu-01', '1', '2'],
    ]);
    const whole = rows.find((r) => r.source === null && r.outlet === null);
    expect(Number(table[1]?.[4])).toBe(whole?.kwh);
    expect(table[1]?.[7]).toBe('1440');
  }, 60_000);
});

describe('csvFilename', () => {
  it.each([
    [['energy_daily', 'pdu-01', '2026-11-01', '2026-11-30'], 'energy_daily_pdu-01_2026-11-01_2026-11-30.csv'],
    [['energy_monthly', 'pdu-01', '2026-01', '2026-12'], 'energy_monthly_pdu-01_2026-01_2026-12.csv'],
    [['bank_history', 'pdu-01', 1_795_514_400, 1_795_518_000], 'bank_history_pdu-01_2026-11-24T100000Z_2026-11-24T110000Z.csv'],
    [['outlet_history', 'rack "a"/b\\c', 0, 60], 'outlet_history_rack_a_b_c_1970-01-01T000000Z_1970-01-01T000100Z.csv'],
  ] as Array<[Parameters<typeof csvFilename>, string]>)('%j → %s', (args, name) => expect(csvFilename(...args)).toBe(name));
});
