import { describe, expect, it } from 'vitest';
import { contactState } from '../../../src/devices/pdu/assemble.js';
import {
  classifyLoadRows, detectCapabilities, rowIndex, sourceVoltageScale,
} from '../../../src/devices/pdu/layout.js';
import { CPS_MIB_PROFILE, ORIGINAL_PROFILE } from '../../../src/devices/pdu/profiles/index.js';
import { SnmpType, type Varbind } from '../../../src/devices/pdu/transport.js';

describe('load-table row classification (SPEC §7.2 Layout)', () => {
  it.each([
    ['PDU44001: total row + 2 banks', [1, 2, 3], { 1: 0, 2: 1, 3: 2 }, [[1, 0], [2, 1], [3, 2]]],
    ['PDU44005: row 1 total, row 2 bank 1', [1, 2], { 1: 0, 2: 1 }, [[1, 0], [2, 1]]],
    ['bank column absent: every row is a bank by index', [1, 2], null, [[1, 1], [2, 2]]],
    ['bank column answers noSuch for every row: rows are banks', [1, 2], {}, [[1, 1], [2, 2]]],
    ['unordered walk', [3, 1, 2], { 1: 0, 2: 1, 3: 2 }, [[1, 0], [2, 1], [3, 2]]],
    ['single bank without total', [1], { 1: 1 }, [[1, 1]]],
  ] as const)('%s', (_n, rows, banks, expected) => {
    const bankMap = banks === null ? null : new Map(rows.map((r) => [r, (banks as Record<number, number>)[r]]));
    const phase = new Map(rows.map((r) => [r, 1]));
    const got = classifyLoadRows(rows, phase, bankMap);
    expect(got.map((r) => [r.row, r.bank])).toEqual(expected);
    expect(got.every((r) => r.phase === 1)).toBe(true);
  });

  it('rowIndex reads the instance of a column OID', () => {
    expect(rowIndex('1.2.3', '1.2.3.7')).toBe(7);
    expect(rowIndex('1.2.3', '1.2.30.7')).toBeUndefined();
    expect(rowIndex('1.2.3', '1.2.3.1.5')).toBeUndefined();
  });
});

describe('source voltage scale (SPEC §7.5)', () => {
  it.each([
    ['PDU44005 fw 1.3.2: whole volts', 217, 217.9, 1],
    ['tenths', 2179, 217.9, 10],
    ['120 V whole', 121, 120.4, 1],
    ['120 V tenths', 1204, 120.4, 10],
    ['no source reading', undefined, 120, null],
    ['no input reading', 121, null, null],
  ] as const)('%s', (_n, raw, input, expected) => {
    expect(sourceVoltageScale(raw, input)).toBe(expected);
  });
});

const vb = (oid: string, value: number | null, type: number = SnmpType.Integer): [string, Varbind] => [oid, { oid, type, value }];

describe('capability detection (SPEC §7.5)', () => {
  const B = '1.3.6.1.4.1.3808.1.1.3';
  const E2 = '1.3.6.1.4.1.3808.1.1.6';
  it('a PDU44001-like answer set has every capability but environment', () => {
    const values = new Map([
      vb(`${E2}.9.4.1.3.1`, 1), vb(`${E2}.9.4.1.5.1`, 120), vb(`${B}.3.1.5.0`, 10), vb(`${B}.2.3.1.1.10.2`, 55),
      vb(`${B}.3.1.2.0`, 0), vb('1.3.6.1.4.1.3808.1.1.4.2.6.0', null, SnmpType.NoSuchObject),
    ]);
    expect(detectCapabilities(CPS_MIB_PROFILE.layout, values, 2, 1)).toEqual(['ats', 'sources', 'outlet_metering', 'bank_energy', 'coldstart', 'total_row']);
  });

  it('a switched, non-ATS model answering 0 metered outlets has no metering, no ATS', () => {
    const values = new Map([
      vb(`${E2}.9.4.1.3.1`, null, SnmpType.NoSuchInstance), vb(`${B}.3.1.5.0`, 0), vb(`${E2}.3.3.1.7.1`, null, SnmpType.NoSuchObject),
    ]);
    expect(detectCapabilities(CPS_MIB_PROFILE.layout, values, 1, null)).toEqual([]);
  });

  it('metering falls back to the ePDU2 metered-outlet count', () => {
    const values = new Map([vb(`${B}.3.1.5.0`, null, SnmpType.NoSuchObject), vb(`${E2}.3.3.1.7.1`, 8)]);
    expect(detectCapabilities(CPS_MIB_PROFILE.layout, values, 1, null)).toContain('outlet_metering');
  });

  it.each([
    ['answers the input frequency', vb(`${B}.5.8.0`, 600), true],
    ['answers noSuchObject for it', vb(`${B}.5.8.0`, null, SnmpType.NoSuchObject), false],
  ])('input_frequency, both profiles: the agent %s → %s', (_n, answer, has) => {
    for (const p of [CPS_MIB_PROFILE, ORIGINAL_PROFILE]) {
      expect(detectCapabilities(p.layout, new Map([answer]), 1, null).includes('input_frequency'), p.name).toBe(has);
    }
  });

  it('the original profile never has coldstart or a total row', () => {
    const values = new Map([vb(`${B}.3.1.2.0`, 0)]);
    const caps = detectCapabilities(ORIGINAL_PROFILE.layout, values, 1, 1);
    expect(caps).not.toContain('coldstart');
    expect(caps).not.toContain('total_row');
  });
});

describe('dry contact state (SPEC §7.2)', () => {
  it.each([
    [{ status: 'normal', normal_state: 'normallyOpen' }, 'open'],
    [{ status: 'abnormal', normal_state: 'normallyOpen' }, 'closed'],
    [{ status: 'normal', normal_state: 'normallyClosed' }, 'closed'],
    [{ status: 'abnormal', normal_state: 'normallyClosed' }, 'open'],
    [{ state: 'closed' }, 'closed'],
    [{ status: null }, null],
  ])('%j → %s', (input, expected) => {
    expect(contactState(input)).toBe(expected);
  });
});
