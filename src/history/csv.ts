// Streaming CSV (SPEC §13.6): a header row, then one line per row as the rows are pulled, so a
// large export never sits in memory (only the current row is held). Rules (documented choices):
// - line ending `\n` (RFC 4180 allows readers to accept it; every spreadsheet and csv parser does),
//   on the header and every row, including the last;
// - numbers in `.` decimal notation, never exponent (1e-7 → 0.0000001), non-finite → empty cell;
// - null / undefined → empty cell; booleans → true / false; a Date → ISO-8601 UTC seconds;
// - a field containing `,`, `"`, CR or LF is quoted, inner quotes doubled; nothing else is quoted.

export type CsvKind = 'bank_history' | 'outlet_history' | 'energy_daily' | 'energy_monthly';

/** The columns of each export, in order (SPEC §13.6). */
export const CSV_COLUMNS: Readonly<Record<CsvKind, readonly string[]>> = {
  bank_history: ['bucket', 'epoch', 'bank', 'voltage', 'current', 'power', 'apparent', 'pf'],
  outlet_history: ['bucket', 'epoch', 'outlet', 'current', 'power', 'energy'],
  energy_daily: ['date', 'device_id', 'source', 'outlet', 'kwh', 'peak_power_w', 'avg_power_w', 'samples'],
  energy_monthly: ['month', 'device_id', 'source', 'outlet', 'kwh', 'peak_power_w', 'avg_power_w', 'days'],
};

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** ISO-8601 UTC at whole seconds: 1795428000 → '2026-11-24T10:00:00Z' (fractions truncated). */
export function isoSecond(epochS: number): string {
  if (!Number.isFinite(epochS)) throw new RangeError(`invalid epoch seconds ${String(epochS)}`);
  return new Date(Math.floor(epochS) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Exponent form (|v| < 1e-6 or ≥ 1e21): move the point in the shortest round-trip digits.
  const neg = s.startsWith('-');
  const [int = '', frac = ''] = s.slice(neg ? 1 : 0, e).split('.');
  const digits = int + frac;
  const point = int.length + Number(s.slice(e + 1));
  const body =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${body}` : body;
}

function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One cell as text (see the rules at the top of this file). */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : isoSecond(v.getTime() / 1000);
  return quote(typeof v === 'string' ? v : JSON.stringify(v));
}

/** One line (with its `\n`) of `values`. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\n`;
}

/**
 * The header line, then one line per row, pulled one row at a time (sync or async source). Missing
 * keys are empty cells; keys not in `columns` are ignored.
 */
export async function* csvLines<T extends object>(
  columns: readonly string[],
  rows: Iterable<T> | AsyncIterable<T>,
): AsyncGenerator<string, void, undefined> {
  yield csvLine(columns);
  for await (const row of rows) yield csvLine(columns.map((c) => (row as Readonly<Record<string, unknown>>)[c]));
}

function filePart(v: string | number): string {
  const s = typeof v === 'number' ? isoSecond(v).replace(/:/g, '') : v;
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * `{kind}_{device}_{from}_{to}.csv`, safe for Content-Disposition and every file system: dates
 * (YYYY-MM-DD / YYYY-MM) as given, epoch seconds as compact UTC ('2026-11-24T100000Z'), any other
 * character than letters, digits, `.`, `_`, `-` replaced by `_`.
 */
export function csvFilename(kind: CsvKind, deviceId: string, from: string | number, to: string | number): string {
  return `${kind}_${filePart(deviceId)}_${filePart(from)}_${filePart(to)}.csv`;
}
