// Store writes that keep failing log once per streak (first failure at error, recovery at info),
// so a full disk or a locked database does not log at every sample, check or rule step.
import { describe, expect, it } from 'vitest';
import { createLogger, FailureStreak } from '../../../src/core/logger.js';

function streak() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { lines, s: new FailureStreak(logger, 'thing not stored', 'things stored again') };
}

const fail = (): never => {
  throw new Error('SQLITE_FULL: database or disk is full');
};

describe('FailureStreak', () => {
  // Each step: true = the write succeeds, false = it throws. Expected: the lines logged, in order.
  const table: Array<{ name: string; steps: boolean[]; logged: Array<[number, string, number?]> }> = [
    { name: 'all writes succeed: silent', steps: [true, true, true], logged: [] },
    { name: 'one streak of 5: one error line, then one recovery line with the count', steps: [true, false, false, false, false, false, true, true], logged: [[50, 'thing not stored'], [30, 'things stored again', 5]] },
    { name: 'two streaks: each logs once', steps: [false, false, true, false, true], logged: [[50, 'thing not stored'], [30, 'things stored again', 2], [50, 'thing not stored'], [30, 'things stored again', 1]] },
    { name: 'still failing at the end: only the first failure', steps: [false, false, false], logged: [[50, 'thing not stored']] },
  ];
  it.each(table)('$name', ({ steps, logged }) => {
    const { lines, s } = streak();
    const results = steps.map((ok, i) => s.run(ok ? () => i : fail, { what: 'demo' }));
    expect(results).toEqual(steps.map((ok, i) => (ok ? i : null)));
    expect(lines.map((l) => [l.level, l.msg, ...(l.failed === undefined ? [] : [l.failed])])).toEqual(logged);
  });

  it('puts the caller fields and the error message into the failure line', () => {
    const { lines, s } = streak();
    s.run(fail, { rule: 'shed-load' });
    expect(lines[0]).toMatchObject({ rule: 'shed-load', error: 'SQLITE_FULL: database or disk is full', msg: 'thing not stored' });
  });
});
