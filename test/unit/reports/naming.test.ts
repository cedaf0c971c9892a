// Report file names (SPEC §13.7): weekly-{Monday}.{pdf,html}, monthly-{YYYY-MM}.{pdf,html}; every
// other name — and so every path traversal — is refused.
import { describe, expect, it } from 'vitest';
import { dateWeekday, isDeviceId, parseReportFilename, reportFilename } from '../../../src/reports/naming.js';

describe('report file names', () => {
  it.each([
    ['weekly', '2026-06-01', 'pdf', 'weekly-2026-06-01.pdf'],
    ['weekly', '2026-06-01', 'html', 'weekly-2026-06-01.html'],
    ['monthly', '2026-05', 'pdf', 'monthly-2026-05.pdf'],
  ] as const)('%s %s %s → %s and back', (type, period, format, name) => {
    expect(reportFilename(type, period, format)).toBe(name);
    expect(parseReportFilename(name)).toEqual({ type, period, format });
  });

  it.each([
    ['weekly-2026-06-02.pdf', 'a Tuesday'],
    ['weekly-2026-02-30.pdf', 'no such date'],
    ['monthly-2026-13.html', 'month 13'],
    ['monthly-2026-00.html', 'month 0'],
    ['weekly-2026-06-01.txt', 'other extension'],
    ['weekly-2026-06-01.pdf.html', 'two extensions'],
    ['WEEKLY-2026-06-01.pdf', 'upper case'],
    ['daily-2026-06-01.pdf', 'unknown type'],
    ['monthly-2026-05.pdf/', 'trailing slash'],
    ['../../etc/passwd', 'traversal'],
    ['..%2F..%2Fetc%2Fpasswd', 'encoded traversal'],
    ['monthly-2026-05.pdf\u0000', 'NUL byte'],
    ['', 'empty'],
  ])('refuses %j (%s)', (name) => {
    expect(parseReportFilename(name)).toBeNull();
  });

  it.each([
    ['pdu-01', true],
    ['demo_pdu', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['..', false],
    ['.', false],
    ['a/b', false],
    ['a.b', false],
    ['', false],
  ])('device id %j valid: %s', (id, ok) => {
    expect(isDeviceId(id)).toBe(ok);
  });

  it.each([
    ['2026-06-01', 0],
    ['2026-06-07', 6],
    ['2024-02-29', 3],
    ['2000-01-01', 5],
  ])('weekday of %s is %i (Monday = 0)', (date, wd) => {
    expect(dateWeekday(date)).toBe(wd);
  });
});
