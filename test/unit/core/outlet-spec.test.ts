// Outlet spec syntax (SPEC §12.2).
import { describe, expect, it } from 'vitest';
import { outletInSpec, parseOutletSpec } from '../../../src/core/outlet-spec.js';

describe('parseOutletSpec', () => {
  it.each([
    ['', '', []],
    ['3', '3', [3]],
    [4, '4', [4]],
    ['1,3-5', '1,3-5', [1, 3, 4, 5]],
    [' 6 - 10 , 2 ', '6-10,2', [2, 6, 7, 8, 9, 10]],
    ['all', 'all', [1, 2, 10, 48]],
  ])('accepts %j as %j', (input, normalized, contained) => {
    const r = parseOutletSpec(input);
    expect(r.ok && r.normalized).toBe(normalized);
    if (r.ok) for (const n of contained) expect(outletInSpec(r.spec, n)).toBe(true);
  });

  it('does not contain outlets outside the spec', () => {
    const r = parseOutletSpec('1,3-5');
    expect(r.ok && [2, 6].some((n) => outletInSpec(r.spec, n))).toBe(false);
  });

  it.each([
    ['1,,2', 'empty item'],
    ['1,', 'empty item'],
    ['0', 'numbered from 1'],
    ['5-3', 'runs backwards'],
    ['1-5,3', 'overlaps "1-5"'],
    ['2,2', 'overlaps "2"'],
    ['a', 'not a number or a range'],
    ['1-', 'not a number or a range'],
    ['-3', 'not a number or a range'],
  ])('rejects %j (%s)', (input, message) => {
    const r = parseOutletSpec(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(message);
      expect(r.hint).not.toBe('');
    }
  });
});
